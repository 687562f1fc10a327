"""``pmo-assess batch`` end to end: check inputs, run every unit in parallel, then the portfolio, then summarise.

Output folder layout::

    OUT/units/<slug>/assessment.ipynb, report.html, scores.json   one folder per unit, published whole
    OUT/failed/<slug>/assessment.ipynb, error.txt                 the last failed attempt of a unit
    OUT/portfolio.ipynb, OUT/portfolio.html                        the cross-unit view
    OUT/summary.csv, OUT/manifest.json                             this run's outcome; what a rerun may skip

A unit that fails keeps its previous good report (if any) in ``units/``; the summary names it as
failed, and the portfolio covers every unit with a report in ``units/``. A lock file keeps a second
batch out of the same OUT while one runs. The portfolio's kernel is started (warm) while the last
units still run, so its start-up does not add to the batch's wall time.
"""
from __future__ import annotations

import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TextIO

from pmo_assess.batch.discover import (
    PORTFOLIO_PARAMETERS,
    BatchInputs,
    UNIT_PARAMETERS,
    assign_slugs,
    check_notebook_parameters,
    load_inputs,
)
from pmo_assess.batch.kernels import WarmKernel
from pmo_assess.batch.manifest import FILE_NAME as MANIFEST_FILE
from pmo_assess.batch.manifest import Manifest, file_hash, portfolio_key, rows_hash, targets_text, unit_key
from pmo_assess.batch.progress import Progress
from pmo_assess.batch.run import NotebookJob, RunResult, run_notebook_job
from pmo_assess.batch.summary import FILE_NAME as SUMMARY_FILE
from pmo_assess.batch.summary import Outcome, summary_text, visible, write_summary_csv
from pmo_assess.commands.paths import file_problems, prepare_folder
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.locks import locked
from pmo_assess.io.outputs import refuse_inputs_as_outputs
from pmo_assess.report.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "assessment.ipynb"
PORTFOLIO_NOTEBOOK = REPO_ROOT / "notebooks" / "portfolio.ipynb"
UNIT_FILES = ("assessment.ipynb", "report.html", "scores.json")
#: The longest --timeout accepted (7 days): beyond it the timers that enforce it overflow.
MAX_TIMEOUT = 7 * 24 * 3600.0
#: What the portfolio's kernel imports while the last units still run (the bundled notebook's heavy imports).
PORTFOLIO_WARM_UP = ("pandas", "seaborn", "pmo_assess.report.portfolio", "pmo_assess.charts.heatmap",
                     "pmo_assess.charts.bars")


@dataclass(frozen=True)
class BatchConfig:
    """What ``pmo-assess batch`` was asked to do (paths as the user gave them)."""

    answers: list[Path]
    questionnaire: Path
    out: Path
    targets: Path | None = None
    workers: int = os.cpu_count() or 1
    timeout: float = 600.0
    rerun_all: bool = False
    notebook: Path = NOTEBOOK
    portfolio_notebook: Path = PORTFOLIO_NOTEBOOK
    progress_bar: bool | None = None  # None: a bar only on a terminal


def _check_config(config: BatchConfig) -> None:
    problems = file_problems({"ANSWERS": config.answers, "--questionnaire": config.questionnaire,
                              "--targets": config.targets, "--notebook": config.notebook,
                              "portfolio notebook": config.portfolio_notebook})
    if config.workers < 1:
        problems.append(InputProblem("command line", "--workers", f"must be 1 or more, got {config.workers}"))
    if not 0 < config.timeout <= MAX_TIMEOUT:  # also refuses nan and inf
        problems.append(InputProblem("command line", "--timeout", f"must be more than 0 and at most {MAX_TIMEOUT:g} "
                                     f"seconds (7 days), got {config.timeout:g}"))
    if config.out.exists() and not config.out.is_dir():
        problems.append(InputProblem(str(config.out), "--out",
                                     "is a file, not a folder; give the folder for the reports"))
    problems.extend(_inputs_among_outputs(config))
    if problems:
        raise InputErrors(problems)


def _inputs_among_outputs(config: BatchConfig) -> list[InputProblem]:
    """An input the batch would replace or delete: one of OUT's own files, or a file inside OUT/units or OUT/failed."""
    out = config.out.resolve()
    inputs = [*config.answers, config.questionnaire, config.notebook, config.portfolio_notebook]
    inputs += [config.targets] if config.targets else []
    files = [out / name for name in (SUMMARY_FILE, MANIFEST_FILE, "portfolio.ipynb", "portfolio.html")]
    problems = []
    try:
        refuse_inputs_as_outputs(inputs, {f"--out ({f.name})": f for f in files})
    except InputErrors as exc:
        problems.extend(exc.problems)
    for path in inputs:
        real = Path(path).resolve()
        folder = next((out / f for f in ("units", "failed") if real.is_relative_to(out / f)), None)
        if folder is not None:
            problems.append(InputProblem(str(path), "--out", f"is inside {folder}, which the batch replaces; move "
                                         "the file out of it or choose another --out"))
    return problems


def _remove_leftovers(out: Path) -> None:
    """Partial folders of an earlier batch that was killed outright are never a report: delete them.

    A batch killed between moving a unit's previous report aside and putting the new one in place left
    the previous one in ``.<slug>.old-*``: it goes back where it was.
    """
    for folder in (out, out / "units"):
        if folder.is_dir():
            for leftover in folder.glob(".*.partial-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in folder.glob(".*.old-*"):
                for previous in leftover.iterdir() if leftover.is_dir() else ():
                    if not (folder / previous.name).exists():
                        os.replace(previous, folder / previous.name)
                shutil.rmtree(leftover, ignore_errors=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _unit_job(config: BatchConfig, unit: str, slug: str, sources: list[str], out: Path) -> NotebookJob:
    folder = out / "units" / slug
    return NotebookJob(
        name=unit, notebook=config.notebook.resolve(),
        parameters={"answers": sources, "business_unit": unit,
                    "questionnaire": str(config.questionnaire.resolve()),
                    "targets": str(config.targets.resolve()) if config.targets else "", "output_dir": ""},
        executed_name="assessment.ipynb", html_name="report.html",
        outputs={name: folder / name for name in UNIT_FILES}, failed_dir=out / "failed" / slug,
        publish_dir=folder, required=("scores.json",))


def _portfolio_job(config: BatchConfig, out: Path) -> NotebookJob:
    return NotebookJob(
        name="portfolio", notebook=config.portfolio_notebook.resolve(),
        parameters={"scores_dir": str((out / "units").resolve()),
                    "questionnaire": str(config.questionnaire.resolve())},
        executed_name="portfolio.ipynb", html_name="portfolio.html",
        outputs={"portfolio.ipynb": out / "portfolio.ipynb", "portfolio.html": out / "portfolio.html"},
        failed_dir=out / "failed" / "portfolio")


def _outcome(name: str, result: RunResult, report: Path) -> Outcome:
    if result.ok:
        return Outcome(name, result.status, result.seconds, str(report))
    kept = " (the previous report is kept)" if report.exists() else ""
    return Outcome(name, result.status, result.seconds, "", result.error + kept)


def _run_jobs(jobs: list[tuple[NotebookJob, dict]], config: BatchConfig, manifest: Manifest,
              stream: TextIO, when_last_started: Callable[[], None]) -> list[Outcome]:
    """Run unit jobs in parallel; record each in the manifest as it ends.

    ``when_last_started`` is called when every remaining job has a worker, i.e. when a core is about to
    fall idle (possibly more than once: it must be idempotent)."""
    outcomes: dict[str, Outcome] = {}
    progress = Progress(len(jobs), stream, config.progress_bar)
    watches: set = set()
    pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="pmo-unit")
    try:
        futures = {pool.submit(run_notebook_job, job, config.timeout, watches): (job, entry) for job, entry in jobs}
        if 0 < len(jobs) < config.workers:
            when_last_started()
        for future in as_completed(futures):
            job, entry = futures[future]
            result = future.result()
            outcome = _outcome(job.name, result, job.publish_dir / "report.html")
            manifest.record_unit(job.name, {**entry, "status": result.status, "error": result.error,
                                            "seconds": round(result.seconds, 1), "finished": _now()})
            outcomes[job.name] = outcome
            progress.finished(outcome)
            if len(jobs) - len(outcomes) == config.workers - 1:
                when_last_started()
    except KeyboardInterrupt:
        for watch in list(watches):
            watch.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        progress.close()
    pool.shutdown()
    return [outcomes[job.name] for job, _ in jobs]


def _run_portfolio(config: BatchConfig, out: Path, manifest: Manifest, questionnaire_hash: str,
                   stream: TextIO, warm: WarmKernel | None) -> Outcome:
    score_files = [p for p in (out / "units").glob("*/scores.json") if not p.parent.name.startswith(".")]
    if not score_files:
        return Outcome("portfolio", "not run", error="no unit has a report, so there is nothing to consolidate")
    job = _portfolio_job(config, out)
    key = portfolio_key(score_files, questionnaire_hash, file_hash(job.notebook))
    if not config.rerun_all and manifest.is_current(manifest.portfolio, key, list(job.outputs.values())):
        return Outcome("portfolio", "up to date", report=str(out / "portfolio.html"))
    print(f"building the portfolio view from {len(score_files)} unit report(s)", file=stream, flush=True)
    result = run_notebook_job(job, config.timeout, warm=warm)
    manifest.record_portfolio({"key": key, "status": result.status, "error": result.error,
                               "seconds": round(result.seconds, 1), "finished": _now()})
    return _outcome("portfolio", result, out / "portfolio.html")


def run_batch(config: BatchConfig, stream: TextIO | None = None, out_stream: TextIO | None = None) -> int:
    """Run the whole batch; 0 if every unit and the portfolio succeeded, 1 if any failed. Bad input raises InputErrors.

    Progress goes to ``stream`` (default: the current stderr), the summary to ``out_stream`` (stdout).
    """
    stream, out_stream = stream or sys.stderr, out_stream or sys.stdout
    _check_config(config)
    check_notebook_parameters(config.notebook, UNIT_PARAMETERS)
    check_notebook_parameters(config.portfolio_notebook, PORTFOLIO_PARAMETERS)
    inputs = load_inputs(config.answers, config.questionnaire, config.targets)
    out = config.out.resolve()
    prepare_folder(out, "--out")
    prepare_folder(out / "units", "--out")
    # OUT/.batch.lock, held for the run (released when the process ends, even if killed)
    with locked(out / "batch", wait=0, busy_message="another pmo-assess batch is writing to this folder; "
                "wait for it to finish or choose another --out"):
        return _run_locked(config, inputs, out, stream, out_stream)


def _run_locked(config: BatchConfig, inputs: BatchInputs, out: Path, stream: TextIO, out_stream: TextIO) -> int:
    """The batch proper, once inputs are checked and the output folder is ours."""
    _remove_leftovers(out)
    manifest = Manifest.load(out)
    slugs = assign_slugs(inputs.units.units, manifest.slugs())
    questionnaire_hash = file_hash(config.questionnaire)
    notebook_hash = file_hash(config.notebook)

    outcomes: dict[str, Outcome] = {}
    jobs: list[tuple[NotebookJob, dict]] = []
    for unit, slug in slugs.items():
        rows = inputs.units.frames[unit]
        sources = sorted({str(Path(s).resolve()) for s in rows["source"].astype(str).unique()})
        key = unit_key(rows_hash(rows), questionnaire_hash, targets_text(inputs.targets, unit), notebook_hash)
        job = _unit_job(config, unit, slug, sources, out)
        entry = {"slug": slug, "key": key, "answers": sources}
        problems = inputs.units.problems[unit]
        if problems:
            error = InputErrors(problems).render()
            manifest.record_unit(unit, {**entry, "status": "invalid", "error": error, "finished": _now()})
            outcomes[unit] = Outcome(unit, "invalid", error=error)
        elif not config.rerun_all and manifest.is_current(manifest.units.get(unit, {}), key,
                                                          list(job.outputs.values())):
            outcomes[unit] = Outcome(unit, "up to date", report=str(job.publish_dir / "report.html"))
        else:
            jobs.append((job, entry))
    invalid = sum(o.status == "invalid" for o in outcomes.values())
    print(f"{len(slugs)} business unit(s): {len(jobs)} to run, {len(outcomes) - invalid} up to date, "
          f"{invalid} with invalid answers; {min(config.workers, max(len(jobs), 1))} worker(s)",
          file=stream, flush=True)
    warm: list[WarmKernel] = []

    def warm_up_portfolio_kernel() -> None:
        if not warm:
            warm.append(WarmKernel(PORTFOLIO_WARM_UP))

    try:
        for outcome in _run_jobs(jobs, config, manifest, stream, warm_up_portfolio_kernel):
            outcomes[outcome.name] = outcome
        ordered = [outcomes[unit] for unit in slugs]
        ordered.append(_run_portfolio(config, out, manifest, questionnaire_hash, stream, warm[0] if warm else None))
    finally:
        for kernel in warm:  # unused (portfolio up to date, or interrupted) or already shut down: tidy up
            kernel.discard()
    write_summary_csv(out / SUMMARY_FILE, ordered)
    out_stream.write(summary_text(ordered))
    for outcome in ordered:
        if outcome.status == "invalid":
            print(f"\n{visible(outcome.name)}: invalid answers:\n{visible(outcome.error, keep_newlines=True)}",
                  file=stream)
    return 0 if all(o.succeeded for o in ordered) else 1
