"""Answers from CSV, XLSX and the YAML form become the same canonical table and the same scores."""
from __future__ import annotations

import numpy as np
import pytest
from openpyxl import Workbook

from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.scoring import score_answers
from conftest import BANK, DATA, EXAMPLES

HEADER = ["business_unit", "respondent", "role", "question", "answer", "comment"]
ROWS = [
    ["Unit A", "Ann", "sponsor", "P-T-1", "4", "Strong bench"],
    ["Unit A", "Ann", "sponsor", "P-T-2", "2", ""],
    ["Unit A", "Bob", "pm", "P-T-1", "na", ""],
    ["Unit A", "Bob", "pm", "G-B-1", "dk", ""],
    ["Unit A", "Bob", "pm", "G-B-2", "3", "=HYPERLINK(\"http://x\")"],
    ["Unit B", "Cyd", "", "P-L-1", "1", ""],
]


@pytest.fixture
def mini():
    return load_questionnaire(DATA / "mini.yaml")


def write_csv(path, rows=ROWS, header=HEADER, delimiter=","):
    import csv
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows=ROWS, header=HEADER, numbers=True):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "answers"
    sheet.append(header)
    for row in rows:
        values = list(row)
        if numbers and values[4].isdigit():
            values[4] = float(values[4])  # spreadsheets hand back 3.0 for 3
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # typed text such as =HYPERLINK(...) is text in the cell, not a formula
                cell.data_type = "s"
    workbook.save(path)
    return path


def write_yaml_forms(tmp_path):
    (tmp_path / "a.yaml").write_text("""business_unit: Unit A
questionnaire: mini
respondents:
  - id: Ann
    role: sponsor
    answers: {P-T-1: 4, P-T-2: 2}
    comments: {P-T-1: Strong bench}
  - id: Bob
    role: pm
    answers: {P-T-1: na, G-B-1: dk, G-B-2: 3}
    comments: {G-B-2: '=HYPERLINK("http://x")'}
""")
    (tmp_path / "b.yaml").write_text("""business_unit: Unit B
respondents:
  - id: Cyd
    answers: {P-L-1: 1}
""")
    return [tmp_path / "a.yaml", tmp_path / "b.yaml"]


def summary(scores):
    return scores.units, np.nan_to_num(scores.capability_score, nan=-1).round(9).tolist(), \
        np.nan_to_num(scores.coverage, nan=-1).round(9).tolist()


def test_csv_xlsx_and_yaml_forms_give_the_same_scores(tmp_path, mini):
    from_csv = score_answers(read_answers([write_csv(tmp_path / "a.csv")], mini), mini)
    from_xlsx = score_answers(read_answers([write_xlsx(tmp_path / "a.xlsx")], mini), mini)
    from_yaml = score_answers(read_answers(write_yaml_forms(tmp_path), mini), mini)
    assert summary(from_csv) == summary(from_xlsx) == summary(from_yaml)
    assert from_csv.units == ["Unit A", "Unit B"]


def test_comments_are_kept_verbatim_in_the_canonical_table(tmp_path, mini):
    frame = read_answers([write_csv(tmp_path / "a.csv")], mini)
    assert "=HYPERLINK(\"http://x\")" in frame["comment"].astype(str).tolist()


def test_header_spelling_bom_and_semicolons_are_accepted(tmp_path, mini):
    path = tmp_path / "excel.csv"
    write_csv(path, header=["Business Unit", "Respondent", "Role", "Question", "Answer", "Comment"],
              delimiter=";")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = read_answers([path], mini)
    assert len(frame) == len(ROWS)
    assert frame["business_unit"].iloc[0] == "Unit A"


def test_role_and_comment_columns_are_optional(tmp_path, mini):
    path = write_csv(tmp_path / "min.csv", rows=[["U", "Ann", "P-L-1", "3"]],
                     header=["business_unit", "respondent", "question", "answer"])
    scores = score_answers(read_answers([path], mini), mini)
    assert scores.capabilities.set_index("capability").loc["leadership", "score"] == 3


def test_several_files_combine_and_duplicates_across_files_are_named(tmp_path, mini):
    first = write_csv(tmp_path / "one.csv", rows=ROWS[:3])
    second = write_csv(tmp_path / "two.csv", rows=ROWS[3:])
    assert len(read_answers([first, second], mini)) == len(ROWS)
    again = write_csv(tmp_path / "again.csv", rows=[ROWS[0]])
    with pytest.raises(InputErrors) as caught:
        read_answers([first, again], mini)
    message = caught.value.render()
    assert "again.csv: row 2: duplicate answer" in message and "one.csv row 2" in message


def test_all_problems_of_several_files_are_reported_together(tmp_path, mini):
    bad_one = write_csv(tmp_path / "one.csv", rows=[["U", "Ann", "pm", "P-L-1", "7", ""]])
    bad_two = write_csv(tmp_path / "two.csv", rows=[["U", "Bob", "pm", "NOPE", "2", ""]])
    with pytest.raises(InputErrors) as caught:
        read_answers([bad_one, bad_two], mini)
    assert [p.file.rsplit("/", 1)[-1] for p in caught.value.problems] == ["one.csv", "two.csv"]


def test_many_rows_with_one_problem_are_summarised_by_rows(tmp_path, mini):
    rows = [["U", f"R{i}", "pm", "X-1", "2", ""] for i in range(40)]
    with pytest.raises(InputErrors) as caught:
        read_answers([write_csv(tmp_path / "many.csv", rows=rows)], mini)
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].place == "rows 2, 3, 4, 5, 6 and 35 more"


def test_bundled_samples_validate_against_the_bank():
    bank = load_questionnaire(BANK)
    frame = read_answers(sorted((EXAMPLES / "answers").glob("*.csv")), bank)
    assert frame["business_unit"].nunique() == 5


def test_blank_lines_still_count_as_rows_in_messages(tmp_path, mini):
    path = tmp_path / "blank.csv"
    path.write_text("business_unit,respondent,role,question,answer,comment\n\n"
                    'U,Ann,pm,P-T-1,3,"two\n\nlines"\n\nU,Ann,pm,P-T-2,9,\n')
    with pytest.raises(InputErrors) as caught:
        read_answers([path], mini)
    assert str(caught.value) == f"{path}: row 5: answer '9' is outside the levels 1-4"
