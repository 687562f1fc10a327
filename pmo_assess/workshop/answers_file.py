"""The unit's answers file as the workshop keeps it: canonical CSV, merged and written atomically.

Each save re-reads the file under a lock, applies this session's edits by (unit, respondent,
question) and writes it back with temp file + rename, so rows written by other respondents or
earlier sessions are kept as they are and a killed kernel never leaves half a file.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import COLUMNS
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.locks import locked

#: (business unit, respondent, question): one answer row.
Key = tuple[str, str, str]


def row_key(row: list[str]) -> Key:
    """The identity of an answer row (blanks around values ignored, as the readers do)."""
    return row[0].strip(), row[1].strip(), row[3].strip()


def read_rows(path: str | Path) -> list[list[str]]:
    """The answer rows of a canonical CSV, as typed (six strings each); a missing or empty file has none."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputErrors([InputProblem(str(path), "", "not UTF-8 text; save the CSV as UTF-8")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    if [h.strip().lower() for h in header] != list(COLUMNS):
        raise InputErrors([InputProblem(
            str(path), "header",
            f"the workshop keeps answers with exactly the columns {','.join(COLUMNS)}, but this file has "
            f"{','.join(header)}; give the workshop its own answers file")])
    rows, problems = [], []
    for row in reader:
        if not any(field.strip() for field in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append(InputProblem(str(path), f"row {reader.line_num}",
                                         f"has {len(row)} fields, the header has {len(COLUMNS)}"))
        rows.append(row)
    if problems:
        raise InputErrors(problems)
    return rows


def merge_rows(existing: list[list[str]], edits: dict[Key, list[str]]) -> list[list[str]]:
    """The file's rows with the edits applied: an edited row replaces its key's row in place, new rows go last."""
    merged, placed = [], set()
    for row in existing:
        key = row_key(row)
        if key in edits and key not in placed:
            merged.append(edits[key])
            placed.add(key)
        else:
            merged.append(row)
    merged.extend(row for key, row in edits.items() if key not in placed)
    return merged


def render_csv(rows: list[list[str]]) -> str:
    """Canonical CSV text: the header, then the rows (quoted only where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def save_edits(path: str | Path, edits: dict[Key, list[str]]) -> list[list[str]]:
    """Merge the edits into the file as it is now and write it atomically; returns the rows written."""
    path = Path(path)
    with locked(path):
        rows = merge_rows(read_rows(path), edits)
        atomic_write_text(path, render_csv(rows))
    return rows
