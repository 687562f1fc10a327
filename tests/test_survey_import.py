"""Survey exports in, canonical answers out: realistic Forms fixtures, mapping files, merging, formula safety."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from conftest import BANK, DATA, PULSE
from packs_fixtures import fill_pack, read_canonical
from pmo_assess.cli import main
from pmo_assess.imports.records import canonical_answer, same_answer
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.packs import PackRequest, write_packs
from pmo_assess.scoring import score_answers

SURVEYS = DATA / "surveys"
MINI = DATA / "mini.yaml"
HEADER = "business_unit,respondent,role,question,answer,comment\n"


def rows_of(path: Path) -> set[tuple[str, ...]]:
    return {tuple(r.values()) for r in read_canonical(path)}


def assert_same_scores(imported: Path, expected: Path, questionnaire_path: Path) -> None:
    questionnaire = load_questionnaire(questionnaire_path)
    got = score_answers(read_answers([imported], questionnaire), questionnaire)
    want = score_answers(read_answers([expected], questionnaire), questionnaire)
    assert sorted(got.units) == sorted(want.units)
    order = [got.units.index(u) for u in want.units]
    for name in ("capability_score", "coverage", "dimension_score", "overall_score", "overall_level"):
        np.testing.assert_allclose(getattr(got, name)[order], getattr(want, name), equal_nan=True, err_msg=name)


@pytest.mark.parametrize("export, questionnaire, extra, respondents", [
    ("ms-forms-pulse.xlsx", PULSE, ["--unit", "Insurance Claims"], 5),
    ("google-forms-bank.csv", BANK, [], 6),
    ("renamed-pulse.csv", PULSE, ["--mapping", str(SURVEYS / "renamed-pulse.mapping.yaml")], 4),
], ids=["microsoft-forms-anchor-text", "google-forms-numbers", "renamed-columns-with-mapping"])
def test_survey_export_imports_to_the_expected_answers_and_scores(export, questionnaire, extra, respondents,
                                                                  tmp_path, capsys):
    out = tmp_path / "answers.csv"
    status = main(["import", str(SURVEYS / export), "-q", str(questionnaire), "--out", str(out), *extra])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    expected = SURVEYS / export.replace(".xlsx", ".csv").replace(".csv", ".expected.csv")
    assert rows_of(out) == rows_of(expected)
    assert out.read_text(encoding="utf-8").startswith(HEADER)
    assert f"1 survey file(s): {respondents} respondent(s)" in printed.out
    assert_same_scores(out, expected, questionnaire)


def test_renamed_columns_without_the_mapping_are_listed_with_a_hint(tmp_path, capsys):
    status = main(["import", str(SURVEYS / "renamed-pulse.csv"), "-q", str(PULSE), "--out", str(tmp_path / "a.csv"),
                   "--unit", "Manufacturing Operations"])
    err = capsys.readouterr().err
    assert status == 2
    assert "column E 'Do we treat our stakeholders like customers?': matches no question id or question text of " \
           "'pmo-pulse' (closest: PULSE-PPL-1?)" in err
    assert "column M 'Single source of truth for portfolio data?'" in err and "(closest: PULSE-TEC-3?)" in err
    assert "column C 'Department'" in err and "column D 'Job title'" in err
    assert "Timestamp" not in err  # a survey tool's own column is never a problem
    assert not (tmp_path / "a.csv").exists()


def test_ignore_unmatched_lists_what_was_left_out(tmp_path, capsys):
    out = tmp_path / "a.csv"
    mapping = tmp_path / "answers-only.yaml"
    mapping.write_text("answers: {N/A - not our remit: na}\n")
    status = main(["import", str(SURVEYS / "renamed-pulse.csv"), "-q", str(PULSE), "--out", str(out),
                   "--unit", "Manufacturing Operations", "--ignore-unmatched", "-m", str(mapping)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "10 question(s) matched" in printed
    assert "2 question(s) have no column (PULSE-PPL-1, PULSE-TEC-3)" in printed
    assert "'Department', 'Job title', 'Do we treat our stakeholders like customers?'" in printed
    assert {r["question"] for r in read_canonical(out)} == {q.id for q in load_questionnaire(PULSE).questions} \
        - {"PULSE-PPL-1", "PULSE-TEC-3"}
    assert {r["role"] for r in read_canonical(out)} == {""}


def test_formula_in_a_comment_is_neutralized_and_stays_so_on_reimport(tmp_path):
    out = tmp_path / "answers.csv"
    mapping = ["--mapping", str(SURVEYS / "renamed-pulse.mapping.yaml")]
    assert main(["import", str(SURVEYS / "renamed-pulse.csv"), "-q", str(PULSE), "--out", str(out), *mapping]) == 0
    comments = {r["respondent"]: r["comment"] for r in read_canonical(out) if r["comment"]}
    assert comments["Marco Bianchi"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert comments["Femi Adeyemi"] == "We have three trackers and none agree."
    first = out.read_bytes()
    # Importing the same export again, and the written file itself, changes nothing (no double quoting).
    assert main(["import", str(SURVEYS / "renamed-pulse.csv"), str(out), "-q", str(PULSE), "--out", str(out),
                 *mapping]) == 2  # the same respondents from two files is refused...
    assert main(["import", str(SURVEYS / "renamed-pulse.csv"), "-q", str(PULSE), "--out", str(out), *mapping]) == 0
    assert out.read_bytes() == first  # ...while merging into the existing output keeps each row once


def test_formulas_typed_into_a_pack_come_out_as_text(tmp_path):
    mini = load_questionnaire(MINI)
    path = write_packs(mini, [PackRequest("Ops")], tmp_path)[0]
    fill_pack(path, {"P-T-1": 3}, {"P-T-1": "=1+2", "P-T-2": "-5 is what we scored"},
              respondent="@admin", role="pm")
    out = tmp_path / "answers.csv"
    assert main(["import", str(path), "-q", str(MINI), "--out", str(out)]) == 0
    assert read_canonical(out) == [
        {"business_unit": "Ops", "respondent": "'@admin", "role": "pm", "question": "P-T-1", "answer": "3",
         "comment": "'=1+2"},
        {"business_unit": "Ops", "respondent": "'@admin", "role": "pm", "question": "P-T-2", "answer": "",
         "comment": "'-5 is what we scored"},
    ]


def test_answers_as_level_names_anchor_texts_and_mapped_words(tmp_path):
    survey = tmp_path / "s.csv"
    survey.write_text("Name,Business unit,Your role,P-T-1,P-T-2,P-L-1,G-B-1,G-B-2,G-M-1,G-M-2\n"
                      "Ann,Ops,Project manager,Operationalizing,Level 2,D,4 - d,Not applicable,Don't know,Mostly\n",
                      encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("answers:\n  Mostly: 3\n")
    out = tmp_path / "a.csv"
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out), "-m", str(mapping)]) == 0
    assert [(r["role"], r["question"], r["answer"]) for r in read_canonical(out)] == [
        ("pm", "P-T-1", "3"), ("pm", "P-T-2", "2"), ("pm", "P-L-1", "4"), ("pm", "G-B-1", "4"),
        ("pm", "G-B-2", "na"), ("pm", "G-M-1", "dk"), ("pm", "G-M-2", "3")]


def test_merge_keeps_existing_rows_adds_new_ones_and_replace_takes_the_new_answers(tmp_path, capsys):
    out = tmp_path / "answers.csv"
    existing = HEADER + "Ops,Ann,pm,P-T-1,3.0,\nOps,Ann,pm,P-T-2,dk,\nOps,Cy,sponsor,P-T-1,4,keep this\n"
    out.write_text(existing, encoding="utf-8")
    survey = tmp_path / "s.csv"
    survey.write_text("Name,Unit,P-T-1,P-T-2\nAnn,Ops,3,\nBo,Ops,2,1\n", encoding="utf-8")
    # Ann's P-T-1 equals the existing 3.0 and her empty P-T-2 writes no row; Bo is new.
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out)]) == 2  # Ann's role differs: '' vs pm
    err = capsys.readouterr().err
    assert f"s.csv: row 2, column C: P-T-1 of 'Ann' (Ops) differs from {out} row 2: role '' here, 'pm' there" in err
    survey.write_text("Name,Unit,Role,P-T-1,P-T-2\nAnn,Ops,pm,3,\nBo,Ops,pm,2,1\n", encoding="utf-8")
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out)]) == 0
    assert "5 row(s); 2 added, 1 already there, 0 replaced" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == existing + "Ops,Bo,pm,P-T-1,2,\nOps,Bo,pm,P-T-2,1,\n"
    # A resubmission with a different answer is refused; with --replace it replaces all of Ann's rows.
    survey.write_text("Name,Unit,Role,P-T-1\nAnn,Ops,pm,1\n", encoding="utf-8")
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out)]) == 2
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out), "--replace"]) == 0
    assert "1 added, 0 already there, 2 replaced" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == (HEADER + "Ops,Cy,sponsor,P-T-1,4,keep this\n"
                                               "Ops,Bo,pm,P-T-1,2,\nOps,Bo,pm,P-T-2,1,\nOps,Ann,pm,P-T-1,1,\n")


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "answers.csv"
    assert main(["import", str(SURVEYS / "google-forms-bank.csv"), "-q", str(BANK), "--out", str(out),
                 "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"dry run, would write {out}: 313 row(s); 313 added, 0 already there, 0 replaced")
    assert not out.exists()


def test_packs_surveys_and_answer_files_import_together(tmp_path, capsys):
    mini = load_questionnaire(MINI)
    pack = write_packs(mini, [PackRequest("Ops", "Ann", "pm")], tmp_path)[0]
    fill_pack(pack, {"P-T-1": 2, "G-M-2": "na"})
    survey = tmp_path / "survey.csv"
    survey.write_text("Timestamp,Email address,Business unit,P-T-1\n2026/03/01 9:00:00 AM GMT,bo@x.example,Ops,4\n")
    answers = tmp_path / "more.csv"
    answers.write_text(HEADER + "Lab,Cy,sponsor,G-B-1,1,\n")
    workbook = Workbook()
    workbook.active.title = "answers"
    workbook.active.append(HEADER.strip().split(","))
    workbook.active.append(["Lab", "Di", "pm", "G-B-2", 3.0, "from the workshop"])
    workbook.save(tmp_path / "more.xlsx")
    out = tmp_path / "answers.csv"
    assert main(["import", str(pack), str(survey), str(answers), str(tmp_path / "more.xlsx"), "-q", str(MINI),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 pack file(s): 1 respondent(s), 2 answer row(s)" in printed
    assert "2 answers file(s): 2 respondent(s), 2 answer row(s)" in printed
    assert rows_of(out) == {("Ops", "Ann", "pm", "P-T-1", "2", ""), ("Ops", "Ann", "pm", "G-M-2", "na", ""),
                            ("Ops", "bo@x.example", "", "P-T-1", "4", ""), ("Lab", "Cy", "sponsor", "G-B-1", "1", ""),
                            ("Lab", "Di", "pm", "G-B-2", "3", "from the workshop")}


@pytest.mark.parametrize("text, expected", [("3", ("3", "")), ("3.0", ("3", "")), ("N/A", ("na", "")),
                                            ("dk", ("dk", "")), ("", ("", "")), ("2.5", ("", "x"))])
def test_canonical_answer(text, expected):
    answer, problem = canonical_answer(text)
    assert answer == expected[0] and bool(problem) == bool(expected[1])


def test_same_answer_treats_spellings_of_one_answer_alike():
    assert same_answer("3", "3.0") and same_answer("dk", "") and same_answer("na", "N/A")
    assert not same_answer("3", "4") and not same_answer("na", "dk")


def test_canonical_output_round_trips_through_the_csv_module(tmp_path):
    out = tmp_path / "answers.csv"
    survey = tmp_path / "s.csv"
    with open(survey, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Name", "Unit", "P-T-1", "P-T-1 comment"],
                                      ["O'Neill, Ann", "Ops", "3", 'Said "no", then\nyes']])
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out)]) == 0
    assert read_canonical(out) == [{"business_unit": "Ops", "respondent": "O'Neill, Ann", "role": "",
                                    "question": "P-T-1", "answer": "3", "comment": 'Said "no", then\nyes'}]


def test_anonymous_form_needs_a_mapped_respondent_column_which_wins_over_name(tmp_path, capsys):
    survey = tmp_path / "anonymous.csv"
    survey.write_text("ID,Email,Name,P-T-1\n1,anonymous,,3\n2,anonymous,,2\n")
    out = tmp_path / "a.csv"
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out), "-u", "Ops"]) == 2
    assert "anonymous.csv: row 2, column C: no respondent name or e-mail in this response (an anonymous form? " \
           "map its ID column as respondent" in capsys.readouterr().err
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {ID: respondent}\n")
    assert main(["import", str(survey), "-q", str(MINI), "--out", str(out), "-u", "Ops", "-m", str(mapping)]) == 0
    assert rows_of(out) == {("Ops", "1", "", "P-T-1", "3", ""), ("Ops", "2", "", "P-T-1", "2", "")}
