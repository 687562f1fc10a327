"""The unit's answers file as the workshop keeps it: canonical CSV, merged and written atomically.

Each save re-reads the file under a lock, checks that the row still holds what the page last saw
(else it refuses: no lost update), applies the one edit by (unit, respondent, question) and writes
it back with temp file + rename, so rows written by other respondents or earlier sessions are kept
as they are and a killed kernel never leaves half a file. Every save is also appended to a journal
beside the file (``<unit>.saves.jsonl`` for ``<unit>.csv``: who, when, what), which names the writer
of a newer value.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import COLUMNS
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.locks import locked

#: (business unit, respondent, question): one answer row.
Key = tuple[str, str, str]
#: Who wrote a value when the journal does not know (a ``pmo-assess import``, a hand edit).
OUTSIDE_WRITER = "someone outside the workshop (an import or a hand edit)"


@dataclass(frozen=True)
class Conflict:
    """The newer value a refused save found in the file, and who wrote it when."""

    answer: str
    comment: str
    written_by: str
    written_at: str


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


def journal_path(path: str | Path) -> Path:
    """The save journal beside an answers file: ``retail.csv`` → ``retail.saves.jsonl``."""
    return Path(path).with_suffix(".saves.jsonl")


def _value_of(rows: list[list[str]], key: Key) -> tuple[str, str]:
    """(answer, comment) of the row with ``key`` (the answer stripped, as the readers read it); blanks if none."""
    for row in rows:
        if row_key(row) == key:
            return row[4].strip(), row[5]
    return "", ""


def _writer_of(path: Path, key: Key, value: tuple[str, str]) -> tuple[str, str]:
    """(who, HH:MM:SS) of the last journalled save of ``value`` under ``key``; the outsider if none matches."""
    try:
        lines = journal_path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
            if (entry["unit"], entry["respondent"], entry["question"]) == key and \
                    (entry["answer"], entry["comment"]) == value:
                return str(entry["by"]), str(entry["at"])[11:19]
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line (killed mid-append) is skipped
    return OUTSIDE_WRITER, ""


def _journal(path: Path, row: list[str], writer: str) -> None:
    """Append one save to the journal; the answer is already on disk, so a journal that cannot grow is no loss."""
    entry = {"at": datetime.now().isoformat(timespec="seconds"), "unit": row[0], "respondent": row[1],
             "question": row[3], "answer": row[4], "comment": row[5], "by": writer}
    try:
        with journal_path(path).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError:
        pass  # only the writer's name of a later conflict is lost: it then reads as "someone outside"


def save_row(path: str | Path, row: list[str], seen: tuple[str, str],
             writer: str) -> tuple[list[list[str]], Conflict | None]:
    """Write one answer row if the file still holds ``seen`` for its key (or already holds the row).

    Returns the file's rows after the save and None, or the rows as found and the :class:`Conflict`
    (nothing written) when someone saved a different value since the page showed ``seen``.
    """
    path = Path(path)
    key = row_key(row)
    with locked(path):
        rows = read_rows(path)
        on_disk = _value_of(rows, key)
        if on_disk != (seen[0].strip(), seen[1]) and on_disk != (row[4].strip(), row[5]):
            return rows, Conflict(*on_disk, *_writer_of(path, key, on_disk))
        rows = merge_rows(rows, {key: row})
        atomic_write_text(path, render_csv(rows))
        _journal(path, row, writer)
    return rows, None


def file_stamp(path: str | Path | None) -> tuple[int, int, int] | None:
    """(modified ns, size, inode) of a file, None if it does not exist: changes whenever a save replaces it."""
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino
