"""The one way pmo-assess opens CSV and XLSX tables (answers, survey exports, packs), with every limit checked.

Readers build their own rows, but the file itself is always opened here, so every table reader refuses
the same things the same way: a folder or an oversized file, a non-UTF-8 or UTF-16 CSV, a field over
:data:`~pmo_assess.io.limits.MAX_FIELD_CHARS`, a duplicate column, an XLSX formula with no saved value.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterator
from xml.etree.ElementTree import iterparse

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.limits import (MAX_FIELD_CHARS, MAX_TABLE_BYTES, MAX_XLSX_UNPACKED_BYTES, decode_text, problem,
                                 read_input_bytes)

CSV_ADVICE = "save the file as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)"
#: Formula cells listed by name before the rest are counted.
CELLS_NAMED = 10


def read_csv_text(path: str | Path) -> str:
    """A CSV file's text: a folder, an oversized file or a non-UTF-8 (e.g. UTF-16) file → InputErrors."""
    return decode_text(path, read_input_bytes(path, MAX_TABLE_BYTES, "CSV file"), CSV_ADVICE)


def guess_delimiter(header_line: str, candidates: tuple[str, ...] = (",", ";", "\t")) -> str:
    """The separator the header line uses most (comma on a tie)."""
    return max(candidates, key=header_line.count)


def csv_rows(path: str | Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each CSV record; a field over the limit or broken quoting → InputErrors."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    csv.field_size_limit(MAX_FIELD_CHARS)  # the csv module's own default (128 KiB), made explicit
    start = 1
    try:
        for values in reader:
            yield reader.line_num, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputErrors([field_problem(path, f"row {start}", exc)]) from None


def field_problem(path: str | Path, place: str, exc: Exception) -> InputProblem:
    """The message for a CSV record the csv module refused (a field over the limit, a stray quote, a NUL)."""
    if "field larger than field limit" in str(exc):
        return InputProblem(str(path), place, f"a field is longer than {MAX_FIELD_CHARS:,} characters "
                                              f"({MAX_FIELD_CHARS // 1024} KiB), the most one cell may hold; "
                                              "is a quote missing its closing quote?")
    if "new-line character seen in unquoted field" in str(exc):
        return InputProblem(str(path), place, "has a carriage return inside an unquoted field (old Mac line "
                                              f"endings?); {CSV_ADVICE}")
    if "NUL" in str(exc) or "null byte" in str(exc):
        return InputProblem(str(path), place, f"holds a NUL byte, so it is not a text CSV; {CSV_ADVICE}")
    return InputProblem(str(path), place, f"cannot be read as CSV: {exc}")


def long_field_problems(path: str | Path, column: str, values, place: Callable[[int], str]) -> list[InputProblem]:
    """Fields of ``values`` (texts by position) longer than MAX_FIELD_CHARS, one problem each."""
    return [InputProblem(str(path), place(i), f"{column} is {len(v):,} characters long; a cell may hold at most "
                                              f"{MAX_FIELD_CHARS:,} ({MAX_FIELD_CHARS // 1024} KiB)")
            for i, v in enumerate(values) if isinstance(v, str) and len(v) > MAX_FIELD_CHARS]


def duplicate_columns(path: str | Path, header: list[str], normalise: Callable[[str], str],
                      sheet: str | None = None) -> list[InputProblem]:
    """Columns whose names mean the same (``answer`` and ``Answer``), naming both; empty titles are skipped."""
    first: dict[str, int] = {}
    problems = []
    where = f"sheet {sheet!r}, header" if sheet else "header"
    for index, title in enumerate(header):
        key = normalise(title)
        if not key:
            continue
        if key in first:
            from openpyxl.utils import get_column_letter  # only to name a duplicate (openpyxl costs ~70 ms)

            earlier = first[key]
            problems.append(InputProblem(str(path), where, (
                f"column {get_column_letter(index + 1)} {title!r} repeats column {get_column_letter(earlier + 1)} "
                f"{header[earlier]!r} (both are read as {key!r}); keep one of them")))
        else:
            first[key] = index
    return problems


def open_xlsx(path: str | Path, data_only: bool = True):
    """An XLSX opened read-only; a folder, an oversized or a broken workbook → InputErrors."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    if path.is_dir():
        raise problem(path, "", "is a folder; expected an Excel workbook")
    if not path.exists():
        raise problem(path, "", "file not found")
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise problem(path, "", f"is larger than {MAX_TABLE_BYTES // 1048576} MB, the most a table may be")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise problem(path, "", f"unpacks to {unpacked / 1073741824:.1f} GB, more than the "
                                    f"{MAX_XLSX_UNPACKED_BYTES / 1073741824:.0f} GB a workbook may hold")
        return load_workbook(path, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise problem(path, "", f"cannot be opened as an Excel workbook ({exc})") from None


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def uncached_formulas(path: str | Path, sheet) -> list[str]:
    """Cells of a read-only worksheet holding a formula with no saved result (read as empty otherwise).

    A workbook written by a program (not saved by Excel) keeps formulas without their results; reading
    such a cell as empty would silently turn an answer into "don't know".
    """
    member = getattr(sheet, "_worksheet_path", None)
    if not member:
        return []
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            if not _mentions_formula(stream):
                return []
            with archive.open(member) as again:
                return _formula_cells(again)
    except (KeyError, zipfile.BadZipFile, OSError, SyntaxError):
        return []  # openpyxl already read this sheet; a part it tolerated is not refused here


def _mentions_formula(stream) -> bool:
    tail = b""
    while chunk := stream.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _formula_cells(stream) -> list[str]:
    cells, cell, formula, value = [], "", False, ""
    for event, element in iterparse(stream, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "c":
            cell, formula, value = element.get("r", ""), False, ""
        elif event == "end" and tag == "f":
            formula = True
        elif event == "end" and tag == "v":
            value = element.text or ""
        elif event == "end" and tag == "c":
            if formula and not value:
                cells.append(cell)
            element.clear()
        elif event == "end" and tag == "row":
            element.clear()
    return cells


def formula_problem(path: str | Path, sheet_title: str, cells: list[str]) -> InputProblem:
    """One problem naming the formula cells without saved values (the first CELLS_NAMED, then a count)."""
    named = ", ".join(cells[:CELLS_NAMED]) + (f" and {len(cells) - CELLS_NAMED} more" if len(cells) > CELLS_NAMED
                                              else "")
    return InputProblem(str(path), f"sheet {sheet_title!r}, cell{'s' if len(cells) > 1 else ''} {named}",
                        "holds a formula with no saved result, so its value is unknown; open the workbook in "
                        "Excel and save it (or paste the values instead of formulas)")
