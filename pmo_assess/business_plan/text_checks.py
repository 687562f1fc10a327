"""Characters a plan cannot carry into its outputs: C0/C1 control characters (tab and newlines aside),
lone surrogates and the XML non-characters. DOCX and XLSX (XML inside) cannot hold them at all, so
they are refused with the key or item that holds them, before anything is rendered."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pmo_assess.errors import InputProblem

if TYPE_CHECKING:
    from pmo_assess.roadmap.roadmap_file import Roadmap

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def bad_characters(text: str) -> str:
    """'' for clean text, else the offending characters as code points, e.g. 'U+000B, U+0007'."""
    found = dict.fromkeys(_BAD.findall(text))
    return ", ".join(f"U+{ord(c):04X}" for c in list(found)[:5])


def roadmap_text_problems(roadmap: Roadmap) -> list[InputProblem]:
    """One problem per roadmap item text holding a character the plan's outputs cannot carry."""

    problems = []
    for index, item in enumerate(roadmap.items):
        for key in ("id", "title", "capability", "owner", "notes", "reason", "status"):
            bad = bad_characters(getattr(item, key) or "")
            if bad:
                problems.append(InputProblem(roadmap.source or "roadmap", f"items[{index}].{key}",
                                             f"item {item.id!r} contains control character(s) {bad}: remove them "
                                             "(the plan's DOCX and XLSX cannot hold them)"))
        for key in ("kpis", "prerequisites"):
            bad = bad_characters(" ".join(getattr(item, key)))
            if bad:
                problems.append(InputProblem(roadmap.source or "roadmap", f"items[{index}].{key}",
                                             f"item {item.id!r} contains control character(s) {bad}: remove them"))
    return problems
