"""A survey export as a table of text cells, read from CSV or an XLSX sheet, that can name its places."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.imports.records import cell_text
from pmo_assess.io.tables import csv_rows, guess_delimiter, long_field_problems, read_csv_text


@dataclass(frozen=True)
class SurveyTable:
    """A survey export's header and non-empty rows as text, and how to name a place in it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]   # (row number in the file, cell texts)
    sheet: str | None                   # None for CSV
    tool: str = ""                      # key of the survey tool whose export this is ("" = a plain wide table)
    row_texts: list[str] = field(default_factory=list)   # per column: the question (grid row) text it asks
    contexts: list[str] = field(default_factory=list)    # per column: its grid or matrix title, "" if none
    ids: list[str] = field(default_factory=list)         # per column: the tool's own column id (Qualtrics Q1_1)

    def row_place(self, row: int) -> str:
        return f"row {row}" if self.sheet is None else f"sheet {self.sheet!r}, row {row}"

    def place(self, column: int, row: int | None = None) -> str:
        letter = get_column_letter(column + 1)
        if self.sheet is None:
            return f"row {row}, column {letter}" if row else f"column {letter} {self.header[column]!r}"
        return f"sheet {self.sheet!r}, cell {letter}{row}" if row else \
            f"sheet {self.sheet!r}, column {letter} {self.header[column]!r}"


def read_csv_table(path: Path) -> SurveyTable:
    """A CSV survey export as text cells (UTF-8, comma, semicolon or tab separated)."""
    text = read_csv_text(path)
    delimiter = guess_delimiter(text.split("\n", 1)[0])
    records = csv_rows(path, text, delimiter)
    header = [cell_text(h) for h in next(records, (1, []))[1]]
    rows, problems = [], []
    for line, values in records:
        if any(v.strip() for v in values[len(header):]):  # an unquoted separator shifts every later answer
            problems.append(InputProblem(str(path), f"row {line}", (
                f"has {len(values)} fields but the header has {len(header)}; a value holding "
                f"{'a tab' if delimiter == chr(9) else repr(delimiter)} must be in double quotes")))
            continue
        if any(v.strip() for v in values):
            rows.append((line, [v.strip() for v in values[:len(header)]]
                         + [""] * (len(header) - len(values))))
    if problems:
        raise InputErrors(problems)
    return SurveyTable(header, rows, None)


def read_sheet_table(sheet: ReadOnlyWorksheet, path: str | Path = "") -> SurveyTable:
    """A worksheet (read-only openpyxl) of a survey export as text cells; over-long cells → InputErrors."""
    lines = sheet.iter_rows(values_only=True)
    header = [cell_text(h) for h in next(lines, ())]
    rows, problems = [], []
    for number, values in enumerate(lines, start=2):
        texts = [cell_text(v) for v in values[: len(header)]]
        if any(texts):
            problems += long_field_problems(path, "the cell", texts,
                                            lambda i: f"sheet {sheet.title!r}, cell {get_column_letter(i + 1)}{number}")
            rows.append((number, texts + [""] * (len(header) - len(texts))))
    if problems:
        raise InputErrors(problems)
    return SurveyTable(header, rows, sheet.title)
