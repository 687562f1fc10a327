"""Atomic writes and round-trip YAML: nothing a user wrote is lost or silently rewritten."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.limits import MAX_YAML_BYTES, check_yaml_limits, decode_text, read_input_bytes


def round_trip_yaml() -> YAML:
    """A YAML instance that keeps comments, key order and quoting when written back."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read_yaml(path: str | Path, with_lines: bool = True) -> Any:
    """Parse a YAML file; syntax errors, and files past the limits of :mod:`pmo_assess.io.limits` → InputErrors.

    ``with_lines`` keeps round-trip types (line numbers for messages, comments for writing back);
    without it the fast C loader gives plain dicts, for files that are only read.
    """
    path = Path(path)
    text = decode_text(path, read_input_bytes(path, MAX_YAML_BYTES, "YAML file"))
    check_yaml_limits(path, text)  # depth and alias expansion, before any object is built
    try:
        return (round_trip_yaml() if with_lines else YAML(typ="safe")).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputErrors([InputProblem(str(path), place, f"invalid YAML: {exc.problem}")]) from None
    except YAMLError as exc:
        raise InputErrors([InputProblem(str(path), "", f"invalid YAML: {exc}")]) from None
    except ValueError as exc:  # a value YAML reads as a date but which does not exist, e.g. 2027-02-30
        raise InputErrors([InputProblem(str(path), _impossible_date_place(text), f"invalid date: {exc}")]) from None


def _impossible_date_place(text: str) -> str:
    """'line N' of the first YYYY-MM-DD that is not a real date, or '' if there is none."""
    import datetime
    import re

    for number, line in enumerate(text.splitlines(), start=1):
        for found in re.findall(r"\b(\d{4}-\d{1,2}-\d{1,2})\b", line):
            try:
                datetime.date(*map(int, found.split("-")))
            except ValueError:
                return f"line {number} ({found})"
    return ""


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of a key in a parsed mapping (or of an item in a list), when known."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return lc.line + 1


def output_problem(path: str | Path, reason: str) -> InputProblem:
    """The message for an output that cannot be written (a folder, a read-only place, a full disk)."""
    return InputProblem(str(path), "", f"cannot be written: {reason}")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file so readers see either the old content or the new, never half of it.

    A path that cannot be written (a folder, no permission, a full disk) is InputErrors, not a traceback.
    """
    path = Path(path)
    if path.is_dir():
        raise InputErrors([output_problem(path, "is a folder, not a file")])
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise InputErrors([output_problem(path, exc.strerror or str(exc))]) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _read_umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


#: Read once at import, before any threads write files (reading it means setting it briefly).
UMASK = _read_umask()


def mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~UMASK


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _guess_indent(text: str) -> tuple[int | None, int | None]:
    """The (mapping indent, sequence dash offset) a hand-written YAML file uses, where it shows them."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping = offset = None
    for parent, child in zip(lines, lines[1:]):
        if not parent.rstrip().endswith(":") or parent.lstrip().startswith("- "):
            continue
        step = (len(child) - len(child.lstrip())) - (len(parent) - len(parent.lstrip()))
        if child.lstrip().startswith("- "):
            offset = step if offset is None and step >= 0 else offset
        elif step > 0 and mapping is None:
            mapping = step
    return mapping, offset


def write_yaml(path: str | Path, data: Any) -> None:
    """Write (round-trip) YAML atomically, keeping its comments, order and the file's own indentation."""
    path = Path(path)
    yaml = round_trip_yaml()
    try:
        mapping, offset = _guess_indent(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, UnicodeDecodeError):
        mapping = offset = None  # a new file gets the house style
    if mapping is not None or offset is not None:
        mapping = mapping or 2
        offset = 2 if offset is None else offset
        yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    atomic_write_text(path, buffer.getvalue())
