"""Wide survey exports: one row per response, one column per question (or grid row).

Plain tables (columns titled by question id or text) and the exports of Google Forms, SurveyMonkey,
Qualtrics and Microsoft Forms, recognised by their shape (:mod:`~pmo_assess.imports.tool_shapes`),
columns matched by :mod:`~pmo_assess.imports.column_match`, answers read by
:mod:`~pmo_assess.imports.scales`. Columns nothing matches are listed, never silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from pmo_assess.errors import InputProblem, ProblemCollector
from pmo_assess.imports.column_match import ColumnPlan, plan_columns
from pmo_assess.imports.mapping import Mapping
from pmo_assess.imports.partial import partial_responses
from pmo_assess.imports.records import AnswerRow, normalize_text, resolve_role, role_lookup
from pmo_assess.imports.scales import answer_lookup, survey_answer
from pmo_assess.imports.survey_table import SurveyTable
from pmo_assess.imports.tool_shapes import SHAPES
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import control_character_problem

ANONYMOUS = {"anonymous", ""}
LEVELS = {"1", "2", "3", "4"}


@dataclass
class WideSurvey:
    """Rows read from one export plus what the user should hear about its columns and responses."""

    rows: list[AnswerRow]
    respondents: int
    matched_questions: int
    missing_questions: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    tool: str = ""                                           # name of the recognised tool, "" for a plain table
    partial: list[str] = field(default_factory=list)        # unfinished responses, described
    partial_included: bool = False
    renamed: list[str] = field(default_factory=list)        # respondents of one name told apart by e-mail


def respondent_of(values: list[str], fields: dict[str, int], tool: str, position: int) -> str:
    """Who gave a response: name (or first and last name), else e-mail, else the tool's response id."""
    def cell(kind: str) -> str:
        return values[fields[kind]].strip() if kind in fields else ""
    name = cell("respondent") or " ".join(filter(None, (cell("first_name"), cell("last_name"))))
    for text in (name, cell("email")):
        if normalize_text(text) not in ANONYMOUS:
            return text
    if tool:
        return f"Response {cell('response_id') or position}"
    return ""


def _header_problems(table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping, plan: ColumnPlan,
                     default_unit: str, ignore_unmatched: bool, problems: ProblemCollector) -> list[str]:
    """Problems of the header as a whole; returns the titles left out (ignored or unmatched and ignored)."""
    ignored = list(plan.ignored)
    for column, hint in plan.unmatched:
        if ignore_unmatched:
            ignored.append(table.header[column] or f"column {get_column_letter(column + 1)}")
            continue
        problems.add(table.place(column), f"matches no question id or question text of {questionnaire.id!r}"
                     f"{hint}; name it under columns: or ignore: in a mapping file, or pass --ignore-unmatched")
    header = "header" if not table.tool else f"header ({SHAPES[table.tool].name} export)"
    if not plan.questions:
        problems.add(header, f"no column is a question of questionnaire {questionnaire.id!r}")
    if not table.rows:
        problems.add("", "has no responses (only header rows)")
    if "business_unit" not in plan.fields and not default_unit and mapping.unit_to_fill:
        problems.extend([InputProblem(mapping.source, mapping.unit_to_fill, (
            "is still '?': write the business unit these answers belong to there (or pass --unit)"))])
    elif "business_unit" not in plan.fields and not (default_unit or mapping.business_unit):
        problems.add(header, "no business unit: the file has no 'Business unit' column; pass --unit or set "
                             "business_unit in a mapping file")
    if not table.tool and "respondent" not in plan.fields and "email" not in plan.fields:
        problems.add(header, "no respondent column: expected a 'Name' or 'Email' column, or map one "
                             "(columns: {TITLE: respondent})")
    asked = set(plan.questions.values())
    # A form with most of the questionnaire's questions lost some by mistake; one with a few asks a subset.
    form_of_all = table.tool and 2 * len(asked) >= len(questionnaire.questions) and not ignore_unmatched
    for question in questionnaire.questions if form_of_all else ():
        if question.id not in asked and question.id not in mapping.not_asked:
            problems.add(header, f"question {question.id} ({question.text[:60]!r}) has no column; if the form "
                                 f"leaves it out on purpose, list it under not_asked: in a mapping file (or pass "
                                 f"--ignore-unmatched)")
    return ignored


def _recode_problems(table: SurveyTable, plan: ColumnPlan, mapping: Mapping, problems: ProblemCollector) -> None:
    """A Qualtrics export with numeric values reads as levels only if its recode values are 1-4."""
    ids = [normalize_text(i) for i in table.ids]
    if table.tool != "qualtrics" or "finished" not in ids \
            or not {values[ids.index("finished")] for _, values in table.rows} <= {"0", "1", ""}:
        return
    for column, question in plan.questions.items():
        seen = {values[column].strip() for _, values in table.rows} - {""}
        odd = sorted(v for v in seen - LEVELS if normalize_text(v) not in mapping.answers)
        if odd:
            number = next(n for n, values in table.rows if values[column].strip() == odd[0])
            problems.add(table.place(column, number), (
                f"recode value {odd[0]!r} (question {question}): this Qualtrics export has numeric values, "
                f"and this column's are {', '.join(sorted(seen))}; they read as levels only when the recode "
                f"values are 1-4. Set the scale's recode values to 1-4 in Qualtrics (Recode values) or "
                f"export with choice text, or say what each value means under 'answers:' in a mapping file"))


def read_wide_survey(path: str | Path, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping,
                     default_unit: str = "", ignore_unmatched: bool = False,
                     include_partial: bool = False) -> WideSurvey:
    """Answer rows of one wide export; unmatched columns are problems unless ``ignore_unmatched``.

    Unfinished responses (Qualtrics, SurveyMonkey) are listed and left out unless ``include_partial``.
    Two responses under one name are one respondent answering twice (refused) unless the export has an
    e-mail column and their e-mails differ: then they are two people, and every response after the first
    of that name is named ``Name <e-mail>``.
    """
    source = str(path)
    problems = ProblemCollector(source)
    plan = plan_columns(source, table, questionnaire, mapping)
    problems.extend(plan.problems)
    ignored = _header_problems(table, questionnaire, mapping, plan, default_unit, ignore_unmatched, problems)
    problems.raise_if_any()
    partial = partial_responses(table, plan.questions)
    positions = {number: position for position, (number, _) in enumerate(table.rows, start=1)}
    described = [f"row {number} ({respondent_of(values, plan.fields, table.tool, positions[number])}): "
                 f"{partial[number]}" for number, values in table.rows if number in partial]
    kept = table if include_partial else \
        SurveyTable(table.header, [r for r in table.rows if r[0] not in partial], table.sheet, table.tool,
                    table.row_texts, table.contexts, table.ids)
    _recode_problems(kept, plan, mapping, problems)
    problems.raise_if_any()
    renamed: list[tuple[str, str, int]] = []
    rows = _rows(source, kept, questionnaire, mapping, plan, default_unit or mapping.business_unit, positions,
                 set(partial), problems, renamed)
    problems.raise_if_any()
    asked = set(plan.questions.values())
    return WideSurvey(rows=rows, respondents=len(kept.rows), matched_questions=len(asked),
                      missing_questions=[q.id for q in questionnaire.questions if q.id not in asked],
                      ignored_columns=ignored, tool=SHAPES[table.tool].name if table.tool else "",
                      partial=described, partial_included=include_partial,
                      renamed=[f"row {number}: {name!r} imported as {new!r} (same name as an earlier response, "
                               f"another e-mail)" for name, new, number in renamed])


def _rows(source: str, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping, plan: ColumnPlan,
          default_unit: str, positions: dict[int, int], partial: set[int],
          problems: ProblemCollector, renamed: list[tuple[str, str, int]]) -> list[AnswerRow]:
    choices = answer_lookup(questionnaire, mapping.answers)
    roles = role_lookup(questionnaire, mapping.roles)
    fields = plan.fields
    identity_columns = [fields[k] for k in ("respondent", "first_name", "last_name", "email") if k in fields]
    answer_columns = {question: column for column, question in plan.questions.items()}
    seen: dict[tuple[str, str], dict[str, int]] = {}   # (unit, name) → {e-mail: row number}
    rows: list[AnswerRow] = []
    for number, values in table.rows:
        unit = values[fields["business_unit"]] if "business_unit" in fields else ""
        unit = unit or default_unit
        respondent = respondent_of(values, fields, table.tool, positions[number])
        if not unit:
            problems.add(table.place(fields["business_unit"], number), "the business unit is empty")
        elif message := control_character_problem(unit, "business unit"):
            problems.add(table.place(fields["business_unit"], number) if "business_unit" in fields
                         else table.row_place(number), message)
            continue
        if message := next(filter(None, (control_character_problem(values[c], "respondent")
                                         for c in identity_columns)), None):
            problems.add(table.row_place(number), message)
            continue
        if not respondent:
            column = fields["respondent"] if "respondent" in fields else fields["email"]
            problems.add(table.place(column, number), "no respondent name or e-mail in this response (an anonymous "
                         "form? map its ID column as respondent in a mapping file)")
            continue
        email = values[fields["email"]].strip() if "email" in fields else ""
        email = "" if normalize_text(email) in ANONYMOUS or normalize_text(email) == normalize_text(respondent) \
            else email
        earlier = seen.setdefault((unit, respondent), {})
        if earlier and email and "" not in earlier and normalize_text(email) not in earlier:
            # Two people of one name: the e-mails tell them apart; the first keeps the name.
            renamed.append((respondent, f"{respondent} <{email}>", number))
            earlier[normalize_text(email)] = number
            respondent = f"{respondent} <{email}>"
        elif earlier:
            also = earlier.get(normalize_text(email), next(iter(earlier.values())))
            problems.add(table.row_place(number), f"respondent {respondent!r} of {unit!r} answered twice (also row "
                         f"{also}); delete the response that does not count")
            continue
        else:
            earlier[normalize_text(email)] = number
        role, role_problem = resolve_role(values[fields["role"]], questionnaire, roles) if "role" in fields \
            else ("", "")
        if role_problem:
            problems.add(table.place(fields["role"], number), role_problem)
        before = len(rows)
        for question in dict.fromkeys([*answer_columns, *plan.comments]):
            column = answer_columns.get(question, plan.comments.get(question))
            answer, problem = survey_answer(values[column], choices[question], mapping.answers) \
                if question in answer_columns else ("", "")
            if problem:
                problems.add(table.place(column, number), f"{problem} (question {question})")
            comment = values[plan.comments[question]] if question in plan.comments else ""
            if answer or comment:
                rows.append(AnswerRow(unit, respondent, role, question, answer, comment, source,
                                      table.place(column, number)))
        if len(rows) == before and number not in partial:  # an unfinished response may have answered nothing
            problems.add(table.row_place(number), f"the response of {respondent!r} answers no question")
    return rows
