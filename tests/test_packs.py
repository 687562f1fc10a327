"""Respondent packs: what a respondent sees and can edit, the hidden metadata, and the round trip to scores."""
from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pytest
from openpyxl import load_workbook

from conftest import BANK, DATA, EXAMPLES
from packs_fixtures import fill_pack, question_rows, read_canonical, typed
from pmo_assess.cli import main
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.packs import PackRequest, build_pack, pack_filename, write_packs
from pmo_assess.scoring import score_answers


@pytest.fixture(scope="module")
def bank():
    return load_questionnaire(BANK)


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(DATA / "mini.yaml")


def test_pack_layout_groups_questions_with_their_four_anchors(bank):
    workbook = build_pack(bank, PackRequest("Retail Banking", "Sarah Whitfield", "sponsor"))
    assert workbook.sheetnames == ["Instructions", "Answers", "_pmo_assess"]
    sheet = workbook["Answers"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    question = bank.questions[0]
    row = rows[question.id]
    assert sheet.cell(row, 2).value == question.text
    assert [sheet.cell(row, c).value for c in range(3, 7)] == [question.anchors[i] for i in (1, 2, 3, 4)]
    assert [sheet.cell(5, c).value for c in range(3, 9)] == [
        "1 · ad hoc", "2 · evolving", "3 · operationalizing", "4 · optimizing", "Your answer", "Comment (optional)"]
    # Grouping: the dimension heading, then the capability heading, come before the first question.
    assert sheet.cell(row - 2, 1).value == "PEOPLE"
    assert sheet.cell(row - 1, 1).value.startswith("Customer orientation — ")
    # Every question of the bank is there, once, in questionnaire order.
    ids = [sheet.cell(r, 1).value for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value in bank.question_index]
    assert ids == [q.id for q in bank.questions]
    assert sheet["B2"].value == "Sarah Whitfield" and sheet["B3"].value == "Executive sponsor (sponsor)"
    instructions = " ".join(str(c.value) for row in workbook["Instructions"].iter_rows() for c in row if c.value)
    assert "Retail Banking" in instructions and "dk if you do not know" in instructions
    assert "Practices are measured and continuously improved" in instructions  # level 4 description


def test_only_answer_and_comment_cells_are_editable_and_answers_are_validated(bank, tmp_path):
    path = write_packs(bank, [PackRequest("Retail Banking", "Sarah Whitfield", "sponsor")], tmp_path)[0]
    workbook = load_workbook(path)
    sheet = workbook["Answers"]
    assert sheet.protection.sheet and workbook["Instructions"].protection.sheet
    assert workbook.security.lockStructure
    answer_rows = sorted(question_rows(workbook).values())
    assert len(answer_rows) == 54
    unlocked = {c.coordinate for row in sheet.iter_rows() for c in row if not c.protection.locked}
    assert unlocked == {f"{col}{r}" for r in answer_rows for col in "GH"}
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].formula1 == '"1,2,3,4,na,dk"' and validations[0].showErrorMessage
    assert {str(c) for rng in validations[0].sqref.ranges for c in [rng.coord]} == {f"G{r}" for r in answer_rows}


def test_hidden_metadata_names_questionnaire_respondent_and_each_question(bank, tmp_path):
    path = write_packs(bank, [PackRequest("Retail Banking", "Sarah Whitfield", "sponsor")], tmp_path)[0]
    workbook = load_workbook(path)
    meta = workbook["_pmo_assess"]
    assert meta.sheet_state == "veryHidden"
    values = dict(meta.iter_rows(max_row=14, max_col=2, values_only=True))
    assert (values["questionnaire_id"], values["questionnaire_version"]) == ("value-driven-pmo", "1.0.0")
    assert (values["business_unit"], values["respondent"], values["role"]) == (
        "Retail Banking", "Sarah Whitfield", "sponsor")
    rows = question_rows(workbook)
    assert list(rows) == [q.id for q in bank.questions]
    assert all(workbook["Answers"][f"A{r}"].value == q for q, r in rows.items())


def test_blank_pack_asks_for_name_and_role_from_the_questionnaire_roles(mini, tmp_path):
    path = write_packs(mini, [PackRequest("Ops")], tmp_path)[0]
    assert path.name == "ops--blank.xlsx"
    workbook = load_workbook(path)
    sheet = workbook["Answers"]
    assert not sheet["B2"].protection.locked and not sheet["B3"].protection.locked
    role_check = [v for v in sheet.data_validations.dataValidation if "B3" in str(v.sqref)][0]
    first, last = role_check.formula1.split("!")[1].replace("$", "").split(":")
    names = [workbook["Instructions"][f"{c}"].value for c in (first, last)]
    assert names == ["Sponsor", "Project manager"]


def test_respondent_text_is_written_as_text_never_as_a_formula(mini, tmp_path):
    evil = "=HYPERLINK(\"http://evil.example\",\"x\")"
    path = write_packs(mini, [PackRequest("+Ops", evil, "pm")], tmp_path)[0]
    workbook = load_workbook(path)
    for cell in (workbook["Answers"]["B2"], workbook["Answers"]["A1"]):
        assert cell.data_type == "s"
    assert workbook["Answers"]["B2"].value == "'" + evil
    assert workbook["Instructions"]["B2"].value == "'+Ops"


def test_pack_command_writes_one_file_per_respondent(tmp_path, capsys):
    status = main(["pack", "-q", str(BANK), "--unit", "Retail Banking", "--respondent", "Sarah Whitfield",
                   "--role", "sponsor", "--respondent", "Chloé Martin", "--out", str(tmp_path / "packs")])
    assert status == 0
    assert sorted(p.name for p in (tmp_path / "packs").iterdir()) == [
        "retail-banking--chloe-martin.xlsx", "retail-banking--sarah-whitfield.xlsx"]
    assert "wrote 2 pack(s)" in capsys.readouterr().err
    assert pack_filename(PackRequest("Retail Banking")) == "retail-banking--blank.xlsx"


def _answers_by_respondent(path):
    people = defaultdict(lambda: {"role": "", "answers": {}, "comments": {}})
    for row in read_canonical(path):
        person = people[row["respondent"]]
        person["role"] = row["role"]
        person["answers"][row["question"]] = typed(row["answer"])
        if row["comment"]:
            person["comments"][row["question"]] = row["comment"]
    return people


def test_round_trip_pack_to_import_gives_the_same_scores_as_the_csv(bank, tmp_path):
    source = EXAMPLES / "answers" / "retail-banking.csv"
    people = _answers_by_respondent(source)
    names = list(people)
    # Most respondents get a named pack with their role; the last one fills in a blank pack.
    requests = [PackRequest("Retail Banking", n, people[n]["role"]) for n in names[:-1]]
    requests.append(PackRequest("Retail Banking"))
    paths = write_packs(bank, requests, tmp_path / "packs")
    role_names = {r.id: r.name for r in bank.roles}
    for path, name in zip(paths, names):
        blank = path.name.endswith("--blank.xlsx")
        fill_pack(path, people[name]["answers"], people[name]["comments"],
                  respondent=name if blank else None, role=role_names[people[name]["role"]] if blank else None)
    out = tmp_path / "answers.csv"
    assert main(["import", *map(str, paths), "-q", str(BANK), "--out", str(out)]) == 0

    imported = score_answers(read_answers([out], bank), bank)
    expected = score_answers(read_answers([source], bank), bank)
    assert imported.units == expected.units == ["Retail Banking"]
    for name in ("capability_score", "dispersion", "coverage", "dimension_score", "overall_score",
                 "capability_level", "dimension_level", "overall_level", "capability_respondents"):
        np.testing.assert_allclose(getattr(imported, name), getattr(expected, name), equal_nan=True, err_msg=name)
    np.testing.assert_array_equal(imported.disputed, expected.disputed)

    # Row for row: every answered or commented row of the CSV comes back, with its comment.
    with open(source, newline="", encoding="utf-8") as handle:
        wanted = {tuple(r.values()) for r in csv.DictReader(handle) if r["answer"] or r["comment"]}
    assert {tuple(r.values()) for r in read_canonical(out)} == wanted
