"""Helpers for the pack and import tests: fill a pack the way a respondent would, with openpyxl."""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from pmo_assess.packs import ANSWERS_SHEET, META_SHEET


def question_rows(workbook) -> dict[str, int]:
    """Question id → row of its answer cell, read from the pack's hidden sheet."""
    rows, started = {}, False
    for key, value in workbook[META_SHEET].iter_rows(max_col=2, values_only=True):
        if started:
            rows[value] = key
        started = started or key == "question_rows"
    return rows


def fill_pack(path: Path, answers: dict[str, object], comments: dict[str, str] | None = None,
              respondent: str | None = None, role: str | None = None) -> None:
    """Type answers (and comments, name, role) into a pack's input cells and save it, as Excel would."""
    workbook = load_workbook(path)
    sheet = workbook[ANSWERS_SHEET]
    rows = question_rows(workbook)
    columns = dict(workbook[META_SHEET].iter_rows(max_col=2, max_row=20, values_only=True))
    for question, answer in answers.items():
        sheet[f"{columns['answer_column']}{rows[question]}"] = answer
    for question, comment in (comments or {}).items():
        sheet[f"{columns['comment_column']}{rows[question]}"] = comment
    if respondent is not None:
        sheet["B2"] = respondent
    if role is not None:
        sheet["B3"] = role
    workbook.save(path)


def read_canonical(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def typed(answer: str) -> object:
    """An answer as Excel stores a dropdown choice: digits become numbers."""
    return int(answer) if answer.isdigit() else answer
