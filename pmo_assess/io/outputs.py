"""What a command writes: never one of its own inputs, and several files all or none.

:func:`refuse_inputs_as_outputs` compares paths by the file they are (device and inode), not by
name, so ``-o ./a.csv`` and a hard link to the answers file are caught like ``-o a.csv``.
:func:`publish_all` stages every file beside its target first and only then renames them into
place, so a failure while rendering or writing one format leaves every earlier output as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import mode_for, output_problem


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def refuse_inputs_as_outputs(inputs: Iterable[str | Path], outputs: Mapping[str, str | Path]) -> None:
    """InputErrors (exit 2) if an output (keyed by its option, e.g. ``--output``) is one of the inputs."""
    known = {}
    for path in inputs:
        identity = _identity(Path(path))
        if identity is not None:
            known.setdefault(identity, str(path))
    problems = []
    for option, path in outputs.items():
        identity = _identity(Path(path))
        if identity is not None and identity in known:
            problems.append(InputProblem(str(path), option, f"is this command's input {known[identity]}; writing "
                                         "there would replace it. Choose another output file"))
    if problems:
        raise InputErrors(problems)


def publish_all(files: Mapping[str | Path, bytes]) -> list[Path]:
    """Write every file or none of them; returns the paths written, in the order given.

    Each file is first written to a temp file beside its target; if any of those fails, the temps are
    removed and no target changes. Then each temp replaces its target; should a rename fail, the
    targets already replaced get their previous content back.
    """
    staged: list[tuple[Path, str]] = []
    try:
        for target, data in files.items():
            target = Path(target)
            if target.is_dir():
                raise InputErrors([output_problem(target, "is a folder, not a file")])
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                staged.append((target, tmp))
                os.chmod(tmp, mode_for(target))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise InputErrors([output_problem(target, exc.strerror or str(exc))]) from None
        _replace_all(staged)
    finally:
        for _, tmp in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [target for target, _ in staged]


def _replace_all(staged: list[tuple[Path, str]]) -> None:
    """Rename every staged temp onto its target; on a failure put back what was already replaced."""
    backups: list[tuple[Path, str | None]] = []
    try:
        for target, tmp in staged:
            backup = None
            if target.exists():
                fd, backup = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
                os.close(fd)
                shutil.copy2(target, backup)
            backups.append((target, backup))
            os.replace(tmp, target)
    except OSError as exc:
        for target, backup in reversed(backups):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise InputErrors([output_problem(target, exc.strerror or str(exc))]) from None
    finally:
        for _, backup in backups:
            if backup is not None and os.path.exists(backup):
                os.unlink(backup)
