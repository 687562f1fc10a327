"""Reading notebooks quickly: nbformat validates through jsonschema, which at import builds an RFC 3987
grammar (1-2 s of CPU) for IRI formats that the notebook schema never uses.

Only processes pmo-assess owns call :func:`skip_iri_grammar` (its commands, a batch's kernels and its own Dask
workers), before nbformat is first imported; a user's own process keeps jsonschema whole.
"""
from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Make jsonschema skip its optional RFC 3987 grammar in this process (it then checks no IRI formats)."""
    sys.modules.setdefault("rfc3987_syntax", None)
