"""The end of a batch: one line per unit (and the portfolio) on screen and in ``summary.csv``."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pmo_assess.io.files import atomic_write_text
from pmo_assess.sanitize import neutralize_formula

#: Statuses that count as success; anything else makes the batch exit 1.
SUCCESS = ("ok", "up to date")
FILE_NAME = "summary.csv"


def _escape(char: str) -> str:
    if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def visible(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters (and line/paragraph separators) shown as ``\\x07``-style escapes.

    Unit names and errors reach terminals, CSV and JSON: a raw ESC, NUL or carriage return would
    recolour the terminal, hide text or split a row. ``keep_newlines`` leaves line breaks of messages.
    """
    text = "" if text is None else str(text)
    if keep_newlines:
        return "\n".join("".join(map(_escape, line)) for line in text.split("\n"))
    return "".join(map(_escape, text))


@dataclass(frozen=True)
class Outcome:
    """How one unit (or the portfolio) ended in this run."""

    name: str
    status: str  # ok | up to date | invalid | failed | timeout | not run
    seconds: float = 0.0
    report: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS


def summary_text(outcomes: list[Outcome]) -> str:
    """A fixed-width table: name, status, seconds, and the report or the error's first line."""
    width = max([len(visible(o.name)) for o in outcomes] + [4])
    lines = [f"{'unit':<{width}}  {'status':<10}  {'seconds':>7}  report / error"]
    for o in outcomes:
        detail = o.report if o.succeeded else (o.error.split("\n") or [""])[0]
        lines.append(f"{visible(o.name):<{width}}  {o.status:<10}  {o.seconds:>7.1f}  {visible(detail)}")
    failed = [o for o in outcomes if not o.succeeded]
    lines.append(f"{len(outcomes) - len(failed)} succeeded, {len(failed)} failed"
                 + (": " + ", ".join(visible(o.name) for o in failed) if failed else ""))
    return "\n".join(lines) + "\n"


def write_summary_csv(path: Path, outcomes: list[Outcome]) -> None:
    """``summary.csv`` with one row per outcome; text is neutralised so a spreadsheet never runs it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", "status", "seconds", "report", "error"])
    for o in outcomes:
        writer.writerow([neutralize_formula(visible(o.name)), o.status, f"{o.seconds:.1f}", visible(o.report),
                         neutralize_formula(visible(o.error, keep_newlines=True))])
    atomic_write_text(path, buffer.getvalue())
