"""Read a filled respondent pack (see :mod:`pmo_assess.packs`) back into answer rows, checking everything."""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string

from pmo_assess.errors import ProblemCollector
from pmo_assess.imports.records import (AnswerRow, canonical_answer, cell_text, resolve_role,
                                        role_lookup)
from pmo_assess.io.tables import open_xlsx
from pmo_assess.model import Questionnaire
from pmo_assess.packs import META_SHEET, PACK_FORMAT, pack_checksum
from pmo_assess.sanitize import control_character_problem

#: Where the pack's input cells are (hidden sheet, not covered by the checksum): a cell such as B2, a column such as G.
_LAYOUT = {"respondent_cell": r"[A-Z][1-9][0-9]*", "role_cell": r"[A-Z][1-9][0-9]*",
           "ref_column": r"[A-Z]{1,3}", "answer_column": r"[A-Z]{1,3}", "comment_column": r"[A-Z]{1,3}"}
_META_KEYS = ("format", "questionnaire_id", "questionnaire_version", "business_unit", "respondent", "role",
              "answers_sheet", "respondent_cell", "role_cell", "ref_column", "answer_column",
              "comment_column", "checksum", "question_rows")


def _read_metadata(workbook: Workbook, problems: ProblemCollector) -> tuple[dict[str, str], list[tuple[int, str, int]]]:
    """Key/value metadata and the (answer row, question id, metadata row) list of the hidden sheet."""
    meta: dict[str, str] = {}
    rows: list[tuple[int, str, int]] = []
    expected = None
    for number, values in enumerate(workbook[META_SHEET].iter_rows(max_col=2, values_only=True), start=1):
        key, value = (list(values) + [None, None])[:2]
        if expected is None:
            meta[cell_text(key)] = cell_text(value)
            if cell_text(key) == "question_rows":
                expected = int(meta["question_rows"]) if meta["question_rows"].isdigit() else -1
            continue
        if len(rows) == expected:
            break
        row_text = cell_text(key)
        rows.append((int(row_text) if row_text.isdigit() else 0, cell_text(value), number))
    where = f"hidden sheet {META_SHEET}"
    missing = [k for k in _META_KEYS if k not in meta]
    if meta.get("format") != PACK_FORMAT or missing or expected != len(rows):
        problems.add(where, f"is damaged or of an unknown pack format ({meta.get('format')!r}"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + "); make a new pack with pmo-assess pack")
        problems.raise_if_any()
    layout = [k for k, pattern in _LAYOUT.items() if not re.fullmatch(pattern, meta[k])]
    if layout:
        problems.add(where, f"is damaged: {', '.join(f'{k} {meta[k]!r}' for k in layout)} is not a cell or column "
                            "of the answers sheet; make a new pack with pmo-assess pack")
        problems.raise_if_any()
    return meta, rows


def _check_questionnaire(meta: dict[str, str], questionnaire: Questionnaire, problems: ProblemCollector) -> None:
    made_for = (meta["questionnaire_id"], meta["questionnaire_version"])
    if made_for != (questionnaire.id, questionnaire.version):
        problems.add(f"hidden sheet {META_SHEET}",
                     f"the pack was made from questionnaire {made_for[0]!r} version {made_for[1]}, but this "
                     f"import uses {questionnaire.id!r} version {questionnaire.version}; import it with the "
                     f"questionnaire it was made from")
        problems.raise_if_any()


def read_pack(path: str | Path, workbook: Workbook, questionnaire: Questionnaire) -> list[AnswerRow]:
    """Answer rows of one filled pack (an open openpyxl workbook); every problem raised together."""
    source = str(path)
    problems = ProblemCollector(source)
    meta, question_rows = _read_metadata(workbook, problems)
    _check_questionnaire(meta, questionnaire, problems)
    sheet_name = meta["answers_sheet"]
    if sheet_name not in workbook.sheetnames:
        problems.add(f"sheet {sheet_name}", "is missing; the pack was altered")
        problems.raise_if_any()
    if pack_checksum(meta, [(r, q) for r, q, _ in question_rows]) != meta["checksum"]:
        problems.add(f"hidden sheet {META_SHEET}", "its questionnaire, respondent or question data was edited "
                     "after the pack was made (checksum mismatch); make a new pack")
    ref_col, answer_col, comment_col = (column_index_from_string(meta[k]) - 1
                                        for k in ("ref_column", "answer_column", "comment_column"))
    last_row = max([r for r, _, _ in question_rows] + [3])
    cells = list(workbook[sheet_name].iter_rows(min_row=1, max_row=last_row, values_only=True))

    def value(row: int, col: int) -> str:
        line = cells[row - 1] if row - 1 < len(cells) else ()
        return cell_text(line[col]) if col < len(line) else ""

    unit = meta["business_unit"]
    respondent = meta["respondent"] or value(int(meta["respondent_cell"][1:]),
                                             column_index_from_string(meta["respondent_cell"][0]) - 1)
    if not respondent:
        problems.add(f"{sheet_name}!{meta['respondent_cell']}",
                     "the respondent's name is empty; the respondent writes it there on a blank pack")
    role_text = meta["role"] or value(int(meta["role_cell"][1:]), column_index_from_string(meta["role_cell"][0]) - 1)
    role, role_problem = resolve_role(role_text, questionnaire, role_lookup(questionnaire))
    if role_problem:
        problems.add(f"{sheet_name}!{meta['role_cell']}", role_problem)
    for field, text, place in (("respondent", respondent, f"{sheet_name}!{meta['respondent_cell']}"),
                               ("role", role_text, f"{sheet_name}!{meta['role_cell']}"),
                               ("business unit", unit, f"hidden sheet {META_SHEET}")):
        if message := control_character_problem(text, field):
            problems.add(place, message)

    known = questionnaire.question_index
    seen: dict[str, int] = {}
    rows: list[AnswerRow] = []
    for row, question, meta_row in question_rows:
        if question not in known:
            problems.add(f"hidden sheet {META_SHEET}, cell B{meta_row}",
                         f"question id {question!r} is not in questionnaire {questionnaire.id!r}; the pack was altered")
            continue
        if question in seen:
            problems.add(f"hidden sheet {META_SHEET}, cell B{meta_row}",
                         f"question id {question!r} appears twice (also for row {seen[question]}); "
                         f"the pack was altered")
            continue
        seen[question] = row
        shown = value(row, ref_col)
        if shown != question:
            problems.add(f"{sheet_name}!{meta['ref_column']}{row}",
                         f"shows question {shown!r} but the pack's hidden data says {question!r} for this row; "
                         f"the pack was altered")
            continue
        answer, answer_problem = canonical_answer(value(row, answer_col))
        if answer_problem:
            problems.add(f"{sheet_name}!{meta['answer_column']}{row}", f"{answer_problem} (question {question})")
        comment = value(row, comment_col)
        if answer or comment:
            rows.append(AnswerRow(unit, respondent, role, question, answer, comment, source,
                                  f"{sheet_name}!{meta['answer_column']}{row}"))
    if not rows and not problems:
        problems.add(sheet_name, f"the pack is empty: no answer in column {meta['answer_column']} and no comment")
    problems.raise_if_any()
    return rows


def open_workbook(path: str | Path) -> Workbook:
    """Open an XLSX read-only with formulas as written (a typed ``=...`` is kept as text, never evaluated).

    So a formula is read as its text (and neutralised when written), never lost as an empty value.
    """
    return open_xlsx(path, data_only=False)
