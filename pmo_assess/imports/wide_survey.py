"""Wide survey exports (Microsoft Forms, Google Forms): one row per respondent, one column per question.

Question columns are matched by question id (alone or leading the title, e.g. ``PPL-CUS-1. How…``),
by the exact question text, or by the mapping file; answers may be a level number, a level name, the
anchor text of the question, na or dk. Columns nothing matches are listed, never silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from pmo_assess.errors import InputErrors, InputProblem, ProblemCollector
from pmo_assess.imports.mapping import FIELD_TARGETS, ColumnTarget, Mapping
from pmo_assess.imports.records import (AnswerRow, canonical_answer, cell_text, normalize_text, resolve_role,
                                        role_lookup)
from pmo_assess.io.answers import INVALID, classify_answer
from pmo_assess.io.tables import csv_rows, guess_delimiter, long_field_problems, read_csv_text
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import control_character_problem

RESPONDENT_TITLES = {"respondent", "name", "your name", "full name", "respondent name"}
EMAIL_TITLES = {"email", "e-mail", "email address", "e-mail address", "your email", "your email address"}
UNIT_TITLES = {"business unit", "business_unit", "unit", "your business unit"}
ROLE_TITLES = {"role", "your role", "what is your role", "respondent role", "job role"}
#: Columns survey tools add that carry no answer (Microsoft Forms, Google Forms, quiz mode).
TOOL_TITLES = {"id", "start time", "completion time", "last modified time", "timestamp", "total points",
               "quiz feedback", "score"}
NA_TEXTS = {"not applicable", "does not apply", "doesn't apply", "n.a."}
DK_TEXTS = {"don't know", "do not know", "i don't know", "i do not know", "not sure", "unknown", "d/k"}
ANONYMOUS = {"anonymous", ""}


@dataclass
class WideSurvey:
    """Rows read from one export plus what the user should hear about its columns."""

    rows: list[AnswerRow]
    respondents: int
    matched_questions: int
    missing_questions: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SurveyTable:
    """A survey export's header and non-empty rows as text, and how to name a place in it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]   # (row number in the file, cell texts)
    sheet: str | None                   # None for CSV

    def row_place(self, row: int) -> str:
        return f"row {row}" if self.sheet is None else f"sheet {self.sheet!r}, row {row}"

    def place(self, column: int, row: int | None = None) -> str:
        letter = get_column_letter(column + 1)
        if self.sheet is None:
            return f"row {row}, column {letter}" if row else f"column {letter} {self.header[column]!r}"
        return f"sheet {self.sheet!r}, cell {letter}{row}" if row else \
            f"sheet {self.sheet!r}, column {letter} {self.header[column]!r}"


def read_csv_table(path: Path) -> SurveyTable:
    """A CSV survey export as text cells (UTF-8, comma, semicolon or tab separated)."""
    text = read_csv_text(path)
    delimiter = guess_delimiter(text.split("\n", 1)[0])
    records = csv_rows(path, text, delimiter)
    header = [cell_text(h) for h in next(records, (1, []))[1]]
    rows, problems = [], []
    for line, values in records:
        if any(v.strip() for v in values[len(header):]):  # an unquoted separator shifts every later answer
            problems.append(InputProblem(str(path), f"row {line}", (
                f"has {len(values)} fields but the header has {len(header)}; a value holding "
                f"{'a tab' if delimiter == chr(9) else repr(delimiter)} must be in double quotes")))
            continue
        if any(v.strip() for v in values):
            rows.append((line, [v.strip() for v in values[:len(header)]]
                         + [""] * (len(header) - len(values))))
    if problems:
        raise InputErrors(problems)
    return SurveyTable(header, rows, None)


def read_sheet_table(sheet: ReadOnlyWorksheet, path: str | Path = "") -> SurveyTable:
    """A worksheet (read-only openpyxl) of a survey export as text cells; over-long cells → InputErrors."""
    lines = sheet.iter_rows(values_only=True)
    header = [cell_text(h) for h in next(lines, ())]
    rows, problems = [], []
    for number, values in enumerate(lines, start=2):
        texts = [cell_text(v) for v in values[: len(header)]]
        if any(texts):
            problems += long_field_problems(path, "the cell", texts,
                                            lambda i: f"sheet {sheet.title!r}, cell {get_column_letter(i + 1)}{number}")
            rows.append((number, texts + [""] * (len(header) - len(texts))))
    if problems:
        raise InputErrors(problems)
    return SurveyTable(header, rows, sheet.title)


class _ColumnMatcher:
    """Decides what each column title means, in a fixed order: mapping, ids, question text, known fields."""

    def __init__(self, questionnaire: Questionnaire, mapping: Mapping):
        self.mapping = mapping
        self.mapped_fields = {t.kind for t in mapping.columns.values() if t.kind in FIELD_TARGETS}
        self.ids = {q.id.casefold(): q.id for q in questionnaire.questions}
        self.texts = {normalize_text(q.text): q.id for q in questionnaire.questions}
        ids = sorted((re.escape(q.id) for q in questionnaire.questions), key=len, reverse=True)
        self.leading_id = re.compile(r"^\W*(" + "|".join(ids) + r")(?![A-Za-z0-9])", re.IGNORECASE)
        self.any_id = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(ids) + r")(?![A-Za-z0-9])", re.IGNORECASE)

    def closest(self, title: str) -> str:
        """A hint naming the question sharing most of an unmatched title's words (at least 60%), if any."""
        words = set(re.findall(r"[a-z]{4,}", normalize_text(title)))
        best, share = "", 0.6
        for text, question in self.texts.items():
            common = words & set(re.findall(r"[a-z]{4,}", text))
            if len(common) >= 2 and len(common) / len(words) >= share:
                best, share = question, len(common) / len(words)
        return f" (closest: {best}?)" if best else ""

    def _question_id(self, found: str) -> str:
        return self.ids[found.casefold()]

    def target(self, title: str) -> ColumnTarget | None:
        key = normalize_text(title).rstrip(" ?:*")
        full = normalize_text(title)
        if full in self.mapping.columns:
            return self.mapping.columns[full]
        if "comment" in full and self.any_id.search(title):
            return ColumnTarget("comment", self._question_id(self.any_id.search(title).group(1)))
        if self.leading_id.match(title):
            return ColumnTarget("question", self._question_id(self.leading_id.match(title).group(1)))
        if full in self.texts:
            return ColumnTarget("question", self.texts[full])
        for kind, titles in (("respondent", RESPONDENT_TITLES), ("email", EMAIL_TITLES),
                             ("business_unit", UNIT_TITLES), ("role", ROLE_TITLES)):
            if key in titles:
                # A column the mapping names for this field wins over one recognised by its title.
                mapped = self.mapped_fields & ({"respondent"} if kind == "email" else {kind})
                return ColumnTarget("tool" if mapped else kind)
        if key in TOOL_TITLES or key.startswith(("points - ", "feedback - ")):
            return ColumnTarget("tool")
        return None


def _answer_lookup(questionnaire: Questionnaire, mapping: Mapping) -> dict[str, dict[str, str]]:
    """Per question: normalised answer text (level names, anchors, na/dk words, mapped words) → answer."""
    common = {normalize_text(lv.name): str(lv.value) for lv in questionnaire.levels}
    common.update({t: "na" for t in NA_TEXTS})
    common.update({t: "dk" for t in DK_TEXTS})
    for lv in questionnaire.levels:
        common[f"level {lv.value}"] = str(lv.value)
        common[f"{lv.value} - {normalize_text(lv.name)}"] = str(lv.value)
    lookup = {}
    for question in questionnaire.questions:
        texts = dict(common)
        for level, anchor in question.anchors.items():
            texts[normalize_text(anchor)] = str(level)
            texts[f"{level} - {normalize_text(anchor)}"] = str(level)
            texts[f"{level}. {normalize_text(anchor)}"] = str(level)
        texts.update(mapping.answers)
        lookup[question.id] = texts
    return lookup


def _survey_answer(text: str, choices: dict[str, str]) -> tuple[str, str]:
    """(answer, problem) for one cell: numbers and na/dk first, then the question's texts."""
    answer, problem = canonical_answer(text)
    if not problem:
        return answer, ""
    found = choices.get(normalize_text(text))
    if found:
        return found, ""
    status, _, numeric_problem = classify_answer(text)
    if status == INVALID and re.fullmatch(r"[-+]?\d+([.,]\d+)?", text.strip()):
        return "", numeric_problem
    shown = text if len(text) <= 70 else text[:67] + "..."
    return "", (f"answer {shown!r} is not a level (1-4), a level name, one of this question's four anchor "
                f"texts, na or dk; if it is a scale of the survey tool, translate it under 'answers:' in a "
                f"mapping file")


def read_wide_survey(path: str | Path, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping,
                     default_unit: str = "", ignore_unmatched: bool = False) -> WideSurvey:
    """Answer rows of one wide export; unmatched columns are problems unless ``ignore_unmatched``."""
    source = str(path)
    problems = ProblemCollector(source)
    matcher = _ColumnMatcher(questionnaire, mapping)
    fields: dict[str, int] = {}
    questions: dict[int, str] = {}
    comments: dict[str, int] = {}
    ignored, unmatched = [], []
    claimed: dict[tuple[str, str], int] = {}
    for column, title in enumerate(table.header):
        if not title:
            if any(values[column] for _, values in table.rows):
                unmatched.append(column)
            continue
        target = matcher.target(title)
        if target is None:
            unmatched.append(column)
            continue
        if target.kind in ("ignore", "tool"):
            if target.kind == "ignore":
                ignored.append(title)
            continue
        key = (target.kind, target.question)
        if key in claimed:
            what = f"question {target.question}" if target.question else target.kind
            what = f"the comment of {what}" if target.kind == "comment" else what
            problems.add(table.place(column), f"is {what}, like column "
                         f"{get_column_letter(claimed[key] + 1)} {table.header[claimed[key]]!r}; keep one "
                         f"or map one of them to something else (or ignore) in a mapping file")
            continue
        claimed[key] = column
        if target.kind == "question":
            questions[column] = target.question
        elif target.kind == "comment":
            comments[target.question] = column
        else:
            fields[target.kind] = column
    for column in unmatched:
        title = table.header[column]
        if ignore_unmatched:
            ignored.append(title or f"column {get_column_letter(column + 1)}")
            continue
        problems.add(table.place(column), f"matches no question id or question text of {questionnaire.id!r}"
                     f"{matcher.closest(title)}; name it under columns: or ignore: in a mapping file, or "
                     f"pass --ignore-unmatched")
    if not questions:
        problems.add("header", f"no column is a question of questionnaire {questionnaire.id!r}")
    if not table.rows:
        problems.add("", "has no responses (only a header row)")
    if "business_unit" not in fields and not (default_unit or mapping.business_unit):
        problems.add("header", "no business unit: the file has no 'Business unit' column; pass --unit or set "
                               "business_unit in a mapping file")
    if "respondent" not in fields and "email" not in fields:
        problems.add("header", "no respondent column: expected a 'Name' or 'Email' column, or map one "
                               "(columns: {TITLE: respondent})")
    problems.raise_if_any()

    rows = _rows(source, table, questionnaire, mapping, fields, questions, comments,
                 default_unit or mapping.business_unit, problems)
    problems.raise_if_any()
    asked = set(questions.values())
    return WideSurvey(rows=rows, respondents=len(table.rows), matched_questions=len(asked),
                      missing_questions=[q.id for q in questionnaire.questions if q.id not in asked],
                      ignored_columns=ignored)


def _rows(source: str, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping, fields: dict[str, int],
          questions: dict[int, str], comments: dict[str, int], default_unit: str,
          problems: ProblemCollector) -> list[AnswerRow]:
    choices = _answer_lookup(questionnaire, mapping)
    roles = role_lookup(questionnaire, mapping.roles)
    name_column, email_column = fields.get("respondent"), fields.get("email")
    answer_columns = {question: column for column, question in questions.items()}
    seen: dict[tuple[str, str], int] = {}
    rows: list[AnswerRow] = []
    for number, values in table.rows:
        unit = values[fields["business_unit"]] if "business_unit" in fields else ""
        unit = unit or default_unit
        identities = [values[c] for c in (name_column, email_column) if c is not None]
        respondent = next((text for text in identities if normalize_text(text) not in ANONYMOUS), "")
        if not unit:
            problems.add(table.place(fields["business_unit"], number), "the business unit is empty")
        elif message := control_character_problem(unit, "business unit"):
            problems.add(table.place(fields["business_unit"], number) if "business_unit" in fields
                         else table.row_place(number), message)
            continue
        if message := next(filter(None, (control_character_problem(t, "respondent") for t in identities)), None):
            problems.add(table.row_place(number), message)
            continue
        if not respondent:
            column = name_column if name_column is not None else email_column
            problems.add(table.place(column, number), "no respondent name or e-mail in this response (an anonymous "
                         "form? map its ID column as respondent in a mapping file)")
            continue
        if (unit, respondent) in seen:
            problems.add(table.row_place(number), f"respondent {respondent!r} of {unit!r} answered twice (also row "
                         f"{seen[(unit, respondent)]}); delete the response that does not count")
            continue
        seen[(unit, respondent)] = number
        role, role_problem = resolve_role(values[fields["role"]], questionnaire, roles) if "role" in fields \
            else ("", "")
        if role_problem:
            problems.add(table.place(fields["role"], number), role_problem)
        before = len(rows)
        for question in dict.fromkeys([*answer_columns, *comments]):
            column = answer_columns.get(question, comments.get(question))
            answer, problem = _survey_answer(values[column], choices[question]) \
                if question in answer_columns else ("", "")
            if problem:
                problems.add(table.place(column, number), f"{problem} (question {question})")
            comment = values[comments[question]] if question in comments else ""
            if answer or comment:
                rows.append(AnswerRow(unit, respondent, role, question, answer, comment, source,
                                      table.place(column, number)))
        if len(rows) == before:
            problems.add(table.row_place(number), f"the response of {respondent!r} answers no question")
    return rows
