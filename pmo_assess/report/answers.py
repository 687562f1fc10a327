"""Answers split by business unit, each unit validated on its own.

In a batch one unit's bad rows must fail that unit only, so answers are checked per unit here;
a file that cannot be split by unit at all (unreadable, missing columns, rows without a unit)
is bad input for the whole run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import (
    CONSENSUS_RESPONDENT,
    combine_answer_frames,
    duplicate_problems,
    read_answer_file,
    validate_answers,
)
from pmo_assess.model import Questionnaire


@dataclass
class UnitAnswers:
    """Every unit's rows (input order of first appearance) and the problems found in each unit's rows."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: dict[str, list[InputProblem]] = field(default_factory=dict)

    @property
    def units(self) -> list[str]:
        return list(self.frames)


def _unit_names(frame: pd.DataFrame) -> list[str]:
    codes = frame["business_unit"].cat.codes.to_numpy()
    present, first = np.unique(codes, return_index=True)
    ordered = present[np.argsort(first, kind="stable")]
    return [str(frame["business_unit"].cat.categories[c]) for c in ordered]


def _unit_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's unit as a category code (comparing codes is much cheaper than a million strings)."""
    return frame["business_unit"].cat.codes.to_numpy()


def _unit_code(frame: pd.DataFrame, unit: str) -> int:
    """The category code of ``unit`` (-2, matching no row, if the frame has no such unit)."""
    categories = [str(c) for c in frame["business_unit"].cat.categories]
    return categories.index(unit) if unit in categories else -2


def split_units(paths: list[str | Path], questionnaire: Questionnaire) -> UnitAnswers:
    """Read answer files and split them by unit; raises InputErrors only for what cannot be split."""
    frames, fatal = [], []
    for path in paths:
        try:
            frames.append(read_answer_file(path))
        except InputErrors as exc:
            fatal.extend(exc.problems)
    for frame in frames:
        if len(frame) == 0:
            fatal.append(InputProblem(str(frame["source"].cat.categories[0]) if len(frame["source"].cat.categories)
                                      else "answers", "", "no answer rows"))
            continue
        blank = np.flatnonzero(_unit_codes(frame) == _unit_code(frame, ""))
        word = frame.attrs.get("row_word", "row")
        fatal.extend(InputProblem(str(frame["source"].iloc[i]), f"{word} {frame['row'].iloc[i]}",
                                  "business_unit is empty, so this row belongs to no unit") for i in blank)
    if fatal:
        raise InputErrors(fatal)
    result = UnitAnswers()
    parts: dict[str, list[pd.DataFrame]] = {}
    for frame in frames:
        codes = _unit_codes(frame)
        for unit in _unit_names(frame):
            rows = frame[codes == _unit_code(frame, unit)]
            rows.attrs.update(frame.attrs)
            result.problems.setdefault(unit, []).extend(validate_answers(rows, questionnaire))
            parts.setdefault(unit, []).append(rows)
    for unit, unit_parts in parts.items():
        combined = combine_answer_frames(unit_parts)
        if not result.problems[unit]:
            result.problems[unit].extend(duplicate_problems(combined))
        if not result.problems[unit] and (combined["respondent"] == CONSENSUS_RESPONDENT).all():
            result.problems[unit].append(_room_only_problem(combined, unit))
        result.frames[unit] = combined
    return result


def _room_only_problem(rows: pd.DataFrame, unit: str) -> InputProblem:
    """A unit whose only rows are the room's agreed answers has no respondent to score (they are not one)."""
    sources = ", ".join(sorted({str(s) for s in rows["source"]}))
    return InputProblem(sources, "respondent", f"unit {unit!r} has only the room's agreed answers (respondent "
                        f"{CONSENSUS_RESPONDENT!r}), no respondent's own, so there is nothing to score; add the "
                        "respondents' answers (the room's answers are shown beside them, never counted)")


def load_unit_answers(paths: list[str | Path], business_unit: str, questionnaire: Questionnaire) -> pd.DataFrame:
    """One unit's validated rows from answer files that may hold many units; InputErrors if it has problems."""
    split = split_units(paths, questionnaire)
    if business_unit not in split.frames:
        found = ", ".join(repr(u) for u in split.units)
        raise InputErrors([InputProblem(", ".join(str(p) for p in paths), "business_unit",
                                        f"no answers for business unit {business_unit!r}; units found: {found}")])
    if split.problems[business_unit]:
        raise InputErrors(split.problems[business_unit])
    return split.frames[business_unit]
