"""The plan's context: the context questionnaire (``questionnaires/plan-context.yaml``) and a PMO head's answers.

Answers file (``pmo-assess plan --context FILE``), one option id per question, plus who answered::

    answered_by: Ana Silva (PMO head) with the executive sponsors
    answered_on: 2026-11-20
    strategy_emphasis: growth
    culture: collaborative
    sponsor_expectation: strategy
    size: large

The same mapping is kept under ``context:`` in plan.yaml. A question left out is "not answered" (it
gives no points); an unknown key or an answer outside the options is an input problem (exit 2) with
the file, key and line.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml

FILE_NAME = "plan-context.yaml"
#: The bundled context questionnaire (the repository's questionnaires/ folder).
BUNDLED = Path(__file__).resolve().parents[2] / "questionnaires" / FILE_NAME
META_KEYS = ("answered_by", "answered_on")


@dataclass(frozen=True)
class ContextOption:
    id: str
    text: str
    points: dict[str, int]


@dataclass(frozen=True)
class ContextQuestion:
    id: str
    text: str
    options: tuple[ContextOption, ...]
    decisive: bool = False

    @property
    def label(self) -> str:
        """'sponsor expectation' for 'sponsor_expectation'."""
        return self.id.replace("_", " ")

    def option(self, option_id: str) -> ContextOption | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class ContextQuestionnaire:
    id: str
    version: str
    types: dict[str, str]
    questions: tuple[ContextQuestion, ...]
    source: str = ""

    @property
    def decisive(self) -> ContextQuestion | None:
        return next((q for q in self.questions if q.decisive), None)

    def question(self, question_id: str) -> ContextQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class PlanContext:
    """Answers (question id → option id) and who gave them."""

    answers: dict[str, str]
    answered_by: str = ""
    answered_on: dt.date | None = None
    source: str = field(default="", compare=False)


def context_questionnaire_path(questionnaire_path: str | Path | None = None) -> Path:
    """plan-context.yaml beside the assessment questionnaire when there is one, else the bundled one."""
    if questionnaire_path is not None:
        beside = Path(questionnaire_path).parent / FILE_NAME
        if beside.exists():
            return beside
    return BUNDLED


def load_context_questionnaire(path: str | Path) -> ContextQuestionnaire:
    """Read and check the context questionnaire: questions with options, points only for known PMO types."""
    from pmo_assess.business_plan.pmo_type import PMO_TYPES

    data = read_yaml(path)
    problems = ProblemCollector(path)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        problems.add("questions", "a context questionnaire is a mapping with a list of questions")
        problems.raise_if_any()
    questions = []
    for i, node in enumerate(data["questions"]):
        where = f"questions[{i}]"
        if not isinstance(node, dict) or not node.get("id") or not isinstance(node.get("options"), list):
            problems.add(f"{where} (line {line_of(data['questions'], i)})", "needs an id and a list of options")
            continue
        options = []
        for j, option in enumerate(node["options"]):
            points = option.get("points") or {} if isinstance(option, dict) else None
            bad = not isinstance(points, dict) or any(t not in PMO_TYPES or not isinstance(n, int) or isinstance(n, bool)
                                                      for t, n in points.items())
            if not isinstance(option, dict) or not option.get("id") or bad:
                problems.add(f"{where}.options[{j}] (line {line_of(node['options'], j)})",
                             f"needs an id and points by PMO type ({', '.join(PMO_TYPES)}: whole numbers)")
                continue
            options.append(ContextOption(str(option["id"]), str(option.get("text", "")),
                                         {str(t): int(n) for t, n in points.items()}))
        questions.append(ContextQuestion(str(node["id"]), str(node.get("text", "")), tuple(options),
                                         node.get("decisive") is True))
    problems.raise_if_any()
    types = data.get("types") if isinstance(data.get("types"), dict) else {}
    return ContextQuestionnaire(str(data.get("id", "plan-context")), str(data.get("version", "")),
                                {str(k): str(v) for k, v in types.items()}, tuple(questions), str(path))


def parse_context(node: Any, problems: ProblemCollector, questions: ContextQuestionnaire | None,
                  where: str = "") -> PlanContext:
    """The answers in ``node`` (a file's top level, or plan.yaml's ``context:``), every problem added to ``problems``."""
    prefix = f"{where}." if where else ""

    def add(key: Any, message: str) -> None:
        line = line_of(node, key)
        problems.add(f"{prefix}{key} (line {line})" if line else f"{prefix}{key}", message)

    if node is None:
        return PlanContext({})
    if not isinstance(node, dict):
        problems.add(where or "context", "must be a mapping of question ids to answers "
                                         "(strategy_emphasis, culture, sponsor_expectation, size)")
        return PlanContext({})
    answers = {}
    for key, value in node.items():
        if key in META_KEYS:
            continue
        question = questions.question(str(key)) if questions is not None else None
        if questions is not None and question is None:
            add(key, f"not a question of the plan context ({', '.join(q.id for q in questions.questions)})")
            continue
        if value is None or value == "":
            continue  # not answered: gives no points
        if question is not None and question.option(str(value)) is None:
            add(key, f"must be one of {', '.join(o.id for o in question.options)}, got {value!r}")
            continue
        if isinstance(value, (dict, list)):
            add(key, "must be one option id, not a list or mapping")
            continue
        answers[str(key)] = str(value)
    answered_on = node.get("answered_on")
    if answered_on is not None and not isinstance(answered_on, dt.date):
        try:
            answered_on = dt.date.fromisoformat(str(answered_on))
        except ValueError:
            add("answered_on", f"must be a date like 2026-11-20, got {answered_on!r}")
            answered_on = None
    if isinstance(answered_on, dt.datetime):
        answered_on = answered_on.date()
    by = node.get("answered_by")
    return PlanContext(answers, "" if by is None or isinstance(by, (dict, list)) else str(by).strip(), answered_on)


def load_context(path: str | Path, questions: ContextQuestionnaire) -> PlanContext:
    """Read a context answers file; InputErrors (exit 2) lists every key outside the questionnaire's options."""
    problems = ProblemCollector(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        problems.add("", "a plan context is a YAML mapping: strategy_emphasis, culture, sponsor_expectation, size")
        problems.raise_if_any()
    context = parse_context(data, problems, questions)
    problems.raise_if_any()
    return PlanContext(context.answers, context.answered_by, context.answered_on, str(path))
