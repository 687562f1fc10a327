"""Limits every reader checks before it can be hit: file size, YAML nesting and alias expansion, field size.

A hostile or broken file (a billion-laughs YAML, ``[[[[...`` nested thousands deep, a 100 MB cell) is
refused with a message naming the file and line instead of exhausting memory, time or the stack.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem

#: Largest YAML file read (questionnaires, answers YAML form, targets, votes, mappings, roadmaps, plans).
MAX_YAML_BYTES = 8 * 1024 * 1024
#: Largest answers/survey table read (CSV or XLSX); a million answer rows is about 60 MB of CSV.
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: Most an XLSX may unpack to (its XML parts together): stops a small "zip bomb" workbook.
MAX_XLSX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
#: Deepest nesting of YAML mappings and lists (the bundled files use fewer than 10).
MAX_YAML_DEPTH = 64
#: Most values (scalars, mappings, lists) one YAML file may hold: a large answers YAML form has ~50,000.
MAX_YAML_VALUES = 250_000
#: How many values YAML aliases (``*name``) may add by repeating what an anchor holds.
MAX_ALIAS_EXPANSION = 100_000
#: Longest single CSV/XLSX field; a comment is a paragraph or two, never a book.
MAX_FIELD_CHARS = 128 * 1024
#: The most waves a roadmap may have, and the longest wave (two years): beyond is a typo, not a plan.
MAX_WAVES = 200
MAX_WAVE_WEEKS = 104
#: The most person-days a wave may hold (a thousand people full time for two years).
MAX_CAPACITY = 1_000_000.0
#: Planned dates must fall in this range (a date outside is a typo and would overflow date arithmetic).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)


def problem(path: str | Path, place: str, message: str) -> InputErrors:
    """One-problem InputErrors, for limits that stop a file from being read at all."""
    return InputErrors([InputProblem(str(path), place, message)])


def read_input_bytes(path: str | Path, limit: int, kind: str = "file") -> bytes:
    """The bytes of an input file; missing, a folder, unreadable or larger than ``limit`` → InputErrors."""
    path = Path(path)
    try:
        if path.is_dir():
            raise problem(path, "", f"is a folder; expected a {kind}")
        size = path.stat().st_size
        if size > limit:
            raise problem(path, "", f"is {size / 1048576:.1f} MB; a {kind} may be at most "
                                    f"{limit / 1048576:.0f} MB")
        with path.open("rb") as handle:
            data = _read_at_most(handle, limit + 1, size)
    except FileNotFoundError:
        raise problem(path, "", "file not found") from None
    except OSError as exc:
        raise problem(path, "", f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise problem(path, "", f"is larger than {limit / 1048576:.0f} MB, the most a {kind} may be")
    return data


def _read_at_most(handle, most: int, size: int) -> bytes:
    """Read up to ``most`` bytes without reserving ``most`` up front (a FIFO or /dev/zero still stops)."""
    chunks, total = [], 0
    while total < most:
        chunk = handle.read(min(most - total, max(size + 1, 1 << 20)))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def refuse_utf16(path: str | Path, raw: bytes, advice: str = "save the file as UTF-8") -> None:
    """UTF-16 (with or without a byte order mark) → InputErrors that says so; looks at the first 4 KiB only."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem(path, "", f"is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; {advice}")
    head = raw[:4096]
    if len(head) >= 2 and head.count(b"\x00") * 4 >= len(head):
        order = "little-endian" if head[1:2] == b"\x00" else "big-endian"
        raise problem(path, "", f"looks like UTF-16 text ({order}, no byte order mark), not UTF-8; {advice}")


def decode_text(path: str | Path, raw: bytes, advice: str = "save the file as UTF-8") -> str:
    """UTF-8 text (a BOM is dropped); UTF-16 and other encodings → InputErrors naming the encoding."""
    refuse_utf16(path, raw, advice)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise problem(path, f"line {line}", f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                                            f"{advice}") from None


def check_yaml_limits(path: str | Path, text: str) -> None:
    """Refuse YAML nested deeper than MAX_YAML_DEPTH, holding more than MAX_YAML_VALUES values, or whose
    aliases expand beyond MAX_ALIAS_EXPANSION.

    Walks the parser's events (no objects are built), so a billion-laughs file costs a few
    milliseconds; syntax errors are left for the loader, which reports them with their line.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        _walk_events(path, YAML(typ="safe").parse(text))
    except YAMLError:
        try:  # libyaml and ruamel differ on a few corner cases: the pure-Python parser decides
            _walk_events(path, YAML(typ="rt").parse(text))
        except YAMLError:
            return


def _walk_events(path: str | Path, events) -> None:
    anchored: dict[str, int] = {}
    stack: list[list] = []  # [values inside, anchor] per open mapping or list
    added = parsed = 0
    for event in events:
        kind = type(event).__name__
        line = f"line {event.start_mark.line + 1}" if event.start_mark is not None else ""
        if kind in ("MappingStartEvent", "SequenceStartEvent", "ScalarEvent"):
            parsed += 1
            if parsed > MAX_YAML_VALUES:
                raise problem(path, line, f"holds more than {MAX_YAML_VALUES:,} values; a file this large is "
                                          "refused (split it, e.g. one answers file per unit)")
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            stack.append([1, event.anchor])
            if len(stack) > MAX_YAML_DEPTH:
                raise problem(path, line, f"nested more than {MAX_YAML_DEPTH} levels deep "
                                          "(mappings and lists inside each other)")
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            size, anchor = stack.pop()
            if anchor is not None:
                anchored[anchor] = size
            if stack:
                stack[-1][0] += size
        elif kind == "ScalarEvent":
            if event.anchor is not None:
                anchored[event.anchor] = 1
            if stack:
                stack[-1][0] += 1
        elif kind == "AliasEvent":
            size = anchored.get(event.anchor, 1)
            added += size
            if added > MAX_ALIAS_EXPANSION:
                raise problem(path, line, f"aliases (*{event.anchor}) expand to more than "
                                          f"{MAX_ALIAS_EXPANSION:,} values; a YAML file this "
                                          "repetitive is refused (a 'billion laughs' file)")
            if stack:
                stack[-1][0] += size
