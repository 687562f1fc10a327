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
    if path.suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm"):
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


#: A YAML file is of the first kind whose marker keys it has.
KIND_MARKERS: list[tuple[str, set[str]]] = [
    ("questionnaire", {"levels", "dimensions"}),
    ("plan", {"pmo_type"}),
    ("answers", {"respondents"}),
    ("answers", {"business_unit"}),
    ("targets", {"default"}),
    ("targets", {"units"}),
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
    from pmo_assess.plan.business_plan import load_plan

    plan = load_plan(path, questionnaire)
    return (f"business plan of {plan.business_unit}: {len(plan.objectives)} objectives, {len(plan.kpis)} KPIs, "
            f"PMO type {plan.pmo_type.chosen}"), None


VALIDATORS: dict[str, Callable[[Path, Any], tuple[str, Any]]] = {
    "questionnaire": _questionnaire,
    "answers": _answers,
    "targets": _targets,
    "plan": _plan,
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
    paths = [Path(f) for f in args.files]
    questionnaires: list[Any] = []
    problems: list[InputProblem] = []
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
            problems.append(InputProblem(str(path), "", "not a questionnaire, answers or targets file "
                                         "(expected .csv/.xlsx answers or YAML with levels+dimensions, "
                                         "respondents, or default/units)"))
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
