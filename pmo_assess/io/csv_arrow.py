"""Parse CSV answer files into Arrow tables of categorical text, without pandas.

Kept apart from :mod:`pmo_assess.io.answers` so a command can start parsing its answer files in the
background (:func:`start_parsing`) while it is still importing pandas and loading the questionnaire:
on two cores the parse and the imports overlap. Turning a table into the canonical answers frame, and
every message about a file, stays with :mod:`pmo_assess.io.answers`.
"""
from __future__ import annotations

import csv
import os
import re
import stat
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.limits import MAX_TABLE_BYTES, refuse_utf16
from pmo_assess.io.tables import CSV_ADVICE, csv_rows, duplicate_columns, field_problem

#: The canonical answer columns, named when a header is empty.
COLUMNS = ("business_unit", "respondent", "role", "question", "answer", "comment")
#: How much of a CSV file is read first, for its header line and encoding checks.
HEAD_BYTES = 1 << 16
#: Bytes Arrow parses at a time (its default is 1 MiB): fewer, larger blocks cost less to stitch together.
BLOCK_BYTES = 4 << 20
#: File name endings read as CSV.
CSV_SUFFIXES = (".csv", ".txt")


def normalise_column(name: str) -> str:
    """A column title as the canonical name it stands for: ``' Business Unit '`` → ``'business_unit'``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def csv_header(path: Path, raw: bytes) -> tuple[str, list[str]]:
    """The delimiter and the column titles on the first line of ``raw`` (the file, or its beginning), checked."""
    refuse_utf16(path, raw, CSV_ADVICE)
    end = raw.find(b"\n")
    try:
        header_line = raw[: end if end >= 0 else len(raw)].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputErrors(locate_csv_problem(path, raw, ",", None)) from None
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        header = next(csv.reader([header_line.rstrip("\r")], delimiter=delimiter), [])
    except csv.Error as exc:  # a stray carriage return or NUL in the header line
        raise InputErrors([field_problem(path, "row 1", exc)]) from None
    if not any(h.strip() for h in header):
        raise InputErrors([InputProblem(str(path), "row 1", "the header is empty; the first line must name the "
                                        f"columns {', '.join(COLUMNS)}")])
    duplicates = duplicate_columns(path, header, normalise_column)
    if duplicates:
        raise InputErrors(duplicates)
    return delimiter, header


def parse_csv_table(source, delimiter: str, header: list[str], **options: bool) -> pa.Table:
    """Parse CSV text (a buffer or a file) with every column as dictionary-encoded text, empty cells as ''."""
    text_type = pa.dictionary(pa.int32(), pa.string())
    convert = pacsv.ConvertOptions(column_types={name: text_type for name in header}, strings_can_be_null=False)
    return pacsv.read_csv(source, read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES), convert_options=convert,
                          parse_options=pacsv.ParseOptions(delimiter=delimiter, **options))


def read_csv_table_streamed(path: Path) -> pa.Table | None:
    """A regular CSV file within the size limit, parsed straight from disk; None when the file must take the
    path through its bytes, which names rows and problems: anything else than such a file, or a problem of
    any kind. Blank lines stay as records of empty fields, so the caller can tell whether record i sits on
    row i + 2.

    Arrow reads the file itself, never through Python, so a parse in a background thread does not wait for
    Python's lock at every block. A file that grew past the limit while it was read is handed back (None).
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TABLE_BYTES:
            return None
        handle = pa.OSFile(str(path))
    except OSError:
        return None
    with handle:
        try:
            head = handle.read(HEAD_BYTES)
            if len(head) == HEAD_BYTES and b"\n" not in head:  # a header line longer than the head
                return None
            delimiter, header = csv_header(path, head)
            handle.seek(0)
            table = parse_csv_table(handle, delimiter, header, ignore_empty_lines=False)
            if handle.tell() > MAX_TABLE_BYTES:
                return None
        except (InputErrors, pa.ArrowException, UnicodeDecodeError, OSError):
            return None
    return table


def record_rows(path: Path, raw: bytes, delimiter: str, count: int) -> np.ndarray:
    """The spreadsheet row of each data record: blank lines (skipped by the fast reader) still count as rows."""
    if b"\n\n" not in raw and b"\n\r\n" not in raw:
        return np.arange(2, count + 2, dtype=np.int64)
    records = csv_rows(path, raw.decode("utf-8-sig"), delimiter)
    rows = [number for number, (_, fields) in enumerate(records, start=1) if fields and number > 1]
    return np.asarray(rows, dtype=np.int64) if len(rows) == count else np.arange(2, count + 2, dtype=np.int64)


def locate_csv_problem(path: Path, raw: bytes, delimiter: str, exc: Exception | None) -> list[InputProblem]:
    """Find the rows that broke the fast reader (bad encoding, wrong field count), so the message names them."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [InputProblem(str(path), f"row {line}", f"is not UTF-8 text; {CSV_ADVICE}")]
    try:
        records = csv_rows(path, text, delimiter)
        header = next(records, (1, []))[1]
        bad = [InputProblem(str(path), f"row {number}", f"has {len(r)} fields, the header has {len(header)}")
               for number, (_, r) in enumerate(records, start=2) if r and len(r) != len(header)]
    except InputErrors as error:
        return error.problems
    return bad or [InputProblem(str(path), "", f"cannot be read as CSV: {exc}")]


class ParsingAhead:
    """CSV answer files being parsed in a background thread, while the caller imports and loads the rest.

    Arrow parses without holding Python's lock, so the parse and the caller's work overlap. While the caller
    works, Arrow gets one core fewer than the machine has (on two cores: one, as the caller keeps the other
    busy); once the caller waits for a table, Arrow gets every core back. The thread is not a daemon: a
    command that stops early (bad questionnaire, Ctrl-C) waits for the parse to end rather than tearing the
    interpreter down under it.
    """

    def __init__(self, paths: list[Path]):
        self._paths = paths
        self._tables: dict[Path, pa.Table | None] = {}
        self._failure: BaseException | None = None
        self._cores = pa.cpu_count()
        if paths:
            pa.set_cpu_count(max(1, self._cores - 1))
        self._thread = threading.Thread(target=self._parse, name="pmo-assess-csv-parse")
        self._thread.start()

    def _parse(self) -> None:
        try:
            for path in self._paths:
                self._tables[path] = read_csv_table_streamed(path)
        except BaseException as exc:  # handed to the caller by table(), which re-raises it in its thread
            self._failure = exc
        finally:
            pa.set_cpu_count(self._cores)

    def covers(self, path: Path) -> bool:
        """Whether this file is among those parsed ahead."""
        return path in self._paths

    def table(self, path: Path) -> pa.Table | None:
        """The file's table as :func:`read_csv_table_streamed` gives it, once parsed (waits for the thread)."""
        pa.set_cpu_count(self._cores)  # the caller only waits now: the parse may take every core
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._tables.pop(path, None)


def start_parsing(paths: list[str | Path]) -> ParsingAhead:
    """Start parsing the CSV files among ``paths`` in the background; read them with ``read_answers(...,
    ahead=...)``, which takes the parsed tables instead of parsing again."""
    return ParsingAhead([Path(p) for p in dict.fromkeys(paths) if Path(p).suffix.lower() in CSV_SUFFIXES])
