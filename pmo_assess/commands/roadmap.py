"""``pmo-assess roadmap``: plan each unit's initiatives in waves and create or merge its roadmap.yaml."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Callable


def _positive(kind: type) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` greater than 0."""
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not value > 0 or value == float("inf"):  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
        return value
    return parse


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "roadmap", help="plan initiatives in waves and write/merge each unit's roadmap.yaml",
        description="Pick the initiatives that close each unit's gaps, prioritise them (gap, importance, votes, "
                    "effort), place them in waves, and write OUT/<unit>/roadmap.yaml. If that file exists, the "
                    "plan is merged into it: your edits and comments are kept, new gaps add items, closed gaps "
                    "are marked closed-gap, and the previous version is kept as roadmap.previous.yaml.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (CSV, XLSX or YAML)")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", required=True, metavar="FILE", help="targets YAML")
    parser.add_argument("--unit", "-u", action="append", metavar="NAME",
                        help="business unit to plan (repeat for several); default every unit in the answers")
    parser.add_argument("--votes", metavar="FILE", help="dot-votes YAML; default votes.yaml beside the targets, if any")
    parser.add_argument("--library", metavar="FILE",
                        help="initiative library; default initiatives/<questionnaire id>.yaml beside the questionnaire")
    parser.add_argument("--out", "-o", default="roadmaps", metavar="DIR", help="folder of the unit folders; default roadmaps")
    parser.add_argument("--wave-weeks", type=_positive(float), metavar="N",
                        help="weeks per wave (default 12, or the roadmap's own setting)")
    parser.add_argument("--capacity", type=_positive(float), metavar="PD",
                        help="person-days per wave (default 120, or the roadmap's own setting)")
    parser.add_argument("--waves", type=_positive(int), metavar="N", help="plan at most N waves (default: until done)")
    parser.add_argument("--starts-on", type=_date, metavar="YYYY-MM-DD", help="first day of wave 1 (default next Monday)")
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.roadmap.roadmap_file import commitments_from, parse_roadmap, write_roadmap
    from pmo_assess.roadmap.workflow import ROADMAP_FILE, load_planning_inputs, plan_roadmap, unit_slug

    inputs = load_planning_inputs(args.answers, args.questionnaire, args.targets, args.votes, args.library)
    for unit in args.unit or inputs.scores.units:
        inputs.state(unit)  # every unit named must have answers, before anything is written
    # plan every unit first: a problem in any unit's roadmap file is reported with the others and
    # nothing is written, instead of leaving the units before it regenerated and those after it not
    planned, problems, folders = [], [], {}
    for unit in args.unit or inputs.scores.units:
        path = Path(args.out) / unit_slug(unit) / ROADMAP_FILE
        if folders.setdefault(path, unit) != unit:
            problems.append(InputProblem(str(path), "business_unit", f"units {folders[path]!r} and {unit!r} would "
                                         "share this roadmap file; plan them in separate runs with different --out"))
            continue
        try:
            planned.append((unit, path, *plan_roadmap(inputs, unit, path, args.wave_weeks, args.capacity,
                                                      args.waves, args.starts_on)))
        except InputErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputErrors(problems)
    for unit, path, plan, settings, document in planned:
        # the capacity taken per wave includes the PMO head's own items, as the planner counted them
        custom = (commitments_from(parse_roadmap(document, path), inputs.library).custom_load
                  if document is not None else {})
        changes = write_roadmap(path, plan, inputs.library, settings, document=document)
        used = plan.wave_load()
        used += [0.0] * (max(custom, default=0) - len(used))
        load = ", ".join(f"{amount + custom.get(wave, 0.0):g}" for wave, amount in enumerate(used, start=1))
        print(f"{unit}: {path} {changes.summary()}; {len(plan.scheduled)} initiatives in {plan.waves} waves "
              f"of {plan.options.wave_weeks:g} weeks (person-days per wave: {load or 'none'}; "
              f"capacity {plan.options.capacity:g})")
        for gap in plan.uncovered:
            step = f" {gap.step}" if gap.step else ""
            print(f"  uncovered: {gap.capability}{step}: {gap.reason}")
        for item in plan.unscheduled:
            print(f"  not scheduled: {item.initiative.id} does not fit in the {plan.options.waves} waves asked for")
        for note in plan.notes:
            print(f"  note: {note}")
    if not inputs.votes:
        print("no votes file: priorities use gap, importance and effort only", file=sys.stderr)
    return 0
