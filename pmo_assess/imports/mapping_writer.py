"""``pmo-assess import --print-mapping``: the mapping the import inferred for an export, as an editable YAML file.

Everything matched is written out (the tool, each question column → question id, the answer labels →
levels); what matched nothing is written as a commented line with a ``?`` to fill in, never guessed.
Passing the file back with ``--mapping`` reads the export exactly as inferred, plus the edits.
"""
from __future__ import annotations

import json
from pathlib import Path

from pmo_assess.imports.column_match import ColumnPlan, plan_columns
from pmo_assess.imports.mapping import Mapping
from pmo_assess.imports.records import normalize_text, resolve_role, role_lookup
from pmo_assess.imports.scales import answer_lookup, survey_answer
from pmo_assess.imports.survey_table import SurveyTable
from pmo_assess.imports.tool_shapes import SHAPES
from pmo_assess.io.answers import classify_answer
from pmo_assess.model import Questionnaire

_FIELD_NOTES = {"email": "who answered (e-mail)", "first_name": "who answered (first name)",
                "last_name": "who answered (last name)", "response_id": "response id (names anonymous responses)"}


def _quoted(text: str) -> str:
    """A YAML scalar for any text: JSON's double-quoted string is valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[:length - 3] + "..."


def _column_key(table: SurveyTable, column: int) -> str:
    """How the mapping names a column: its Qualtrics column id, else its (folded) title."""
    return table.ids[column] if table.tool == "qualtrics" and table.ids else table.header[column]


def _column_lines(table: SurveyTable, plan: ColumnPlan, questionnaire: Questionnaire) -> list[str]:
    texts = {q.id: q.text for q in questionnaire.questions}
    lines = ["columns:"]
    by_column = {column: kind for kind, column in plan.fields.items()}
    by_column.update({column: {"comment": q} for q, column in plan.comments.items()})
    by_column.update(plan.questions)
    for column in sorted(by_column):
        key, target = _quoted(_column_key(table, column)), by_column[column]
        if isinstance(target, dict):
            lines.append(f"  {key}: {{comment: {target['comment']}}}")
        elif target in _FIELD_NOTES:
            lines.append(f"  # {key}: {_FIELD_NOTES[target]}, recognised by its title")
        elif target in texts:
            note = f"   # {_short(texts[target], 60)}" if table.tool == "qualtrics" else ""
            lines.append(f"  {key}: {target}{note}")
        else:
            lines.append(f"  {key}: {target}")
    for column, hint in plan.unmatched:
        lines.append(f"  # {_quoted(_column_key(table, column))}: ?   # matches no question{hint}; "
                     f"write its question id, or list it under ignore:")
    return lines


def _role_lines(table: SurveyTable, plan: ColumnPlan, questionnaire: Questionnaire, mapping: Mapping) -> list[str]:
    """The mapping's roles, and each role text of the export that is no role of the questionnaire, to fill in."""
    lines = [f"  {_quoted(text)}: {role}" for text, role in mapping.roles.items()]
    if "role" in plan.fields:
        lookup = role_lookup(questionnaire, mapping.roles)
        texts = dict.fromkeys(values[plan.fields["role"]] for _, values in table.rows)
        ids = ", ".join(r.id for r in questionnaire.roles)
        lines += [f"  # {_quoted(text)}: ?   # not a role of the questionnaire; write one of {ids}"
                  for text in texts if text and resolve_role(text, questionnaire, lookup)[1]]
    return ["roles:", *lines] if lines else []


def _answer_lines(table: SurveyTable, plan: ColumnPlan, questionnaire: Questionnaire, mapping: Mapping) -> list[str]:
    """Distinct answer labels (besides plain numbers, na and dk) and the level each reads as."""
    choices = answer_lookup(questionnaire, mapping.answers)
    anchors = {q.id: {normalize_text(a) for a in q.anchors.values()} for q in questionnaire.questions}
    labels: dict[str, str] = {}
    unknown: dict[str, str] = {}
    anchor_count = 0
    for column, question in plan.questions.items():
        for _, values in table.rows:
            text = values[column].strip()
            if not text or text in labels or text in unknown or not classify_answer(text)[2]:
                continue  # plain numbers, na and dk need no mapping
            if normalize_text(text) in anchors[question] and normalize_text(text) not in mapping.answers:
                anchor_count += 1
                continue
            answer, problem = survey_answer(text, choices[question], mapping.answers)
            if problem:
                unknown[text] = question
            else:
                labels[text] = answer
    lines = ["answers:" if labels or unknown else "answers: {}"]
    lines += [f"  {_quoted(text)}: {answer}" for text, answer in labels.items()]
    lines += [f"  # {_quoted(text)}: ?   # not a level this import knows (first seen in {question}); "
              f"write 1, 2, 3, 4, na or dk" for text, question in unknown.items()]
    if anchor_count:
        lines.append(f"  # {anchor_count} more label(s) are the anchor texts of their question, read per question")
    return lines


def mapping_yaml(path: str | Path, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping,
                 default_unit: str = "") -> str:
    """The YAML text of the mapping inferred for one (folded) export."""
    from pmo_assess import __version__

    plan = plan_columns(str(path), table, questionnaire, mapping)
    tool = SHAPES[table.tool].name + " export" if table.tool else "wide table (no survey tool recognised)"
    lines = [f"# Mapping inferred by pmo-assess {__version__} from {Path(path).name} ({tool})",
             f"# for questionnaire {questionnaire.id} {questionnaire.version}. Fix what is wrong, fill in each '?',",
             f"# and pass it back: pmo-assess import {Path(path).name} -q QUESTIONNAIRE --mapping THIS-FILE ...",
             f"tool: {table.tool or 'wide'}"]
    unit = default_unit or mapping.business_unit
    if unit:
        lines.append(f"business_unit: {_quoted(unit)}")
    elif "business_unit" not in plan.fields:
        lines.append('business_unit: "?"   # the business unit these answers belong to: write its name '
                     '(or pass --unit)')
    tool_columns = [table.header[c] for c in plan.tool_columns]
    if tool_columns:
        lines.append(f"# the tool's own columns, left out: {', '.join(tool_columns)}")
    lines += _column_lines(table, plan, questionnaire)
    ignored = plan.ignored
    lines.append("ignore:" if ignored else "ignore: []")
    lines += [f"  - {_quoted(title)}" for title in ignored]
    lines += _role_lines(table, plan, questionnaire, mapping)
    asked = set(plan.questions.values())
    missing = [q.id for q in questionnaire.questions if q.id not in asked]
    if mapping.not_asked or missing:
        lines.append(f"not_asked: [{', '.join(mapping.not_asked)}]")
        missing = [q for q in missing if q not in mapping.not_asked]
        if missing:
            lines.append(f"# questions without a column: {', '.join(missing)}; list those the form leaves out "
                         f"on purpose under not_asked:")
    lines += _answer_lines(table, plan, questionnaire, mapping)
    return "\n".join(lines) + "\n"
