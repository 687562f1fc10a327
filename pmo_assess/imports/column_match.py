"""What each column of a survey export holds: a question, a comment, who answered, or nothing to import.

Order: the mapping file; the tool's own metadata columns; a question id in the title; the question's
text — a grid or matrix column by its row text, exactly, then ignoring case, punctuation, quotes and
blanks, with the grid title telling apart questions whose texts are alike; known field titles. A
column nothing matches is listed (with a "closest" hint only when one question clearly stands out),
never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from pmo_assess.errors import InputProblem
from pmo_assess.imports.mapping import FIELD_TARGETS, ColumnTarget, Mapping
from pmo_assess.imports.records import loose_text, normalize_text
from pmo_assess.imports.survey_table import SurveyTable
from pmo_assess.imports.tool_shapes import SHAPES
from pmo_assess.model import Questionnaire

RESPONDENT_TITLES = {"respondent", "name", "your name", "full name", "respondent name"}
EMAIL_TITLES = {"email", "e-mail", "email address", "e-mail address", "your email", "your email address"}
UNIT_TITLES = {"business unit", "business_unit", "unit", "your business unit"}
ROLE_TITLES = {"role", "your role", "what is your role", "respondent role", "job role"}
#: Columns survey tools add that carry no answer, in a table whose tool was not recognised.
TOOL_TITLES = {"id", "start time", "completion time", "last modified time", "timestamp", "total points",
               "quiz feedback", "score"}


@dataclass
class ColumnPlan:
    """Every column's meaning, and what is wrong with the header."""

    fields: dict[str, int] = field(default_factory=dict)      # kind → column (respondent, email, role...)
    questions: dict[int, str] = field(default_factory=dict)   # column → question id
    comments: dict[str, int] = field(default_factory=dict)    # question id → column
    tool_columns: list[int] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)   # (column, why and closest hint)
    problems: list[InputProblem] = field(default_factory=list)


def _shape_title(table: SurveyTable, column: int) -> str:
    """The title the tool's metadata is known by: the column id for Qualtrics, the header otherwise."""
    source = table.ids if table.tool == "qualtrics" and table.ids else table.header
    return normalize_text(source[column])


class ColumnMatcher:
    """Decides what each column means (see the module docstring for the order)."""

    def __init__(self, questionnaire: Questionnaire, mapping: Mapping):
        self.mapping = mapping
        self.mapped_fields = {t.kind for t in mapping.columns.values() if t.kind in FIELD_TARGETS}
        self.ids = {q.id.casefold(): q.id for q in questionnaire.questions}
        self.exact: dict[str, list[str]] = {}
        self.loose: dict[str, list[str]] = {}
        self.words: dict[str, set[str]] = {}
        self.places: dict[str, str] = {}     # question id → its dimension and capability names, normalised
        for dimension in questionnaire.dimensions:
            for capability in dimension.capabilities:
                for question in capability.questions:
                    self.exact.setdefault(normalize_text(question.text), []).append(question.id)
                    self.loose.setdefault(loose_text(question.text), []).append(question.id)
                    self.words[question.id] = set(re.findall(r"\w{4,}", loose_text(question.text)))
                    self.places[question.id] = " ".join(loose_text(t) for t in (
                        dimension.id, dimension.name, capability.id, capability.name))
        ids = sorted((re.escape(q.id) for q in questionnaire.questions), key=len, reverse=True)
        self.leading_id = re.compile(r"^\W*(" + "|".join(ids) + r")(?![A-Za-z0-9])", re.IGNORECASE)
        self.any_id = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(ids) + r")(?![A-Za-z0-9])", re.IGNORECASE)

    def closest(self, text: str) -> str:
        """A hint naming the question sharing most of an unmatched text's words, when one clearly stands out."""
        words = set(re.findall(r"\w{4,}", loose_text(text)))
        shares = sorted(((len(words & own) / len(words), question) for question, own in self.words.items()
                         if words and len(words & own) >= 2), reverse=True)
        if not shares or shares[0][0] < 0.6 or (len(shares) > 1 and shares[1][0] > shares[0][0] - 0.15):
            return ""
        return f" (closest: {shares[0][1]}?)"

    def _by_context(self, candidates: list[str], context: str) -> list[str]:
        """Of questions sharing a text, those whose dimension or capability the grid title names."""
        title = f" {loose_text(context)} "
        named = [q for q in candidates if any(f" {word} " in title for word in self._place_words(q))]
        return named or candidates

    def _place_words(self, question: str) -> list[str]:
        return [w for w in self.places[question].split(" ") if len(w) >= 4]

    def _by_text(self, text: str, context: str) -> tuple[ColumnTarget | None, str]:
        for lookup, key in ((self.exact, normalize_text(text)), (self.loose, loose_text(text))):
            candidates = lookup.get(key, [])
            if len(candidates) > 1 and context:
                candidates = self._by_context(candidates, context)
            if len(candidates) == 1:
                return ColumnTarget("question", candidates[0]), ""
            if candidates:
                return None, (f"its text is that of {len(candidates)} questions ({', '.join(candidates)}) and "
                              f"{'its grid title ' + repr(context) + ' does not say which' if context else 'it has no grid title to tell them apart'}")
        return None, ""

    def _tool_target(self, table: SurveyTable, column: int) -> ColumnTarget | None:
        shape = SHAPES.get(table.tool)
        title = _shape_title(table, column)
        if shape is None or title not in shape.metadata:
            return None
        for kind, titles in (("first_name", shape.first_name), ("last_name", shape.last_name),
                             ("respondent", shape.full_name), ("email", shape.email),
                             ("response_id", shape.response_id)):
            if title in titles:
                named_by_mapping = "respondent" in self.mapped_fields
                return ColumnTarget("tool" if named_by_mapping and kind != "response_id" else kind)
        return ColumnTarget("tool")

    def target(self, table: SurveyTable, column: int) -> tuple[ColumnTarget | None, str]:
        """(what the column holds or None, why it matches nothing when there is a reason to tell)."""
        title = table.header[column]
        full = normalize_text(title)
        for key in (full, normalize_text(table.ids[column]) if table.ids else ""):
            if key in self.mapping.columns:
                return self.mapping.columns[key], ""
        tool = self._tool_target(table, column)
        if tool is not None:
            return tool, ""
        found = self.any_id.search(title)
        if "comment" in full and found:
            return ColumnTarget("comment", self.ids[found.group(1).casefold()]), ""
        row_text = table.row_texts[column] if table.row_texts else title
        context = table.contexts[column] if table.contexts else ""
        for text in dict.fromkeys((title, row_text)):
            leading = self.leading_id.match(text)
            if leading:
                return ColumnTarget("question", self.ids[leading.group(1).casefold()]), ""
        target, why = self._by_text(row_text, context)
        if target or why:
            return target, why
        key = full.rstrip(" ?:*")
        for kind, titles in (("respondent", RESPONDENT_TITLES), ("email", EMAIL_TITLES),
                             ("business_unit", UNIT_TITLES), ("role", ROLE_TITLES)):
            if key in titles:
                # A column the mapping names for this field wins over one recognised by its title.
                mapped = self.mapped_fields & ({"respondent"} if kind == "email" else {kind})
                return ColumnTarget("tool" if mapped else kind), ""
        if not table.tool and (key in TOOL_TITLES or key.startswith(("points - ", "feedback - "))):
            return ColumnTarget("tool"), ""
        if table.tool == "microsoft-forms" and key.startswith(("points - ", "feedback - ")):
            return ColumnTarget("tool"), ""
        return None, self.closest(row_text)


def plan_columns(source: str, table: SurveyTable, questionnaire: Questionnaire, mapping: Mapping) -> ColumnPlan:
    """Match every column; two columns for one question (or field) are problems naming both."""
    matcher = ColumnMatcher(questionnaire, mapping)
    plan = ColumnPlan()
    claimed: dict[tuple[str, str], int] = {}
    for column, title in enumerate(table.header):
        if not title:
            if any(values[column] for _, values in table.rows):
                plan.unmatched.append((column, " (a column without a title that holds answers)"))
            continue
        target, why = matcher.target(table, column)
        if target is None:
            plan.unmatched.append((column, f" ({why})" if why.startswith("its ") else why))
            continue
        if target.kind in ("ignore", "tool"):
            (plan.ignored.append(title) if target.kind == "ignore" else plan.tool_columns.append(column))
            continue
        key = (target.kind, target.question)
        if key in claimed:
            what = f"question {target.question}" if target.question else target.kind
            what = f"the comment of {what}" if target.kind == "comment" else what
            plan.problems.append(InputProblem(source, table.place(column), (
                f"is {what}, like column {get_column_letter(claimed[key] + 1)} {table.header[claimed[key]]!r}; "
                f"keep one or map one of them to something else (or ignore) in a mapping file")))
            continue
        claimed[key] = column
        if target.kind == "question":
            plan.questions[column] = target.question
        elif target.kind == "comment":
            plan.comments[target.question] = column
        else:
            plan.fields[target.kind] = column
    return plan
