"""Merge imported answers into an existing canonical answers file, and write the canonical CSV.

Every import re-reads the output and merges into it under the file's lock (the one the workshop
holds while it saves answers), so a concurrent import or workshop save is merged, never lost.

Without ``replace``: a row equal to an existing one (same unit, respondent, question, answer, comment
and role) is kept once; new rows are added; a row that *differs* from an existing one is a conflict,
and the whole import is refused. With ``replace``: every respondent in the import has all of their
existing rows replaced by the imported ones (a resubmitted pack replaces the old one as a whole).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.imports.records import AnswerRow, same_answer
from pmo_assess.io.answers import COLUMNS, read_answers
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.locks import locked
from pmo_assess.model import Questionnaire


@dataclass(frozen=True)
class MergeResult:
    rows: list[AnswerRow]
    added: int
    kept: int
    replaced: int


def rows_from_frame(frame: pd.DataFrame) -> list[AnswerRow]:
    """Canonical table (from :func:`pmo_assess.io.answers.read_answers`) → answer rows that know their place."""
    word = frame.attrs.get("row_word", "row")
    columns = [frame[c].astype(str).tolist() for c in (*COLUMNS, "source")]
    places = [f"{word} {r}" for r in frame["row"].tolist()]
    return [AnswerRow(*values, place) for *values, place in zip(*columns, places)]


def _differences(old: AnswerRow, new: AnswerRow) -> list[str]:
    found = []
    if not same_answer(old.answer, new.answer):
        found.append(f"answer {new.answer or '(empty)'!r} here, {old.answer or '(empty)'!r} there")
    if old.comment != new.comment:
        found.append("a different comment")
    if old.role != new.role:
        found.append(f"role {new.role!r} here, {old.role!r} there")
    return found


def merge_rows(existing: list[AnswerRow], new: list[AnswerRow], replace: bool = False) -> MergeResult:
    """Existing rows first, then the new ones; raises InputErrors naming both places of every conflict."""
    if replace:
        people = {(r.business_unit, r.respondent) for r in new}
        kept = [r for r in existing if (r.business_unit, r.respondent) not in people]
        return MergeResult(kept + new, added=len(new), kept=0, replaced=len(existing) - len(kept))
    by_key = {(r.business_unit, r.respondent, r.question): r for r in existing}
    role_of = {(r.business_unit, r.respondent): r for r in existing}
    added, same, problems = [], 0, []
    for row in new:
        old = by_key.get((row.business_unit, row.respondent, row.question))
        if old is None:
            earlier = role_of.get((row.business_unit, row.respondent))
            if earlier is not None and earlier.role != row.role:
                problems.append(InputProblem(row.source, row.place, (
                    f"respondent {row.respondent!r} of {row.business_unit!r} has role {row.role!r} here but "
                    f"{earlier.role!r} in {earlier.source} {earlier.place}; nothing was written (--replace "
                    f"takes the imported answers of this respondent instead)")))
            else:
                added.append(row)
            continue
        differences = _differences(old, row)
        if differences:
            problems.append(InputProblem(row.source, row.place, (
                f"{row.question} of {row.respondent!r} ({row.business_unit}) differs from {old.source} "
                f"{old.place}: {'; '.join(differences)}. Nothing was written; use --replace to take the "
                f"imported answers of this respondent")))
        else:
            same += 1
    if problems:
        raise InputErrors(problems)
    return MergeResult(existing + added, added=len(added), kept=same, replaced=0)


def canonical_csv(rows: list[AnswerRow]) -> str:
    """The canonical long table as CSV text (header ``business_unit,respondent,role,question,answer,comment``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row[:6] for row in rows)
    return buffer.getvalue()


def _existing_rows(out: Path, questionnaire: Questionnaire) -> list[AnswerRow]:
    if not out.exists():
        return []
    return [row.neutralized() for row in rows_from_frame(read_answers([out], questionnaire))]


def merge_into_file(out: str | Path, rows: list[AnswerRow], questionnaire: Questionnaire, replace: bool = False,
                    dry_run: bool = False) -> MergeResult:
    """Merge ``rows`` into the answers CSV ``out`` as it is now and write it back atomically, under its lock.

    A dry run reads without the lock and writes nothing (an atomically written file is never half read).
    """
    out = Path(out)
    if dry_run:
        return merge_rows(_existing_rows(out, questionnaire), rows, replace)
    with locked(out):
        merged = merge_rows(_existing_rows(out, questionnaire), rows, replace)
        atomic_write_text(out, canonical_csv(merged.rows))
    return merged
