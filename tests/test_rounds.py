"""Reading a history of rounds: layouts, bad input named by file (exit 2), question matching through replaces:."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import DATA
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.rounds.comparison import ORGANISATION, compare_history
from pmo_assess.rounds.history import read_history
from test_rounds_fixtures import write_round

ROUNDS = DATA / "rounds"
V1, V2 = ROUNDS / "bank-v1.yaml", ROUNDS / "bank-v2.yaml"


def answers(path: Path, values: dict[str, int], unit: str = "Alpha") -> Path:
    rows = ["business_unit,respondent,role,question,answer,comment"]
    rows += [f"{unit},Ana,pm,{question},{value}," for question, value in values.items()]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def two_banks(tmp_path) -> Path:
    """Round A scored with bank v1, round B with v2 (P-T-3 replaces P-T-2; G-M-2 dropped, G-M-3 new)."""
    history = tmp_path / "history"
    first = answers(tmp_path / "a.csv", {"P-T-1": 1, "P-T-2": 1, "P-L-1": 2, "G-B-1": 1, "G-B-2": 1, "G-M-1": 2,
                                         "G-M-2": 2})
    second = answers(tmp_path / "b.csv", {"P-T-1": 2, "P-T-3": 2, "P-L-1": 2, "G-B-1": 3, "G-B-2": 3, "G-M-1": 3,
                                          "G-M-3": 3})
    write_round(history, "A", dt.date(2025, 5, 1), [first], V1)
    write_round(history, "B", dt.date(2026, 5, 1), [second], V2)
    return history


def change(comparison, kind: str, ident: str):
    rows = comparison.changes
    return rows[(rows["business_unit"] == "Alpha") & (rows["kind"] == kind) & (rows["id"] == ident)].iloc[0]


def test_replaces_keeps_a_capability_comparable_and_an_unmatched_question_does_not(two_banks):
    banks = {(b.id, b.version): b for b in map(load_questionnaire, (V1, V2))}
    comparison = compare_history(read_history([two_banks]), banks)
    # talent: P-T-3 continues P-T-2; (1×1 + 3×1)/4 = 1.0 → (1×2 + 3×2)/4 = 2.0: level 1 → 2
    talent = change(comparison, "capability", "talent")
    assert (talent["status"], talent["level_before"], talent["level"]) == ("rose", 1, 2)
    assert change(comparison, "capability", "leadership")["status"] == "same level"  # 2 → 2
    assert change(comparison, "capability", "benefits")["status"] == "rose"  # 1.0 → 3.0
    measures = change(comparison, "capability", "measures")
    assert measures["status"] == "not comparable"
    assert "G-M-3" in measures["reason"] and "G-M-2 no longer asked" in measures["reason"]
    assert measures["level_change"] != measures["level_change"]  # NaN: no change is claimed
    assert change(comparison, "dimension", "governance")["status"] == "not comparable"
    assert change(comparison, "dimension", "people")["status"] == "rose"  # people rests on talent and leadership
    assert change(comparison, "overall", "overall")["status"] == "not comparable"
    assert any("P-T-3 ← P-T-2" in f and "new questions: G-M-3" in f and "no longer asked: G-M-2" in f
               for f in comparison.flags)


def test_a_bank_change_without_both_banks_is_flagged(two_banks):
    comparison = compare_history(read_history([two_banks]))
    assert any("compared by capability id only" in f and "mini 0.1.0 and mini 0.2.0" in f for f in comparison.flags)


def test_compare_command_matches_questions_with_the_banks_given(two_banks, capsys):
    assert main(["compare", str(two_banks), "-q", str(V1), "-q", str(V2), "--unit", "Alpha"]) == 0
    out = capsys.readouterr().out
    assert "capability measures: not comparable — questions changed: new question G-M-3" in out
    assert "talent" in out.split("Rose since A:")[1].split("\n\n")[0]


def test_rounds_scored_with_other_thresholds_are_flagged(tmp_path):
    other = tmp_path / "bank-v1-thresholds.yaml"
    other.write_text(V1.read_text().replace("thresholds: [1.75, 2.5, 3.25]", "thresholds: [2.25, 2.75, 3.5]"))
    data = answers(tmp_path / "a.csv", {"P-T-1": 2, "P-T-2": 2, "P-L-1": 2, "G-B-1": 2, "G-B-2": 2, "G-M-1": 2,
                                        "G-M-2": 2})
    history = tmp_path / "history"
    write_round(history, "A", dt.date(2025, 5, 1), [data], V1)
    write_round(history, "B", dt.date(2026, 5, 1), [data], other)
    comparison = compare_history(read_history([history]))
    assert any("scored differently" in f and "thresholds 1.75/2.5/3.25" in f and "thresholds 2.25/2.75/3.5" in f
               for f in comparison.flags)
    # the same answers (all 2): level 2 when 1.75 starts level 2, level 1 when 2.25 does: the method, not the PMO
    talent = change(comparison, "capability", "talent")
    assert (talent["status"], bool(talent["method_changed"])) == ("fell", True)


def copy_history(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROUNDS / "history", tmp_path / "history"))


def problems(paths, today: dt.date | None = None) -> str:
    with pytest.raises(InputErrors) as caught:
        read_history(paths, today=today)
    return caught.value.render()


def test_same_label_with_another_date_names_both_files(tmp_path):
    history = copy_history(tmp_path)
    extra = tmp_path / "extra.json"
    data = json.loads((history / "rounds/2025-R2/units/retail-banking/scores.json").read_text())
    data["round"] = {"label": "2025-R2", "assessed_on": "2025-12-01"}
    extra.write_text(json.dumps(data))
    text = problems([history, extra])
    assert str(extra) in text and "2025-R2/units/" in text and "2025-12-01" in text and "2025-11-03" in text


def test_same_round_and_unit_with_other_scores_names_both_files(tmp_path):
    history = copy_history(tmp_path)
    extra = tmp_path / "extra.json"
    data = json.loads((history / "rounds/2025-R2/units/retail-banking/scores.json").read_text())
    data["units"][0]["overall"]["score"] = 3.9
    extra.write_text(json.dumps(data))
    text = problems([history, extra])
    assert f"{extra}: units['Retail Banking']: round 2025-R2 already has different scores" in text
    assert "2025-R2/units/retail-banking/scores.json" in text
    # the same file given twice is the same data: merged, not refused
    again = history / "rounds/2025-R2/units/retail-banking/scores.json"
    assert len(read_history([history, again]).rounds) == 3


def test_future_round_date_newer_schema_and_missing_round(tmp_path):
    history = copy_history(tmp_path)
    text = problems([history], today=dt.date(2026, 6, 1))
    assert "2026-R3/round.json: round.assessed_on: 2026-11-02 is in the future (today is 2026-06-01)" in text
    round_file = history / "rounds/2024-R1/round.json"
    round_file.write_text(round_file.read_text().replace("pmo-assess/round@1", "pmo-assess/round@2"))
    scores = history / "rounds/2025-R2/units/insurance-claims/scores.json"
    scores.write_text(scores.read_text().replace("pmo-assess/scores@1", "pmo-assess/scores@2"))
    text = problems([history])
    assert "2024-R1/round.json: schema: was written by a newer pmo-assess (pmo-assess/round@2)" in text
    assert "insurance-claims/scores.json: schema: was written by a newer pmo-assess (pmo-assess/scores@2)" in text
    bare = tmp_path / "bare.json"
    data = json.loads((history / "rounds/2026-R3/units/retail-banking/scores.json").read_text())
    del data["round"]
    bare.write_text(json.dumps(data))
    assert "has no round" in problems([bare])


def test_scores_files_alone_make_rounds_and_a_folder_without_rounds_is_named(tmp_path):
    history = ROUNDS / "history"
    files = sorted(history.glob("rounds/*/units/retail-banking/scores.json"))
    found = read_history(files)
    assert [r.name for r in found.rounds] == ["2024-R1", "2025-R2", "2026-R3"]
    assert found.units == ["Retail Banking"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no units/<unit>/scores.json" in problems([empty])


def test_bad_history_is_exit_2_and_out_is_not_written(tmp_path, capsys):
    history = copy_history(tmp_path)
    round_file = history / "rounds/2024-R1/round.json"
    round_file.write_text(round_file.read_text().replace("pmo-assess/round@1", "pmo-assess/round@2"))
    out = tmp_path / "out.csv"
    out.write_text("kept\n")
    assert main(["compare", str(history), "--format", "csv", "--out", str(out)]) == 2
    assert "newer pmo-assess" in capsys.readouterr().err
    assert out.read_text() == "kept\n"


def staged_history(tmp_path: Path, method: str = "staged") -> Path:
    """One unit, dimensions weighted equally: overall L2 in both rounds, capped by governance (L1) in the first.

    A: people 4.0 (L4), governance (1.0 + 2.0)/2 = 1.5 (L1); overall 2.75 is L3 by score, capped to L2.
    B: people 3.0 (L3), governance 1.5 (L1); overall 2.25 is L2.
    """
    bank = tmp_path / "bank-equal.yaml"
    text = V1.read_text().replace("    weight: 3\n", "    weight: 1\n").replace("method: staged", f"method: {method}")
    bank.write_text(text)
    governance = {"G-B-1": 1, "G-B-2": 1, "G-M-1": 2, "G-M-2": 2}
    first = answers(tmp_path / "a.csv", {"P-T-1": 4, "P-T-2": 4, "P-L-1": 4, **governance})
    second = answers(tmp_path / "b.csv", {"P-T-1": 3, "P-T-2": 3, "P-L-1": 3, **governance})
    history = tmp_path / "history"
    write_round(history, "A", dt.date(2025, 5, 1), [first], bank)
    write_round(history, "B", dt.date(2026, 5, 1), [second], bank)
    return history


def organisation_change(comparison, kind: str, ident: str):
    rows = comparison.changes
    return rows[(rows["business_unit"] == ORGANISATION) & (rows["kind"] == kind) & (rows["id"] == ident)].iloc[0]


def test_organisation_levels_are_staged_like_a_units(tmp_path, capsys):
    history = staged_history(tmp_path)
    comparison = compare_history(read_history([history]))
    unit = change(comparison, "overall", "overall")
    assert (unit["status"], unit["level_before"], unit["level"]) == ("same level", 2, 2)
    org = organisation_change(comparison, "overall", "overall")
    assert (org["score_before"], org["score"]) == (2.75, 2.25)  # L3 and L2 by score alone
    assert (org["status"], org["level_before"], org["level"]) == ("same level", 2, 2)  # capped by governance L1
    assert (organisation_change(comparison, "dimension", "governance")["level"],
            organisation_change(comparison, "dimension", "people")["level"]) == (1, 3)
    assert main(["compare", str(history)]) == 0
    out = capsys.readouterr().out
    regressions = out.split("Regressions in the latest round")[1].split("Units ranked")[0]
    assert "Organisation: dimension people L4 → L3" in regressions  # people did fall (4.0 → 3.0)
    assert "overall" not in regressions
    assert "lowest organisation dimension level + 1" in " ".join(out.split())  # the rule is stated with the figures


def test_organisation_levels_with_method_mean_are_the_levels_of_the_means(tmp_path):
    comparison = compare_history(read_history([staged_history(tmp_path, "mean")]))
    for frame in (change(comparison, "overall", "overall"), organisation_change(comparison, "overall", "overall")):
        assert (frame["status"], frame["level_before"], frame["level"]) == ("fell", 3, 2)
