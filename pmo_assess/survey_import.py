"""``pmo-assess import``: filled packs, canonical answer files and wide survey exports → one canonical CSV.

Every file is read and checked before anything is written; any problem in any file (or a conflict
with the existing output) stops the whole import and leaves the output untouched. Text from
respondents is neutralized against spreadsheet formula injection in what is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.imports.mapping import Mapping
from pmo_assess.imports.merge import MergeResult, merge_into_file, rows_from_frame
from pmo_assess.imports.pack_reader import open_workbook, read_pack
from pmo_assess.imports.records import AnswerRow
from pmo_assess.imports.survey_table import SurveyTable, read_csv_table, read_sheet_table
from pmo_assess.imports.tool_shapes import fold_export
from pmo_assess.imports.wide_survey import WideSurvey, read_wide_survey
from pmo_assess.io.answers import READERS, REQUIRED_COLUMNS, read_answers
from pmo_assess.model import Questionnaire
from pmo_assess.packs import META_SHEET

SPREADSHEETS = (".xlsx", ".xlsm")
DELIMITED = (".csv", ".txt")


@dataclass
class FileReport:
    """What one input turned out to be and what it gave."""

    path: str
    kind: str                      # pack, survey or answers
    respondents: int
    rows: int
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport]
    merge: MergeResult
    out: Path
    written: bool


def _is_canonical(header: list[str]) -> bool:
    names = {re.sub(r"[\s\-]+", "_", str(h).strip().lower()) for h in header}
    return set(REQUIRED_COLUMNS) <= names


def _canonical(path: Path, questionnaire: Questionnaire) -> tuple[list[AnswerRow], FileReport]:
    rows = rows_from_frame(read_answers([path], questionnaire))
    people = {(r.business_unit, r.respondent) for r in rows}
    return rows, FileReport(str(path), "answers", len(people), len(rows))


def _survey_report(path: Path, survey: WideSurvey) -> FileReport:
    shape = f"{survey.tool} export" if survey.tool else "wide table (no survey tool recognised)"
    notes = [f"{shape}: {survey.matched_questions} question(s) matched"]
    if survey.missing_questions:
        shown = ", ".join(survey.missing_questions[:8]) + (" ..." if len(survey.missing_questions) > 8 else "")
        notes.append(f"{len(survey.missing_questions)} question(s) have no column ({shown})")
    if survey.ignored_columns:
        notes.append("ignored column(s): " + ", ".join(repr(c) for c in survey.ignored_columns))
    if survey.partial:
        verb = "included (--include-partial)" if survey.partial_included else \
            "left out (pass --include-partial to import them)"
        notes.append(f"{len(survey.partial)} unfinished response(s) {verb}: " + "; ".join(survey.partial))
    notes += survey.renamed
    return FileReport(str(path), "survey", survey.respondents, len(survey.rows), notes)


def read_file(path: str | Path, questionnaire: Questionnaire) -> tuple[str, list[AnswerRow] | SurveyTable | None]:
    """What a file is and what it holds: ("pack", rows), ("answers", None) or ("survey", its table)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputErrors([InputProblem(str(path), "", f"unknown format {path.suffix!r}; import reads "
                                        ".xlsx packs and survey exports, .csv and .yaml answers")])
    if path.is_dir():
        raise InputErrors([InputProblem(str(path), "", "is a folder; expected an answers file, pack or survey export")])
    if not path.is_file():
        raise InputErrors([InputProblem(str(path), "", "file not found")])
    if suffix in SPREADSHEETS:
        workbook = open_workbook(path)
        try:
            if META_SHEET in workbook.sheetnames:
                return "pack", read_pack(path, workbook, questionnaire)
            sheet = workbook["answers"] if "answers" in workbook.sheetnames else workbook.worksheets[0]
            table = read_sheet_table(sheet, path)
        finally:
            workbook.close()
    elif suffix in DELIMITED:
        table = read_csv_table(path)
    else:
        return "answers", None
    return ("answers", None) if _is_canonical(table.header) else ("survey", table)


def read_input(path: str | Path, questionnaire: Questionnaire, mapping: Mapping, default_unit: str = "",
               ignore_unmatched: bool = False, include_partial: bool = False) -> tuple[list[AnswerRow], FileReport]:
    """One input file, whatever it is (pack, canonical answers, survey export), as checked answer rows."""
    kind, content = read_file(path, questionnaire)
    if kind == "pack":
        return content, FileReport(str(path), "pack", 1, len(content))
    if kind == "answers":
        return _canonical(Path(path), questionnaire)
    table = fold_export(content, mapping.tool)
    survey = read_wide_survey(path, table, questionnaire, mapping, default_unit, ignore_unmatched, include_partial)
    return survey.rows, _survey_report(Path(path), survey)


def print_mapping(path: str | Path, questionnaire: Questionnaire, mapping: Mapping, default_unit: str = "") -> str:
    """The mapping inferred for one survey export, as YAML to edit and pass back with ``--mapping``."""
    from pmo_assess.imports.mapping_writer import mapping_yaml

    kind, content = read_file(path, questionnaire)
    if kind != "survey":
        what = "a filled pack" if kind == "pack" else "a canonical answers file"
        raise InputErrors([InputProblem(str(path), "--print-mapping", f"is {what}, read without a mapping; "
                                        "--print-mapping is for survey exports")])
    return mapping_yaml(path, fold_export(content, mapping.tool), questionnaire, mapping, default_unit)


def _respondents_in_two_files(rows: list[AnswerRow]) -> list[InputProblem]:
    """A respondent may come from one input file only: two packs of one person are a mistake."""
    first: dict[tuple[str, str], AnswerRow] = {}
    problems, reported = [], set()
    for row in rows:
        key = (row.business_unit, row.respondent)
        earlier = first.setdefault(key, row)
        if earlier.source != row.source and (key, row.source) not in reported:
            reported.add((key, row.source))
            problems.append(InputProblem(row.source, row.place, (
                f"respondent {row.respondent!r} of {row.business_unit!r} is also in {earlier.source} "
                f"({earlier.place}); a respondent must come from one file — leave one of them out")))
    return problems


def import_answers(paths: list[str | Path], questionnaire: Questionnaire, out: str | Path,
                   mapping: Mapping | None = None, default_unit: str = "", replace: bool = False,
                   ignore_unmatched: bool = False, dry_run: bool = False,
                   include_partial: bool = False) -> ImportReport:
    """Read every input, merge into ``out`` (kept if it exists) and write it atomically — or write nothing."""
    out = Path(out)
    mapping = mapping or Mapping()
    problems: list[InputProblem] = []
    if out.suffix.lower() != ".csv":
        problems.append(InputProblem(str(out), "--out", "the output must be a .csv file (the canonical answers table)"))
    rows: list[AnswerRow] = []
    reports: list[FileReport] = []
    seen: dict[Path, str] = {}
    for path in paths:
        resolved = Path(path).resolve()
        if resolved in seen:  # the same file twice (overlapping globs) would write every answer twice
            problems.append(InputProblem(str(path), "", f"given twice (also as {seen[resolved]}); "
                                         "list each file once"))
            continue
        seen[resolved] = str(path)
        try:
            file_rows, report = read_input(path, questionnaire, mapping, default_unit, ignore_unmatched,
                                           include_partial)
        except InputErrors as exc:
            problems.extend(exc.problems)
            continue
        rows.extend(row.neutralized() for row in file_rows)
        reports.append(report)
    if not problems:
        problems.extend(_respondents_in_two_files(rows))
    if problems:
        raise InputErrors(problems)
    merged = merge_into_file(out, rows, questionnaire, replace, dry_run)  # re-reads out under its lock
    return ImportReport(reports, merged, out, written=not dry_run)
