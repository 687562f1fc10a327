"""``pmo-assess report``: one unit's report documents (HTML, PDF, PPTX).

Two ways in:

* ``pmo-assess report ANSWERS... --unit NAME -q BANK [--targets ...] --out DIR`` runs the assessment
  notebook for that one unit (one kernel, a few seconds) and renders it;
* ``pmo-assess report --executed units/<slug>/assessment.ipynb [-q BANK] --out DIR`` re-renders a notebook a
  batch already ran, without a kernel (the fast way to add a PDF or a deck to a batch's HTML reports). Options
  that would change what the notebook computed (answers, --targets, --round, ...) are refused, not ignored;
  ``-q`` and ``--settings`` only stand in for files the notebook's parameters name that no longer exist
  (a batch worker's scratch copies), and are refused otherwise. A notebook that
  stopped with an error, or ran without anonymity when anonymity is asked for, is refused (exit 2).

Files written (all or none): ``DIR/<unit>.<format>``, and in the first form also ``DIR/<unit>.scores.json``.
"""
from __future__ import annotations

import argparse
import sys
from contextlib import AbstractContextManager
from pathlib import Path

#: Characters a unit's name may not hold to be a file name on Linux, macOS and Windows.
BAD_IN_FILE_NAMES = set('/\\:*?"<>|')
#: The longest file name stem accepted (bytes), leaving room for ".scores.json".
MAX_STEM_BYTES = 200


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="one unit's report documents (html, pdf, pptx)",
        description="Write one unit's report documents: run the assessment notebook for the unit given its "
                    "answers, or re-render a notebook a batch already ran (--executed, no kernel: faster).")
    parser.add_argument("answers", nargs="*", metavar="ANSWERS", help="answer files (CSV, XLSX or YAML)")
    parser.add_argument("--unit", "-u", metavar="NAME", help="the business unit to report on")
    parser.add_argument("--questionnaire", "-q", metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", metavar="FILE", help="targets YAML (gaps and recommendations)")
    parser.add_argument("--roadmap", metavar="FILE", help="the unit's roadmap.yaml: initiatives named in the "
                                                          "recommendations and the deck")
    parser.add_argument("--previous-scores", metavar="FILE", help="the unit's scores.json of the previous round")
    parser.add_argument("--settings", metavar="FILE", help="report settings YAML (client, assessor, ...)")
    parser.add_argument("--anonymise", action="store_true", help='show respondents as "Respondent 3 (sponsor)"')
    parser.add_argument("--round", metavar="LABEL", default="", help="the round's label, e.g. 2026-Q4")
    parser.add_argument("--assessed-on", metavar="DATE", default="", help="assessment date YYYY-MM-DD (default today)")
    parser.add_argument("--formats", default="html", help="html,pdf,pptx (any of them; default html)")
    parser.add_argument("--executed", metavar="NOTEBOOK", help="an executed assessment notebook to re-render")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="folder for the documents")
    return parser


def file_stem(unit: str) -> str:
    """The unit's name as the documents' file name; InputErrors when it cannot be one."""
    from pmo_assess.errors import InputErrors, InputProblem

    bad = sorted(BAD_IN_FILE_NAMES & set(unit)) + (["control characters"] if any(ord(c) < 32 for c in unit) else [])
    reason = (f"holds {', '.join(repr(b) for b in bad)}" if bad else "is empty" if not unit.strip()
              else "is '.' or '..'" if unit.strip() in (".", "..")
              else f"is longer than {MAX_STEM_BYTES} bytes" if len(unit.encode()) > MAX_STEM_BYTES else "")
    if reason:
        raise InputErrors([InputProblem("command line", "--unit", f"the unit name {unit!r} {reason}, so it cannot "
                                        "name the report files; rename the unit in the answers")])
    return unit


def _check(args: argparse.Namespace):
    """Every problem with the command line before any work: exit 2 listing them."""
    from pmo_assess.commands.paths import prepare_folder, require_files
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.io.files import output_problem
    from pmo_assess.report.documents import parse_formats
    from pmo_assess.report.settings import load_report_settings
    from pmo_assess.rounds.round_info import parse_round_info

    require_files({"ANSWERS": args.answers, "--questionnaire": args.questionnaire, "--targets": args.targets,
                   "--roadmap": args.roadmap, "--previous-scores": args.previous_scores,
                   "--settings": args.settings, "--executed": args.executed})
    formats = parse_formats(args.formats)
    if args.executed:
        ignored = [name for name, value in (("ANSWERS", args.answers), ("--unit", args.unit),
                                            ("--targets", args.targets), ("--roadmap", args.roadmap),
                                            ("--previous-scores", args.previous_scores),
                                            ("--round", args.round),
                                            ("--assessed-on", args.assessed_on)) if value]
        if ignored:
            raise InputErrors([InputProblem("command line", name, "cannot change a notebook that already ran "
                                            "(--executed): the cover, scores and recommendations are in its "
                                            "outputs; run the unit again with its answers and this option instead")
                               for name in ignored])
    else:
        missing = [name for name, value in (("ANSWERS", args.answers), ("--unit", args.unit),
                                            ("--questionnaire", args.questionnaire)) if not value]
        if missing:
            raise InputErrors([InputProblem("command line", m, "is needed (or give --executed NOTEBOOK)")
                               for m in missing])
        file_stem(args.unit)
        parse_round_info(args.round, args.assessed_on)
    settings = load_report_settings(args.settings)
    out = prepare_folder(args.out, "--out")
    import os

    if not os.access(out, os.W_OK | os.X_OK):
        raise InputErrors([output_problem(out, "the folder is not writable")])
    return formats, settings, out


#: Seconds the unit's notebook (and separately its kernel's start) may take: a stuck kernel never hangs the command.
NOTEBOOK_TIMEOUT = 600


def _run_notebook(args: argparse.Namespace, work: Path) -> Path:
    """Execute the assessment notebook for the unit in ``work``; InputErrors when the notebook rejects the input."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.report.paths import REPO_ROOT

    parameters = {"answers": [str(Path(a).resolve()) for a in args.answers], "business_unit": args.unit,
                  "questionnaire": str(Path(args.questionnaire).resolve()), "output_dir": str(work),
                  "targets": str(Path(args.targets).resolve()) if args.targets else "",
                  "round_label": args.round, "assessed_on": args.assessed_on, "anonymise": bool(args.anonymise),
                  "report_settings": str(Path(args.settings).resolve()) if args.settings else "",
                  "roadmap": str(Path(args.roadmap).resolve()) if args.roadmap else "",
                  "previous_scores": str(Path(args.previous_scores).resolve()) if args.previous_scores else ""}
    from pmo_assess.report.inputs import load_unit_inputs

    # every problem with the inputs found here, in about a second, before a kernel starts (the notebook loads them
    # with this same call, so the messages are the ones it would give)
    load_unit_inputs(**{name: value for name, value in parameters.items() if name != "output_dir"})
    executed = work / "assessment.ipynb"
    try:
        papermill.execute_notebook(str(REPO_ROOT / "notebooks" / "assessment.ipynb"), str(executed),
                                   parameters=parameters, progress_bar=False, cwd=str(work),
                                   execution_timeout=NOTEBOOK_TIMEOUT, start_timeout=NOTEBOOK_TIMEOUT)
    except papermill.PapermillExecutionError as exc:
        if exc.ename == "InputErrors":
            raise InputErrors([InputProblem("input", "", str(exc.evalue))]) from None
        raise
    except (TimeoutError, CellTimeoutError):  # one message, no traceback
        raise InputErrors([InputProblem("notebooks/assessment.ipynb", "", f"a cell did not finish within "
                                        f"{NOTEBOOK_TIMEOUT} s; nothing was written")]) from None
    except DeadKernelError:
        raise InputErrors([InputProblem("notebooks/assessment.ipynb", "", "the kernel died while running the "
                                        "notebook (killed or out of memory); nothing was written")]) from None
    except RuntimeError as exc:  # jupyter_client: "Kernel didn't respond in ... seconds"
        raise InputErrors([InputProblem("notebooks/assessment.ipynb", "", f"the kernel did not start ({exc}); "
                                        "nothing was written")]) from None
    return executed


def _executed_source(args: argparse.Namespace, settings):
    """The executed notebook to re-render; InputErrors when anonymity is asked of a notebook that ran without it
    (by --anonymise, or by its settings file as that reads now): names are in its outputs."""
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.report.documents import notebook_settings, read_source

    source = read_source(args.executed, settings if args.settings else None, args.questionnaire)
    if source.kind == "unit" and not source.settings.anonymise:
        asked = ("--anonymise" if args.anonymise else "--settings" if args.settings and settings.anonymise
                 else "report_settings" if not args.settings and notebook_settings(source.parameters).anonymise
                 else "")
        if asked:
            raise InputErrors([InputProblem(str(args.executed), asked, "this notebook ran without anonymity, so names "
                                            "are in its outputs; re-run the unit with --anonymise (give its answers "
                                            "instead of --executed)")])
    return source


def _batch_folder_lock(out: Path) -> AbstractContextManager:
    """The lock of the batch folder ``out`` lies in (one a batch has written: it holds the batch's lock file), so
    that a report written into a unit's folder never lands while a batch replaces that folder; else no lock."""
    from contextlib import nullcontext

    from pmo_assess.io.locks import lock_file_for, locked

    for folder in (out.resolve(), *out.resolve().parents):
        if lock_file_for(folder / "batch").is_file():
            return locked(folder / "batch", wait=0, busy_message=f"a pmo-assess batch is writing to {folder}; "
                          "run the report again when it has finished")
    return nullcontext()


def run(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.io.files import atomic_write_bytes
    from pmo_assess.io.notebook_schema import skip_iri_grammar
    from pmo_assess.report.documents import ReportFormatError, write_report_files

    skip_iri_grammar()  # the notebook is read and run through nbformat's jsonschema validation: ~2 s saved
    formats, settings, out = _check(args)
    work = Path(tempfile.mkdtemp(prefix="pmo-report-"))
    try:
        if args.executed:
            source = _executed_source(args, settings)
            notebook, stem = Path(args.executed), file_stem(source.parameters.get("business_unit", "portfolio"))
        else:
            notebook, stem = _run_notebook(args, work), args.unit
        try:
            with _batch_folder_lock(out):
                written = write_report_files(notebook, out, stem, formats, settings if args.settings else None,
                                             args.questionnaire)
                if not args.executed:
                    atomic_write_bytes(out / f"{stem}.scores.json", (work / "scores.json").read_bytes())
                    written.append(out / f"{stem}.scores.json")
        except ReportFormatError as exc:
            raise InputErrors([InputProblem(str(out), exc.format, exc.message)]) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0
