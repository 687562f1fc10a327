"""Respondent packs: one protected XLSX per respondent, answered offline and imported without guessing.

A pack has an *Instructions* sheet, an *Answers* sheet (questions grouped by dimension and
capability, the four anchors beside each question, then, when the bank says what evidence to look
at, an *Evidence to look at* column, a dropdown answer cell and a comment cell; everything else
locked) and a very hidden ``_pmo_assess`` sheet holding what the import needs:
questionnaire id and version, unit, respondent, role and the question id of every answer row,
with a checksum that shows whether any of it was edited. Sheets are protected without a password:
the protection guides respondents, the checksum catches tampering.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.outputs import publish_all
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import control_character_problem, neutralize_formula

PACK_FORMAT = "pmo-assess/pack@1"
META_SHEET = "_pmo_assess"
ANSWERS_SHEET = "Answers"
INSTRUCTIONS_SHEET = "Instructions"
ANSWER_CHOICES = ("1", "2", "3", "4", "na", "dk")
REF_COLUMN, ANSWER_COLUMN, COMMENT_COLUMN = "A", "G", "H"
#: With an evidence column (G), the answer and comment cells move one column right.
EVIDENCE_COLUMN, EVIDENCE_ANSWER_COLUMN, EVIDENCE_COMMENT_COLUMN = "G", "H", "I"
RESPONDENT_CELL, ROLE_CELL = "B2", "B3"
HEADER_ROW = 5

_WIDTHS = {"A": 12, "B": 44, "C": 36, "D": 36, "E": 36, "F": 36}
_EVIDENCE_WIDTH, _ANSWER_WIDTH, _COMMENT_WIDTH = 34, 12, 42
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
_DIMENSION_FILL = PatternFill("solid", fgColor="1F3A5F")
_CAPABILITY_FILL = PatternFill("solid", fgColor="DCE6F2")
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_THIN = Side(style="thin", color="B7B7B7")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Layout:
    """Where a pack's answer and comment cells are: G and H, or H and I after an evidence column."""

    answer: str = ANSWER_COLUMN
    comment: str = COMMENT_COLUMN
    evidence: str | None = None

    @property
    def widths(self) -> dict[str, int]:
        extra = {self.evidence: _EVIDENCE_WIDTH} if self.evidence else {}
        return {**_WIDTHS, **extra, self.answer: _ANSWER_WIDTH, self.comment: _COMMENT_WIDTH}


def pack_layout(questionnaire: Questionnaire) -> Layout:
    """The evidence column only when some question of the bank says what evidence to look at."""
    if any(getattr(q, "evidence", "") for q in questionnaire.questions):
        return Layout(EVIDENCE_ANSWER_COLUMN, EVIDENCE_COMMENT_COLUMN, EVIDENCE_COLUMN)
    return Layout()


@dataclass(frozen=True)
class PackRequest:
    """Who a pack is for: a named respondent (role optional) or, with ``respondent=None``, a blank pack."""

    unit: str
    respondent: str | None = None
    role: str | None = None


def pack_checksum(meta: dict[str, str], question_rows: list[tuple[int, str]]) -> str:
    """Fingerprint of a pack's metadata and question rows; a mismatch on import means it was edited."""
    keys = ("format", "questionnaire_id", "questionnaire_version", "business_unit", "respondent", "role")
    payload = json.dumps([[meta.get(k, "") for k in keys], [[r, q] for r, q in question_rows]])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def _slug(text: str) -> str:
    """ASCII file-name part: ``'Chloé Martin'`` → ``'chloe-martin'``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9A-Za-z]+", "-", ascii_text).strip("-").lower() or "x"


def pack_filename(request: PackRequest) -> str:
    """``<unit>--<respondent>.xlsx`` (or ``--blank``), safe on every file system."""
    who = _slug(request.respondent) if request.respondent else "blank"
    return f"{_slug(request.unit)}--{who}.xlsx"


def _row_height(texts_and_widths: list[tuple[str, int]]) -> float:
    """Height (points) that shows wrapped text in full; Excel does not grow rows on open."""
    lines = 1
    for text, width in texts_and_widths:
        chars = max(width - 2, 1)
        lines = max(lines, sum(max(1, math.ceil(len(part) / chars)) for part in str(text).split("\n")))
    return 15.0 * lines + 3


def _role_label(questionnaire: Questionnaire, role: str | None) -> str:
    names = {r.id: r.name for r in questionnaire.roles}
    return f"{names[role]} ({role})" if role in names else (role or "")


def _instructions(sheet: Worksheet, questionnaire: Questionnaire, request: PackRequest) -> str | None:
    """Fill the instructions sheet; returns the range listing role names (for the role dropdown)."""
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 110
    who = (f"Prepared for {request.respondent}"
           + (f", {_role_label(questionnaire, request.role)}" if request.role else "")
           if request.respondent else "Blank pack: please write your name and role at the top of the Answers sheet")
    lines: list[tuple[str, str]] = [
        (questionnaire.title, ""),
        ("Business unit", request.unit),
        ("Respondent", who),
        ("Questionnaire", f"{questionnaire.id} version {questionnaire.version}, "
                          f"{len(questionnaire.questions)} questions"),
        ("", ""),
        ("How to answer", ""),
        ("1.", "Open the Answers sheet. Questions are grouped by dimension and capability."),
        ("2.", "For each question read the four descriptions beside it and choose the one that best "
               "describes what you see today (not what is planned)."),
        ("3.", "Pick 1, 2, 3 or 4 from the dropdown in the 'Your answer' column. Choose na if the "
               "question does not apply to your unit, dk if you do not know."),
        ("4.", "Add a comment wherever an example or some evidence would help the workshop (optional)."),
        ("5.", "Save the file as it is (same name, .xlsx) and send it back. Do not copy your answers "
               "into another file: this workbook carries what is needed to import them."),
        ("", ""),
    ]
    if pack_layout(questionnaire).evidence:  # after step 2, which it explains
        lines.insert(8, ("2a.", "The 'Evidence to look at' column says what to ask for or look at before you "
                                "answer: answer from what you can see, not from what you have heard."))
    if questionnaire.guidance:
        lines += [("How to choose a level", questionnaire.guidance), ("", "")]
    lines.append(("Maturity levels", ""))
    lines += [(f"{lv.value} · {lv.name}", lv.description) for lv in questionnaire.levels]
    for row, (label, text) in enumerate(lines, start=1):
        sheet.cell(row, 1, neutralize_formula(label)).font = Font(bold=True, size=16 if row == 1 else 11)
        sheet.cell(row, 2, neutralize_formula(text)).alignment = _WRAP_TOP
        sheet.row_dimensions[row].height = _row_height([(text, 110)])
    if not questionnaire.roles:
        return None
    first = len(lines) + 2
    sheet.cell(first, 1, "Roles").font = Font(bold=True)
    for offset, role in enumerate(questionnaire.roles, start=1):
        sheet.cell(first + offset, 1, neutralize_formula(role.id))
        sheet.cell(first + offset, 2, neutralize_formula(role.name))
    return f"'{INSTRUCTIONS_SHEET}'!$B${first + 1}:$B${first + len(questionnaire.roles)}"


def _identity(sheet: Worksheet, questionnaire: Questionnaire, request: PackRequest, role_range: str | None) -> None:
    """Respondent and role cells at the top of the Answers sheet: fixed text, or inputs on a blank pack."""
    for cell, label, value in ((RESPONDENT_CELL, "Respondent", request.respondent),
                               (ROLE_CELL, "Role", _role_label(questionnaire, request.role) or None)):
        row = int(cell[1:])
        sheet.cell(row, 1, label).font = Font(bold=True)
        sheet.merge_cells(f"{cell}:D{row}")
        target = sheet[cell]
        target.border = _BOX
        if value:
            target.value = neutralize_formula(value)
            continue
        target.protection = _UNLOCKED
        target.fill = _INPUT_FILL
        if cell == ROLE_CELL and role_range:
            roles = DataValidation(type="list", formula1=role_range, allow_blank=True, showErrorMessage=True,
                                   errorTitle="Role", error="Pick your role from the list.")
            sheet.add_data_validation(roles)
            roles.add(cell)
        sheet.cell(row, 5, "← please fill in" if cell == RESPONDENT_CELL else "← pick from the list").font = \
            Font(italic=True, color="C00000")


def _answers(sheet: Worksheet, questionnaire: Questionnaire, layout: Layout) -> list[tuple[int, str]]:
    """Write the grouped questions with anchors (and evidence) and input cells; returns (row, question id) pairs."""
    widths = layout.widths
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    last_column = len(widths)
    headers = ["Ref", "Question", *(f"{lv.value} · {lv.name}" for lv in questionnaire.levels),
               *(["Evidence to look at"] if layout.evidence else []), "Your answer", "Comment (optional)"]
    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, col, text)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), _HEADER_FILL, _BOX, _WRAP_TOP
    answer_check = DataValidation(
        type="list", formula1='"' + ",".join(ANSWER_CHOICES) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle="Answer", error="Answer 1, 2, 3, 4, na (not applicable) or dk (don't know).",
        showInputMessage=True, promptTitle="Your answer",
        prompt="1-4: the description that fits today; na: does not apply; dk: don't know")
    sheet.add_data_validation(answer_check)
    rows: list[tuple[int, str]] = []
    row = HEADER_ROW + 1
    for dimension in questionnaire.dimensions:
        sheet.cell(row, 1, dimension.name.upper()).font = Font(bold=True, color="FFFFFF", size=12)
        for col in range(1, last_column + 1):
            sheet.cell(row, col).fill = _DIMENSION_FILL
        row += 1
        for capability in dimension.capabilities:
            title = neutralize_formula(
                capability.name + (f" — {capability.description}" if capability.description else ""))
            sheet.cell(row, 1, title).font = Font(bold=True)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
            sheet.cell(row, 1).alignment = _WRAP_TOP
            sheet.cell(row, 1).fill = _CAPABILITY_FILL
            sheet.row_dimensions[row].height = _row_height([(title, sum(widths.values()))])
            row += 1
            for question in capability.questions:
                anchors = [question.anchors.get(lv.value, "") for lv in questionnaire.levels]
                evidence = [getattr(question, "evidence", "")] if layout.evidence else []
                values = [question.id, *(neutralize_formula(t) for t in (question.text, *anchors, *evidence))]
                for col, value in enumerate(values, start=1):
                    cell = sheet.cell(row, col, value)
                    cell.alignment, cell.border = _WRAP_TOP, _BOX
                if layout.evidence:
                    sheet[f"{layout.evidence}{row}"].font = Font(italic=True, size=10, color="475467")
                for column in (layout.answer, layout.comment):
                    cell = sheet[f"{column}{row}"]
                    cell.protection, cell.fill, cell.border, cell.alignment = _UNLOCKED, _INPUT_FILL, _BOX, _WRAP_TOP
                answer_check.add(f"{layout.answer}{row}")
                sheet.row_dimensions[row].height = _row_height(list(zip(values, widths.values())))
                rows.append((row, question.id))
                row += 1
    last = rows[-1][0] if rows else HEADER_ROW
    sheet["A4"] = "Answered so far:"
    sheet["A4"].font = Font(bold=True)
    sheet["B4"] = f'=COUNTA({layout.answer}{HEADER_ROW + 1}:{layout.answer}{last})&" of {len(rows)}"'
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return rows


def _metadata(sheet: Worksheet, questionnaire: Questionnaire, request: PackRequest,
              rows: list[tuple[int, str]], layout: Layout) -> None:
    meta = {
        "format": PACK_FORMAT,
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "business_unit": neutralize_formula(request.unit),
        "respondent": neutralize_formula(request.respondent or ""),
        "role": request.role or "",
    }
    entries = [*meta.items(),
               ("answers_sheet", ANSWERS_SHEET), ("respondent_cell", RESPONDENT_CELL), ("role_cell", ROLE_CELL),
               ("ref_column", REF_COLUMN), ("answer_column", layout.answer), ("comment_column", layout.comment),
               ("checksum", pack_checksum(meta, rows)), ("question_rows", str(len(rows)))]
    for row, (key, value) in enumerate(entries, start=1):
        sheet.cell(row, 1, key)
        sheet.cell(row, 2, value)
    for offset, (answer_row, question_id) in enumerate(rows, start=len(entries) + 1):
        sheet.cell(offset, 1, answer_row)
        sheet.cell(offset, 2, question_id)
    sheet.sheet_state = "veryHidden"
    sheet.protection.enable()


def build_pack(questionnaire: Questionnaire, request: PackRequest) -> Workbook:
    """The pack workbook for one respondent (or a blank one), protected, with hidden metadata."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    answers = workbook.create_sheet(ANSWERS_SHEET)
    meta = workbook.create_sheet(META_SHEET)
    role_range = _instructions(instructions, questionnaire, request)
    answers["A1"] = neutralize_formula(f"{questionnaire.title} — {request.unit}")
    answers["A1"].font = Font(bold=True, size=14)
    _identity(answers, questionnaire, request, role_range)
    layout = pack_layout(questionnaire)
    rows = _answers(answers, questionnaire, layout)
    _metadata(meta, questionnaire, request, rows, layout)
    for sheet in (instructions, answers):
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False  # respondents may widen columns and rows to read
        sheet.protection.formatRows = False
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0
    return workbook


def pack_problems(questionnaire: Questionnaire, requests: list[PackRequest], out_dir: Path,
                  overwrite: bool) -> list[InputProblem]:
    """What is wrong with a pack run before anything is written: unknown roles, repeats, existing files."""
    problems = []
    roles = questionnaire.role_weights
    seen: dict[str, PackRequest] = {}
    named = set()
    for request in requests:
        who = f"respondent {request.respondent!r}" if request.respondent else "blank pack"
        if not request.unit.strip():
            problems.append(InputProblem("--unit", "", "the business unit name is empty"))
        for option, field, value in (("--unit", "business unit", request.unit),
                                     ("--respondent", "respondent", request.respondent),
                                     ("--role", "role", request.role)):
            message = control_character_problem(value or "", field)
            if message and (option, value) not in named:  # the unit is shared: say it once
                named.add((option, value))
                problems.append(InputProblem(option, "", message))
        if request.respondent is not None and not request.respondent.strip():
            problems.append(InputProblem("--respondent", "", "a respondent name is empty"))
        if request.role and roles and request.role not in roles:
            problems.append(InputProblem("--role", who, f"role {request.role!r} is not defined by questionnaire "
                                         f"{questionnaire.id!r} (roles: {', '.join(roles)})"))
        name = pack_filename(request)
        if name in seen:
            earlier = seen[name]
            problems.append(InputProblem("--respondent", who, "given twice" if earlier.respondent == request.respondent
                                         else f"would be written to the same file {name} as "
                                              f"{earlier.respondent!r}; make the names differ"))
        seen[name] = request
        if not overwrite and (out_dir / name).exists():
            problems.append(InputProblem(str(out_dir / name), "", "already exists (it may hold answers); "
                                         "use --force to overwrite it"))
    return problems


def write_packs(questionnaire: Questionnaire, requests: list[PackRequest], out_dir: str | Path,
                overwrite: bool = False) -> list[Path]:
    """Check every request, build every pack, then write them all or none; returns the files written."""
    out_dir = Path(out_dir)
    problems = pack_problems(questionnaire, requests, out_dir, overwrite)
    if problems:
        raise InputErrors(problems)
    packs = {}
    for request in requests:
        buffer = io.BytesIO()
        build_pack(questionnaire, request).save(buffer)
        packs[out_dir / pack_filename(request)] = buffer.getvalue()
    return publish_all(packs)
