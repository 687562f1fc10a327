"""Paths a command was given, checked before any work: a folder where a file belongs is an input problem.

Readers and writers report a missing or malformed file themselves; these checks catch what they would
otherwise meet as an operating-system error half-way through (a folder given as a file, a file given
as the output folder, a folder that cannot be created), so the user gets one message and exit 2.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import output_problem

PathArg = str | Path | None


def _paths(value: PathArg | Iterable[PathArg]) -> list[Path]:
    if value is None or value == "":
        return []
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value if v not in (None, "")]


def file_problems(named: Mapping[str, PathArg | Iterable[PathArg]]) -> list[InputProblem]:
    """A problem for every path (keyed by its option) that is a folder or another non-file where a file belongs."""
    problems = []
    for option, value in named.items():
        for path in _paths(value):
            if path.is_dir():
                problems.append(InputProblem(str(path), option, "is a folder, not a file; give the file itself"))
            elif path.exists() and not path.is_file():
                problems.append(InputProblem(str(path), option, "is not a regular file (a device or a pipe); "
                                             "give a file"))
    return problems


def require_files(named: Mapping[str, PathArg | Iterable[PathArg]]) -> None:
    """InputErrors (exit 2) listing every path that is not a file where a file is expected."""
    problems = file_problems(named)
    if problems:
        raise InputErrors(problems)


def prepare_folder(path: str | Path, option: str) -> Path:
    """Create the output folder ``path`` (and its parents); InputErrors if it is a file or cannot be made."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputErrors([InputProblem(str(path), option, "is a file, not a folder; give a folder for the outputs")])
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputErrors([output_problem(path, f"the folder cannot be created ({exc.strerror or exc})")]) from None
    return path
