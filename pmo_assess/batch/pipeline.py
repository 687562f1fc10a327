"""``pmo-assess batch`` end to end: check inputs, run every unit (here or on a Dask cluster), then the portfolio.

Output folder layout (``OUT``, or ``OUT/rounds/<LABEL>`` with ``--round LABEL``)::

    units/<slug>/assessment.ipynb, report.<format>, scores.json   one folder per unit, published whole (files a
                                                                  person added there are carried over and named)
    failed/<slug>/assessment.ipynb, error.txt                     the last failed attempt of a unit
    portfolio.ipynb, portfolio.<format>                           the cross-unit view
    summary.csv, manifest.json, round.json                        outcome; what a rerun may skip; the round

A unit that fails keeps its previous good report (if any) in ``units/``; the summary names it as
failed, and the portfolio covers every unit with a report in ``units/``. A lock file keeps a second
batch out of the same folder while one runs. The portfolio's kernel is started (warm) while the last
units still run, so its start-up does not add to the batch's wall time. Units run on this machine
(:mod:`~pmo_assess.batch.engine_local`) or as Dask tasks (:mod:`~pmo_assess.batch.engine_dask`); the
manifest, summary, progress and publishing are the same either way.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from pmo_assess.batch.discover import (
    PORTFOLIO_OPTIONAL,
    PORTFOLIO_PARAMETERS,
    UNIT_OPTIONAL,
    UNIT_PARAMETERS,
    BatchInputs,
    assign_slugs,
    check_asked_options,
    check_notebook_parameters,
    load_inputs,
)
from pmo_assess.batch.jobs import RunOptions, portfolio_job, portfolio_job_key, unit_job
from pmo_assess.batch.kernel_pool import KernelPool, unit_warm_up
from pmo_assess.batch.kernels import WarmKernel
from pmo_assess.batch.manifest import FILE_NAME as MANIFEST_FILE
from pmo_assess.batch.manifest import Manifest, file_hash, rows_hash, targets_text, unit_key
from pmo_assess.batch.progress import Progress
from pmo_assess.batch.round_folder import FILE_NAME as ROUND_FILE
from pmo_assess.batch.round_folder import earlier_rounds, round_folder, settle_round, write_round_file
from pmo_assess.batch.run import IN_KERNEL_FORMATS, NotebookJob, RunResult, run_notebook_job, warm_up_reports
from pmo_assess.batch.summary import FILE_NAME as SUMMARY_FILE
from pmo_assess.batch.summary import Outcome, summary_text, visible, write_summary_csv
from pmo_assess.commands.paths import file_problems, prepare_folder
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.locks import locked
from pmo_assess.io.outputs import refuse_inputs_as_outputs
from pmo_assess.report.format_error import ReportFormatError
from pmo_assess.report.paths import REPO_ROOT
from pmo_assess.rounds.round_info import parse_round_info

NOTEBOOK = REPO_ROOT / "notebooks" / "assessment.ipynb"
PORTFOLIO_NOTEBOOK = REPO_ROOT / "notebooks" / "portfolio.ipynb"
#: The longest --timeout accepted (7 days): beyond it the timers that enforce it overflow.
MAX_TIMEOUT = 7 * 24 * 3600.0
#: What the portfolio's kernel imports while the last units still run (the bundled notebook's heavy imports).
PORTFOLIO_WARM_UP = ("pandas", "pmo_assess.report.portfolio", "pmo_assess.charts.heatmap",
                     "pmo_assess.charts.bars")
#: Report formats (pmo_assess.report.documents.FORMATS; repeated so that the checks import nothing heavy).
FORMATS = ("html", "pdf", "pptx")


@dataclass(frozen=True)
class BatchConfig:
    """What ``pmo-assess batch`` was asked to do (paths as the user gave them).

    ``round_label`` / ``assessed_on`` are the texts of --round / --assessed-on (None: not given).
    ``scheduler`` is a Dask scheduler address or ``local:N`` (None: units run on this machine).
    ``reuse_kernels`` None means: reuse kernels across units when the notebook is the bundled one.
    """

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
    formats: tuple[str, ...] = ("html",)
    settings: Path | None = None
    anonymise: bool = False
    roadmaps: Path | None = None
    round_label: str | None = None
    assessed_on: str | None = None
    scheduler: str | None = None
    shared_inputs: bool = False
    reuse_kernels: bool | None = None
    connect_timeout: float = 10.0

    def asked(self) -> set[str]:
        """The report options given on the command line (each needs its notebook parameter)."""
        given = {"--round": self.round_label, "--assessed-on": self.assessed_on, "--anonymise": self.anonymise,
                 "--settings": self.settings, "--roadmaps": self.roadmaps}
        return {option for option, value in given.items() if value not in (None, False, "")}

    def kernels_reused(self) -> bool:
        if self.reuse_kernels is not None:
            return self.reuse_kernels
        return self.notebook.resolve() == NOTEBOOK.resolve()


def _check_config(config: BatchConfig, folder: Path) -> None:
    problems = file_problems({"ANSWERS": config.answers, "--questionnaire": config.questionnaire,
                              "--targets": config.targets, "--notebook": config.notebook,
                              "portfolio notebook": config.portfolio_notebook, "--settings": config.settings})
    if config.workers < 1:
        problems.append(InputProblem("command line", "--workers", f"must be 1 or more, got {config.workers}"))
    if not 0 < config.timeout <= MAX_TIMEOUT:  # also refuses nan and inf
        problems.append(InputProblem("command line", "--timeout", f"must be more than 0 and at most {MAX_TIMEOUT:g} "
                                     f"seconds (7 days), got {config.timeout:g}"))
    unknown = [f for f in config.formats if f not in FORMATS] or ([] if config.formats else ["(none)"])
    if unknown:
        problems.append(InputProblem("command line", "--formats", f"unknown format {unknown[0]!r}; give one or "
                                     f"more of {', '.join(FORMATS)} separated by commas"))
    if config.shared_inputs and not config.scheduler:
        problems.append(InputProblem("command line", "--shared-inputs", "only applies with --scheduler"))
    if config.roadmaps is not None and not config.roadmaps.is_dir():
        problems.append(InputProblem(str(config.roadmaps), "--roadmaps", "is not a folder; give the folder holding "
                                     "one <unit>/roadmap.yaml per unit"))
    if config.out.exists() and not config.out.is_dir():
        problems.append(InputProblem(str(config.out), "--out",
                                     "is a file, not a folder; give the folder for the reports"))
    problems.extend(_inputs_among_outputs(config, folder))
    if problems:
        raise InputErrors(problems)


def _inputs_among_outputs(config: BatchConfig, folder: Path) -> list[InputProblem]:
    """An input the batch would replace or delete: one of the round folder's own files, or one in units/ or failed/."""
    folder = folder.resolve()
    inputs = [*config.answers, config.questionnaire, config.notebook, config.portfolio_notebook]
    inputs += [path for path in (config.targets, config.settings) if path]
    names = (SUMMARY_FILE, MANIFEST_FILE, ROUND_FILE, "portfolio.ipynb", *(f"portfolio.{f}" for f in FORMATS))
    problems = []
    try:
        refuse_inputs_as_outputs(inputs, {f"--out ({name})": folder / name for name in names})
    except InputErrors as exc:
        problems.extend(exc.problems)
    for path in inputs:
        real = Path(path).resolve()
        inside = next((folder / f for f in ("units", "failed") if real.is_relative_to(folder / f)), None)
        if inside is not None:
            problems.append(InputProblem(str(path), "--out", f"is inside {inside}, which the batch replaces; move "
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


def _outcome(name: str, result: RunResult, report: Path) -> Outcome:
    if result.ok:
        return Outcome(name, result.status, result.seconds, str(report))
    kept = " (the previous report is kept)" if report.exists() else ""
    return Outcome(name, result.status, result.seconds, "", result.error + kept)


def _report_path(job: NotebookJob) -> Path:
    """The first report format's file, named in the summary."""
    folder = job.publish_dir or next(iter(job.outputs.values())).parent
    return folder / f"{job.report_stem}.{job.formats[0]}"


@dataclass(frozen=True)
class _Prepared:
    """Everything checked before the batch takes its folder: inputs, round, options, notebook parameters."""

    inputs: BatchInputs
    folder: Path
    options: RunOptions
    unit_declared: set[str]
    portfolio_declared: set[str]


def _prepare(config: BatchConfig) -> _Prepared:
    """Check every input, the round and the notebooks' parameters; InputErrors (exit 2) before anything runs."""
    date_given = bool(config.assessed_on and str(config.assessed_on).strip())
    info = parse_round_info(config.round_label, config.assessed_on)
    out = config.out.resolve()
    folder = round_folder(out, info)
    _check_config(config, folder)
    template = None
    if config.settings is not None:
        from pmo_assess.report.settings import load_report_settings

        template = load_report_settings(config.settings).pptx_template
        if template is not None and "pptx" in config.formats:
            _check_template(config.settings, template)
    unit_declared = check_notebook_parameters(config.notebook, UNIT_PARAMETERS)
    portfolio_declared = check_notebook_parameters(config.portfolio_notebook, PORTFOLIO_PARAMETERS)
    problems = check_asked_options(config.notebook, unit_declared, UNIT_OPTIONAL, config.asked())
    problems += check_asked_options(config.portfolio_notebook, portfolio_declared, PORTFOLIO_OPTIONAL,
                                    config.asked() - {"--roadmaps"})
    if problems:
        raise InputErrors(problems)
    inputs = load_inputs(config.answers, config.questionnaire, config.targets)
    info = settle_round(folder, info, date_given)
    options = RunOptions(tuple(config.formats), config.anonymise, config.settings, template, config.roadmaps,
                         info, tuple(earlier_rounds(out, folder, info)))
    return _Prepared(inputs, folder, options, unit_declared, portfolio_declared)


def _check_template(settings: Path, template: Path) -> None:
    """Open the settings file's slide template once, before any unit runs (not after each made its report)."""
    from pmo_assess.report.deck_pptx import open_presentation

    try:
        open_presentation(template)
    except InputErrors as exc:
        raise InputErrors([InputProblem(str(settings), "pptx_template", f"{template}: {p.message}")
                           for p in exc.problems]) from None


def _check_browser() -> None:
    """InputErrors (exit 2, before any kernel starts) when no browser can print the PDFs this batch is asked for."""
    from pmo_assess.report.pdf import find_browser

    try:
        find_browser()
    except ReportFormatError as exc:
        raise InputErrors([InputProblem("command line", "--formats", f"pdf: {exc.message}")]) from None


def run_batch(config: BatchConfig, stream: TextIO | None = None, out_stream: TextIO | None = None) -> int:
    """Run the whole batch; 0 if every unit and the portfolio succeeded, 1 if any failed. Bad input raises InputErrors.

    Progress goes to ``stream`` (default: the current stderr), the summary to ``out_stream`` (stdout).
    """
    stream, out_stream = stream or sys.stderr, out_stream or sys.stdout
    if "pdf" in config.formats and not config.scheduler:
        _check_browser()
        warm_up_reports(("pdf",))  # the browser that prints the PDFs starts while the inputs are checked
    prepared = _prepare(config)
    cluster = None
    if config.scheduler:
        from pmo_assess.batch.engine_dask import connect

        cluster = connect(config.scheduler, config.connect_timeout)
    try:
        prepare_folder(prepared.folder, "--out")
        prepare_folder(prepared.folder / "units", "--out")
        # .batch.lock in the round's folder, held for the run (released when the process ends, even if killed)
        with locked(prepared.folder / "batch", wait=0, busy_message="another pmo-assess batch (or a report "
                    "written into it) is writing to this folder; wait for it to finish or choose another --out"):
            return _run_locked(config, prepared, cluster, stream, out_stream)
    finally:
        if cluster is not None:
            cluster.close()


def _run_locked(config: BatchConfig, prepared: _Prepared, cluster, stream: TextIO, out_stream: TextIO) -> int:
    """The batch, once inputs are checked and the output folder is ours (with --anonymise, in a private folder
    of neutrally named copies of the units' answers, deleted at the end: see :func:`_answer_sources`)."""
    _remove_leftovers(prepared.folder)
    copies = (Path(tempfile.mkdtemp(prefix=".answers.partial-", dir=prepared.folder)) if config.anonymise
              else None)
    try:
        return _run_all(config, prepared, cluster, stream, out_stream, copies)
    finally:
        if copies is not None:
            shutil.rmtree(copies, ignore_errors=True)


def _answer_sources(sources: list[str], rows, slug: str, copies: Path | None) -> list[str]:
    """The answer files a unit's notebook reads: the user's, or with --anonymise a copy of the unit's rows
    named after its folder (answer files are often named after their respondent: ``<unit>--<name>.xlsx``)."""
    if copies is None:
        return sources
    from pmo_assess.batch.task import rows_csv

    path = copies / f"answers-{slug}.csv"
    path.write_bytes(rows_csv(rows))
    return [str(path)]


def _manifest_answers(sources: list[str], anonymise: bool, hashes: dict[str, str]) -> list[str]:
    """The answer files as the manifest records them: their paths, or with --anonymise only their hashes."""
    if not anonymise:
        return sources
    for source in sources:
        if source not in hashes:
            hashes[source] = "sha256:" + file_hash(Path(source))
    return [hashes[s] for s in sources]


def _neutral_error(problems: list[InputProblem], answers: list[Path]) -> str:
    """Problems as summary.csv and the manifest keep them with --anonymise: each answer file named by its place
    on the command line ("ANSWERS file 2"), never by its name (often a respondent's)."""
    names: dict[str, str] = {}
    for number, path in enumerate(answers, 1):
        for form in (str(Path(path).resolve()), str(path), Path(path).name):
            names.setdefault(form, f"ANSWERS file {number}")
    forms = sorted(names, key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<![\w.-]){re.escape(f)}(?![\w.-])" for f in forms)) if forms else None

    def neutral(text: str) -> str:
        text = str(text)
        if text in names:
            return names[text]
        return pattern.sub(lambda m: names[m.group()], text) if pattern else text

    return InputErrors([InputProblem(neutral(p.file), neutral(p.place), neutral(p.message))
                        for p in problems]).render()


def _run_all(config: BatchConfig, prepared: _Prepared, cluster, stream: TextIO, out_stream: TextIO,
             copies: Path | None) -> int:
    """Every unit that needs it, then the portfolio; the summary."""
    folder, inputs, options = prepared.folder, prepared.inputs, prepared.options
    write_round_file(folder, options.round_info, inputs.questionnaire)
    manifest = Manifest.load(folder)
    slugs = assign_slugs(inputs.units.units, manifest.slugs())
    questionnaire_hash = file_hash(config.questionnaire)
    notebook_hash = file_hash(config.notebook)

    outcomes: dict[str, Outcome] = {}
    jobs: list[tuple[NotebookJob, dict]] = []
    hashes: dict[str, str] = {}
    details: dict[str, str] = {}
    for unit, slug in slugs.items():
        rows = inputs.units.frames[unit]
        sources = sorted({str(Path(s).resolve()) for s in rows["source"].astype(str).unique()})
        problems = inputs.units.problems[unit]
        read = sources if problems else _answer_sources(sources, rows, slug, copies)
        job, options_key = unit_job(unit, slug, read, config.notebook, config.questionnaire, config.targets,
                                    folder, options, prepared.unit_declared)
        key = unit_key(rows_hash(rows), questionnaire_hash, targets_text(inputs.targets, unit), notebook_hash,
                       options_key)
        entry = {"slug": slug, "key": key, "answers": _manifest_answers(sources, config.anonymise, hashes)}
        if problems:
            details[unit] = InputErrors(problems).render()  # in full on the terminal only
            error = _neutral_error(problems, config.answers) if config.anonymise else details[unit]
            manifest.record_unit(unit, {**entry, "status": "invalid", "error": error, "finished": _now()})
            outcomes[unit] = Outcome(unit, "invalid", error=error)
        elif not config.rerun_all and manifest.is_current(manifest.units.get(unit, {}), key,
                                                          list(job.outputs.values())):
            outcomes[unit] = Outcome(unit, "up to date", report=str(_report_path(job)))
        else:
            jobs.append((job, entry))
    invalid = sum(o.status == "invalid" for o in outcomes.values())
    where = (f"{cluster.threads} worker thread(s) on the Dask cluster {config.scheduler}" if cluster is not None
             else f"{min(config.workers, max(len(jobs), 1))} worker(s)")
    print(f"{len(slugs)} business unit(s): {len(jobs)} to run, {len(outcomes) - invalid} up to date, "
          f"{invalid} with invalid answers; {where}", file=stream, flush=True)
    warm: list[WarmKernel] = []
    # the units' warm kernels, here when units run on this machine; the bundled portfolio runs on one of them too
    pool = (KernelPool(unit_warm_up(config.formats), max_kernels=config.workers)
            if jobs and cluster is None and config.kernels_reused() else None)
    portfolio_pooled = pool is not None and config.portfolio_notebook.resolve() == PORTFOLIO_NOTEBOOK.resolve()
    if jobs and cluster is None:  # this process prints every unit's PDF (and makes their decks, kernels not reused)
        warm_up_reports(tuple(f for f in config.formats if pool is None or f not in IN_KERNEL_FORMATS))

    def warm_up_portfolio_kernel() -> None:
        if not warm and not portfolio_pooled:
            warm.append(WarmKernel(PORTFOLIO_WARM_UP))
            warm_up_reports(config.formats)  # the portfolio's reports render here

    try:
        for outcome in _run_units(config, jobs, inputs, manifest, cluster, stream, warm_up_portfolio_kernel, pool):
            outcomes[outcome.name] = outcome
        ordered = [outcomes[unit] for unit in slugs]
        ordered.append(_run_portfolio(config, prepared, manifest, questionnaire_hash, stream,
                                      warm[0] if warm else None, pool if portfolio_pooled else None))
    finally:
        for kernel in warm:  # unused (portfolio up to date, or interrupted) or already shut down: tidy up
            kernel.discard()
        if pool is not None:
            pool.close()
    write_summary_csv(folder / SUMMARY_FILE, ordered)
    out_stream.write(summary_text(ordered))
    for outcome in ordered:
        if outcome.status == "invalid":
            print(f"\n{visible(outcome.name)}: invalid answers:\n"
                  f"{visible(details.get(outcome.name, outcome.error), keep_newlines=True)}", file=stream)
    return 0 if all(o.succeeded for o in ordered) else 1


def _run_units(config: BatchConfig, jobs: list[tuple[NotebookJob, dict]], inputs: BatchInputs, manifest: Manifest,
               cluster, stream: TextIO, when_last_started, pool: KernelPool | None) -> list[Outcome]:
    """Run the unit jobs on this machine or the cluster; each is recorded in the manifest as it ends."""
    entries = {job.name: entry for job, entry in jobs}
    outcomes: dict[str, Outcome] = {}
    progress = Progress(len(jobs), stream, config.progress_bar)

    def record(job: NotebookJob, result: RunResult) -> None:
        outcome = _outcome(job.name, result, _report_path(job))
        manifest.record_unit(job.name, {**entries[job.name], "status": result.status, "error": result.error,
                                        "seconds": round(result.seconds, 1), "finished": _now(),
                                        "profile": result.profile})
        outcomes[job.name] = outcome
        if result.kept:
            progress.note(f"{visible(job.name)}: kept {', '.join(visible(n) for n in result.kept)} "
                          "(not written by the batch)")
        progress.finished(outcome)

    try:
        if cluster is not None:
            from pmo_assess.batch.engine_dask import run_dask

            run_dask(cluster, [(job, inputs.units.frames[job.name]) for job, _ in jobs], config.timeout,
                     config.kernels_reused(), config.shared_inputs, record, when_last_started)
        else:
            from pmo_assess.batch.engine_local import run_local

            run_local([job for job, _ in jobs], config.workers, config.timeout, pool, record, when_last_started)
    finally:
        progress.close()
    return [outcomes[job.name] for job, _ in jobs]


def _run_portfolio(config: BatchConfig, prepared: _Prepared, manifest: Manifest, questionnaire_hash: str,
                   stream: TextIO, warm: WarmKernel | None, pool: KernelPool | None) -> Outcome:
    folder = prepared.folder
    score_files = [p for p in (folder / "units").glob("*/scores.json") if not p.parent.name.startswith(".")]
    if not score_files:
        return Outcome("portfolio", "not run", error="no unit has a report, so there is nothing to consolidate")
    job = portfolio_job(config.portfolio_notebook, config.questionnaire, folder, prepared.options,
                        prepared.portfolio_declared)
    key = portfolio_job_key(job, score_files, questionnaire_hash, prepared.options)
    if not config.rerun_all and manifest.is_current(manifest.portfolio, key, list(job.outputs.values())):
        return Outcome("portfolio", "up to date", report=str(_report_path(job)))
    print(f"building the portfolio view from {len(score_files)} unit report(s)", file=stream, flush=True)
    result = run_notebook_job(job, config.timeout, warm=warm, pool=pool)
    manifest.record_portfolio({"key": key, "status": result.status, "error": result.error,
                               "seconds": round(result.seconds, 1), "finished": _now(), "profile": result.profile})
    return _outcome("portfolio", result, _report_path(job))
