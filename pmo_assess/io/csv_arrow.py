"""Parse CSV answer files into Arrow tables of categorical text, without pandas.

Kept apart from :mod:`pmo_assess.io.answers` so a command can start parsing its answer files in the
background (:func:`start_parsing`) while it is still importing pandas and loading the questionnaire:
on two cores the parse and the imports overlap. Here: the header check, the parse, and the search for
the rows that broke it; the canonical answers frame and the checks of its values stay in
:mod:`pmo_assess.io.answers`.
"""
from __future__ import annotations

import csv
import os
import re
import stat
import threading
from pathlib import Path

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
    Python's lock at every block. The size is checked before (a file of size 0 may be a pseudo-file that has
    no size: it takes the path through its bytes, which stops at the limit) and after: a file that grew past
    the limit while it was read is handed back (None).
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or not 0 < info.st_size <= MAX_TABLE_BYTES:  # 0: may be a pseudo-file
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


class _ArrowCores:
    """Arrow's core count, one lower while any parse ahead runs beside its caller, as it was once none does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parses = 0
        self._before = 0

    def lower(self) -> None:
        with self._lock:
            if self._parses == 0:
                self._before = pa.cpu_count()
                pa.set_cpu_count(max(1, self._before - 1))
            self._parses += 1

    def restore(self) -> None:
        with self._lock:
            self._parses -= 1
            if self._parses == 0:
                pa.set_cpu_count(self._before)


_arrow_cores = _ArrowCores()


class ParsingAhead:
    """CSV answer files being parsed in a background thread, one after another, while the caller imports and
    loads the rest.

    Arrow parses without holding Python's lock, so the parse and the caller's work overlap. While the caller
    works, Arrow gets one core fewer than the machine has (on two cores: one, as the caller keeps the other
    busy); once the caller waits for a table, or the parse ends, Arrow gets every core back. The thread is not
    a daemon: a command that stops early (bad questionnaire, Ctrl-C) calls :meth:`stop`, which lets the file
    in hand finish and skips the rest, rather than tearing the interpreter down under Arrow.
    """

    def __init__(self, paths: list[Path]):
        self._paths = paths
        self._tables: dict[Path, pa.Table | None] = {}
        self._parsed = {path: threading.Event() for path in paths}
        self._failure: BaseException | None = None
        self._stopping = threading.Event()
        self._cores_lock = threading.Lock()
        self._cores_lowered = bool(paths)  # this parse keeps Arrow one core short until it gives it back
        self._thread = threading.Thread(target=self._parse, name="pmo-assess-csv-parse")
        if paths:
            _arrow_cores.lower()
            self._thread.start()

    def _parse(self) -> None:
        try:
            for path in self._paths:
                if not self._stopping.is_set():
                    self._tables[path] = read_csv_table_streamed(path)
                self._parsed[path].set()
        except BaseException as exc:  # handed to the caller by table(), which re-raises it in its thread
            self._failure = exc
        finally:
            self._give_cores_back()
            for parsed in self._parsed.values():
                parsed.set()

    def _give_cores_back(self) -> None:
        """Give Arrow its core back, once, from whichever thread comes first."""
        with self._cores_lock:
            lowered, self._cores_lowered = self._cores_lowered, False
        if lowered:
            _arrow_cores.restore()

    def covers(self, path: Path) -> bool:
        """Whether this file is among those parsed ahead."""
        return path in self._parsed

    def table(self, path: Path) -> pa.Table | None:
        """The file's table as :func:`read_csv_table_streamed` gives it, once parsed (waits for that file only);
        handed out once: a second read of the same file parses it again."""
        self._give_cores_back()  # the caller only waits now: the parse may take every core
        self._parsed[path].wait()
        if self._failure is not None:
            raise self._failure
        return self._tables.pop(path, None)

    def stop(self) -> None:
        """Skip the files not yet begun and wait for the one in hand (the caller is stopping early or is done)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()


def start_parsing(paths: list[str | Path]) -> ParsingAhead:
    """Start parsing the CSV files among ``paths`` (each once) in the background; read them with
    ``read_answers(..., ahead=...)``, which takes the parsed tables instead of parsing again."""
    unique = dict.fromkeys(Path(p) for p in paths)
    return ParsingAhead([path for path in unique if path.suffix.lower() in CSV_SUFFIXES])
