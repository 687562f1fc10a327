"""Exports of Google Forms, SurveyMonkey, Qualtrics and Microsoft Forms import without a mapping file.

The fixtures in tests/data/surveys/ were written by make_tool_exports.py from one canonical answer set,
tool-pulse.expected.csv; every export must import to exactly those rows and score like them.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import PULSE
from packs_fixtures import read_canonical
from pmo_assess.cli import main
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.scoring import score_answers
from test_survey_import import SURVEYS, assert_same_scores, rows_of

EXPECTED = SURVEYS / "tool-pulse.expected.csv"
UNIT = ["--unit", "Claims Operations"]
NUMERIC_MAPPING = SURVEYS / "qualtrics-pulse-numeric.mapping.yaml"
ROLE_WEIGHTS = {"sponsor": 1.5, "pmo-staff": 1, "project-manager": 1, "team-member": 1, "stakeholder": 1}


def run_import(*arguments: str) -> tuple[int, str, str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["import", *map(str, arguments)])
    return status, out.getvalue(), err.getvalue()


def customer_orientation_by_hand(path: Path) -> float:
    """The unit's score of customer orientation (one question, PULSE-PPL-1) from the long table, by hand:
    the role-weighted mean of the counted answers (the pulse bank weighs sponsors 1.5, everyone else 1)."""
    rows = [r for r in read_canonical(path) if r["question"] == "PULSE-PPL-1" and r["answer"].isdigit()]
    weights = [ROLE_WEIGHTS[r["role"]] for r in rows]
    return sum(w * int(r["answer"]) for w, r in zip(weights, rows)) / sum(weights)


@pytest.mark.parametrize("export, tool, extra", [
    ("google-forms-grid-pulse.csv", "Google Forms", []),
    ("surveymonkey-pulse.csv", "SurveyMonkey", []),
    ("surveymonkey-pulse.xlsx", "SurveyMonkey", []),
    ("qualtrics-pulse.csv", "Qualtrics", []),
    ("qualtrics-pulse.xlsx", "Qualtrics", []),
    ("qualtrics-pulse-numeric.csv", "Qualtrics", ["--mapping", NUMERIC_MAPPING]),
    ("ms-forms-likert-pulse.xlsx", "Microsoft Forms", []),
    ("ms-forms-likert-pulse-de.xlsx", "Microsoft Forms", []),
], ids=lambda v: v if isinstance(v, str) and "." in v else None)
def test_each_tool_export_imports_to_the_canonical_answers_and_scores(export, tool, extra, tmp_path):
    out = tmp_path / "answers.csv"
    status, printed, err = run_import(SURVEYS / export, "-q", PULSE, "--out", out, *UNIT, *extra)
    assert status == 0, err
    assert f"{export}: {tool} export: 12 question(s) matched" in printed
    assert "1 survey file(s): 5 respondent(s), 53 answer row(s)" in printed
    assert rows_of(out) == rows_of(EXPECTED)
    assert_same_scores(out, EXPECTED, PULSE)
    questionnaire = load_questionnaire(PULSE)
    scores = score_answers(read_answers([out], questionnaire), questionnaire)
    column = [c.id for c in questionnaire.capabilities].index("customer-orientation")
    assert scores.capability_score[0, column] == pytest.approx(customer_orientation_by_hand(EXPECTED))


@pytest.mark.parametrize("export, reason", [
    ("surveymonkey-pulse.csv", "row 8 (Finn Keller): looks unfinished: no answer after question 6 of 12 "
                               "(in 'Process maturity')"),
    ("qualtrics-pulse.xlsx", "row 9 (Finn Keller): Finished=False, Progress 47%"),
])
def test_unfinished_responses_are_listed_and_left_out_unless_asked_for(export, reason, tmp_path):
    out = tmp_path / "answers.csv"
    status, printed, _ = run_import(SURVEYS / export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 0
    assert f"1 unfinished response(s) left out (pass --include-partial to import them): {reason}" in printed
    assert "Finn Keller" not in {r["respondent"] for r in read_canonical(out)}

    out.unlink()
    status, printed, _ = run_import(SURVEYS / export, "-q", PULSE, "--out", out, *UNIT, "--include-partial")
    assert status == 0
    assert f"1 unfinished response(s) included (--include-partial): {reason}" in printed
    # Finn answered the six people and process questions "2 - Evolving", then left.
    finn = {(r["question"], r["answer"], r["role"]) for r in read_canonical(out) if r["respondent"] == "Finn Keller"}
    assert finn == {(f"PULSE-{d}-{n}", "2", "pmo-staff") for d in ("PPL", "PRC") for n in (1, 2, 3)}


def _surveymonkey_finn_answers(t: Path, answers: dict[int, str]) -> Path:
    """The SurveyMonkey export with Finn's (row 8) answers set by column: 10-12 people, 13-15 process,
    16-18 technology, 19-21 governance (the last matrix)."""
    rows = _csv_rows(SURVEYS / "surveymonkey-pulse.csv")
    assert rows[7][6:8] == ["Finn", "Keller"]
    for column in range(10, 22):
        rows[7][column] = answers.get(column, "")
    return _write_rows(t / "surveymonkey.csv", rows)


EVOLVING = "Evolving"


@pytest.mark.parametrize("answered, finn_rows", [
    (range(10, 19), 9),                                  # the last matrix left blank ("don't know")
    ([10, 11, 13, 14, 16, 17], 6),                       # blanks here and there, the last matrix blank
    ([12, 15, 16], 3),                                   # few answers, but the last two matrices not all blank
], ids=["last matrix blank", "blanks in the middle too", "last blanks within one matrix"])
def test_surveymonkey_response_with_only_the_last_matrix_blank_is_finished_and_imported(answered, finn_rows,
                                                                                        tmp_path):
    export = _surveymonkey_finn_answers(tmp_path, {c: EVOLVING for c in answered})
    out = tmp_path / "answers.csv"
    status, printed, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 0, err
    assert "unfinished" not in printed
    assert "1 survey file(s): 6 respondent(s)" in printed
    finn = [r for r in read_canonical(out) if r["respondent"] == "Finn Keller"]
    assert len(finn) == finn_rows and {r["answer"] for r in finn} == {"2"}
    assert not [r for r in finn if r["question"].startswith("PULSE-GOV")]


@pytest.mark.parametrize("answered, reason", [
    (range(10, 13), "no answer after question 3 of 12 (in 'People maturity')"),
    ([10, 12, 13, 14, 15], "no answer after question 6 of 12 (in 'Process maturity')"),
    ([], "no question answered"),
], ids=["stopped after the first matrix", "stopped half-way", "answered nothing"])
def test_surveymonkey_response_that_stops_early_is_left_out_unless_include_partial(answered, reason, tmp_path):
    export = _surveymonkey_finn_answers(tmp_path, {c: EVOLVING for c in answered})
    out = tmp_path / "answers.csv"
    status, printed, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 0, err
    assert "1 unfinished response(s) left out (pass --include-partial to import them): row 8 (Finn Keller): " \
           f"looks unfinished: {reason}" in printed
    assert "Finn Keller" not in {r["respondent"] for r in read_canonical(out)}
    if answered:
        out.unlink()
        status, printed, err = run_import(export, "-q", PULSE, "--out", out, *UNIT, "--include-partial")
        assert status == 0, err
        assert "1 unfinished response(s) included (--include-partial)" in printed
        assert len([r for r in read_canonical(out) if r["respondent"] == "Finn Keller"]) == len(answered)


def test_more_than_half_the_questions_blank_at_the_end_is_unfinished_with_uneven_groups():
    from pmo_assess.imports.partial import partial_responses
    from pmo_assess.imports.survey_table import SurveyTable

    # A single question, a 6-row matrix, a single question: the last two groups are 7 of 8 questions.
    header = ["Q1", *[f"Matrix [row {n}]" for n in range(1, 7)], "Q8"]
    contexts = ["", *["Matrix"] * 6, ""]
    rows = [(3, ["x", "x", "x", "", "", "", "", ""]),    # blank after question 3: 5 of 8 blank → unfinished
            (4, ["x", "x", "x", "x", "x", "", "", ""]),  # blank after question 5: 3 of 8 → finished
            (5, ["x", "x", "x", "x", "x", "x", "x", ""])]  # only the last question blank → finished
    table = SurveyTable(header, rows, None, "surveymonkey", contexts=contexts)
    assert partial_responses(table, {c: f"Q{c}" for c in range(8)}) == \
        {3: "looks unfinished: no answer after question 3 of 8 (in 'Matrix')"}


def test_same_name_with_another_e_mail_is_another_respondent_named_by_the_e_mail(tmp_path):
    def namesake(sheet):
        sheet.cell(4, 5, "Ana Souza")                    # Chloé's response, now by another Ana Souza
        sheet.cell(4, 4, "ana.souza@claims.example.com")
    export = _edit_xlsx(SURVEYS / "ms-forms-likert-pulse.xlsx", tmp_path / "forms.xlsx", namesake)
    out = tmp_path / "answers.csv"
    status, printed, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 0, err
    assert "1 survey file(s): 5 respondent(s), 53 answer row(s)" in printed
    assert "forms.xlsx: row 4: 'Ana Souza' imported as 'Ana Souza <ana.souza@claims.example.com>' (same name as " \
           "an earlier response, another e-mail)" in printed
    expected = {r[:1] + (r[1].replace("Chloé Martin", "Ana Souza <ana.souza@claims.example.com>"),) + r[2:]
                for r in rows_of(EXPECTED)}
    assert rows_of(out) == expected


def test_same_name_without_e_mails_is_still_one_respondent_answering_twice(tmp_path):
    def no_emails(sheet):
        sheet.cell(4, 5, "Ana Souza")
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, 4).value = None
    export = _edit_xlsx(SURVEYS / "ms-forms-likert-pulse.xlsx", tmp_path / "forms.xlsx", no_emails)
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 2 and not out.exists()
    assert "forms.xlsx: sheet 'Sheet1', row 4: respondent 'Ana Souza' of 'Claims Operations' answered twice (also " \
           "row 2); delete the response that does not count" in err


def test_print_mapping_without_unit_asks_for_it_and_round_trips_once_filled(tmp_path):
    export = SURVEYS / "surveymonkey-pulse.csv"
    status, printed, _ = run_import(export, "-q", PULSE, "--print-mapping")
    assert status == 0
    todo = 'business_unit: "?"   # the business unit these answers belong to: write its name (or pass --unit)'
    lines = printed.splitlines()
    assert todo in lines
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(printed, encoding="utf-8")
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, "--mapping", mapping)
    assert status == 2 and not out.exists()
    assert f"mapping.yaml: business_unit (line {lines.index(todo) + 1}): is still '?': write the business unit " \
           f"these answers belong to there (or pass --unit)" in err
    mapping.write_text(printed.replace(todo, 'business_unit: "Claims Operations"'), encoding="utf-8")  # the edit
    status, printed, err = run_import(export, "-q", PULSE, "--out", out, "--mapping", mapping)
    assert status == 0, err
    assert rows_of(out) == rows_of(EXPECTED)


def test_print_mapping_round_trip_one_edit_fixes_a_reworded_grid_row(tmp_path):
    questionnaire = load_questionnaire(PULSE)
    original = "People maturity [" + questionnaire.questions[0].text + "]"
    reworded = "People maturity [Do we treat our stakeholders like customers?]"
    export = tmp_path / "google-forms.csv"
    export.write_text((SURVEYS / "google-forms-grid-pulse.csv").read_text(encoding="utf-8")
                      .replace(f'"{original}"', f'"{reworded}"'), encoding="utf-8")
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 2 and not out.exists()
    assert f"column E '{reworded}': matches no question id or question text of 'pmo-pulse' (closest: PULSE-PPL-1?)" \
        in err

    status, printed, _ = run_import(export, "-q", PULSE, "--print-mapping", *UNIT)
    assert status == 0 and not out.exists()
    lines = printed.splitlines()
    assert "tool: google-forms" in lines and 'business_unit: "Claims Operations"' in lines
    assert '  "3 - Operationalizing": 3' in lines and '  "Don\'t know": dk' in lines
    assert f'  "People maturity [{questionnaire.questions[1].text}]": PULSE-PPL-2' in lines
    todo = f'  # "{reworded}": ?   # matches no question (closest: PULSE-PPL-1?); write its question id, or ' \
           f'list it under ignore:'
    assert todo in lines
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(printed.replace(todo, f'  "{reworded}": PULSE-PPL-1'), encoding="utf-8")  # the one edit
    status, printed, err = run_import(export, "-q", PULSE, "--out", out, "--mapping", mapping)
    assert status == 0, err
    assert rows_of(out) == rows_of(EXPECTED)


def test_print_mapping_passed_back_unedited_reads_the_export_the_same_way(tmp_path):
    status, printed, _ = run_import(SURVEYS / "surveymonkey-pulse.xlsx", "-q", PULSE, "--print-mapping")
    assert status == 0
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(printed, encoding="utf-8")
    out = tmp_path / "answers.csv"
    status, printed, err = run_import(SURVEYS / "surveymonkey-pulse.xlsx", "-q", PULSE, "--out", out, *UNIT,
                                      "--mapping", mapping)
    assert status == 0, err
    assert rows_of(out) == rows_of(EXPECTED)


def test_numeric_qualtrics_export_needs_recodes_1_to_4_and_print_mapping_lists_the_others(tmp_path):
    export = SURVEYS / "qualtrics-pulse-numeric.csv"
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 2 and not out.exists()
    assert "qualtrics-pulse-numeric.csv: row 6, column Q: recode value '6' (question PULSE-PPL-1): this Qualtrics " \
           "export has numeric values, and this column's are 2, 3, 6; they read as levels only when the recode " \
           "values are 1-4" in err
    status, printed, _ = run_import(export, "-q", PULSE, "--print-mapping")
    assert '  "Q2_1": PULSE-PPL-1   # Does the PMO treat its stakeholders as customers, with a ...' in printed
    assert '  # "5": ?   # not a level this import knows (first seen in PULSE-TEC-3); write 1, 2, 3, 4, na or dk' \
        in printed
    assert '  # "1": ?   # not a role of the questionnaire; write one of sponsor, pmo-staff, project-manager, ' \
           'team-member, stakeholder' in printed


def _edit_xlsx(source: Path, target: Path, change) -> Path:
    workbook = load_workbook(source)
    change(workbook.active)
    workbook.save(target)
    return target


def test_anonymous_microsoft_forms_responses_are_one_respondent_each(tmp_path):
    def anonymise(sheet):
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, 4).value = "anonymous"   # Email
            sheet.cell(row, 5).value = None          # Name
    export = _edit_xlsx(SURVEYS / "ms-forms-likert-pulse.xlsx", tmp_path / "anonymous.xlsx", anonymise)
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 0, err
    # Microsoft Forms numbers its responses in the ID column: 1 to 5.
    assert {r["respondent"] for r in read_canonical(out)} == {f"Response {n}" for n in range(1, 6)}


def test_scale_labels_in_other_languages_by_name_or_by_their_number(tmp_path):
    # French level names, and Italian labels this import has no words for but which carry their number.
    french = {"Ad hoc": "1 – Ad hoc", "Evolving": "En évolution", "Operationalizing": "Opérationnalisé",
              "Optimizing": "Optimisé", "Not applicable": "Non applicable", "Don't know": "Je ne sais pas"}
    italian = {"Ad hoc": "1 – Ad hoc", "Evolving": "2 – In evoluzione", "Operationalizing": "3 – Consolidato",
               "Optimizing": "4 – Ottimizzato", "Not applicable": "Non applicabile", "Don't know": "Non so"}
    for name, labels in (("fr", french), ("it", italian)):
        def translate(sheet, labels=labels):
            for row in sheet.iter_rows(min_row=2, min_col=8):
                for cell in row:
                    cell.value = labels.get(cell.value, cell.value)
        export = _edit_xlsx(SURVEYS / "ms-forms-likert-pulse.xlsx", tmp_path / f"{name}.xlsx", translate)
        out = tmp_path / f"{name}.csv"
        extra = ["--mapping", tmp_path / "it.yaml"] if name == "it" else []
        (tmp_path / "it.yaml").write_text('answers: {"Non applicabile": na, "Non so": dk}\n', encoding="utf-8")
        status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT, *extra)
        assert status == 0, err
        assert rows_of(out) == rows_of(EXPECTED)


SIMILAR = """id: similar
version: 1.0.0
title: Two dimensions asking alike
levels:
  - {value: 1, name: ad hoc}
  - {value: 2, name: evolving}
  - {value: 3, name: operationalizing}
  - {value: 4, name: optimizing}
dimensions:
  - id: people
    name: People
    capabilities:
      - id: talent
        name: Talent
        questions:
          - {id: PPL-1, text: "Is it written down?", anchors: {1: a, 2: b, 3: c, 4: d}}
  - id: process
    name: Process
    capabilities:
      - id: method
        name: Method
        questions:
          - {id: PRC-1, text: "Is it written down?", anchors: {1: a, 2: b, 3: c, 4: d}}
"""


def test_identical_row_texts_in_two_grids_are_told_apart_by_the_grid_title(tmp_path):
    questionnaire = tmp_path / "similar.yaml"
    questionnaire.write_text(SIMILAR, encoding="utf-8")
    export = tmp_path / "form.csv"
    export.write_text("Timestamp,Your name,People practices [Is it written down?],Process maturity [Is it written "
                      "down?]\n2026/03/02 9:10:07 AM GMT,Ana,1 - Ad hoc,4 - Optimizing\n", encoding="utf-8")
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", questionnaire, "--out", out, *UNIT)
    assert status == 0, err
    assert rows_of(out) == {("Claims Operations", "Ana", "", "PPL-1", "1", ""),
                            ("Claims Operations", "Ana", "", "PRC-1", "4", "")}
    export.write_text("Timestamp,Your name,Grid A [Is it written down?]\n2026/03/02 9:10:07 AM GMT,Ana,3\n",
                      encoding="utf-8")
    status, _, err = run_import(export, "-q", questionnaire, "--out", tmp_path / "b.csv", *UNIT)
    assert status == 2
    assert "column C 'Grid A [Is it written down?]': matches no question id or question text of 'similar' (its " \
           "text is that of 2 questions (PPL-1, PRC-1) and its grid title 'Grid A' does not say which)" in err


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _sm_missing_question(t):
    rows = [r[:-1] for r in _csv_rows(SURVEYS / "surveymonkey-pulse.csv")]  # drops the last matrix row (GOV-3)
    return _write_rows(t / "surveymonkey.csv", rows)


def _google_question_twice(t):
    rows = _csv_rows(SURVEYS / "google-forms-grid-pulse.csv")
    rows[0].append(rows[0][4].replace("People maturity", "Governance maturity"))
    for row in rows[1:]:
        row.append(row[4])
    return _write_rows(t / "google.csv", rows)


def _qualtrics_label_no_level(t):
    rows = _csv_rows(SURVEYS / "qualtrics-pulse.csv")
    rows[4][17] = "5 - Transformative"
    return _write_rows(t / "qualtrics.csv", rows)


def _qualtrics_number_contradicts_words(t):
    rows = _csv_rows(SURVEYS / "qualtrics-pulse.csv")
    rows[5][18] = "3 - Evolving"
    return _write_rows(t / "qualtrics.csv", rows)


def _ms_forms_respondent_twice(t):
    def twice(sheet):
        sheet.cell(4, 5, "Ana Souza")
        sheet.cell(4, 4, "ana.souza@example.com")
    return _edit_xlsx(SURVEYS / "ms-forms-likert-pulse.xlsx", t / "forms.xlsx", twice)


BAD = [
    ("missing question", _sm_missing_question,
     "surveymonkey.csv: header (SurveyMonkey export): question PULSE-GOV-3 ('Does the PMO help leaders take tough "
     "stop, continue or re-sc') has no column; if the form leaves it out on purpose, list it under not_asked:"),
    ("two columns for one question", _google_question_twice,
     "google.csv: column Q 'Governance maturity [Does the PMO treat its stakeholders as customers, with a known "
     "value proposition and engagement model for each group?]': is question PULSE-PPL-1, like column E"),
    ("answer label that is no level", _qualtrics_label_no_level,
     "qualtrics.csv: row 5, column R: answer '5 - Transformative' is not a level (1-4), a level name, one of this "
     "question's four anchor texts, na or dk"),
    ("number and words disagree", _qualtrics_number_contradicts_words,
     "qualtrics.csv: row 6, column S: answer '3 - Evolving' starts with level 3 but 'evolving' means level 2"),
    ("respondent twice", _ms_forms_respondent_twice,
     "forms.xlsx: sheet 'Sheet1', row 4: respondent 'Ana Souza' of 'Claims Operations' answered twice (also row 2)"),
]


@pytest.mark.parametrize("name, make, message", BAD, ids=[b[0] for b in BAD])
def test_bad_tool_exports_exit_2_name_file_row_and_column_and_write_nothing(name, make, message, tmp_path):
    export = make(tmp_path)
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT)
    assert status == 2
    assert err.startswith("pmo-assess import: input problems:\n")
    assert message in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_mapping_keys_tool_and_not_asked_are_checked_and_not_asked_allows_a_form_without_a_question(tmp_path):
    export = _sm_missing_question(tmp_path)  # the form has no column for PULSE-GOV-3
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("tool: limesurvey\nnot_asked: [PULSE-GOV-9]\n", encoding="utf-8")
    out = tmp_path / "answers.csv"
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT, "--mapping", mapping)
    assert status == 2 and not out.exists()
    assert "mapping.yaml: tool (line 1): 'limesurvey' is not a survey tool this import reads (google-forms, " \
           "surveymonkey, qualtrics, microsoft-forms, wide)" in err
    assert "mapping.yaml: not_asked[0] (line 2): 'PULSE-GOV-9' is not a question id of questionnaire 'pmo-pulse'" \
        in err
    mapping.write_text("tool: surveymonkey\nnot_asked: [PULSE-GOV-3]\n", encoding="utf-8")
    status, _, err = run_import(export, "-q", PULSE, "--out", out, *UNIT, "--mapping", mapping)
    assert status == 0, err
    assert rows_of(out) == {r for r in rows_of(EXPECTED) if r[3] != "PULSE-GOV-3"}


def test_out_is_required_unless_printing_the_mapping(capsys):
    status, _, err = run_import(SURVEYS / "qualtrics-pulse.csv", "-q", PULSE)
    assert status == 2
    assert "pmo-assess import: --out: is required: the canonical answers CSV to write" in err
