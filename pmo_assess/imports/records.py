"""One imported answer with the place it came from, and the small text rules every reader shares."""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from pmo_assess.io.answers import COUNTED, INVALID, NOT_APPLICABLE, classify_answer
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import neutralize_formula


class AnswerRow(NamedTuple):
    """A canonical answer row plus its origin (``source`` file, ``place`` such as ``Answers!G8``)."""

    business_unit: str
    respondent: str
    role: str
    question: str
    answer: str
    comment: str
    source: str
    place: str

    def neutralized(self) -> "AnswerRow":
        """The row with respondents' text made safe to open in a spreadsheet (no formula runs)."""
        return self._replace(business_unit=neutralize_formula(self.business_unit),
                             respondent=neutralize_formula(self.respondent),
                             role=neutralize_formula(self.role), comment=neutralize_formula(self.comment))


def normalize_text(text: object) -> str:
    """Compare survey text loosely: Unicode-normalised, curly quotes straightened, blanks collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", "" if text is None else str(text))
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                                         "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip().casefold()


def loose_text(text: object) -> str:
    """:func:`normalize_text` without punctuation or quotes: ``"How's it done?"`` ~ ``hows it done``."""
    text = re.sub(r"['\"`´]", "", normalize_text(text))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: ``3.0`` → ``'3'``, ``None`` → ``''``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def canonical_answer(text: str) -> tuple[str, str]:
    """(canonical answer, problem): ``'3.0'`` → ``'3'``, ``'N/A'`` → ``'na'``, ``'dk'`` stays, empty → ``''``."""
    status, value, problem = classify_answer(text)
    if status == INVALID:
        return "", problem
    if status == COUNTED:
        return str(int(value)), ""
    if status == NOT_APPLICABLE:
        return "na", ""
    return ("dk" if text.strip() else ""), ""


def same_answer(first: str, second: str) -> bool:
    """Whether two answer texts mean the same (``'3'`` and ``'3.0'``; ``'dk'`` and empty)."""
    a, b = classify_answer(first), classify_answer(second)
    return a[0] == b[0] and (a[0] != COUNTED or a[1] == b[1])


def role_lookup(questionnaire: Questionnaire, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised role text → role id: ids, names, ``Name (id)`` labels as packs show them, and mapped texts."""
    lookup = {}
    for role in questionnaire.roles:
        for text in (role.id, role.name, f"{role.name} ({role.id})"):
            lookup[normalize_text(text)] = role.id
    for text, role_id in (extra or {}).items():
        lookup[normalize_text(text)] = role_id
    return lookup


def resolve_role(text: str, questionnaire: Questionnaire, lookup: dict[str, str]) -> tuple[str, str]:
    """(role id, problem) for a role as a respondent wrote it; any label is fine when no roles are defined."""
    if not text.strip():
        return "", ""
    found = lookup.get(normalize_text(text))
    if found:
        return found, ""
    if not questionnaire.roles:
        return text.strip(), ""
    return "", (f"role {text!r} is not one of the questionnaire's roles "
                f"({', '.join(f'{r.id} = {r.name}' for r in questionnaire.roles)})")
