"""The round an assessment belongs to: a label (``2026-Q4``) and the date it was assessed.

Every scores file and report carries one, so that rounds can be told apart and compared later.
A label becomes a folder name in a history, so it is kept to letters, digits, ``.``, ``_`` and ``-``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pmo_assess.errors import InputErrors, InputProblem

#: A round label: starts with a letter or digit, then letters, digits, '.', '_' or '-'; at most 40 characters.
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@dataclass(frozen=True)
class RoundInfo:
    """One assessment round: ``label`` (None when the user gave none) and the date it was assessed."""

    label: str | None
    assessed_on: dt.date

    @property
    def name(self) -> str:
        """What a person reads: the label, or the assessment date when there is no label."""
        return self.label or self.assessed_on.isoformat()

    def to_json(self) -> dict:
        """The ``round`` object of a scores file: ``{"label": str | null, "assessed_on": "YYYY-MM-DD"}``."""
        return {"label": self.label, "assessed_on": self.assessed_on.isoformat()}


def parse_round_info(label: str | None, assessed_on: str | dt.date | None, *, where: str = "command line",
                     today: dt.date | None = None) -> RoundInfo:
    """Check a round label and assessment date as a user gave them (``--round``, ``--assessed-on``).

    An empty label means none; an empty date means today. A date in the future, a date that is not
    YYYY-MM-DD, or a label that cannot be a folder name raises InputErrors naming ``where``.
    """
    today = today or dt.date.today()
    problems: list[InputProblem] = []
    clean_label = (label or "").strip() or None
    if clean_label is not None and not LABEL_PATTERN.fullmatch(clean_label):
        problems.append(InputProblem(where, "--round", f"{clean_label!r} is not a round label: use letters, digits, "
                                     "'.', '_' or '-' (at most 40, starting with a letter or digit), e.g. 2026-Q4"))
    date = today
    if isinstance(assessed_on, dt.date):
        date = assessed_on
    elif assessed_on is not None and str(assessed_on).strip():
        text = str(assessed_on).strip()
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            problems.append(InputProblem(where, "--assessed-on", f"{text!r} is not a date; write it as YYYY-MM-DD"))
    if date > today:
        problems.append(InputProblem(where, "--assessed-on", f"{date.isoformat()} is in the future (today is "
                                     f"{today.isoformat()}); an assessment date is when the answers were given"))
    if problems:
        raise InputErrors(problems)
    return RoundInfo(clean_label, date)


def round_info_from_json(data: object) -> RoundInfo | None:
    """The round of a scores file's ``round`` object, or None when the file has none (written before rounds)."""
    if not isinstance(data, dict) or not isinstance(data.get("assessed_on"), str):
        return None
    try:
        date = dt.date.fromisoformat(data["assessed_on"])
    except ValueError:
        return None
    label = data.get("label")
    return RoundInfo(label if isinstance(label, str) and label else None, date)
