"""``pmo-assess score``: score answer files against a questionnaire (and targets)."""
from __future__ import annotations

import argparse
import gc
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from pmo_assess.io.csv_arrow import ParsingAhead
    from pmo_assess.rounds.round_info import RoundInfo

FORMATS = ("table", "json", "csv")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "score", help="score answers per capability, dimension and unit",
        description="Score answers (CSV, XLSX or YAML; several units per file are fine). In the table, "
                    "▼ marks a level capped by staged scoring and ± a borderline score; a legend follows.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", metavar="FILE", help="targets YAML: adds target and gap")
    parser.add_argument("--format", "-f", choices=FORMATS, default="table",
                        help="table (readable), json (pmo-assess/scores@1) or csv; default table")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here (atomically) instead of stdout")
    parser.add_argument("--explain", action="store_true",
                        help="table: print why each capped or borderline level is where it is "
                             "(json and csv always carry the explanations)")
    parser.add_argument("--round", metavar="LABEL", dest="round_label",
                        help="the assessment round, e.g. 2026-Q4: recorded in the json (round) and csv")
    parser.add_argument("--assessed-on", metavar="DATE",
                        help="when the answers were given (YYYY-MM-DD; default today when --round is given)")
    return parser


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import require_files
    from pmo_assess.io.outputs import refuse_inputs_as_outputs
    from pmo_assess.rounds.round_info import parse_round_info

    round_info = None
    if args.round_label is not None or args.assessed_on is not None:
        round_info = parse_round_info(args.round_label, args.assessed_on, where="pmo-assess score")
    require_files({"--questionnaire": args.questionnaire, "--targets": args.targets, "ANSWERS": args.answers})
    if args.output:
        inputs = [args.questionnaire, *args.answers] + ([args.targets] if args.targets else [])
        refuse_inputs_as_outputs(inputs, {"--output": args.output})
    if args.console:  # the process is this command's own: tune it
        keep_blas_single_threaded()  # before anything imports NumPy
        skip_last_collection()
    prefer_small_pages()
    from pmo_assess.io.csv_arrow import start_parsing

    ahead = start_parsing(args.answers)  # parses while pandas and the rest load: they overlap on two cores
    try:
        with collections_paused():
            return score_and_write(args, round_info, ahead)
    finally:
        ahead.stop()  # after bad input or Ctrl-C: the files not yet begun are skipped


def score_and_write(args: argparse.Namespace, round_info: RoundInfo | None, ahead: ParsingAhead) -> int:
    """Load the questionnaire, targets and answers (``ahead``: their parse under way), score, and write."""
    from pmo_assess.export.scores import scores_to_csv, scores_to_json
    from pmo_assess.export.table import scores_to_table
    from pmo_assess.io.answers import read_answers
    from pmo_assess.io.files import atomic_write_text
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.io.targets import load_targets
    from pmo_assess.scoring import compute_gaps, score_answers

    questionnaire = load_questionnaire(args.questionnaire)
    targets = load_targets(args.targets, questionnaire) if args.targets else None
    answers = read_answers(args.answers, questionnaire, ahead=ahead)
    scores = score_answers(answers, questionnaire)
    gaps = compute_gaps(scores, targets) if targets else None
    if args.format == "table":
        text = scores_to_table(scores, gaps, explain=args.explain, round_info=round_info)
    else:
        render = {"json": scores_to_json, "csv": scores_to_csv}[args.format]
        text = render(scores, gaps, round_info=round_info)
    if args.output:
        atomic_write_text(args.output, text)
        print(f"wrote {args.format} scores for {len(scores.units)} unit(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for unit in room_only_units(answers, scores.units):
        print(f"note: {unit!r} is left out: it has only the room's agreed answers (respondent 'consensus'), "
              "no respondent's own", file=sys.stderr)
    return 0


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs; as it was afterwards.

    Importing pandas and building the output make hundreds of thousands of objects, which set off
    collections that walk them all (about 0.07 s on 1.8 M answer rows) and free nothing: those objects
    are modules, and dicts and lists without cycles. Memory is freed as usual, by reference counting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_blas_single_threaded() -> None:
    """Ask OpenBLAS for no worker threads in this process, unless the user chose a number; only before NumPy
    loads, as OpenBLAS reads it then. Scoring does no linear algebra, yet OpenBLAS starts a thread per core
    that spins at start-up and takes CPU from the background parse (about 0.1 s of CPU on two cores)."""
    import os

    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def skip_last_collection() -> None:
    """Freeze every object when the interpreter exits, so its last garbage collection does not walk them all.

    That walk costs about 0.1 s after pandas is imported, and finds nothing this command needs finalised:
    its files are closed and its output is on disk before it returns. Only for the command's own process
    (objects another program left in reference cycles would not be finalised); registered once.
    """
    import atexit

    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def prefer_small_pages() -> None:
    """Stop NumPy asking Linux for transparent huge pages for its big arrays, for this process.

    NumPy asks for huge pages for every array over 4 MB; this command makes dozens of such arrays, each
    filled once and dropped, and faulting the huge pages in costs more than they save (1.8 M answer rows:
    0.15-0.4 s less with ordinary pages, measured with NUMPY_MADVISE_HUGEPAGE=0). Nothing else changes.
    """
    import numpy as np

    try:
        set_huge_pages = np._core.multiarray._set_madvise_hugepage  # NumPy 2
    except AttributeError:
        set_huge_pages = getattr(np.core.multiarray, "_set_madvise_hugepage", None)  # NumPy 1.x
    if set_huge_pages is not None:
        set_huge_pages(False)


def room_only_units(answers, scored: list[str]) -> list[str]:
    """Units of the answers that scoring left out because they hold only the room's agreed answers."""
    from pmo_assess.io.answers import CONSENSUS_RESPONDENT

    if CONSENSUS_RESPONDENT not in answers["respondent"].cat.categories:  # every unit has its own respondents
        return []
    kept = set(scored)
    return [str(unit) for unit in answers["business_unit"].unique() if str(unit) not in kept]
