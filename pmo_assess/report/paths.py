"""Find the files a notebook parameter names, from the repo root as well as from the current folder.

Notebooks run from ``notebooks/``, from the repo root and from a batch's temp folder; a relative
path that does not exist where the kernel runs is looked up against the repo root instead.
"""
from __future__ import annotations

import glob
from pathlib import Path

#: The folder holding ``pmo_assess/`` (the repo root for a clone installed with ``pip install -e .``).
REPO_ROOT = Path(__file__).resolve().parents[2]

GLOB_CHARACTERS = frozenset("*?[")


def resolve_input(path: str | Path) -> Path:
    """``path`` if it exists (or is absolute), else the same relative path under the repo root if that exists."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    under_root = REPO_ROOT / candidate
    return under_root if under_root.exists() else candidate


def resolve_inputs(paths: str | Path | list[str | Path]) -> list[Path]:
    """One path, a glob pattern or a list of either, resolved with :func:`resolve_input`; patterns expand sorted."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    resolved: list[Path] = []
    for item in items:
        text = str(item)
        if GLOB_CHARACTERS & set(text):
            matches = sorted(glob.glob(text)) or sorted(glob.glob(str(REPO_ROOT / text)))
            # a pattern matching nothing stays as it is, so the reader reports it as not found
            resolved.extend(Path(m) for m in matches or [text])
        else:
            resolved.append(resolve_input(text))
    return resolved
