"""``pmo-assess validate``: check questionnaires, answers and targets files, listing every problem."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from pmo_assess.errors import InputErrors, InputProblem


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "validate", help="check files and list every problem",
        description="Check questionnaire, answers and targets files. Answers and targets are checked "
                    "against the questionnaire given with --questionnaire, or the one questionnaire "
                    "among FILEs.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--questionnaire", "-q", metavar="FILE", help="questionnaire to check answers against")
    return parser


def kind_of(path: Path) -> str:
    """What a file is, from its extension and, for YAML, its top-level keys."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "pack" if _is_pack(path) else "answers"
    if path.suffix.lower() in (".csv", ".txt"):
        return "answers"
    if path.suffix.lower() not in (".yaml", ".yml"):
        return "unknown"
    from pmo_assess.io.files import read_yaml

    data = read_yaml(path)
    keys = set(data) if isinstance(data, dict) else set()
    for kind, marker in KIND_MARKERS:
        if marker <= keys:
            return kind
    return "unknown"


def _is_pack(path: Path) -> bool:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    from pmo_assess.packs import META_SHEET

    try:
        workbook = load_workbook(path, read_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        return False  # the answers reader reports what is wrong with it
    try:
        return META_SHEET in workbook.sheetnames
    finally:
        workbook.close()


#: A YAML file is of the first kind whose marker keys it has.
KIND_MARKERS: list[tuple[str, set[str]]] = [
    ("questionnaire", {"levels", "dimensions"}),
    ("plan", {"pmo_type"}),
    ("roadmap", {"business_unit", "items"}),
    ("answers", {"respondents"}),
    ("answers", {"business_unit"}),
    ("votes", {"votes_per_participant"}),
    ("targets", {"default"}),
    ("targets", {"units"}),
    ("initiatives", {"initiatives", "kpis"}),
]


def _questionnaire(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.io.questionnaire import load_questionnaire

    q = load_questionnaire(path)
    return (f"questionnaire {q.id} {q.version}: {len(q.dimensions)} dimensions, "
            f"{len(q.capabilities)} capabilities, {len(q.questions)} questions"), q


def _answers(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.io.answers import read_answers

    frame = read_answers([path], questionnaire)
    units = frame["business_unit"].nunique()
    people = frame.groupby(["business_unit", "respondent"], observed=True).ngroups
    against = f" against {questionnaire.id}" if questionnaire else " (values only: no questionnaire given)"
    return f"answers: {len(frame)} rows, {units} unit(s), {people} respondent(s){against}", None


def _targets(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.io.targets import load_targets

    targets = load_targets(path, questionnaire)
    return f"targets: defaults and {len(targets.units)} unit override(s)", None


def _plan(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.business_plan.plan_file import load_plan

    plan = load_plan(path, questionnaire)
    return (f"business plan of {plan.business_unit}: {len(plan.objectives)} objectives, {len(plan.kpis)} KPIs, "
            f"PMO type {plan.pmo_type.chosen}"), None


def _initiatives(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.roadmap.library import load_library

    library = load_library(path, questionnaire)
    against = f" against {questionnaire.id}" if questionnaire else " (no questionnaire given: steps not checked)"
    return f"initiative library {library.id} {library.version}: {len(library.initiatives)} initiatives, " \
           f"{len(library.kpis)} KPIs{against}", None


def _roadmap(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.io.files import read_yaml
    from pmo_assess.roadmap.checks import check_roadmap
    from pmo_assess.roadmap.roadmap_file import parse_roadmap

    document = read_yaml(path)
    problems = check_roadmap(document, questionnaire=questionnaire, source=str(path))  # cycles, unknown ids...
    if problems:
        raise InputErrors(problems)
    roadmap = parse_roadmap(document, path, questionnaire)
    return (f"roadmap of {roadmap.business_unit}: {len(roadmap.items)} items, "
            f"{len(roadmap.waves())} waves"), None


def _pack(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.imports.pack_reader import open_workbook, read_pack

    if questionnaire is None:
        raise InputErrors([InputProblem(str(path), "", "a respondent pack is checked against its questionnaire: "
                                        "give --questionnaire FILE or list the questionnaire among the files")])
    rows = read_pack(path, open_workbook(path), questionnaire)
    answered = sum(1 for row in rows if row.answer)
    return f"respondent pack for {questionnaire.id}: {answered} answer(s)", None


def _votes(path: Path, questionnaire: Any) -> tuple[str, Any]:
    from pmo_assess.io.votes import load_votes

    votes = load_votes(path, questionnaire)
    people = sum(len(votes.participants(unit)) for unit in votes.units)
    return f"votes: {people} participant(s) in {len(votes.units)} unit(s)", None


VALIDATORS: dict[str, Callable[[Path, Any], tuple[str, Any]]] = {
    "questionnaire": _questionnaire,
    "answers": _answers,
    "targets": _targets,
    "votes": _votes,
    "pack": _pack,
    "plan": _plan,
    "initiatives": _initiatives,
    "roadmap": _roadmap,
}


def _best_questionnaire(path: Path, kind: str, questionnaires: list[Any]) -> Any:
    """With several questionnaires given, check a file against the one it belongs to."""
    if len(questionnaires) < 2:
        return questionnaires[0] if questionnaires else None
    if kind == "answers":
        from pmo_assess.io.answers import read_answer_file

        used = set(read_answer_file(path)["question"].cat.categories)
        return max(questionnaires, key=lambda q: len(used & set(q.question_index)))
    from pmo_assess.io.files import read_yaml

    named = (read_yaml(path) or {}).get("questionnaire")
    return next((q for q in questionnaires if q.id == named), questionnaires[0])


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import file_problems, require_files

    require_files({"--questionnaire": args.questionnaire})
    problems: list[InputProblem] = file_problems({"FILE": args.files})
    not_files = {p.file for p in problems}
    paths = [Path(f) for f in args.files if f not in not_files]
    questionnaires: list[Any] = []
    if args.questionnaire:
        questionnaires.append(_questionnaire(Path(args.questionnaire), None)[1])
    kinds = {}
    for path in paths:
        try:
            kinds[path] = kind_of(path) if path.exists() else "missing"
        except InputErrors as exc:
            problems.extend(exc.problems)
    # Questionnaires first, so the answers and targets listed with them are checked against them.
    ordered = sorted(kinds, key=lambda p: kinds[p] != "questionnaire")
    for path in ordered:
        kind = kinds[path]
        if kind == "missing":
            problems.append(InputProblem(str(path), "", "file not found"))
            continue
        if kind == "unknown":
            problems.append(InputProblem(str(path), "", "not a file pmo-assess knows: expected a questionnaire, "
                                         "answers (.csv, .xlsx, YAML form), respondent pack, targets, votes, "
                                         "initiative library, roadmap or business plan"))
            continue
        try:
            if kind == "questionnaire":
                against = None
            elif args.questionnaire:
                against = questionnaires[0]
            else:
                against = _best_questionnaire(path, kind, questionnaires)
            summary, loaded = VALIDATORS[kind](path, against)
        except InputErrors as exc:
            problems.extend(exc.problems)
            continue
        if kind == "questionnaire" and not args.questionnaire:
            questionnaires.append(loaded)
        print(f"ok  {path}  ({summary})")
    if problems:
        print(InputErrors(problems).render(), file=sys.stderr)
        return 2
    return 0
