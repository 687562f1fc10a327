"""pmo-assess batch options of issues 12 and 14: rounds in OUT/rounds/<LABEL>, the previous round passed on,
report formats (a failed format fails its unit only), anonymity and roadmaps in the manifest key, and the
refusals before anything runs. Light notebooks that declare the optional parameters."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_fixtures import LIGHT_UNIT, MINI, ROUNDS_PORTFOLIO, ROUNDS_UNIT, run_light_batch, summary_rows, write_answers
from pmo_assess.errors import InputErrors

pytestmark = pytest.mark.timeout(300)
NOTEBOOKS = {"notebook": ROUNDS_UNIT, "portfolio_notebook": ROUNDS_PORTFOLIO}


def parameters(executed: Path) -> dict:
    """The parameters papermill ran a notebook with."""
    return json.loads(executed.read_text(encoding="utf-8"))["metadata"]["papermill"]["parameters"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rounds_go_to_their_own_folder_and_the_next_round_gets_the_previous_one(tmp_path):
    out = tmp_path / "history"
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})

    status, _, _ = run_light_batch([answers], out, round_label="2025-Q1", assessed_on="2025-01-10", **NOTEBOOKS)

    first = out / "rounds" / "2025-Q1"
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == ["rounds"]  # nothing outside the round's folder
    assert {"units", "portfolio.ipynb", "portfolio.html", "summary.csv", "manifest.json", "round.json"} <= {
        p.name for p in first.iterdir()}
    recorded = json.loads((first / "round.json").read_text())
    assert recorded["schema"] == "pmo-assess/round@1"
    assert (recorded["label"], recorded["assessed_on"]) == ("2025-Q1", "2025-01-10")
    assert recorded["questionnaire"]["id"] and recorded["written_by"].startswith("pmo-assess ")
    assert parameters(first / "units" / "alpha" / "assessment.ipynb")["previous_scores"] == ""
    before = snapshot(first)

    write_answers(answers, {"Alpha": {"comment": "second round"}, "Beta": {}})
    status, _, _ = run_light_batch([answers], out, round_label="2025-Q2", assessed_on="2025-06-01", **NOTEBOOKS)

    second = out / "rounds" / "2025-Q2"
    assert status == 0 and snapshot(first) == before  # another round is never touched
    unit = parameters(second / "units" / "alpha" / "assessment.ipynb")
    assert (unit["round_label"], unit["assessed_on"]) == ("2025-Q2", "2025-06-01")
    assert unit["previous_scores"] == str((first / "units" / "alpha" / "scores.json").resolve())
    assert parameters(second / "portfolio.ipynb")["previous_scores_dir"] == str((first / "units").resolve())

    with pytest.raises(InputErrors) as raised:  # the same round, another date: refused, nothing changed
        run_light_batch([answers], out, round_label="2025-Q1", assessed_on="2025-02-01", **NOTEBOOKS)
    assert "round 2025-Q1 was assessed on 2025-01-10, not 2025-02-01" in raised.value.render()
    assert snapshot(first) == before

    # rerunning the round without a date keeps its date, and redoes only what changed (Alpha's rows)
    status, _, progress = run_light_batch([answers], out, round_label="2025-Q1", **NOTEBOOKS)
    assert status == 0 and "1 to run, 1 up to date" in progress
    assert json.loads((first / "round.json").read_text())["assessed_on"] == "2025-01-10"


def test_report_options_reach_the_notebook_and_a_change_of_option_redoes_the_units_it_concerns(tmp_path):
    out = tmp_path / "out"
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})
    roadmaps = tmp_path / "roadmaps"
    (roadmaps / "alpha").mkdir(parents=True)
    (roadmaps / "alpha" / "roadmap.yaml").write_text("business_unit: Alpha\ninitiatives: []\n", encoding="utf-8")

    assert run_light_batch([answers], out, roadmaps=roadmaps, **NOTEBOOKS)[0] == 0
    assert parameters(out / "units" / "alpha" / "assessment.ipynb")["roadmap"] == str(
        (roadmaps / "alpha" / "roadmap.yaml").resolve())
    assert parameters(out / "units" / "beta" / "assessment.ipynb")["roadmap"] == ""  # Beta has no roadmap
    assert json.loads((out / "round.json").read_text())["label"] is None  # no --round: OUT as before

    (roadmaps / "alpha" / "roadmap.yaml").write_text("business_unit: Alpha\ninitiatives: [] # edited\n")
    status, _, progress = run_light_batch([answers], out, roadmaps=roadmaps, **NOTEBOOKS)
    assert status == 0 and "1 to run, 1 up to date" in progress  # only Alpha's roadmap changed

    status, _, progress = run_light_batch([answers], out, roadmaps=roadmaps, anonymise=True, **NOTEBOOKS)
    assert status == 0 and "2 to run, 0 up to date" in progress
    assert parameters(out / "units" / "beta" / "assessment.ipynb")["anonymise"] is True
    assert parameters(out / "portfolio.ipynb")["anonymise"] is True


def test_a_report_format_that_fails_fails_its_unit_only_and_keeps_the_previous_report(tmp_path, monkeypatch):
    from pmo_assess.batch import run as run_module
    from pmo_assess.report.documents import ReportFormatError

    out = tmp_path / "out"
    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}, "Beta": {}})
    assert run_light_batch([answers], out, **NOTEBOOKS)[0] == 0
    previous = (out / "units" / "beta" / "report.html").read_bytes()
    real = run_module.begin_reports

    def begin(job, work, formats):
        if job.name == "Beta":  # as when the browser fails on one unit's document
            raise ReportFormatError("pdf", "the document could not be laid out")
        return real(job, work, formats)

    monkeypatch.setattr(run_module, "begin_reports", begin)
    status, summary, _ = run_light_batch([answers], out, formats=("html", "pdf"), **NOTEBOOKS)

    assert status == 1 and "1 failed: Beta" in summary
    rows = summary_rows(out)
    assert rows["Alpha"]["status"] == "ok" and rows["Alpha"]["report"].endswith("units/alpha/report.html")
    assert (out / "units" / "alpha" / "report.pdf").read_bytes().startswith(b"%PDF")
    assert rows["Beta"]["error"] == ("the pdf report could not be made: the document could not be laid out "
                                     "(the previous report is kept)")
    assert (out / "units" / "beta" / "report.html").read_bytes() == previous
    assert not (out / "units" / "beta" / "report.pdf").exists()


@pytest.mark.parametrize("args, message", [
    (["--round", "R1", "--notebook", str(LIGHT_UNIT)],
     "parameters cell: does not define round_label, which --round needs"),
    (["--anonymise", "--notebook", str(LIGHT_UNIT)], "does not define anonymise, which --anonymise needs"),
    (["--formats", "html,docx"], "--formats: unknown format 'docx'"),
    (["--settings", "missing-settings.yaml"], "missing-settings.yaml: no such file"),
    (["--roadmaps", "no-such-folder"], "--roadmaps: is not a folder"),
    (["--round", "../up"], "'../up' is not a round label"),
    (["--assessed-on", "2999-01-01"], "2999-01-01 is in the future"),
    (["--shared-inputs"], "--shared-inputs: only applies with --scheduler"),
])
def test_bad_options_are_exit_2_before_anything_runs(tmp_path, capsys, args, message):
    from pmo_assess.cli import main

    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})
    status = main(["batch", str(answers), "-q", str(MINI), "-o", str(tmp_path / "out"), *args])

    err = capsys.readouterr().err
    assert status == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_round_written_by_a_newer_pmo_assess_is_refused(tmp_path, capsys):
    from pmo_assess.cli import main

    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})
    folder = tmp_path / "out" / "rounds" / "R1"
    folder.mkdir(parents=True)
    (folder / "round.json").write_text('{"schema": "pmo-assess/round@2", "label": "R1", "assessed_on": "2025-01-01"}')

    status = main(["batch", str(answers), "-q", str(MINI), "-o", str(tmp_path / "out"), "--round", "R1"])

    assert status == 2
    assert "pmo-assess/round@2 was written by a newer pmo-assess" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["round.json"]


def test_a_slide_template_that_cannot_be_opened_is_exit_2_before_any_unit_runs(tmp_path, capsys):
    from pmo_assess.cli import main

    answers = write_answers(tmp_path / "a.csv", {"Alpha": {}})
    template = tmp_path / "client-theme.pptx"
    template.write_bytes(b"this is not a PowerPoint file")
    settings = tmp_path / "settings.yaml"
    settings.write_text("client: Acme\npptx_template: client-theme.pptx\n", encoding="utf-8")
    args = ["batch", str(answers), "-q", str(MINI), "-o", str(tmp_path / "out"), "--settings", str(settings)]

    status = main([*args, "--formats", "html,pptx"])

    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    assert f"{settings}: pptx_template: {template}: is not a PowerPoint template or deck" in err
    assert not (tmp_path / "out").exists()  # nothing ran


def write_respondent_file(path: Path, unit: str, respondent: str) -> Path:
    """One respondent's answers to every mini question, in a file named after them (as packs are)."""
    import csv

    from batch_fixtures import QUESTIONS

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for i, question in enumerate(QUESTIONS):
            writer.writerow([unit, respondent, "sponsor", question, str(i % 4 + 1), ""])
    return path


def test_anonymised_batches_name_no_respondent_from_the_answer_files_names(tmp_path):
    people = {"Alpha": ["Zenobia Quillfeather", "Bartholomew Okonkwo"], "Beta": ["Ximena Vasquez-Holt"]}
    answers = [write_respondent_file(tmp_path / f"{unit}--{name}.csv", unit, name)
               for unit, names in people.items() for name in names]
    out = tmp_path / "out"

    status, summary, progress = run_light_batch(answers, out, anonymise=True, **NOTEBOOKS)

    assert status == 0, summary + progress
    written = [out / "manifest.json", out / "summary.csv", out / "units" / "alpha" / "assessment.ipynb",
               out / "units" / "beta" / "assessment.ipynb"]
    for path in written:
        text = path.read_text(encoding="utf-8")
        for name in ("Zenobia", "Quillfeather", "Bartholomew", "Okonkwo", "Ximena", "Vasquez"):
            assert name not in text, (path.name, name)
    used = parameters(out / "units" / "alpha" / "assessment.ipynb")["answers"]
    assert [Path(p).name for p in used] == ["answers-alpha.csv"]
    assert not Path(used[0]).exists()  # the neutral copy is gone with the batch
    assert [p.name for p in out.iterdir() if p.name.startswith(".") and p.is_dir()] == []
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["units"]["Alpha"]
    assert len(entry["answers"]) == 2 and all(a.startswith("sha256:") for a in entry["answers"])
    # the same rows through the user's own files give the same scores
    plain = run_light_batch(answers, tmp_path / "plain", **NOTEBOOKS)
    assert plain[0] == 0
    assert json.loads((tmp_path / "plain" / "units" / "alpha" / "scores.json").read_text())["units"][0]["overall"] == \
        json.loads((out / "units" / "alpha" / "scores.json").read_text())["units"][0]["overall"]
    # and a rerun with the same options is up to date
    status, _, progress = run_light_batch(answers, out, anonymise=True, **NOTEBOOKS)
    assert status == 0 and "0 to run, 2 up to date" in progress


def test_an_anonymised_batch_names_an_invalid_answer_file_by_its_place_not_its_name(tmp_path):
    good = write_respondent_file(tmp_path / "Alpha--Zenobia Quillfeather.csv", "Alpha", "Zenobia Quillfeather")
    bad = write_respondent_file(tmp_path / "Beta--Bartholomew Okonkwo.csv", "Beta", "Bartholomew Okonkwo")
    bad.write_text(bad.read_text(encoding="utf-8").replace("P-T-2,2,", "P-T-2,7,"), encoding="utf-8")
    out = tmp_path / "out"

    status, summary, progress = run_light_batch([good, bad], out, anonymise=True, **NOTEBOOKS)

    assert status == 1 and "1 failed: Beta" in summary
    error = summary_rows(out)["Beta"]["error"]
    assert "ANSWERS file 2: row 3:" in error and "'7' is outside the levels 1-4" in error, error
    for text in (summary, (out / "summary.csv").read_text(encoding="utf-8"),
                 (out / "manifest.json").read_text(encoding="utf-8")):
        assert "Bartholomew" not in text and "Zenobia" not in text
    assert "Beta--Bartholomew Okonkwo.csv: row 3:" in progress  # in full only on the terminal of who ran it
