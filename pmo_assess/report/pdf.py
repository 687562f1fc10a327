"""HTML report → PDF with WeasyPrint (A4, page numbers and running header come from the print stylesheet)."""
from __future__ import annotations

from types import ModuleType

from pmo_assess.report.format_error import ReportFormatError

#: The Debian/Ubuntu packages WeasyPrint needs (pango and its FreeType backend).
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"


def load_weasyprint() -> ModuleType:
    """Import WeasyPrint, or a ReportFormatError naming what to install when it or its libraries are missing."""
    try:
        import weasyprint
    except ImportError as exc:
        raise ReportFormatError("pdf", f"WeasyPrint is not installed ({exc}); install it with "
                                       "pip install weasyprint") from None
    except OSError as exc:  # cffi cannot load pango
        raise ReportFormatError("pdf", f"WeasyPrint cannot load a system library ({exc}); install them with "
                                       f"apt-get install {SYSTEM_PACKAGES}") from None
    return weasyprint


def html_to_pdf(html: str, title: str, author: str) -> bytes:
    """The PDF of a report page; its metadata holds only ``title`` and ``author`` (no respondent, no path)."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(string=html, base_url=None).render()
    metadata = document.metadata
    metadata.title = title
    metadata.authors = [author]
    metadata.description = None
    metadata.keywords = []
    metadata.attachments = []
    return document.write_pdf()
