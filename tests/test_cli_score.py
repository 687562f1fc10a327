"""`pmo-assess score` and `validate` on the bundled samples: formats, files, exit codes."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from pmo_assess.cli import main
from conftest import BANK, DATA, EXAMPLES, PULSE

SAMPLES = sorted(str(p) for p in (EXAMPLES / "answers").glob("*.csv"))
TARGETS = str(EXAMPLES / "targets.yaml")


@pytest.fixture(scope="module")
def scores_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "scores.json"
    assert main(["score", *SAMPLES, "-q", str(BANK), "-t", TARGETS, "-f", "json", "-o", str(out)]) == 0
    return json.loads(out.read_text())


def unit(document, name):
    return next(u for u in document["units"] if u["business_unit"] == name)


def test_json_follows_the_scores_at_1_schema(scores_json):
    assert scores_json["schema"] == "pmo-assess/scores@1"
    assert scores_json["questionnaire"] == {"id": "value-driven-pmo", "version": "1.0.0"}
    assert [u["business_unit"] for u in scores_json["units"]] == [
        "Group Technology", "Insurance Claims", "Manufacturing Operations", "Public Sector Programmes",
        "Retail Banking"]  # input order (files sorted by name)
    first = scores_json["units"][0]
    assert set(first) >= {"business_unit", "respondents", "overall", "dimensions", "capabilities"}
    assert set(first["overall"]) >= {"score", "level", "level_name", "capped_by"}
    assert [d["id"] for d in first["dimensions"]] == ["people", "process", "technology", "governance"]
    assert set(first["dimensions"][0]) >= {"id", "score", "level", "level_name", "capped_by"}
    assert len(first["capabilities"]) == 18
    assert set(first["capabilities"][0]) >= {"id", "dimension", "score", "level", "level_name", "dispersion",
                                             "coverage", "disputed", "respondents"}


def test_sample_profiles_show_in_the_scores(scores_json):
    insurance = unit(scores_json, "Insurance Claims")
    governance = next(d for d in insurance["dimensions"] if d["id"] == "governance")
    assert governance["capped_by"] == "benefits-management" and governance["level"] == 2
    assert "staged scoring holds it at level 2" in governance["explanation"]
    benefits = next(c for c in insurance["capabilities"] if c["id"] == "benefits-management")
    assert benefits["level"] == 1 and benefits["target"] == 4 and benefits["gap"] == 3

    tech = unit(scores_json, "Group Technology")
    disputed = [c["id"] for c in tech["capabilities"] if c["disputed"]]
    assert disputed == ["automation"]

    manufacturing = unit(scores_json, "Manufacturing Operations")
    na_caps = {c["id"]: c for c in manufacturing["capabilities"]}
    for capability in ("delivery-approaches", "automation"):
        assert na_caps[capability]["score"] is None and na_caps[capability]["level"] is None
        assert na_caps[capability]["coverage"] is None and na_caps[capability]["gap"] is None

    retail = unit(scores_json, "Retail Banking")
    levels = {d["id"]: d["level"] for d in retail["dimensions"]}
    assert levels["process"] > levels["governance"]


def test_scores_are_rounded_to_two_decimals(scores_json):
    for u in scores_json["units"]:
        for c in u["capabilities"]:
            if c["score"] is not None:
                assert round(c["score"], 2) == c["score"]


def test_table_format_is_readable(capsys):
    assert main(["score", str(EXAMPLES / "answers" / "insurance-claims.csv"), "-q", str(BANK), "-t", TARGETS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Insurance Claims — 6 respondents — overall")
    assert "capped by Benefits management" in out
    assert "benefits-management" not in out and "customer-orientation" not in out  # names, not ids
    assert "    Change management and communication " in out
    assert "spread (max−min)" in out.splitlines()[1]


def line_of(out, start):
    return next(line for line in out.splitlines() if line.startswith(start))


def test_table_marks_capped_and_borderline_levels_with_a_legend(capsys):
    assert main(["score", str(EXAMPLES / "answers" / "insurance-claims.csv"), "-q", str(BANK)]) == 0
    out = capsys.readouterr().out
    # Insurance Claims governance: score 2.52 (level 3 alone, 0.02 above 2.50) capped at 2 by benefits
    # management (level 1): both marks. Strategic alignment 3.77 is 0.52 from 3.25: no mark.
    assert line_of(out, "  Governance ").split()[1:5] == ["2.52", "2", "evolving", "▼±"]
    assert line_of(out, "    Strategic alignment ").split()[2:6] == ["3.77", "4", "optimizing", "-"]  # "-": no target
    # Leadership and human dynamics 3.18: 0.07 below 3.25, borderline only
    assert "3.18  3 operationalizing ±" in line_of(out, "    Leadership and human dynamics")
    assert "▼ capped: staged scoring holds the level one above its weakest part" in out
    assert "± borderline: the score is within 0.10 of a level threshold (1.75, 2.50, 3.25)" in out
    assert "spread (max−min): highest minus lowest respondent score in the capability" in out
    assert "Why these levels" not in out  # only with --explain


def test_explain_prints_the_sentences_under_the_table(capsys):
    assert main(["score", str(EXAMPLES / "answers" / "retail-banking.csv"), "-q", str(BANK), "--explain"]) == 0
    out = capsys.readouterr().out
    why = out[out.index("Why these levels"):]
    flat = " ".join(why.split())
    assert "The PMO overall scores 2.45, level 2 (evolving). A higher score alone would not lift it" in flat
    assert "To reach operationalizing, Governance must reach evolving first." in flat
    assert "below the 2.50 needed for operationalizing. Its weakest parts" not in flat.split("- People")[0]
    assert max(len(line) for line in why.splitlines()[:20]) <= 100


def test_round_and_assessment_date_go_into_json_and_csv(tmp_path):
    retail = str(EXAMPLES / "answers" / "retail-banking.csv")
    out = tmp_path / "scores.json"
    assert main(["score", retail, "-q", str(BANK), "-f", "json", "-o", str(out), "--round", "2026-Q4",
                 "--assessed-on", "2026-11-20"]) == 0
    document = json.loads(out.read_text())
    assert document["round"] == {"label": "2026-Q4", "assessed_on": "2026-11-20"}
    # questionnaires/value-driven-pmo.yaml line 14: scoring: {method: staged, thresholds: [1.75, 2.5, 3.25], ...}
    assert document["method"] == {"method": "staged", "thresholds": [1.75, 2.5, 3.25], "dispute_range": 1.5}
    csv_out = tmp_path / "scores.csv"
    assert main(["score", retail, "-q", str(BANK), "-f", "csv", "-o", str(csv_out), "--round", "2026-Q4",
                 "--assessed-on", "2026-11-20"]) == 0
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text())))
    assert {(r["round"], r["assessed_on"]) for r in rows} == {("2026-Q4", "2026-11-20")}
    overall = next(r for r in rows if r["kind"] == "overall")
    assert overall["explanation"].startswith("The PMO overall scores 2.45, level 2 (evolving).")


def test_a_future_assessment_date_is_refused(tmp_path, capsys):
    retail = str(EXAMPLES / "answers" / "retail-banking.csv")
    assert main(["score", retail, "-q", str(BANK), "--assessed-on", "2999-01-01"]) == 2
    err = capsys.readouterr().err
    assert "--assessed-on" in err and "2999-01-01 is in the future" in err


def test_csv_format_has_a_row_per_unit_dimension_and_capability(capsys):
    assert main(["score", *SAMPLES, "-q", str(BANK), "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 5 * (1 + 4 + 18)
    assert {r["kind"] for r in rows} == {"overall", "dimension", "capability"}


def test_csv_neutralises_formula_like_unit_names(tmp_path, capsys):
    path = tmp_path / "evil.csv"
    path.write_text("business_unit,respondent,role,question,answer,comment\n=cmd|' /c calc'!A1,Ann,,PPL-CUS-1,3,\n")
    assert main(["score", str(path), "-q", str(BANK), "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["business_unit"] == "'=cmd|' /c calc'!A1"


def test_validate_bundled_files_and_pick_the_matching_questionnaire(capsys):
    assert main(["validate", str(BANK), str(PULSE), *SAMPLES, TARGETS]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == 2 + len(SAMPLES) + 1
    assert "18 capabilities, 54 questions" in out and "against value-driven-pmo" in out


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "pmo_assess", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("pmo-assess ")


def test_a_unit_with_only_the_rooms_agreed_answers_is_named_as_left_out(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text("business_unit,respondent,role,question,answer,comment\n"
                       "Alpha,Ana,sponsor,P-T-1,3,\nRoom Only,consensus,,P-T-1,2,\n")
    assert main(["score", str(answers), "-q", str(DATA / "mini.yaml"), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "Room Only" not in out and "'Room Only' is left out" in err and "room's agreed answers" in err


def test_the_command_as_a_process_writes_what_main_writes(tmp_path, scores_json):
    """As a process, score parses its answers in the background and skips the last collection at exit:
    the file it writes is the same, and a bad questionnaire still ends with one message and status 2."""
    out = tmp_path / "scores.json"
    command = [sys.executable, "-m", "pmo_assess", "score", *SAMPLES, "-q", str(BANK), "-t", TARGETS,
               "-f", "json", "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == scores_json
    bad_bank = tmp_path / "bank.yaml"
    bad_bank.write_text("id: [unclosed\n")
    command[command.index(str(BANK))] = str(bad_bank)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert str(bad_bank) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("console, user_threads", [(True, None), (True, "4"), (False, None)])
def test_score_tunes_only_its_own_process(tmp_path, console, user_threads):
    """The pmo-assess script asks OpenBLAS for one thread before NumPy loads (it reads the count only then),
    unless the user chose one, and skips the last collection at exit; score called from other code (a
    notebook, a test) leaves that process's environment and exit alone."""
    probe = ("import atexit, gc, os, sys, pmo_assess.commands.score as score\n"
             "atexit.register(lambda: print('frozen at exit', gc.get_freeze_count() > 0))\n"
             "ask = score.keep_blas_single_threaded\n"
             "score.keep_blas_single_threaded = lambda: print('numpy loaded', 'numpy' in sys.modules) or ask()\n"
             "from pmo_assess.cli import main\n"
             f"main(['score', {SAMPLES[0]!r}, '-q', {str(BANK)!r}, '-f', 'json', '-o', {str(tmp_path / 's.json')!r}],"
             f" console={console})\n"
             "print('threads', os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if user_threads:
        env["OPENBLAS_NUM_THREADS"] = user_threads
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    expected = (["numpy loaded False", f"threads {user_threads or 1}", "frozen at exit True"] if console
                else ["threads None", "frozen at exit False"])
    assert result.stdout.splitlines() == expected
    assert (tmp_path / "s.json").exists()
