"""Make respondents' free text safe where pmo-assess writes it: HTML and spreadsheets."""
from __future__ import annotations

import html

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(text: str) -> str:
    """Prefix text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``=cmd|...``) with a quote."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def escape_html(text: str) -> str:
    """Escape text for HTML so ``<script>`` shows as text instead of running."""
    return html.escape("" if text is None else str(text), quote=True)
