"""The mapping file: what a survey's columns and answer words mean when titles alone don't say.

```yaml
columns:                      # column title → a question id, respondent, business_unit, role,
  "How customer-centric are we?": PULSE-PPL-1     #   ignore, or {comment: QUESTION-ID}
  Full name: respondent
  Department: business_unit
  Why did you answer that way?: {comment: PULSE-PPL-1}
ignore: [Any other remarks?]  # columns to leave out
business_unit: Retail Banking # unit of every row, for files without a unit column
roles: {Exec: sponsor}        # role text → role id
answers: {Strongly agree: 4, Not sure: dk}   # answer text → 1-4, na or dk
tool: surveymonkey            # read the file as this tool's export (google-forms, surveymonkey,
                              #   qualtrics, microsoft-forms, wide); recognised by its shape otherwise
not_asked: [PULSE-GOV-3]      # questions the form leaves out on purpose
```
Titles and texts are matched ignoring case, blanks and curly quotes. A column is named by its title as
the import shows it (``Grid title [row text]`` for grids and SurveyMonkey matrices) or, in a Qualtrics
export, by its column id (``Q1_1``). ``pmo-assess import --print-mapping`` writes this file for an export.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pmo_assess.errors import ProblemCollector
from pmo_assess.imports.records import canonical_answer, normalize_text
from pmo_assess.imports.tool_shapes import TOOL_KEYS
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.sanitize import control_character_problem
from pmo_assess.model import Questionnaire

#: Column roles a mapping can give besides a question id.
FIELD_TARGETS = ("respondent", "business_unit", "role", "ignore")
_KEYS = ("columns", "ignore", "business_unit", "roles", "answers", "tool", "not_asked")


@dataclass(frozen=True)
class ColumnTarget:
    """What one survey column holds: ``kind`` is question, comment, respondent, business_unit, role or ignore."""

    kind: str
    question: str = ""


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file; keys of ``columns``, ``roles`` and ``answers`` are normalised texts."""

    source: str = ""
    columns: dict[str, ColumnTarget] = field(default_factory=dict)
    business_unit: str = ""
    roles: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    tool: str = ""
    not_asked: tuple[str, ...] = ()
    unit_to_fill: str = ""   # where business_unit is still the "?" --print-mapping wrote: "business_unit (line 5)"


def _place(node, key, label: str) -> str:
    line = line_of(node, key)
    return f"{label} (line {line})" if line else label


def load_mapping(path: str | Path, questionnaire: Questionnaire) -> Mapping:
    """Read and check a mapping file against the questionnaire; every problem listed with its line."""
    data = read_yaml(path)
    problems = ProblemCollector(path)
    if not isinstance(data, dict):
        problems.add("", f"a mapping file is a YAML mapping with some of: {', '.join(_KEYS)}")
        problems.raise_if_any()
    for key in data:
        if key not in _KEYS:
            problems.add(_place(data, key, str(key)), f"unknown key; a mapping file has {', '.join(_KEYS)}")
    sections = {}
    for key, kind in (("columns", dict), ("roles", dict), ("answers", dict), ("ignore", list), ("not_asked", list)):
        sections[key] = data.get(key) or kind()
        if not isinstance(sections[key], kind):
            problems.add(_place(data, key, key), "must be a mapping of text to value" if kind is dict
                         else f"must be a list of {'column titles' if key == 'ignore' else 'question ids'}")
            sections[key] = kind()

    known = questionnaire.question_index
    columns: dict[str, ColumnTarget] = {}
    column_node = sections["columns"]
    for title, value in column_node.items():
        place = _place(column_node, title, f"columns.{title}")
        if isinstance(value, dict) and set(value) == {"comment"}:
            target = ColumnTarget("comment", str(value["comment"]))
        elif isinstance(value, str) and value in FIELD_TARGETS:
            target = ColumnTarget(value)
        else:
            target = ColumnTarget("question", "" if isinstance(value, (dict, list)) else str(value))
        if target.kind in ("question", "comment") and target.question not in known:
            problems.add(place, f"{value!r} is not a question id of questionnaire {questionnaire.id!r} "
                                f"(nor one of {', '.join(FIELD_TARGETS)}, or {{comment: QUESTION-ID}})")
            continue
        columns[normalize_text(title)] = target
    for title in sections["ignore"]:
        columns[normalize_text(title)] = ColumnTarget("ignore")

    role_ids = questionnaire.role_weights
    roles = {}
    role_node = sections["roles"]
    for text, role_id in role_node.items():
        if role_ids and str(role_id) not in role_ids:
            problems.add(_place(role_node, text, f"roles.{text}"),
                         f"{role_id!r} is not a role id of the questionnaire ({', '.join(role_ids)})")
        roles[str(text)] = str(role_id)

    answers = {}
    answer_node = sections["answers"]
    for text, value in answer_node.items():
        answer, problem = canonical_answer(str(value))
        if problem or not answer:
            problems.add(_place(answer_node, text, f"answers.{text}"),
                         f"{value!r} must be 1, 2, 3, 4, na or dk")
        answers[normalize_text(text)] = answer
    for index, question in enumerate(sections["not_asked"]):
        if str(question) not in known:
            problems.add(_place(sections["not_asked"], index, f"not_asked[{index}]"),
                         f"{question!r} is not a question id of questionnaire {questionnaire.id!r}")
    tool = str(data.get("tool") or "").strip()
    if tool and tool not in TOOL_KEYS:
        problems.add(_place(data, "tool", "tool"), f"{tool!r} is not a survey tool this import reads "
                                                   f"({', '.join(TOOL_KEYS)})")
    unit = data.get("business_unit")
    if isinstance(unit, (dict, list)):
        problems.add(_place(data, "business_unit", "business_unit"), "must be the name of one business unit")
    elif message := control_character_problem(str(unit or "").strip(), "business_unit"):
        problems.add(_place(data, "business_unit", "business_unit"), message)
    problems.raise_if_any()
    unit = str(unit or "").strip()
    to_fill = _place(data, "business_unit", "business_unit") if unit == "?" else ""
    return Mapping(str(path), columns, "" if to_fill else unit, roles, answers, tool,
                   tuple(str(q) for q in sections["not_asked"]), to_fill)
