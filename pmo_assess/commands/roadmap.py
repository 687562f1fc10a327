"""``pmo-assess roadmap``: plan each unit's initiatives in waves and create or merge its roadmap.yaml."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pmo_assess.io.limits import MAX_CAPACITY, MAX_WAVE_WEEKS, MAX_WAVES

if TYPE_CHECKING:
    from pmo_assess.roadmap.planner import Plan
    from pmo_assess.roadmap.roadmap_file import RoadmapChanges


def _positive(kind: type, most: float) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` greater than 0 and at most ``most``."""
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not value > 0 or value == float("inf"):  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
        if value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:g}, got {text}")
        return value
    return parse


def _date(text: str) -> dt.date:
    from pmo_assess.io.limits import MAX_DATE, MIN_DATE

    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    last = dt.date(MAX_DATE.year - 1, 12, 31)
    if not MIN_DATE <= value <= last:
        raise argparse.ArgumentTypeError(f"must be a date from {MIN_DATE} to {last}, got {text}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "roadmap", help="plan initiatives in waves and write/merge each unit's roadmap.yaml",
        description="Pick the initiatives that close each unit's gaps, prioritise them (gap, importance, votes, "
                    "effort), schedule them in weeks (quick wins first, each as soon as what it needs has "
                    "finished and the weekly capacity allows; waves are reporting windows), and write "
                    "OUT/<unit>/roadmap.yaml. If that file exists, the plan is merged into it: your edits and "
                    "comments are kept, a pin or a wave or date you changed is a commitment never moved, new "
                    "gaps add items, closed gaps are marked closed-gap, every item moved is named with why, "
                    "and the previous version is kept as roadmap.previous.yaml. A run that changes nothing "
                    "writes nothing.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (CSV, XLSX or YAML)")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", required=True, metavar="FILE", help="targets YAML")
    parser.add_argument("--unit", "-u", action="append", metavar="NAME",
                        help="business unit to plan (repeat for several); default every unit in the answers")
    parser.add_argument("--votes", metavar="FILE", help="dot-votes YAML; default votes.yaml beside the targets, if any")
    parser.add_argument("--library", metavar="FILE",
                        help="initiative library; default initiatives/<id>-v<major>.yaml beside the questionnaire when it exists, else initiatives/<id>.yaml beside the questionnaire")
    parser.add_argument("--out", "-o", default="roadmaps", metavar="DIR", help="folder of the unit folders; default roadmaps")
    parser.add_argument("--wave-weeks", type=_positive(float, MAX_WAVE_WEEKS), metavar="N",
                        help=f"weeks per wave, at most {MAX_WAVE_WEEKS} (default 12, or the roadmap's own setting)")
    parser.add_argument("--capacity", type=_positive(float, MAX_CAPACITY), metavar="PD",
                        help="person-days per wave, spread evenly over its weeks (default 120, or the roadmap's own)")
    parser.add_argument("--waves", type=_positive(int, MAX_WAVES), metavar="N",
                        help=f"plan at most N waves, at most {MAX_WAVES} (default: until done)")
    parser.add_argument("--starts-on", type=_date, metavar="YYYY-MM-DD", help="first day of wave 1 (default next Monday)")
    return parser


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import require_files
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.io.outputs import refuse_inputs_as_outputs
    from pmo_assess.roadmap.workflow import ROADMAP_FILE, load_planning_inputs, plan_roadmap, unit_slug, update_roadmap

    require_files({"ANSWERS": args.answers, "--questionnaire": args.questionnaire, "--targets": args.targets,
                   "--votes": args.votes, "--library": args.library})
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputErrors([InputProblem(str(out), "--out", "is a file, not a folder; give the folder of the unit "
                                        "folders")])
    inputs = load_planning_inputs(args.answers, args.questionnaire, args.targets, args.votes, args.library)
    units = args.unit or inputs.scores.units
    for unit in units:
        inputs.state(unit)  # every unit named must have answers, before anything is written
    read = [*args.answers, args.questionnaire, args.targets, *(p for p in (args.votes, args.library) if p)]
    # plan every unit first: a problem in any unit's roadmap file is reported with the others and
    # nothing is written, instead of leaving the units before it regenerated and those after it not
    problems, folders = [], {}
    for unit in units:
        path = out / unit_slug(unit) / ROADMAP_FILE
        try:
            refuse_inputs_as_outputs(read, {"--out": path})
        except InputErrors as exc:
            problems.extend(exc.problems)
            continue
        if folders.setdefault(path, unit) != unit:
            problems.append(InputProblem(str(path), "business_unit", f"units {folders[path]!r} and {unit!r} would "
                                         "share this roadmap file; plan them in separate runs with different --out"))
            continue
        try:
            plan_roadmap(inputs, unit, path, args.wave_weeks, args.capacity, args.waves, args.starts_on)
        except InputErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputErrors(problems)
    for path, unit in folders.items():
        # planned again under the file's lock, around whatever the file holds by then
        plan, changes = update_roadmap(inputs, unit, path, args.wave_weeks, args.capacity, args.waves, args.starts_on)
        print(_headline(unit, path, plan, changes))
        for line in changes.details():
            print(f"  {line}")
        for warning in plan.warnings:
            print(f"  warning: {warning}")
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


def _headline(unit: str, path: Path, plan: Plan, changes: RoadmapChanges) -> str:
    """'Retail Banking: roadmaps/.../roadmap.yaml created with 24 items; 24 initiatives starting in 5 waves ...'."""
    schedule = plan.schedule
    loads = ", ".join(f"{round(load, 1):g}" for load in schedule.wave_loads().values()) if schedule else ""
    slots = schedule.slots.values() if schedule else ()
    first = min((s.start for s in slots if s.start), default=None)
    last = max((s.end for s in slots if s.end), default=None)
    span = f", {first} to {last}" if first and last else ""
    return (f"{unit}: {path} {changes.summary()}; {len(plan.scheduled)} initiatives starting in {plan.waves} waves "
            f"of {plan.options.wave_weeks:g} weeks{span} (person-days per wave: {loads or 'none'}; "
            f"capacity {plan.options.capacity:g})")
