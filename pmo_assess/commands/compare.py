"""``pmo-assess compare``: assessment rounds side by side — what rose, what fell, progress to target."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("table", "csv", "json")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare", help="compare assessment rounds: what rose, what fell, progress to target",
        description="Compare assessment rounds per unit and for the organisation: level and score per capability, "
                    "dimension and overall in every round, regressions first, what is new or no longer assessed, "
                    "progress to target since the first round, units ranked by progress.")
    parser.add_argument("history", nargs="+", metavar="HISTORY",
                        help="a history folder (OUT of 'pmo-assess batch --round', holding rounds/<label>/), "
                             "round folders, or scores.json files that carry their round")
    parser.add_argument("--questionnaire", "-q", action="append", default=[], metavar="FILE",
                        help="a questionnaire the rounds were scored with (repeat for each version): questions are "
                             "matched by id and 'replaces:', and capabilities whose questions changed are shown "
                             "as not comparable")
    parser.add_argument("--roadmaps", metavar="DIR",
                        help="folder of roadmaps (DIR/<unit slug>/roadmap.yaml): were the items done between "
                             "rounds followed by the levels the planner projected?")
    parser.add_argument("--unit", action="append", metavar="NAME",
                        help="show only this unit's block in the table (repeatable; the ranking lists every unit)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="table",
                        help="table (readable), csv (one row per unit, round and row) or json; default table")
    parser.add_argument("--out", "-o", metavar="FILE", help="write here (atomically) instead of stdout; never inside a round folder of "
                                                      "the history nor over a file of it")
    return parser


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import require_files
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.io.files import atomic_write_text
    from pmo_assess.io.outputs import refuse_inputs_as_outputs
    from pmo_assess.rounds.comparison import compare_history
    from pmo_assess.rounds.export import comparison_to_csv, comparison_to_json
    from pmo_assess.rounds.history import output_problems, read_history
    from pmo_assess.rounds.roadmap_effect import initiatives_done, levels_gained, load_unit_roadmaps
    from pmo_assess.rounds.text import comparison_to_text

    require_files({"--questionnaire": args.questionnaire})
    if args.roadmaps and not Path(args.roadmaps).is_dir():
        raise InputErrors([InputProblem(args.roadmaps, "--roadmaps", "not a folder (expected DIR/<unit slug>/"
                                                                     "roadmap.yaml)")])
    history = read_history(args.history)
    banks = {}
    for path in args.questionnaire:
        from pmo_assess.io.questionnaire import load_questionnaire

        bank = load_questionnaire(path)
        banks[(bank.id, bank.version)] = bank
    unknown = [u for u in args.unit or [] if u not in history.units]
    if unknown:
        raise InputErrors([InputProblem("--unit", name, "is in no round of this history") for name in unknown])
    roadmaps = load_unit_roadmaps(args.roadmaps, history.units) if args.roadmaps else {}
    if args.out:
        inputs = [*history.files, *args.questionnaire] + [r.source for r in roadmaps.values()]
        refuse_inputs_as_outputs(inputs, {"--out": args.out})
        problems = output_problems(args.out, "--out", args.history, history)
        if problems:
            raise InputErrors(problems)
    comparison = compare_history(history, banks)
    gained = levels_gained(initiatives_done(comparison, roadmaps)) if args.roadmaps else None
    if args.format == "csv":
        text = comparison_to_csv(comparison)
    elif args.format == "json":
        text = comparison_to_json(comparison, gained)
    else:
        text = comparison_to_text(comparison, args.unit, gained)
    if args.out:
        atomic_write_text(args.out, text)
        print(f"wrote the comparison of {len(history.rounds)} rounds ({len(history.units)} units) to {args.out}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
