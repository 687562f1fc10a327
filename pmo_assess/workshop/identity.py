"""Who is answering: names matched the way people type them, and names fit for the answers file.

"ana  silva" and "Ana Silva" are one respondent; a name keeps the spelling first saved. Names
with control characters (tabs, newlines, escapes) are refused; formula-like names (``=cmd``) are
neutralised the way every text cell of a workshop CSV is.
"""
from __future__ import annotations

from typing import Iterable

from pmo_assess.sanitize import control_character_problem, neutralize_formula
from pmo_assess.workshop.errors import WorkshopRefusal


def name_key(name: str) -> str:
    """The form two spellings of one name share: case folded, runs of spaces made one, ends trimmed."""
    return " ".join(str(name or "").split()).casefold()


def clean_name(name: str, what: str = "name") -> str:
    """A name fit to save: trimmed, inner spaces kept, control characters refused, formula starts neutralised."""
    text = str(name or "").strip()
    problem = control_character_problem(text, what)
    if problem:
        raise WorkshopRefusal(problem)
    return neutralize_formula(text)


def match_name(name: str, known: Iterable[str]) -> str | None:
    """The spelling in ``known`` of the same person as ``name`` (case and spaces ignored), or None."""
    key = name_key(neutralize_formula(str(name or "").strip()))
    return next((k for k in known if name_key(k) == key), None)
