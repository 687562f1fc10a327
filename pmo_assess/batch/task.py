"""One unit as a self-contained task for another machine (a Dask worker): inputs in, outputs back, as bytes.

The client packs a unit's notebook parameters with the files they name (:func:`pack_unit`): the
unit's own answer rows as one CSV (not the whole answer file), and the questionnaire, targets,
settings (and its slide template), roadmap, previous scores and notebook. Files every unit shares
travel once per worker (:class:`SharedFiles`). With ``shared_inputs`` only paths travel: the workers
read the same files (a shared file system). The worker (:func:`run_unit_task`) writes the inputs to
a scratch folder, runs the notebook with :func:`~pmo_assess.batch.run.run_notebook_job` exactly as a
local batch does, and sends back the unit's folder (or its failure folder) as bytes; nothing is
published on the worker.
"""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmo_assess import __version__
from pmo_assess.batch.kernel_pool import KernelPool, unit_warm_up
from pmo_assess.batch.publish import read_outputs
from pmo_assess.batch.run import IN_KERNEL_FORMATS, NotebookJob, RunResult, run_notebook_job, warm_up_reports
from pmo_assess.io.answers import COLUMNS
from pmo_assess.io.notebook_schema import skip_iri_grammar

#: Notebook parameters naming one input file ("" for none), shared by every unit or the unit's own.
SHARED_FILE_PARAMETERS = ("questionnaire", "targets", "report_settings")
UNIT_FILE_PARAMETERS = ("roadmap", "previous_scores")


@dataclass(frozen=True)
class FileData:
    """An input file by value (``data``) or, on a shared file system, by path (``data`` None)."""

    name: str
    data: bytes | None = None
    path: str = ""


@dataclass(frozen=True)
class SharedFiles:
    """What every unit of a batch uses: the notebook and the shared input files (by parameter)."""

    notebook: FileData
    files: dict[str, FileData]
    template: FileData | None = None  # the settings file's pptx_template, when it names one


@dataclass(frozen=True)
class UnitTask:
    """One unit's run on a worker: its parameters (file ones as FileData), and how the batch runs units."""

    version: str
    name: str
    parameters: dict
    answers: FileData
    files: dict[str, FileData]
    executed_name: str
    html_name: str
    formats: tuple[str, ...]
    timeout: float
    reuse_kernels: bool


@dataclass
class TaskResult:
    """What comes back: the run's result, and the unit's output files (or its failure files) by name."""

    result: RunResult
    ok_files: dict[str, bytes] = field(default_factory=dict)
    failed_files: dict[str, bytes] = field(default_factory=dict)


def file_data(path: str | Path, shared: bool) -> FileData:
    """A file for a task: its bytes, or only its absolute path when the workers share the file system."""
    path = Path(path).resolve()
    return FileData(path.name, None, str(path)) if shared else FileData(path.name, path.read_bytes())


def rows_csv(rows: pd.DataFrame) -> bytes:
    """A unit's validated answer rows as a canonical CSV (what the worker's notebook reads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows[list(COLUMNS)].astype(str).itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8")


def pack_shared(notebook: Path, parameters: dict, shared: bool) -> SharedFiles:
    """The notebook and shared input files (from a unit's local parameters) for every task."""
    files = {name: file_data(parameters[name], shared) for name in SHARED_FILE_PARAMETERS if parameters.get(name)}
    template = None
    if parameters.get("report_settings") and not shared:
        from pmo_assess.report.settings import load_report_settings

        found = load_report_settings(parameters["report_settings"]).pptx_template
        template = file_data(found, False) if found else None
    return SharedFiles(file_data(notebook, shared), files, template)


def pack_unit(job: NotebookJob, rows: pd.DataFrame, timeout: float, reuse_kernels: bool, shared: bool) -> UnitTask:
    """A unit's job as a task: its own rows (or its answer files' paths) and files, with the batch's settings."""
    # every parameter travels, empty ones too: a parameter left out would take the notebook's own default
    # (the bundled notebook's example targets); the file ones given are replaced by their worker copies
    values = {k: v for k, v in job.parameters.items()
              if k not in SHARED_FILE_PARAMETERS + UNIT_FILE_PARAMETERS or not v}
    files = {name: file_data(job.parameters[name], shared) for name in UNIT_FILE_PARAMETERS
             if job.parameters.get(name)}
    sources = [Path(s) for s in job.parameters["answers"]]
    slug = job.publish_dir.name if job.publish_dir is not None else "unit"
    # named after the unit's folder, never after an answer file (whose name may be a respondent's)
    answers = FileData("", None, "\n".join(map(str, sources))) if shared else FileData(
        f"answers-{slug}.csv", rows_csv(rows))
    return UnitTask(__version__, job.name, values, answers, files, job.executed_name, job.html_name, job.formats,
                    timeout, reuse_kernels)


def _write(folder: Path, data: FileData) -> str:
    """Where the task's notebook finds a file: its shared path, or a copy written into ``folder``."""
    if data.data is None:
        return data.path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / data.name
    path.write_bytes(data.data)
    return str(path)


def _settings_copy(folder: Path, settings: FileData, template: FileData) -> str:
    """The settings file, copied with its ``pptx_template`` pointing at the template's copy beside it."""
    from pmo_assess.io.files import read_yaml, write_yaml

    path = Path(_write(folder, settings))
    _write(folder, template)
    data = read_yaml(path)
    data["pptx_template"] = template.name
    write_yaml(path, data)
    return str(path)


def _materialise(task: UnitTask, shared: SharedFiles, root: Path) -> tuple[Path, dict]:
    """Write the task's inputs under ``root``; the notebook's path and the parameters naming them."""
    parameters = dict(task.parameters)
    for name, data in shared.files.items():
        folder = root / "inputs" / name
        if name == "report_settings" and shared.template is not None and data.data is not None:
            parameters[name] = _settings_copy(folder, data, shared.template)
        else:
            parameters[name] = _write(folder, data)
    for name, data in task.files.items():
        parameters[name] = _write(root / "inputs" / name, data)
    if task.answers.data is None:
        parameters["answers"] = task.answers.path.split("\n")
    else:
        parameters["answers"] = [_write(root / "inputs" / "answers", task.answers)]
    return Path(_write(root / "inputs" / "notebook", shared.notebook)), parameters


_pool_lock = threading.Lock()
_pool: list[KernelPool] = []


def _worker_pool(formats: tuple[str, ...]) -> KernelPool:
    """This worker process's kernel pool (made on first use, warmed for ``formats``, shared by its threads)."""
    with _pool_lock:
        if not _pool:
            _pool.append(KernelPool(unit_warm_up(formats)))
        return _pool[0]


def close_worker_pool() -> None:
    """Shut down this worker's pooled kernels (the client calls it on every worker at the end of a batch)."""
    with _pool_lock:
        pools = list(_pool)
        _pool.clear()
    for pool in pools:
        pool.close()


def prepare_worker(reuse_kernels: bool, own_cluster: bool, formats: tuple[str, ...] = ("html",)) -> None:
    """Warm a worker, in the background, before its first unit: the imports every unit needs, a pooled kernel,
    the browser that prints its units' PDFs.

    On a cluster this batch started itself (``local:N``), papermill's notebook validation is also spared
    the RFC 3987 grammar it builds at import for formats notebooks never use (as the CLI process does)."""
    import importlib
    import logging

    if own_cluster:
        skip_iri_grammar()
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if reuse_kernels:
        _worker_pool(formats).start_ahead()

    def load() -> None:
        for module in ("papermill", "nbformat", "pmo_assess.report.documents"):
            importlib.import_module(module)

    threading.Thread(target=load, name="pmo-worker-imports", daemon=True).start()
    # this worker prints its units' PDFs; their decks are made in the pooled kernels when kernels are reused
    warm_up_reports(tuple(f for f in formats if not reuse_kernels or f not in IN_KERNEL_FORMATS))


def worker_version() -> str:
    """The pmo-assess version this worker runs (checked against the client's before a batch starts)."""
    return __version__


def _dask_worker() -> object | None:
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError):
        return None


def run_unit_task(task: UnitTask, shared: SharedFiles) -> TaskResult:
    """Run one unit on this worker and return its outputs as bytes; failures come back as results, never raised."""
    if task.version != __version__:
        message = (f"this worker runs pmo-assess {__version__} but the batch was started with pmo-assess "
                   f"{task.version}; install the same version on every worker")
        return TaskResult(RunResult("failed", 0.0, message, 0))
    worker = _dask_worker()
    root = Path(tempfile.mkdtemp(prefix="pmo-assess-unit-", dir=getattr(worker, "local_directory", None)))
    try:
        notebook, parameters = _materialise(task, shared, root)
        slug = hashlib.sha256(task.name.encode()).hexdigest()[:12]
        job = NotebookJob(name=task.name, notebook=notebook, parameters=parameters,
                          executed_name=task.executed_name, html_name=task.html_name,
                          outputs={}, failed_dir=root / "failed" / slug, publish_dir=root / "units" / slug,
                          required=("scores.json",), formats=task.formats)
        result = run_notebook_job(job, task.timeout, pool=_worker_pool(task.formats) if task.reuse_kernels else None)
        result.profile["worker"] = getattr(worker, "address", "") or result.profile.get("worker", "")
        outputs = read_outputs(job.publish_dir) if result.ok else {}
        failed = read_outputs(job.failed_dir) if not result.ok and job.failed_dir.is_dir() else {}
        return TaskResult(result, outputs, failed)
    finally:
        shutil.rmtree(root, ignore_errors=True)
