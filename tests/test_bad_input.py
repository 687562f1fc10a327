"""Malformed questionnaires, answers and targets: one clear message naming file and place, exit 2."""
from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import Workbook

from pmo_assess.cli import main
from conftest import DATA

BAD = DATA / "bad"
MINI = DATA / "mini.yaml"

# file → fragments the message must contain: the place, and what is wrong
QUESTIONNAIRES = {
    "q-duplicate-question.yaml": ["questions[0].id (line 30)", "duplicate question id 'P-T-1'"],
    "q-three-levels.yaml": ["levels (line 5)", "exactly four levels are required, found 3"],
    "q-levels-unordered.yaml": ["levels[0].value (line 6)", "expected 1, got 2"],
    "q-thresholds-descending.yaml": ["scoring.thresholds (line 12)", "strictly ascending inside (1, 4]"],
    "q-threshold-above-4.yaml": ["scoring.thresholds", "got [2, 3, 4.5]"],
    "q-threshold-at-1.yaml": ["scoring.thresholds", "got [1, 2.5, 3.25]"],
    "q-negative-question-weight.yaml": ["questions[1].weight (line 25)", "positive number, got -1"],
    "q-zero-capability-weight.yaml": ["capabilities[1].weight (line 28)", "positive number, got 0"],
    "q-missing-anchor.yaml": ["questions[1].anchors (line 44)", "missing anchor for level 3"],
    "q-empty-anchor.yaml": ["anchors.2 (line 38)", "anchor for level 2 is empty"],
    "q-unknown-method.yaml": ["scoring.method (line 11)", "one of staged, mean, got 'median'"],
    "q-bad-syntax.yaml": ["line 33, column 4", "invalid YAML"],
    "q-dimension-without-capabilities.yaml": ["dimensions[1].capabilities (line 34)", "non-empty list"],
    "q-duplicate-capability.yaml": ["capabilities[1].id (line 40)", "duplicate capability id 'benefits'"],
    "q-role-weight-text.yaml": ["roles[1].weight (line 16)", "got 'heavy'"],
    "q-duplicate-role.yaml": ["roles[1].id (line 16)", "duplicate role id 'sponsor'"],
    "q-missing-id.yaml": ["id (line 2)", "missing or empty"],
    "q-question-without-text.yaml": ["questions[0].text (line 30)", "missing or empty"],
    "q-deep-nesting.yaml": ["line 4", "nested more than 64 levels deep"],
}
ANSWERS = {
    "a-missing-answer-column.csv": ["header", "missing column(s) answer"],
    "a-answer-5.csv": ["row 5", "answer '5' is outside the levels 1-4"],
    "a-answer-half.csv": ["row 5", "'2.5' is not a whole number"],
    "a-answer-infinite.csv": ["row 3", "answer 'inf' is not a whole number"],
    "a-answer-word.csv": ["row 5", "'yes' is not one of 1, 2, 3, 4, na, dk or empty"],
    "a-unknown-question.csv": ["row 5", "unknown question id 'X-9-9'"],
    "a-duplicate-row.csv": ["row 5", "already answered 'P-T-1' at", "a-duplicate-row.csv row 2"],
    "a-undefined-role.csv": ["row 5", "role 'auditor' is not defined"],
    "a-empty-respondent.csv": ["row 5", "respondent is empty"],
    "a-empty-unit.csv": ["row 5", "business_unit is empty"],
    "a-ragged-row.csv": ["row 5", "has 8 fields, the header has 6"],
    "a-role-changes.csv": ["row 5", "has role 'sponsor' here but 'pm' on an earlier row"],
    "a-header-only.csv": ["no answer rows"],
    "a-other-questionnaire.csv": ["row 2", "for questionnaire 'value-driven-pmo', not 'mini'"],
    "a-latin1.csv": ["row 2", "not UTF-8"],
    "a-yaml-form-bad.yaml": ["line 8", "'seven' is not one of", "line 9", "unknown question id 'Q-404'"],
    "a-yaml-form-other-questionnaire.yaml": ["line 6", "for questionnaire 'pmo-pulse', not 'mini'"],
    "a-yaml-form-no-respondents.yaml": ["needs business_unit and a respondents list"],
    "a-yaml-form-alias-bomb.yaml": ["line 7", "aliases (*a3) expand to more than 100,000 values"],
    "a-duplicate-header.csv": ["header", "column F 'Answer' repeats column E 'answer'"],
    "a-utf16-no-bom.csv": ["looks like UTF-16 text (little-endian, no byte order mark), not UTF-8"],
    "a-control-character-unit.csv": ["row 2", "business_unit 'Retail\\x1b[2JBanking' contains control character U+001B"],
}
TARGETS = {
    "t-unknown-capability.yaml": ["default.capabilities.telepathy (line 4)", "unknown capability id 'telepathy'"],
    "t-level-5.yaml": ["units.U1.dimensions.governance (line 4)", "whole number 1-4, got 5"],
    "t-other-questionnaire.yaml": ["questionnaire (line 1)", "for questionnaire 'value-driven-pmo', not 'mini'"],
    "t-control-character-unit.yaml": ["units.'Ops\\x07' (line 3)", "contains control character U+0007"],
}


def run_cli(args, capsys):
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.err


@pytest.mark.parametrize("name", sorted(QUESTIONNAIRES))
def test_bad_questionnaire(name, capsys):
    status, err = run_cli(["validate", str(BAD / name)], capsys)
    assert status == 2
    assert str(BAD / name) in err
    for fragment in QUESTIONNAIRES[name]:
        assert fragment in err


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_bad_answers_with_score(name, capsys):
    status, err = run_cli(["score", str(BAD / name), "--questionnaire", str(MINI)], capsys)
    assert status == 2
    assert str(BAD / name) in err
    for fragment in ANSWERS[name]:
        assert fragment in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bad_targets(name, capsys):
    good = DATA / "bad" / "a-answer-5.csv"  # any answers: targets are checked first
    status, err = run_cli(["score", str(good), "-q", str(MINI), "--targets", str(BAD / name)], capsys)
    assert status == 2
    for fragment in [str(BAD / name), *TARGETS[name]]:
        assert fragment in err


def xlsx(path, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


HEADER = ["business_unit", "respondent", "role", "question", "answer", "comment"]


def test_bad_xlsx_answer_names_sheet_row(tmp_path, capsys):
    path = xlsx(tmp_path / "bad.xlsx", HEADER, [["U", "Ann", "pm", "P-L-1", 3, None],
                                                ["U", "Bob", "pm", "P-L-1", 2.5, None],
                                                ["U", "Cyd", "pm", "P-L-1", "four", None]])
    status, err = run_cli(["score", str(path), "-q", str(MINI)], capsys)
    assert status == 2
    assert f"{path}: row 3: answer '2.5' is not a whole number" in err
    assert f"{path}: row 4: answer 'four'" in err


def test_bad_xlsx_missing_column(tmp_path, capsys):
    path = xlsx(tmp_path / "cols.xlsx", ["unit", "respondent", "question", "answer"], [["U", "Ann", "P-L-1", 3]])
    status, err = run_cli(["score", str(path), "-q", str(MINI)], capsys)
    assert status == 2
    assert f"{path}: header: missing column(s) business_unit" in err


def test_not_an_xlsx(tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    path.write_text("this is not a workbook")
    status, err = run_cli(["score", str(path), "-q", str(MINI)], capsys)
    assert status == 2 and f"{path}: cannot be opened as an Excel workbook" in err


def test_several_problems_in_one_file_are_listed_together(tmp_path, capsys):
    path = tmp_path / "many.csv"
    path.write_text("business_unit,respondent,role,question,answer,comment\n"
                    "U,Ann,pm,P-L-1,9,\nU,Ann,pm,NOPE,2,\nU,,pm,P-T-1,2,\n")
    status, err = run_cli(["score", str(path), "-q", str(MINI)], capsys)
    assert status == 2
    assert [line.split(": ")[1] for line in err.strip().splitlines()[1:]] == ["row 2", "row 3", "row 4"]


def test_missing_file_and_unknown_format(tmp_path, capsys):
    status, err = run_cli(["score", str(tmp_path / "nope.csv"), str(tmp_path / "x.json"), "-q", str(MINI)], capsys)
    assert status == 2
    assert "nope.csv: file not found" in err and "x.json: unknown answers format '.json'" in err


def test_real_process_exits_2_without_traceback():
    result = subprocess.run([sys.executable, "-m", "pmo_assess", "score", str(BAD / "a-answer-5.csv"),
                             "--questionnaire", str(BAD / "q-three-levels.yaml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "exactly four levels are required" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2():
    result = subprocess.run([sys.executable, "-m", "pmo_assess", "score", "x.csv"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--questionnaire" in result.stderr and "Traceback" not in result.stderr
