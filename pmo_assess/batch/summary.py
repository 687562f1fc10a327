"""The end of a batch: one line per unit (and the portfolio) on screen and in ``summary.csv``."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pmo_assess.io.files import atomic_write_text
from pmo_assess.sanitize import neutralize_formula

#: Statuses that count as success; anything else makes the batch exit 1.
SUCCESS = ("ok", "up to date")
FILE_NAME = "summary.csv"


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
    width = max([len(o.name) for o in outcomes] + [4])
    lines = [f"{'unit':<{width}}  {'status':<10}  {'seconds':>7}  report / error"]
    for o in outcomes:
        detail = o.report if o.succeeded else (o.error.splitlines() or [""])[0]
        lines.append(f"{o.name:<{width}}  {o.status:<10}  {o.seconds:>7.1f}  {detail}")
    failed = [o for o in outcomes if not o.succeeded]
    lines.append(f"{len(outcomes) - len(failed)} succeeded, {len(failed)} failed"
                 + (": " + ", ".join(o.name for o in failed) if failed else ""))
    return "\n".join(lines) + "\n"


def write_summary_csv(path: Path, outcomes: list[Outcome]) -> None:
    """``summary.csv`` with one row per outcome; text is neutralised so a spreadsheet never runs it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", "status", "seconds", "report", "error"])
    for o in outcomes:
        writer.writerow([neutralize_formula(o.name), o.status, f"{o.seconds:.1f}", o.report,
                         neutralize_formula(o.error)])
    atomic_write_text(path, buffer.getvalue())
