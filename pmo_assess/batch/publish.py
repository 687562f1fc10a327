"""Where a run's outputs are made and how they reach their destination: all at once, or into ``failed/``.

Outputs are made in a hidden ``.NAME.partial-*`` folder beside their destination. On success they
replace the previous outputs by rename; on failure the partial folder is moved to ``failed/NAME``
(the executed notebook with the error, and ``error.txt``) and the previous good outputs stay as
they were. So nothing at the destination is ever half written. Outputs made on another machine (a
Dask worker) arrive as bytes and are published through the same partial folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from pmo_assess.batch.summary import visible
from pmo_assess.io.files import atomic_write_bytes, atomic_write_text
from pmo_assess.io.outputs import publish_all

if TYPE_CHECKING:
    from pmo_assess.batch.run import NotebookJob

#: The file in a failed run's folder that says what went wrong.
ERROR_FILE = "error.txt"


def make_work_dir(job: "NotebookJob") -> Path:
    """A fresh hidden partial folder beside the job's destination."""
    parent = job.publish_dir.parent if job.publish_dir else next(iter(job.outputs.values())).parent
    parent.mkdir(parents=True, exist_ok=True)
    stem = job.publish_dir.name if job.publish_dir else job.name
    return Path(tempfile.mkdtemp(prefix=f".{stem}.partial-", dir=parent)).resolve()


def _umask() -> int:
    """The process umask, read without changing it (Linux); 0o022 where it cannot be read."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _make_shareable(work: Path) -> None:
    """Temp folders and atomic writes are private (0700/0600); reports get the modes of ordinary files."""
    mask = _umask()
    work.chmod(0o777 & ~mask)
    for path in work.iterdir():
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


#: Report formats a unit's folder may hold from any run (pmo_assess.report.documents.FORMATS).
_REPORT_FORMATS = ("html", "pdf", "pptx")


def batch_owned(job: "NotebookJob") -> set[str]:
    """The names a batch writes in a unit's folder, for any format: everything else there is a person's."""
    return {job.executed_name, "scores.json", *(f"{job.report_stem}.{fmt}" for fmt in _REPORT_FORMATS)}


def _carry_over(job: "NotebookJob", final: Path, work: Path) -> list[str]:
    """Copy into ``work`` what a person put in the unit's folder ``final`` (not the batch's files); their names."""
    owned = batch_owned(job)
    kept = []
    for path in sorted(final.iterdir()) if final.is_dir() else ():
        if path.name in owned or (work / path.name).exists():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, work / path.name, symlinks=True)
        else:
            shutil.copy2(path, work / path.name, follow_symlinks=False)
        kept.append(path.name)
    return kept


def publish_outputs(job: "NotebookJob", work: Path) -> list[str]:
    """Put the outputs in place by rename: the destination is either the old set or the new one.

    A unit's folder is swapped whole, with the files a person added to it (any not written by the batch)
    carried over; their names are returned. Loose files (the portfolio's) go through :func:`publish_all`.
    """
    _make_shareable(work)
    kept: list[str] = []
    if job.publish_dir is not None:
        final = job.publish_dir
        old = None
        kept = _carry_over(job, final, work)
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
            os.replace(final, old / final.name)
        os.replace(work, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    else:
        publish_all({published: (work / made).read_bytes() for made, published in job.outputs.items()})
        shutil.rmtree(work, ignore_errors=True)
    if job.failed_dir.exists():
        shutil.rmtree(job.failed_dir, ignore_errors=True)
    return kept


def keep_failure(job: "NotebookJob", work: Path, message: str, trace: str) -> None:
    """Move the partial outputs to ``failed/NAME`` with the error, away from any published report."""
    for path in list(work.iterdir()):
        if path.name != job.executed_name:  # never keep anything that looks like a finished report
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    atomic_write_text(work / ERROR_FILE, f"{visible(job.name)}: {message}\n\n{trace}")
    if job.failed_dir.exists():
        shutil.rmtree(job.failed_dir, ignore_errors=True)
    job.failed_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, job.failed_dir)
    return []


def read_outputs(folder: Path) -> dict[str, bytes]:
    """Every file directly in ``folder``, by name (what a worker sends back)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def publish_received(job: "NotebookJob", files: Mapping[str, bytes], ok: bool) -> list[str]:
    """Publish outputs made elsewhere: into the job's destination if ``ok``, else into ``failed/NAME``.

    Returns the names of a person's files carried over in the unit's folder (see :func:`publish_outputs`)."""
    work = make_work_dir(job)
    for name, data in files.items():
        atomic_write_bytes(work / Path(name).name, data)
    if ok:
        return publish_outputs(job, work)
    _make_shareable(work)
    if job.failed_dir.exists():
        shutil.rmtree(job.failed_dir, ignore_errors=True)
    job.failed_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, job.failed_dir)
    return []
