"""Bad input to ``pmo-assess import`` and ``pmo-assess pack``: one clear message, exit status 2, nothing written."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import DATA, PULSE
from packs_fixtures import fill_pack, question_rows
from pmo_assess.cli import main
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.packs import PackRequest, write_packs

MINI = DATA / "mini.yaml"
ALL = {"P-T-1": 2, "P-T-2": 3, "P-L-1": "na", "G-B-1": 1, "G-B-2": "dk", "G-M-1": 4, "G-M-2": 2}


def make_pack(folder: Path, respondent: str | None = "Ann", role: str | None = "pm", answers=None,
              questionnaire: Path = MINI, unit: str = "Ops") -> Path:
    """A pack of the mini questionnaire, filled with ``answers`` (all seven answered by default)."""
    path = write_packs(load_questionnaire(questionnaire), [PackRequest(unit, respondent, role)], folder)[0]
    fill_pack(path, ALL if answers is None else answers)
    return path


def edit_hidden(path: Path, change) -> None:
    workbook = load_workbook(path)
    change(workbook["_pmo_assess"], question_rows(workbook))
    workbook.save(path)


def survey_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def other_version(tmp_path: Path) -> Path:
    copy = tmp_path / "mini-v2.yaml"
    copy.write_text(MINI.read_text().replace("version: 0.1.0", "version: 0.2.0"))
    return copy


def _out_of_range(t):
    return [make_pack(t, answers={**ALL, "P-T-2": 5})]


def _word(t):
    return [make_pack(t, answers={**ALL, "G-M-1": "maybe"})]


def _other_version(t):
    return [make_pack(t, questionnaire=other_version(t))]


def _other_questionnaire(t):
    path = write_packs(load_questionnaire(PULSE), [PackRequest("Ops", "Ann", "sponsor")], t)[0]
    fill_pack(path, {"PULSE-PPL-1": 3})
    return [path]


def _respondent_twice(t):
    return [make_pack(t / "first"), make_pack(t / "second", answers={"P-T-1": 3})]


def _tampered_unknown_id(t):
    path = make_pack(t)
    edit_hidden(path, lambda meta, rows: meta.cell([c.row for c in meta["B"] if c.value == "P-L-1"][0], 2, "P-L-9"))
    return [path]


def _tampered_swapped_ids(t):
    path = make_pack(t)

    def swap(meta, rows):
        cells = {c.value: c for c in meta["B"] if c.value in ("P-T-1", "P-T-2")}
        cells["P-T-1"].value, cells["P-T-2"].value = "P-T-2", "P-T-1"
    edit_hidden(path, swap)
    return [path]


def _empty(t):
    return [make_pack(t, answers={})]


def _blank_without_name(t):
    return [make_pack(t, respondent=None, role=None)]


def _blank_with_unknown_role(t):
    path = make_pack(t, respondent=None, role=None)
    fill_pack(path, {}, respondent="Bo", role="Chief")
    return [path]


def _damaged_metadata(t):
    path = make_pack(t)
    edit_hidden(path, lambda meta, rows: meta.cell(1, 2, "something/else@9"))
    return [path]


def _damaged_layout(t):
    path = make_pack(t)

    def damage(meta, rows):
        for key_cell in meta["A"]:
            if key_cell.value in ("answer_column", "respondent_cell"):
                meta.cell(key_cell.row, 2, {"answer_column": "7", "respondent_cell": "B"}[key_cell.value])
    edit_hidden(path, damage)
    return [path]


def _survey_unmatched(t):
    return [survey_csv(t / "s.csv", ["Timestamp", "Name", "Business unit", "P-T-1", "How happy are you?"],
                       ["2026-03-01", "Ann", "Ops", "3", "very"])]


def _survey_shifted_row(t):
    # "Lee, Ann" without quotes: every answer after it would move one question to the right
    return [survey_csv(t / "s.csv", ["Timestamp", "Name", "Business unit", "P-T-1", "P-T-2", "P-L-1"],
                       ["2026-03-01", "Bo", "Ops", "3", "2", "1"],
                       ["2026-03-01", "Lee", "Ann", "Ops", "3", "2", "1"])]


def _survey_bad_text(t):
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["ID", "Name", "Talent one?", "Talent two?"])
    workbook.active.append([1, "Ann", "b", "something else entirely"])
    workbook.save(t / "forms.xlsx")
    return [t / "forms.xlsx"]


def _survey_without_unit(t):
    return [survey_csv(t / "s.csv", ["Name", "P-T-1"], ["Ann", "3"])]


def _survey_respondent_twice(t):
    return [survey_csv(t / "s.csv", ["Email address", "Business unit", "P-T-1"],
                       ["ann@x.example", "Ops", "3"], ["bo@x.example", "Ops", "2"], ["ann@x.example", "Ops", "4"])]


def _survey_half_level(t):
    return [survey_csv(t / "s.csv", ["Name", "Unit", "P-T-1", "P-T-2"], ["Ann", "Ops", "2.5", "3"])]


def _survey_same_question_twice(t):
    return [survey_csv(t / "s.csv", ["Name", "Unit", "P-T-1", "Talent one?"], ["Ann", "Ops", "2", "3"])]


def _canonical_unknown_question(t):
    path = t / "answers.csv"
    path.write_text("business_unit,respondent,role,question,answer,comment\nOps,Ann,pm,P-X-1,3,\n")
    return [path]


def _not_a_workbook(t):
    (t / "pack.xlsx").write_bytes(b"this is not a zip file")
    return [t / "pack.xlsx"]


def _unknown_format(t):
    (t / "answers.pdf").write_bytes(b"%PDF-1.4")
    return [t / "answers.pdf"]


def _missing_file(t):
    return [t / "nowhere.xlsx"]


def _one_good_one_bad(t):
    return [make_pack(t / "good"), make_pack(t / "bad", respondent="Bo", answers={**ALL, "G-B-1": 0})]


# (name, inputs, extra arguments, expected message parts) — each must exit 2 and write nothing.
CASES = [
    ("answer outside choices", _out_of_range, [],
     ["ops--ann.xlsx: Answers!G", "answer '5' is outside the levels 1-4 (question P-T-2)"]),
    ("answer not a choice", _word, [],
     ["answer 'maybe' is not one of 1, 2, 3, 4, na, dk or empty (question G-M-1)"]),
    ("pack of another version", _other_version, [],
     ["hidden sheet _pmo_assess: the pack was made from questionnaire 'mini' version 0.2.0, "
      "but this import uses 'mini' version 0.1.0"]),
    ("pack of another questionnaire", _other_questionnaire, [],
     ["made from questionnaire 'pmo-pulse' version 1.0.0"]),
    ("respondent twice", _respondent_twice, [],
     ["second/ops--ann.xlsx: Answers!G", "respondent 'Ann' of 'Ops' is also in", "first/ops--ann.xlsx"]),
    ("tampered question id", _tampered_unknown_id, [],
     ["question id 'P-L-9' is not in questionnaire 'mini'; the pack was altered", "checksum mismatch"]),
    ("swapped question ids", _tampered_swapped_ids, [],
     ["shows question 'P-T-1' but the pack's hidden data says 'P-T-2' for this row", "checksum mismatch"]),
    ("empty pack", _empty, [],
     ["ops--ann.xlsx: Answers: the pack is empty: no answer in column G and no comment"]),
    ("blank pack without a name", _blank_without_name, [],
     ["ops--blank.xlsx: Answers!B2: the respondent's name is empty"]),
    ("blank pack with unknown role", _blank_with_unknown_role, [],
     ["Answers!B3: role 'Chief' is not one of the questionnaire's roles (sponsor = Sponsor, pm = Project manager)"]),
    ("damaged metadata", _damaged_metadata, [],
     ["hidden sheet _pmo_assess: is damaged or of an unknown pack format ('something/else@9')"]),
    ("unmatched survey column", _survey_unmatched, [],
     ["s.csv: column E 'How happy are you?': matches no question id or question text of 'mini'",
      "--ignore-unmatched"]),
    ("survey answer text", _survey_bad_text, ["--unit", "Ops"],
     ["forms.xlsx: sheet 'Sheet1', cell D2: answer 'something else entirely' is not a level (1-4), a level "
      "name, one of this question's four anchor texts, na or dk", "(question P-T-2)"]),
    ("survey without unit", _survey_without_unit, [],
     ["s.csv: header: no business unit: the file has no 'Business unit' column; pass --unit"]),
    ("survey respondent twice", _survey_respondent_twice, [],
     ["s.csv: row 4: respondent 'ann@x.example' of 'Ops' answered twice (also row 2)"]),
    ("survey half level", _survey_half_level, [],
     ["s.csv: row 2, column C: answer '2.5' is not a whole number (levels are 1, 2, 3, 4) (question P-T-1)"]),
    ("survey question twice", _survey_same_question_twice, [],
     ["column D 'Talent one?': is question P-T-1, like column C 'P-T-1'"]),
    ("canonical file problem", _canonical_unknown_question, [],
     ["answers.csv: row 2: unknown question id 'P-X-1'"]),
    ("not a workbook", _not_a_workbook, [], ["pack.xlsx: cannot be opened as an Excel workbook"]),
    ("unknown format", _unknown_format, [], ["answers.pdf: unknown format '.pdf'"]),
    ("missing file", _missing_file, [], ["nowhere.xlsx: file not found"]),
    ("damaged hidden layout", _damaged_layout, [],
     ["ops--ann.xlsx: hidden sheet _pmo_assess: is damaged: respondent_cell 'B', answer_column '7' is not a cell"]),
    ("survey row with more fields than the header", _survey_shifted_row, [],
     ["s.csv: row 3: has 7 fields but the header has 6; a value holding ',' must be in double quotes"]),
    ("same file twice", lambda t: [make_pack(t)] * 2, [], ["ops--ann.xlsx: given twice (also as "]),
    ("one bad file stops all", _one_good_one_bad, [],
     ["bad/ops--bo.xlsx: Answers!G", "answer '0' is outside the levels 1-4 (question G-B-1)"]),
]


@pytest.mark.parametrize("name, make, extra, messages", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_names_the_place_and_writes_nothing(name, make, extra, messages, tmp_path, capsys):
    inputs = make(tmp_path)
    out = tmp_path / "answers-out.csv"
    status = main(["import", *map(str, inputs), "-q", str(MINI), "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.startswith("pmo-assess import: input problems:\n")
    for message in messages:
        assert message in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_mapping_file_problems_are_listed_with_their_lines(tmp_path, capsys):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  How happy are you?: P-T-9\n  Name: respondent\nrole: sponsor\n"
                       "answers:\n  Strongly agree: 5\nbusiness_unit: [Ops, Sales]\n")
    survey = survey_csv(tmp_path / "s.csv", ["Name", "Unit", "P-T-1"], ["Ann", "Ops", "3"])
    status = main(["import", str(survey), "-q", str(MINI), "--out", str(tmp_path / "o.csv"), "-m", str(mapping)])
    err = capsys.readouterr().err
    assert status == 2
    assert "map.yaml: columns.How happy are you? (line 2): 'P-T-9' is not a question id of questionnaire 'mini'" in err
    assert "map.yaml: role (line 4): unknown key" in err
    assert "map.yaml: answers.Strongly agree (line 6): 5 must be 1, 2, 3, 4, na or dk" in err
    assert "map.yaml: business_unit (line 7): must be the name of one business unit" in err


def test_conflict_with_existing_answers_is_refused_and_the_file_kept(tmp_path, capsys):
    out = tmp_path / "answers.csv"
    original = "business_unit,respondent,role,question,answer,comment\nOps,Ann,pm,P-T-1,1,# keep me\n"
    out.write_text(original)
    pack = make_pack(tmp_path)
    status = main(["import", str(pack), "-q", str(MINI), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"P-T-1 of 'Ann' (Ops) differs from {out} row 2: answer '2' here, '1' there; a different comment" in err
    assert "use --replace" in err
    assert out.read_text() == original


def test_invalid_existing_output_is_reported_not_overwritten(tmp_path, capsys):
    out = tmp_path / "answers.csv"
    original = "business_unit,respondent,role,question,answer,comment\nOps,Bo,pm,P-T-1,7,\n"
    out.write_text(original)
    status = main(["import", str(make_pack(tmp_path)), "-q", str(MINI), "--out", str(out)])
    assert status == 2
    assert "answers.csv: row 2: answer '7' is outside the levels 1-4" in capsys.readouterr().err
    assert out.read_text() == original


def test_output_must_be_csv(tmp_path, capsys):
    status = main(["import", str(make_pack(tmp_path)), "-q", str(MINI), "--out", str(tmp_path / "answers.xlsx")])
    assert status == 2
    assert "answers.xlsx: --out: the output must be a .csv file" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["--respondent", "Ann", "--role", "chief"],
     "--role: respondent 'Ann': role 'chief' is not defined by questionnaire 'mini' (roles: sponsor, pm)"),
    (["--respondent", "Ann", "--respondent", "Ann"], "--respondent: respondent 'Ann': given twice"),
    (["--respondent", "J. Smith", "--respondent", "J Smith"],
     "would be written to the same file ops--j-smith.xlsx as 'J. Smith'"),
    (["--respondent", " "], "--respondent: a respondent name is empty"),
], ids=["unknown role", "respondent twice", "same file name", "empty name"])
def test_pack_bad_arguments_exit_2_and_write_nothing(arguments, message, tmp_path, capsys):
    status = main(["pack", "-q", str(MINI), "--unit", "Ops", *arguments, "--out", str(tmp_path / "packs")])
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "packs").exists()


def test_pack_refuses_to_overwrite_a_pack_unless_forced(tmp_path, capsys):
    filled = make_pack(tmp_path)
    before = filled.read_bytes()
    arguments = ["pack", "-q", str(MINI), "--unit", "Ops", "--respondent", "Ann", "--out", str(tmp_path)]
    assert main(arguments) == 2
    assert f"{filled}: already exists (it may hold answers); use --force to overwrite it" in capsys.readouterr().err
    assert filled.read_bytes() == before
    assert main([*arguments, "--force"]) == 0
    assert filled.read_bytes() != before


def test_role_before_any_respondent_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["pack", "-q", str(MINI), "--unit", "Ops", "--role", "pm", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "--role must follow the --respondent it belongs to" in capsys.readouterr().err
