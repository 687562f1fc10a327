"""Where commands write: never onto one of their inputs, never a traceback for a folder or an impossible path,
and several files all or none. Every case through ``pmo_assess.cli.main``: exit status 2 and the message text."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from batch_fixtures import LIGHT_UNIT, MINI, write_answers
from pmo_assess.cli import main

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def files(tmp_path):
    """A copy of the mini questionnaire, an answers file of two units and a targets file, in tmp_path."""
    bank = tmp_path / "mini.yaml"
    shutil.copy(MINI, bank)
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})
    targets = tmp_path / "targets.yaml"
    targets.write_text("default: 3\n", encoding="utf-8")
    return bank, answers, targets


def refused(capsys, argv: list[str]) -> str:
    """Run the CLI expecting exit status 2 and no traceback; returns what it printed on stderr."""
    status = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    return err


def unchanged(*paths: Path):
    """Snapshot the bytes of files; calling the result asserts none changed."""
    before = {p: p.read_bytes() for p in paths}
    return lambda: all(p.read_bytes() == data for p, data in before.items())


# --- inputs are never outputs -------------------------------------------------------------------------------


def test_score_refuses_to_write_over_its_answers_questionnaire_or_targets(files, capsys):
    bank, answers, targets = files
    same = unchanged(bank, answers, targets)
    for victim in (answers, bank, targets):
        err = refused(capsys, ["score", "-q", bank, answers, "-t", targets, "-f", "csv", "-o", victim])
        assert f"{victim}: --output: is this command's input" in err and "would replace it" in err
    assert same()


def test_the_same_file_under_another_name_is_caught_by_identity_not_name(files, capsys, monkeypatch):
    bank, answers, _ = files
    os.link(answers, answers.parent / "hard-link.csv")
    (answers.parent / "sub").mkdir()
    monkeypatch.chdir(answers.parent / "sub")
    same = unchanged(answers)
    for alias in ("../hard-link.csv", "../sub/../a.csv", str(answers)):
        err = refused(capsys, ["score", "-q", bank, "../a.csv", "-f", "json", "-o", alias])
        assert "is this command's input ../a.csv" in err
    assert same()
    assert main(["score", "-q", str(bank), "../a.csv", "-f", "json", "-o", "scores.json"]) == 0
    assert (answers.parent / "sub" / "scores.json").read_text().startswith("{")


def test_import_refuses_an_out_that_is_one_of_the_files_it_imports(files, capsys):
    bank, answers, _ = files
    same = unchanged(answers, bank)
    err = refused(capsys, ["import", answers, "-q", bank, "--out", answers])
    assert f"{answers}: --out: is this command's input" in err
    err = refused(capsys, ["import", answers, "-q", bank, "--out", bank])
    assert "--out" in err
    assert same()


def test_pack_refuses_to_overwrite_its_questionnaire_even_with_force(tmp_path, capsys):
    folder = tmp_path / "packs"
    folder.mkdir()
    bank = folder / "ops--blank.xlsx"  # a questionnaire saved under the name the blank pack would get
    shutil.copy(MINI, bank)
    same = unchanged(bank)
    err = refused(capsys, ["pack", "-q", bank, "-u", "Ops", "--out", folder, "--force"])
    assert "ops--blank.xlsx: --out (ops--blank.xlsx): is this command's input" in err
    assert same()


def test_batch_refuses_an_out_where_it_would_replace_or_delete_an_input(files, capsys):
    bank, answers, _ = files
    out = answers.parent / "out"
    (out / "units" / "alpha").mkdir(parents=True)
    inside = out / "units" / "alpha" / "answers.csv"
    shutil.copy(answers, inside)
    same = unchanged(inside)
    err = refused(capsys, ["batch", inside, "-q", bank, "--out", out])
    assert f"{inside}: --out: is inside {out.resolve() / 'units'}, which the batch replaces" in err
    summary = out / "summary.csv"
    shutil.copy(answers, summary)
    err = refused(capsys, ["batch", summary, "-q", bank, "--out", out])
    assert "summary.csv: --out (summary.csv): is this command's input" in err
    assert same() and summary.read_bytes() == answers.read_bytes()


# --- a folder or an impossible path where a file belongs ------------------------------------------------------


@pytest.mark.parametrize("option", ["-q", "answers", "-t"])
def test_score_names_a_folder_given_as_an_input_file(files, capsys, option):
    bank, answers, targets = files
    folder = bank.parent / "folder.yaml"
    folder.mkdir()
    given = {"-q": bank, "answers": answers, "-t": targets, option: folder}
    err = refused(capsys, ["score", "-q", given["-q"], given["answers"], "-t", given["-t"]])
    assert f"{folder}: " in err and "is a folder, not a file" in err


def test_validate_import_and_pack_name_a_folder_given_as_a_file(files, capsys):
    bank, answers, _ = files
    folder = bank.parent / "folder.csv"
    folder.mkdir()
    assert "folder.csv: FILE: is a folder, not a file" in refused(capsys, ["validate", "-q", bank, folder])
    assert "folder.csv: --questionnaire: is a folder" in refused(capsys, ["validate", "-q", folder, answers])
    assert "folder.csv: FILE: is a folder" in refused(capsys, ["import", folder, "-q", bank, "--out", "o.csv"])
    assert "folder.csv: --mapping: is a folder" in refused(
        capsys, ["import", answers, "-q", bank, "-m", folder, "--out", bank.parent / "o.csv"])
    assert "folder.csv: --out: is a folder" in refused(capsys, ["import", answers, "-q", bank, "--out", folder])
    assert "folder.csv: --questionnaire: is a folder" in refused(
        capsys, ["pack", "-q", folder, "-u", "Ops", "--out", bank.parent / "packs"])
    assert not (bank.parent / "o.csv").exists() and not (bank.parent / "packs").exists()


def test_an_existing_file_where_an_output_folder_belongs(files, capsys):
    bank, answers, _ = files
    same = unchanged(answers)
    err = refused(capsys, ["pack", "-q", bank, "-u", "Ops", "--out", answers])
    assert f"{answers}: --out: is a file, not a folder" in err
    err = refused(capsys, ["batch", answers, "-q", bank, "--out", answers])
    assert f"{answers}: --out: is a file, not a folder" in err
    assert same()


@pytest.mark.parametrize("target", ["/proc/pmo-assess-test/out", "/proc/self/status"])
def test_impossible_outputs_are_input_problems(files, capsys, target):
    bank, answers, _ = files
    err = refused(capsys, ["score", "-q", bank, answers, "-f", "json", "-o", target])
    assert f"{target}: cannot be written" in err
    err = refused(capsys, ["import", answers, "-q", bank, "--out", target + ".csv"])
    assert f"{target}.csv: cannot be written" in err
    if target.endswith("/out"):
        err = refused(capsys, ["pack", "-q", bank, "-u", "Ops", "--out", target])
        assert "cannot be written" in err
        err = refused(capsys, ["batch", answers, "-q", bank, "--out", target, "--notebook", LIGHT_UNIT])
        assert f"{target}: cannot be written: the folder cannot be created" in err


def test_batch_names_folders_given_as_inputs(files, capsys):
    bank, answers, targets = files
    folder = bank.parent / "folder.yaml"
    folder.mkdir()
    out = bank.parent / "out"
    for argv in (["-q", folder, answers], ["-q", bank, folder], ["-q", bank, answers, "-t", folder]):
        err = refused(capsys, ["batch", *argv, "--out", out])
        assert f"{folder}: " in err and "is a folder, not a file" in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-5", "1e300"])
def test_batch_refuses_a_timeout_that_is_not_a_sane_number_of_seconds(files, capsys, value):
    bank, answers, _ = files
    err = refused(capsys, ["batch", answers, "-q", bank, "--out", bank.parent / "out", f"--timeout={value}"])
    assert "--timeout: must be more than 0 and at most 604800 seconds (7 days)" in err


# --- names with control characters -------------------------------------------------------------------------


def test_pack_refuses_control_characters_in_names(files, capsys):
    bank, _, _ = files
    out = bank.parent / "packs"
    err = refused(capsys, ["pack", "-q", bank, "-u", "Ops\x1b[31m", "-r", "Ann\nBob", "--out", out])
    assert "--unit: business unit 'Ops\\x1b[31m' contains control character U+001B" in err
    assert "--respondent: respondent 'Ann\\nBob' contains control character U+000A" in err
    assert not out.exists()


# --- all or nothing ----------------------------------------------------------------------------------------


def test_packs_are_written_all_or_none(files, capsys):
    bank, _, _ = files
    out = bank.parent / "packs"
    out.mkdir()
    (out / "ops--bob.xlsx").mkdir()  # the second pack's name is taken by a folder: that write must fail
    err = refused(capsys, ["pack", "-q", bank, "-u", "Ops", "-r", "Ann", "-r", "Bob", "--out", out, "--force"])
    assert "ops--bob.xlsx: cannot be written: is a folder, not a file" in err
    assert sorted(p.name for p in out.iterdir()) == ["ops--bob.xlsx"]  # Ann's pack was not written either
    shutil.rmtree(out / "ops--bob.xlsx")
    assert main(["pack", "-q", str(bank), "-u", "Ops", "-r", "Ann", "-r", "Bob", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["ops--ann.xlsx", "ops--bob.xlsx"]


def test_score_writes_nothing_when_it_refuses(files, capsys):
    bank, answers, _ = files
    out = bank.parent / "scores.json"
    refused(capsys, ["score", "-q", bank, answers, "-f", "json", "-o", out, "-t", bank.parent / "missing.yaml"])
    assert not out.exists()
    assert not list(bank.parent.glob(".scores.json.*"))


def test_batch_summary_and_manifest_never_hold_raw_control_characters(tmp_path):
    from pmo_assess.batch.manifest import Manifest
    from pmo_assess.batch.summary import Outcome, summary_text, write_summary_csv

    name = "Ops\x1b[2J\x07\x7f\u2028\x85 Zürich"
    write_summary_csv(tmp_path / "summary.csv", [Outcome(name, "failed", 1.0, "", f"unit {name}\nline two\r")])
    manifest = Manifest(tmp_path / "manifest.json")
    manifest.record_unit(name, {"slug": "ops", "error": name})
    text = summary_text([Outcome(name, "invalid", error=name)])

    for written in ((tmp_path / "summary.csv").read_text(encoding="utf-8"),
                    (tmp_path / "manifest.json").read_text(encoding="utf-8"), text):
        assert not any(c in written for c in "\x1b\x07\x7f\u2028\x85\r")
        assert "Zürich" in written
    assert "Ops\\x1b[2J\\x07\\x7f\\u2028\\x85 Zürich" in text
    assert Manifest.load(tmp_path).units[name]["slug"] == "ops"  # escaped in the file, exact when read back



def test_a_batch_never_writes_a_units_control_characters_raw(tmp_path, capsys):
    bank = tmp_path / "mini.yaml"
    shutil.copy(MINI, bank)
    name = "Ops\x1b[2J\x07"
    answers = write_answers(tmp_path / "a.csv", {name: {"bad_answer": True}})  # invalid: no kernel starts
    out = tmp_path / "out"

    assert main(["batch", str(answers), "-q", str(bank), "--out", str(out), "--notebook", str(LIGHT_UNIT)]) == 1
    captured = capsys.readouterr()
    for text in (captured.out, captured.err, (out / "summary.csv").read_text(encoding="utf-8"),
                 (out / "manifest.json").read_text(encoding="utf-8")):
        assert "\x1b" not in text and "\x07" not in text
    assert "Ops\\x1b[2J\\x07  invalid" in captured.out
    assert (out / "summary.csv").read_text(encoding="utf-8").splitlines()[1].startswith("Ops\\x1b[2J\\x07,invalid,")
