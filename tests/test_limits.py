"""Limits checked, not hit: alias bombs, deep nesting, huge files and fields, folders, encodings, formula cells.

Every case goes through the CLI (``pmo_assess.cli.main``) or the reader the CLI uses, and must give one
clear message naming the file and place, with exit status 2 — never a traceback, a hang or gigabytes.
"""
from __future__ import annotations

import time
import zipfile

import pytest
from openpyxl import Workbook

from conftest import BANK, DATA
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io import limits
from pmo_assess.io.answers import read_answers
from pmo_assess.io.files import read_yaml
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets

MINI = DATA / "mini.yaml"
HEADER = "business_unit,respondent,role,question,answer,comment\n"

pytestmark = pytest.mark.timeout(120)


def bomb(levels: int = 9, key: str = "business_unit") -> str:
    """A billion-laughs YAML: ``levels`` anchors of ten aliases each, the last one used as ``key``."""
    lines = ["lols:", '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


def run(capsys, *argv: str) -> tuple[int, str]:
    """Exit status and stderr+stdout of ``pmo-assess ARGV``."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err + captured.out


# ---------------------------------------------------------------- YAML: aliases, nesting, size


def test_alias_bomb_in_an_answers_yaml_form_is_refused_at_once(tmp_path, capsys):
    path = tmp_path / "unit.yaml"
    path.write_text(bomb() + "questionnaire: mini\nrespondents:\n  - id: ann\n    answers: {P-T-1: 3}\n")
    started = time.process_time()  # CPU time: the readers are imported above, so this is the refusal itself
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    elapsed = time.process_time() - started
    assert code == 2
    assert f"{path}: line 6: aliases (*a3) expand to more than 100,000 values" in out
    assert "Traceback" not in out
    assert elapsed < 5  # was 112 s and 11 GB; the guard takes milliseconds (generous for a loaded machine)


def test_alias_bomb_in_score_is_exit_2(tmp_path, capsys):
    path = tmp_path / "unit.yaml"
    path.write_text(bomb() + "respondents: []\n")
    code, out = run(capsys, "score", "-q", str(MINI), str(path))
    assert code == 2 and "billion laughs" in out


@pytest.mark.parametrize("loader", ["questionnaire", "targets", "votes", "mapping", "roadmap", "plan", "library"])
def test_alias_bomb_is_refused_by_every_yaml_reader(tmp_path, loader):
    path = tmp_path / f"{loader}.yaml"
    path.write_text(bomb(key="default"))
    with pytest.raises(InputErrors) as caught:
        LOADERS[loader](path)
    assert "expand to more than" in str(caught.value) and str(path) in str(caught.value)


def test_aliases_used_sensibly_are_fine(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("base: &b {level: 3, agreed_by: [Ana]}\n" + "".join(f"k{i}: *b\n" for i in range(500)))
    assert read_yaml(path)["k499"]["level"] == 3


def nested(depth: int, flow: bool) -> str:
    if flow:
        return "levels: " + "[" * depth + "]" * depth + "\n"
    return "levels:\n" + "".join("  " * (i + 1) + "- \n" for i in range(depth - 1)) + "  " * depth + "- x\n"


def _load_votes(path):
    from pmo_assess.io.votes import load_votes

    return load_votes(path, load_questionnaire(MINI))


def _load_mapping(path):
    from pmo_assess.imports.mapping import load_mapping

    return load_mapping(path, load_questionnaire(MINI))


def _load_roadmap(path):
    from pmo_assess.roadmap.roadmap_file import load_roadmap

    return load_roadmap(path, load_questionnaire(MINI))


def _load_plan(path):
    from pmo_assess.business_plan.plan_file import load_plan

    return load_plan(path, load_questionnaire(MINI))


def _load_library(path):
    from pmo_assess.roadmap.library import load_library

    return load_library(path)


LOADERS = {
    "questionnaire": load_questionnaire,
    "targets": lambda path: load_targets(path, load_questionnaire(MINI)),
    "votes": _load_votes, "mapping": _load_mapping, "roadmap": _load_roadmap, "plan": _load_plan,
    "library": _load_library,
    "answers": lambda path: read_answers([path], load_questionnaire(MINI)),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("flow", [True, False], ids=["flow", "block"])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, loader, flow):
    path = tmp_path / f"{loader}.yaml"
    path.write_text(nested(5000 if flow else 400, flow))
    with pytest.raises(InputErrors) as caught:
        LOADERS[loader](path)
    assert f"{path}: line " in str(caught.value)
    assert "nested more than 64 levels deep" in str(caught.value)


def test_deep_nesting_via_the_cli_is_exit_2(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text("id: q\n" + nested(3000, flow=True))
    code, out = run(capsys, "validate", str(path))
    assert code == 2 and f"{path}: line 2: nested more than 64 levels deep" in out
    assert "RecursionError" not in out


def test_nesting_within_the_limit_reads(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(nested(60, flow=True))
    node, depth = read_yaml(path)["levels"], 1
    while node:
        node, depth = node[0], depth + 1
    assert depth == 60


def test_an_oversized_yaml_file_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    with path.open("w") as handle:
        handle.write("id: big\ncomment: |\n")
        line = "  " + "x" * 1022 + "\n"
        for _ in range(limits.MAX_YAML_BYTES // len(line) + 2):
            handle.write(line)
    code, out = run(capsys, "validate", str(path))
    assert code == 2 and f"{path}: is 8.0 MB; a YAML file may be at most 8 MB" in out


def test_a_yaml_file_with_too_many_values_is_refused_before_loading(tmp_path, capsys):
    path = tmp_path / "unit.yaml"
    path.write_text("business_unit: Ops\nrespondents:\n" + "".join(f"  - {{id: r{i}, answers: {{P-T-1: 3}}}}\n"
                                                                  for i in range(70_000)))
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: line 35716: holds more than 250,000 values" in out


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_folder_where_a_yaml_file_is_expected_is_an_input_problem(tmp_path, loader):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(InputErrors) as caught:
        LOADERS[loader](folder)
    assert f"{folder}: is a folder" in str(caught.value)


@pytest.mark.parametrize("encoding,words", [("utf-16", "UTF-16 byte order mark"),
                                            ("utf-16-le", "UTF-16 text (little-endian, no byte order mark)"),
                                            ("utf-16-be", "UTF-16 text (big-endian, no byte order mark)")])
def test_utf16_yaml_says_which_encoding_it_is(tmp_path, encoding, words):
    path = tmp_path / "t.yaml"
    path.write_bytes("default:\n  dimensions: {people: 3}\n".encode(encoding))
    with pytest.raises(InputErrors) as caught:
        load_targets(path)
    assert words in str(caught.value)


# ---------------------------------------------------------------- tables: headers, fields, encodings, formulas


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "answers"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("second", ["answer", "Answer", " ANSWER "])
def test_duplicate_column_in_csv_names_both_columns(tmp_path, capsys, second):
    path = tmp_path / "a.csv"
    path.write_text(f"business_unit,respondent,role,question,answer,{second}\nU,Ann,pm,P-T-1,3,4\n")
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: header: column F {second!r} repeats column E 'answer'" in out
    assert "Traceback" not in out


def test_duplicate_column_in_xlsx_names_both_columns(tmp_path, capsys):
    path = write_xlsx(tmp_path / "a.xlsx", [["business_unit", "respondent", "Answer", "question", "answer"],
                                            ["U", "Ann", 3, "P-T-1", 3]])
    code, out = run(capsys, "score", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: sheet 'answers', header: column E 'answer' repeats column C 'Answer'" in out


def test_field_over_128_kib_in_a_well_formed_csv_is_refused(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "U,Ann,pm,P-T-1,3,ok\n" + f'U,Ann,pm,P-T-2,3,"{"x" * 200_000}"\n')
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: row 3: comment is 200,000 characters long; a field may hold at most 131,072 (128 KiB)" in out


def test_field_over_128_kib_in_a_ragged_csv_is_refused_not_a_csv_error(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + f'U,Ann,pm,P-T-1,3,"{"x" * 200_000}",extra\n')
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: row 2: a field is longer than 131,072 characters (128 KiB)" in out
    assert "_csv.Error" not in out


def swell(path, marker: str, length: int):
    """Replace ``marker`` inside the workbook's XML by ``length`` characters (openpyxl cuts cells at 32,767)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data.replace(marker.encode(), b"w" * length))
    return path


def test_cell_over_128_kib_in_xlsx_answers_and_survey_exports_is_refused(tmp_path, capsys):
    answers = swell(write_xlsx(tmp_path / "a.xlsx", [["business_unit", "respondent", "question", "answer", "comment"],
                                                     ["U", "Ann", "P-T-1", 3, "LONGCOMMENT"]]), "LONGCOMMENT", 140_000)
    code, out = run(capsys, "validate", "-q", str(MINI), str(answers))
    assert code == 2 and f"{answers}: row 2: comment is 140,000 characters long" in out
    survey = swell(write_xlsx(tmp_path / "s.xlsx", [["Name", "Business unit", "P-T-1"], ["Ann", "Ops", "LONGCELL"]]),
                   "LONGCELL", 140_000)
    code, out = run(capsys, "import", str(survey), "-q", str(MINI), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and f"{survey}: sheet 'answers', cell C2: the cell is 140,000 characters long" in out


def test_unclosed_quote_in_a_survey_export_is_refused(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_text("Name,Business unit,P-T-1\nAnn,Ops,\"3" + "x" * 140_000 + "\n")
    code, out = run(capsys, "import", str(path), "-q", str(MINI), "--out", str(tmp_path / "out.csv"))
    assert code == 2 and f"{path}: row 2: a field is longer than 131,072 characters" in out


@pytest.mark.parametrize("encoding,words", [("utf-16", "byte order mark"),
                                            ("utf-16-le", "UTF-16 text (little-endian, no byte order mark)")])
def test_utf16_csv_mentions_the_encoding(tmp_path, capsys, encoding, words):
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + "U,Ann,pm,P-T-1,3,\n").encode(encoding))
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2 and words in out and "CSV UTF-8" in out
    survey = tmp_path / "s.csv"
    survey.write_bytes("Name,Business unit,P-T-1\nAnn,Ops,3\n".encode(encoding))
    code, out = run(capsys, "import", str(survey), "-q", str(MINI), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and words in out


def test_xlsx_formulas_without_saved_results_are_refused_naming_the_cells(tmp_path, capsys):
    rows = [["business_unit", "respondent", "role", "question", "answer", "comment"]]
    rows += [["U", f"R{i}", "pm", "P-T-1", "=1+2", ""] for i in range(12)]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert (f"{path}: sheet 'answers', cells E2, E3, E4, E5, E6, E7, E8, E9, E10, E11 and 2 more: holds a "
            "formula with no saved result") in out


def test_xlsx_formulas_with_saved_results_read_their_values(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["business_unit", "respondent", "role", "question", "answer"],
                                            ["U", "Ann", "pm", "P-T-1", "=1+2"]])
    with zipfile.ZipFile(path) as archive:  # what Excel saves: the formula and its last result
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"<v></v>", b"<v>3</v>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    frame = read_answers([path], load_questionnaire(MINI))
    assert frame["answer"].astype(str).tolist() == ["3"]


def test_an_empty_header_line_then_bytes_that_are_not_utf8_is_an_input_problem(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(b"\n\x80\n")
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2 and f"{path}: row 1: the header is empty" in out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_a_folder_given_as_answers_is_exit_2(tmp_path, capsys, suffix):
    folder = tmp_path / f"answers{suffix}"
    folder.mkdir()
    with pytest.raises(InputErrors) as caught:
        read_answers([folder], load_questionnaire(MINI))
    assert f"{folder}: is a folder" in str(caught.value)
    code, out = run(capsys, "score", "-q", str(MINI), str(folder))
    assert code == 2 and str(folder) in out and "folder" in out and "Traceback" not in out


def test_a_folder_given_to_import_is_exit_2(tmp_path, capsys):
    folder = tmp_path / "packs.xlsx"
    folder.mkdir()
    code, out = run(capsys, "import", str(folder), "-q", str(MINI), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and f"{folder}" in out and "folder" in out


def test_a_folder_as_questionnaire_is_exit_2(tmp_path, capsys):
    code, out = run(capsys, "validate", "-q", str(tmp_path), str(DATA / "bad" / "a-answer-5.csv"))
    assert code == 2 and str(tmp_path) in out and "folder" in out


def test_an_oversized_table_is_refused_before_reading(tmp_path, monkeypatch):
    import pmo_assess.io.answers as answers
    import pmo_assess.io.csv_arrow as csv_arrow

    monkeypatch.setattr(answers, "MAX_TABLE_BYTES", 1000)  # the path through the file's bytes
    monkeypatch.setattr(csv_arrow, "MAX_TABLE_BYTES", 1000)  # the parse straight from disk
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "U,Ann,pm,P-T-1,3,\n" * 100)
    with pytest.raises(InputErrors) as caught:
        read_answers([path])
    assert f"{path}: is 0.0 MB; a CSV file may be at most" in str(caught.value)


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    import pmo_assess.io.tables as tables

    monkeypatch.setattr(tables, "MAX_XLSX_UNPACKED_BYTES", 4096)
    path = write_xlsx(tmp_path / "a.xlsx", [["business_unit", "respondent", "question", "answer"]]
                      + [["U", f"R{i}", "P-T-1", 3] for i in range(200)])
    with pytest.raises(InputErrors) as caught:
        read_answers([path])
    assert f"{path}: unpacks to 0.0 GB, more than the 0 GB a workbook may hold" in str(caught.value)


# ---------------------------------------------------------------- errors scale: first 50, then a count


def test_many_different_problems_list_the_first_50_and_count_the_rest(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "".join(f"U,R{i},pm,P-T-1,x{i},\n" for i in range(180)))
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    lines = [line for line in out.splitlines() if line.startswith(str(path))]
    assert len(lines) == 50
    assert lines[0] == f"{path}: row 2: answer 'x0' is not one of 1, 2, 3, 4, na, dk or empty"
    assert lines[-1].startswith(f"{path}: row 51: answer 'x49'")
    assert "... and 130 more problems" in out


def test_one_bad_value_on_many_rows_is_one_problem_naming_the_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "".join(f"U,R{i},pm,P-T-1,yes,\n" for i in range(40)))
    with pytest.raises(InputErrors) as caught:
        read_answers([path], load_questionnaire(MINI))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: rows 2, 3, 4, 5, 6 and 35 more: answer 'yes' is not one of 1, 2, 3, 4, na, dk or empty"]


# ---------------------------------------------------------------- names: control characters, blanks


@pytest.mark.parametrize("column,value,field", [
    (0, "Retail\x07Banking", "business_unit"), (1, "Ann\x1b[31m", "respondent"), (2, "p\tm", "role"),
    (3, "P-T-1\x00", "question"), (0, "Ops\u2028Two", "business_unit")])
def test_control_characters_in_names_are_refused_naming_the_field(tmp_path, capsys, column, value, field):
    row = ["U", "Ann", "pm", "P-T-1", "3", ""]
    row[column] = value
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + ",".join(f'"{v}"' for v in row) + "\n").encode("utf-8"))
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2
    assert f"{path}: row 2: {field} {value!r} contains control character" in out


def test_control_characters_in_survey_names_are_refused(tmp_path, capsys):
    survey = tmp_path / "s.csv"
    survey.write_bytes('Name,Business unit,P-T-1\n"Ann\x1b[2J",Ops,3\nBen,"Ops\x07",2\n'.encode())
    code, out = run(capsys, "import", str(survey), "-q", str(MINI), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert f"{survey}: row 2: respondent 'Ann\\x1b[2J' contains control character U+001B" in out
    assert f"{survey}: row 3, column B: business unit 'Ops\\x07' contains control character U+0007" in out
    assert not (tmp_path / "o.csv").exists()


def test_control_characters_in_a_yaml_form_unit_are_refused(tmp_path, capsys):
    path = tmp_path / "u.yaml"
    path.write_text('business_unit: "Ops\\x1b[2J"\nrespondents:\n  - id: ann\n    answers: {P-T-1: 3}\n')
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2 and "business_unit 'Ops\\x1b[2J' contains control character U+001B" in out


def test_a_list_as_business_unit_in_a_yaml_form_is_refused(tmp_path, capsys):
    path = tmp_path / "u.yaml"
    path.write_text("business_unit: [a, b]\nrespondents:\n  - id: ann\n    answers: {P-T-1: 3}\n")
    code, out = run(capsys, "validate", "-q", str(MINI), str(path))
    assert code == 2 and f"{path}: business_unit (line 1): must be text, not a list or mapping" in out


def test_control_characters_in_questionnaire_ids_are_refused(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(MINI.read_text().replace("id: P-T-1,", 'id: "P-T-\\x071",'))
    with pytest.raises(InputErrors) as caught:
        load_questionnaire(path)
    assert "question id 'P-T-\\x071' contains control character U+0007" in str(caught.value)


def test_pack_unit_with_a_control_character_is_exit_2(tmp_path, capsys):
    code, out = run(capsys, "pack", "-q", str(MINI), "--unit", "Ops\x1b[2J", "--out", str(tmp_path / "packs"))
    assert code == 2 and "contains control character U+001B" in out
    assert not (tmp_path / "packs").exists() or not any((tmp_path / "packs").iterdir())


def test_write_packs_refuses_control_characters_itself(tmp_path):
    from pmo_assess.packs import PackRequest, write_packs

    with pytest.raises(InputErrors) as caught:
        write_packs(load_questionnaire(MINI), [PackRequest("Ops", "Ann\nBen", None)], tmp_path)
    assert "--respondent: respondent 'Ann\\nBen' contains control character U+000A" in str(caught.value)


def test_targets_keyed_with_surrounding_blanks_apply_to_the_unit(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text('units:\n  "Retail Banking ":\n    dimensions: {people: 4}\n')
    targets = load_targets(path, load_questionnaire(MINI))
    assert targets.dimension_target("Retail Banking", "people").level == 4
    assert targets.unmatched_units(["Retail Banking"]) == []
    assert targets.unmatched_units(["Retail"]) == ["Retail Banking"]


def test_targets_naming_one_unit_twice_after_trimming_are_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text('units:\n  "Retail Banking ":\n    dimensions: {people: 4}\n'
                    '  Retail Banking:\n    dimensions: {people: 2}\n')
    with pytest.raises(InputErrors) as caught:
        load_targets(path, load_questionnaire(MINI))
    assert f"{path}: units.Retail Banking (line 4): business unit 'Retail Banking' is given twice" in str(caught.value)


def test_targets_unit_with_a_control_character_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text('units:\n  "Retail\\x07":\n    dimensions: {people: 4}\n')
    with pytest.raises(InputErrors) as caught:
        load_targets(path)
    assert "line 2" in str(caught.value) and "contains control character U+0007" in str(caught.value)


def test_bundled_files_are_within_every_limit():
    assert load_questionnaire(BANK).id == "value-driven-pmo"
