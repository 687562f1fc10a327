"""`pmo-assess validate` tells each kind of file apart and checks it against the right questionnaire."""
from __future__ import annotations

from pmo_assess.cli import main
from conftest import BANK, EXAMPLES, ROOT

LIBRARY = ROOT / "questionnaires" / "initiatives" / "value-driven-pmo.yaml"


def test_bundled_votes_library_and_targets_validate(capsys):
    assert main(["validate", str(BANK), str(EXAMPLES / "votes.yaml"), str(EXAMPLES / "targets.yaml"),
                 str(LIBRARY)]) == 0
    out = capsys.readouterr().out
    assert "votes: 7 participant(s) in 2 unit(s)" in out
    assert "74 initiatives, 27 KPIs against value-driven-pmo" in out


def test_packs_are_recognised_and_checked(tmp_path, capsys):
    assert main(["pack", "-q", str(BANK), "--unit", "Retail Banking", "--respondent", "Ann Example",
                 "--role", "sponsor", "--out", str(tmp_path)]) == 0
    pack = next(tmp_path.glob("*.xlsx"))
    capsys.readouterr()
    assert main(["validate", "-q", str(BANK), str(pack)]) == 2      # an unanswered pack is empty
    assert "the pack is empty" in capsys.readouterr().err
    assert main(["validate", str(pack)]) == 2
    assert "checked against its questionnaire" in capsys.readouterr().err


def test_votes_over_budget_are_named(tmp_path, capsys):
    votes = tmp_path / "votes.yaml"
    votes.write_text("questionnaire: value-driven-pmo\nvotes_per_participant: 3\nunits:\n"
                     "  Retail Banking:\n    Ann: {automation: 2, leadership: 2}\n")
    assert main(["validate", str(BANK), str(votes)]) == 2
    assert "units.Retail Banking.Ann (line 5): 4 votes cast, but each participant has 3" in capsys.readouterr().err


def test_unknown_file_kind(tmp_path, capsys):
    other = tmp_path / "notes.yaml"
    other.write_text("hello: world\n")
    assert main(["validate", str(other)]) == 2
    assert f"{other}: not a file pmo-assess knows" in capsys.readouterr().err


def test_a_roadmap_with_a_cycle_and_an_unknown_prerequisite_is_refused_naming_both(tmp_path, capsys):
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text("schema: pmo-assess/roadmap@1\nbusiness_unit: X\nitems:\n"
                       "  - {id: a, title: A, prerequisites: [b]}\n"
                       "  - {id: b, title: B, prerequisites: [a]}\n"
                       "  - {id: c, title: C, prerequisites: [zzz]}\n", encoding="utf-8")

    assert main(["validate", str(roadmap)]) == 2
    err = capsys.readouterr().err
    assert "items[0] a.prerequisites (line 4): prerequisite cycle: a -> b -> a" in err
    assert "items[2] c.prerequisites (line 6): unknown prerequisite 'zzz'" in err
    assert "Traceback" not in err
