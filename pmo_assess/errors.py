"""Input problems, collected rather than raised one at a time.

Every reader in pmo-assess gathers what is wrong with a file into an :class:`InputErrors`
so that the user sees every problem of a file in one go; the CLI turns it into exit status 2.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

#: How many problems of one kind are listed before the rest are summarised as a count.
MAX_LISTED = 50


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with a user's file: which file, where in it, and what."""

    file: str
    place: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return _visible(f"{where}: {self.message}")


def _visible(text: str) -> str:
    """Control characters shown as escapes (``\\x1b``), so a hostile name cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


class InputErrors(Exception):
    """Every problem found in the user's input, reported together (exit status 2)."""

    def __init__(self, problems: Iterable[InputProblem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_LISTED]]
        hidden = len(self.problems) - MAX_LISTED
        if hidden > 0:
            lines.append(f"... and {hidden} more problems")
        return "\n".join(lines)


class ProblemCollector:
    """Collects problems about one file; :meth:`raise_if_any` raises them all at once."""

    def __init__(self, file: str | Path):
        self.file = str(file)
        self.problems: list[InputProblem] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(InputProblem(self.file, place, message))

    def extend(self, problems: Iterable[InputProblem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __iter__(self) -> Iterator[InputProblem]:
        return iter(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputErrors(self.problems)
