"""roadmap.yaml: generated once, edited by hand, merged on regeneration without losing a byte of the edits."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import BANK, DATA, EXAMPLES
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.roadmap.changes import roadmap_changes
from pmo_assess.roadmap.checks import wave_loads
from pmo_assess.roadmap.library import load_library
from pmo_assess.roadmap.planner import PlanOptions, plan_unit
from pmo_assess.roadmap.roadmap_file import (
    RoadmapSettings,
    Scheduled,
    commitments_from,
    load_roadmap,
    previous_path,
    write_roadmap,
)
from pmo_assess.roadmap.state import UnitState

MINI = load_questionnaire(DATA / "mini.yaml")
LIBRARY = load_library(DATA / "planning" / "mini-library.yaml", MINI)
SETTINGS = RoadmapSettings(wave_weeks=12, capacity=40, starts_on=dt.date(2027, 1, 4))
DAY1, DAY2 = dt.date(2026, 11, 22), dt.date(2027, 2, 1)


def state(levels, targets) -> UnitState:
    levels = np.array(levels, dtype=float)
    return UnitState(MINI, "Unit", levels, levels, np.array(targets, dtype=float), np.array([2.0, 2.0]),
                     np.array([3.0, 3.0]))


BASE = state([1, 2, 1, 3], [3, 4, 3, 2])


def generate(path: Path, unit_state: UnitState = BASE, today: dt.date = DAY1):
    """Plan around what the file already fixes (if it exists) and write or merge it."""
    commitments = commitments_from(load_roadmap(path), LIBRARY) if path.exists() else None
    plan = plan_unit(unit_state, LIBRARY, PlanOptions(capacity=40, starts_on=SETTINGS.starts_on),
                     votes={"benefits": 5, "talent": 2},
                     **({"commitments": commitments} if commitments else {}))
    return write_roadmap(path, plan, LIBRARY, SETTINGS, today)


def blocks(text: str) -> dict[str, str]:
    """Each item's exact text, by id."""
    items = text.split("\nitems:\n", 1)[1].split("\nuncovered:", 1)[0] + "\n"
    parts = re.split(r"(?m)^(?=  - id: )", items)
    return {re.match(r"  - id: (\S+)", p).group(1): p for p in parts if p.startswith("  - id: ")}


def changed_keys(before: str, after: str) -> set[str]:
    """The keys whose lines differ between two versions of an item's block (added or changed)."""
    old = set(before.splitlines())
    return {line.strip().lstrip("- ").split(":")[0] for line in after.splitlines() if line not in old}


def edit_item(text: str, item_id: str, old: str, new: str) -> str:
    block = blocks(text)[item_id]
    assert old in block
    return text.replace(block, block.replace(old, new, 1), 1)


def test_generated_file_reads_back(tmp_path):
    path = tmp_path / "roadmap.yaml"
    changes = generate(path)
    assert changes.created and changes.summary() == "created with 7 items"
    roadmap = load_roadmap(path, MINI)
    assert roadmap.business_unit == "Unit" and roadmap.questionnaire == "mini"
    assert roadmap.library == "mini-initiatives 0.1.0"
    assert roadmap.settings == SETTINGS
    assert [i.id for i in roadmap.items] == ["BEN-1b", "BEN-1a", "TAL-1", "BEN-2", "TAL-2", "LEA-2", "LEA-3"]
    first = roadmap.items[0]
    assert (first.capability, first.from_level, first.to_level, first.wave, first.effort) == ("benefits", 1, 2, 1, 5.0)
    assert first.why == {"gap": 20.0, "importance": 10.0, "votes": 20.0, "effort": 8.75, "unblocks": 0.0}
    assert (first.status, first.owner, first.pinned, first.custom, first.quick_win) == ("planned", "", False, False, True)
    assert roadmap.item("BEN-2").prerequisites == ("BEN-1a", "BEN-1b")
    assert roadmap.item("BEN-2").kpis == ("benefits-tracked",)
    # scheduled in weeks (see test_planner's hand-computed plan): BEN-2 and LEA-3 start as soon as
    # what they need ends, inside waves 1 and 3
    assert {w: [i.id for i in items] for w, items in roadmap.waves().items()} == {
        1: ["BEN-1b", "BEN-1a", "TAL-1", "BEN-2"], 2: ["TAL-2"], 3: ["LEA-2", "LEA-3"]}
    assert roadmap.wave_dates(2) == (dt.date(2027, 3, 29), dt.date(2027, 6, 20))
    # every item has planned dates (Monday of its first week to Sunday of its last) and the tool's record
    assert (first.start, first.end) == (dt.date(2027, 1, 4), dt.date(2027, 1, 24))  # 3 weeks
    lea3 = roadmap.item("LEA-3")
    assert (lea3.start, lea3.end) == (dt.date(2027, 8, 23), dt.date(2027, 10, 31))  # the day after LEA-2 ends
    assert roadmap.item("LEA-2").end == dt.date(2027, 8, 22)
    assert lea3.scheduled == Scheduled(wave=3, start=lea3.start, end=lea3.end)
    # projected maturity per wave is written into the file too
    assert roadmap.projection[0] == {"wave": 0, "ends": None, "overall": 2, "people": 1, "governance": 2}
    assert roadmap.projection[-1]["wave"] == 4 and roadmap.projection[-1]["people"] == 3
    assert roadmap.history == ({"version": 1, "on": DAY1, "added": 7, "closed": 0, "reopened": 0, "moved": 0},)
    assert not previous_path(path).exists()


def test_hand_edits_and_comments_survive_regeneration_byte_for_byte(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    text = path.read_text()
    text = text.replace("items:\n", "items:\n  # Agreed with the sponsor on 2026-11-25: governance first.\n", 1)
    text = edit_item(text, "BEN-1b", "owner: ''", "owner: Ana Silva   # she asked for it")
    text = edit_item(text, "TAL-2", "notes: ''", "notes: \"Needs HR: see =cmd|'/c calc'!A1\"")
    text = edit_item(text, "LEA-3", "start: 2027-08-23\n", "start: 2027-10-04\n")  # a date of our own
    text = text.replace("\nuncovered:", "\n  - id: hire-analyst\n    title: Hire a PMO analyst\n    wave: 2\n"
                                        "    effort: 5   # our own item\nuncovered:", 1)
    path.write_text(text)
    edited = path.read_text()

    # benefits is now at 2 (its 1->2 step closed); measures' target rose to 4 (a new gap)
    changes = generate(path, state([1, 2, 2, 3], [3, 4, 3, 4]), today=DAY2)
    after = path.read_text()
    assert changes.closed == ["BEN-1b", "BEN-1a"]
    assert changes.added == ["MEA-3"]
    assert previous_path(path).read_text() == edited  # the version before is kept, exactly

    before_blocks, after_blocks = blocks(edited), blocks(after)
    # benefits' step 1->2 is reached, so the room of the two closed BEN-1 items frees weeks: TAL-1, BEN-2
    # and TAL-2 start earlier (only their dates and the tool's record change; the notes with their
    # formula-like text stay byte for byte), LEA-2 moves a wave earlier
    assert changed_keys(before_blocks["TAL-1"], after_blocks["TAL-1"]) == {"start", "end", "scheduled"}
    assert changed_keys(before_blocks["TAL-2"], after_blocks["TAL-2"]) == {"start", "end", "scheduled"}
    assert "    notes: \"Needs HR: see =cmd|'/c calc'!A1\"\n" in after_blocks["TAL-2"]
    assert [(m.id, m.before, m.after) for m in changes.moved] == [("LEA-2", 3, 2), ("LEA-3", 3, 4)]
    assert changes.moved[0].reason == "capacity freed up earlier"
    # LEA-3 keeps the start we gave it; its wave follows that date, its end is planned from it
    assert changes.moved[1].reason == "its start 2027-10-04 is set by hand, and that is in wave 4"
    assert changed_keys(before_blocks["LEA-3"], after_blocks["LEA-3"]) == {"wave", "end", "scheduled"}
    assert "start: 2027-10-04\n" in after_blocks["LEA-3"] and "end: 2027-12-12\n" in after_blocks["LEA-3"]
    assert "kept LEA-3 at start 2027-10-04: set by hand" in changes.details()
    # our own item keeps its wave and comment; it gets planned dates inside that wave
    assert after_blocks["hire-analyst"] == before_blocks["hire-analyst"] + (
        "    start: 2027-03-29\n    end: 2027-06-20\n    scheduled: {wave: null, start: 2027-03-29, end: 2027-06-20}\n")
    # the header, the comment above the items and the settings are untouched
    assert after.split("\nitems:\n")[0] == edited.split("\nitems:\n")[0]
    assert "  # Agreed with the sponsor on 2026-11-25: governance first.\n" in after
    # a closed gap is marked, never deleted; the human edit on it is kept
    assert after_blocks["BEN-1b"] == before_blocks["BEN-1b"].replace("status: planned", "status: closed-gap")
    assert "owner: Ana Silva   # she asked for it" in after_blocks["BEN-1b"]
    assert after_blocks["MEA-3"].startswith("  - id: MEA-3\n    title: Benchmarking\n")
    roadmap = load_roadmap(path)
    assert roadmap.item("BEN-1a").status == "closed-gap" and not roadmap.item("BEN-1a").active
    assert roadmap.item("hire-analyst").custom and roadmap.item("hire-analyst").effort == 5
    assert roadmap.history[-1] == {"version": 2, "on": DAY2, "added": 1, "closed": 2, "reopened": 0, "moved": 2}


def test_regenerating_with_nothing_new_writes_nothing(tmp_path):
    # issue 9 case 3: a rerun that changes nothing leaves the file, the previous version and the history alone
    path = tmp_path / "roadmap.yaml"
    generate(path)
    first = path.read_bytes()
    changes = generate(path, today=DAY2)
    assert (changes.added, changes.closed, changes.reopened, changes.moved) == ([], [], [], [])
    assert changes.unchanged and changes.summary() == "unchanged (nothing to write)"
    assert path.read_bytes() == first and not previous_path(path).exists()
    # with an earlier version kept, an idle rerun keeps that one too (the "what changed" view stays)
    path.write_text(edit_item(path.read_text(), "TAL-1", "owner: ''", "owner: Ben"))
    generate(path, state([1, 2, 2, 3], [3, 4, 3, 4]), today=DAY2)
    current, previous = path.read_bytes(), previous_path(path).read_bytes()
    assert generate(path, state([1, 2, 2, 3], [3, 4, 3, 4]), today=dt.date(2027, 3, 1)).unchanged
    assert (path.read_bytes(), previous_path(path).read_bytes()) == (current, previous)


def test_pinned_in_progress_done_dropped_are_respected(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    text = path.read_text()
    text = edit_item(text, "LEA-2", "wave: 3\n", "wave: 4\n")
    text = edit_item(text, "LEA-2", "pinned: false", "pinned: true")
    text = edit_item(text, "LEA-3", "wave: 3\n", "wave: 5\n")  # moved by hand, not pinned
    text = edit_item(text, "TAL-1", "status: planned", "status: done")
    text = edit_item(text, "BEN-1a", "status: planned", "status: dropped")
    text = edit_item(text, "TAL-2", "effort: 20", "effort: 38")  # our own estimate
    path.write_text(text)
    changes = generate(path, today=DAY2)
    roadmap = load_roadmap(path)
    assert roadmap.item("LEA-2").wave == 4  # pinned: stays, although wave 2 has room
    assert roadmap.item("LEA-3").wave == 5  # moved by hand without a pin: a commitment too (issue 9 case 2)
    assert roadmap.item("TAL-1").status == "done" and roadmap.item("BEN-1a").status == "dropped"
    assert roadmap.item("TAL-2").effort == 38
    # a hand-moved wave takes planned dates inside it (the old ones belonged to the old wave)
    assert roadmap.wave_dates(4)[0] <= roadmap.item("LEA-2").start <= roadmap.wave_dates(4)[1]
    assert roadmap.wave_dates(5)[0] <= roadmap.item("LEA-3").start <= roadmap.wave_dates(5)[1]
    # BEN-1a dropped, TAL-1 done: BEN-2 starts the day after BEN-1b ends; TAL-2 at our 38 days (4.75 a
    # week, more than the 3.33 a week of capacity) is stretched to 12 weeks and starts when BEN-2 ends
    assert roadmap.item("BEN-1b").end == dt.date(2027, 1, 24) and roadmap.item("BEN-2").start == dt.date(2027, 1, 25)
    assert roadmap.item("TAL-2").start == dt.date(2027, 3, 22) and roadmap.item("TAL-2").end == dt.date(2027, 6, 13)
    assert [m.id for m in changes.moved] == ["TAL-2"]
    assert "kept LEA-2 at wave 4: set by hand (the planner had wave 3)" in changes.details()
    assert "kept LEA-3 at wave 5: set by hand (the planner had wave 3)" in changes.details()
    assert generate(path, today=DAY2).unchanged  # and the next rerun keeps all of it


def test_an_item_with_a_library_id_is_that_initiative_even_without_origin(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    text = edit_item(path.read_text(), "TAL-1", "    origin: library\n", "")
    path.write_text(edit_item(text, "TAL-1", "status: planned", "status: done"))
    changes = generate(path, today=DAY2)
    roadmap = load_roadmap(path)
    assert [i.id for i in roadmap.items].count("TAL-1") == 1 and "TAL-1" not in changes.added
    assert roadmap.item("TAL-1").status == "done"


def test_closed_gap_reopens_when_the_gap_returns(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    generate(path, state([1, 2, 2, 3], [3, 4, 3, 2]), today=DAY2)
    assert load_roadmap(path).item("BEN-1a").status == "closed-gap"
    changes = generate(path, today=dt.date(2027, 5, 1))
    assert sorted(changes.reopened) == ["BEN-1a", "BEN-1b"]
    assert load_roadmap(path).item("BEN-1a").status == "planned"


def test_changes_since_the_previous_version(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    path.write_text(edit_item(path.read_text(), "TAL-1", "owner: ''", "owner: Ben"))
    generate(path, state([1, 2, 2, 3], [3, 4, 3, 4]), today=DAY2)
    table = roadmap_changes(load_roadmap(previous_path(path)), load_roadmap(path))
    rows = {(r.item, r.change, r.field): (r.before, r.after) for r in table.itertuples()}
    assert rows[("MEA-3", "added", "")] == ("", f"wave {load_roadmap(path).item('MEA-3').wave}")
    assert rows[("BEN-1a", "edited", "status")] == ("planned", "closed-gap")
    assert ("TAL-1", "edited", "owner") not in rows  # the owner was set before the regeneration


def test_bad_roadmap_lists_every_problem(tmp_path):
    path = tmp_path / "roadmap.yaml"
    path.write_text("""schema: pmo-assess/roadmap@1
business_unit: Unit
questionnaire: mini
settings: {wave_weeks: 12, capacity: -5}
items:
  - id: A
    title: First
    capability: talnet
    wave: 0
    status: finished
    start: next week
  - id: A
    title: Again
    pinned: yes please
    start: 2027-03-01
    end: 2027-02-01
  - just text
""")
    with pytest.raises(InputErrors) as caught:
        load_roadmap(path, MINI)
    text = caught.value.render()
    for expected in ("settings.capacity (line 4): must be a number greater than 0, got -5",
                     "items[0].status (line 10): must be one of planned, in-progress, done, dropped, closed-gap, got 'finished'",
                     "items[0].wave (line 9): must be a whole number at least 1, got 0",
                     "items[0].start (line 11): must be a date YYYY-MM-DD, got 'next week'",
                     "items[0].capability (line 8): unknown capability id 'talnet' in questionnaire 'mini'",
                     "items[1].pinned (line 14): must be true or false, got 'yes please'",
                     "items[1].end (line 16): ends (2027-02-01) before it starts (2027-03-01)",
                     "items[1].id (line 12): duplicate id 'A' (also items[0])",
                     "items[2]: must be a mapping with at least id and title"):
        assert f"{path}: {expected}" in text, expected
    assert main(["validate", "-q", str(DATA / "mini.yaml"), str(path)]) == 2
    path.write_text(path.read_text().replace("next week", "2027-02-30"))
    with pytest.raises(InputErrors, match=r"line 11 \(2027-02-30\): invalid date: day is out of range for month"):
        load_roadmap(path)


def test_roadmap_command_end_to_end(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    args = ["roadmap", str(EXAMPLES / "answers" / "retail-banking.csv"), "-q", str(BANK),
            "-t", str(EXAMPLES / "targets.yaml"), "--votes", str(DATA / "planning" / "votes.yaml"),
            "--out", str(out), "--starts-on", "2027-01-04", "--capacity", "50"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    path = out / "retail-banking" / "roadmap.yaml"
    assert f"Retail Banking: {path} created with" in printed
    roadmap = load_roadmap(path)
    assert roadmap.settings.capacity == 50 and roadmap.settings.starts_on == dt.date(2027, 1, 4)
    # the work falling in each wave's weeks stays within its capacity (items may run into the next wave)
    assert all(load <= 50 + 1e-6 for load in wave_loads(roadmap).values())
    # votes count: talent-development got the most (5) → 20 points; benefits-management 4 of 5 → 16
    by_capability = {i.capability: i.why["votes"] for i in roadmap.items}
    assert by_capability["talent-development"] == 20 and by_capability["benefits-management"] == 16
    assert by_capability["pmo-mandate"] == 8 and by_capability["light-touch-governance"] == 0
    assert main(["validate", "-q", str(BANK), str(path)]) == 0

    before = path.read_bytes()
    assert main(args[:-2]) == 0  # rerun: the file's own capacity (50) stays, and nothing changes
    assert f"Retail Banking: {path} unchanged (nothing to write)" in capsys.readouterr().out
    assert load_roadmap(path).settings.capacity == 50 and path.read_bytes() == before

    assert main(args + ["--unit", "Atlantis"]) == 2
    assert "no answers for business unit 'Atlantis'" in capsys.readouterr().err
    # a capacity too small for an initiative's pace stretches it, and says so; work is never over capacity
    assert main(args[:-2] + ["--capacity", "10"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"note: \S+ takes \d+ weeks instead of \d+: \d+ person-days at the weekly capacity of 0.833", printed)
    assert "capacity 50 -> 10" in printed  # the moves say why: the settings changed
    assert all(load <= 10 + 1e-6 for load in wave_loads(load_roadmap(path)).values())


def test_roadmap_of_another_unit_is_refused(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    common = [str(EXAMPLES / "answers" / "retail-banking.csv"), str(EXAMPLES / "answers" / "insurance-claims.csv"),
              "-q", str(BANK), "-t", str(EXAMPLES / "targets.yaml"), "--out", str(out)]
    assert main(["roadmap", *common, "-u", "Insurance Claims"]) == 0
    (out / "retail-banking").mkdir()
    (out / "retail-banking" / "roadmap.yaml").write_bytes((out / "insurance-claims" / "roadmap.yaml").read_bytes())
    assert main(["roadmap", *common, "-u", "Retail Banking"]) == 2
    assert "this roadmap is for 'Insurance Claims', not 'Retail Banking'" in capsys.readouterr().err


def test_roadmap_command_counts_the_pmo_heads_own_items_in_the_load_it_prints(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    args = ["roadmap", str(EXAMPLES / "answers" / "retail-banking.csv"), "-q", str(BANK),
            "-t", str(EXAMPLES / "targets.yaml"), "--out", str(out), "--starts-on", "2027-01-04", "--capacity", "50"]
    assert main(args) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    text = path.read_text(encoding="utf-8")
    own = "  - {id: MY-HIRE, title: Hire a PMO analyst, wave: 1, effort: 20, status: planned}\n"
    path.write_text(text.replace("\nuncovered:", "\n" + own + "uncovered:", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(args[:-2]) == 0
    printed = capsys.readouterr().out
    load = [float(x) for x in re.search(r"person-days per wave: ([\d., ]+);", printed).group(1).split(", ")]
    roadmap = load_roadmap(path)
    expected = [round(v, 1) for v in wave_loads(roadmap).values()]
    assert load == expected and load[0] <= 50
    # our own item (20 person-days, no duration: spread over its wave) takes its share of wave 1
    assert roadmap.item("MY-HIRE").start == dt.date(2027, 1, 4) and roadmap.item("MY-HIRE").end == dt.date(2027, 3, 28)
    assert any(i.id == "MY-HIRE" and i.wave == 1 for i in roadmap.waves()[1])


def test_a_broken_roadmap_of_one_unit_stops_the_run_before_any_unit_is_written(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    common = [str(EXAMPLES / "answers" / "insurance-claims.csv"), str(EXAMPLES / "answers" / "retail-banking.csv"),
              "-q", str(BANK), "-t", str(EXAMPLES / "targets.yaml"), "--out", str(out)]
    broken = out / "retail-banking" / "roadmap.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("schema: pmo-assess/roadmap@1\nbusiness_unit: Retail Banking\nitems:\n"
                      "  - {id: MY-1, title: Mine, wave: two}\n")
    before = broken.read_bytes()
    assert main(["roadmap", *common]) == 2
    err = capsys.readouterr().err
    assert "retail-banking/roadmap.yaml: items[0].wave (line 4): must be a whole number at least 1, got 'two'" in err
    assert not (out / "insurance-claims").exists()  # the unit listed first was not written either
    assert broken.read_bytes() == before and not previous_path(broken).exists()


def test_two_units_with_the_same_folder_name_are_refused_not_merged(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text("business_unit,respondent,role,question,answer,comment\n"
                       "R&D,Ana,sponsor,PPL-CUS-1,2,\nR D,Ben,sponsor,PPL-CUS-1,3,\n")
    out = tmp_path / "roadmaps"
    args = ["roadmap", str(answers), "-q", str(BANK), "-t", str(EXAMPLES / "targets.yaml"), "--out", str(out)]
    assert main(args) == 2
    assert "units 'R&D' and 'R D' would share this roadmap file" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("arguments", [["--capacity", "nan"], ["--wave-weeks", "inf"]])
def test_roadmap_command_refuses_non_finite_numbers(tmp_path, capsys, arguments):
    args = ["roadmap", str(EXAMPLES / "answers" / "retail-banking.csv"), "-q", str(BANK),
            "-t", str(EXAMPLES / "targets.yaml"), "--out", str(tmp_path / "out"), *arguments]
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert "must be a finite number greater than 0" in capsys.readouterr().err


def test_nan_and_infinite_numbers_in_a_roadmap_are_listed_not_a_hang_or_traceback(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    args = ["roadmap", str(EXAMPLES / "answers" / "retail-banking.csv"), "-q", str(BANK),
            "-t", str(EXAMPLES / "targets.yaml"), "--out", str(out)]
    assert main(args) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    text = path.read_text()
    text = text.replace("    effort: 12\n", "    effort: .nan\n", 1).replace("    wave: 1\n", "    wave: .inf\n", 1)
    text = text.replace("capacity: 120", "capacity: .nan", 1)
    path.write_text(text)
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "items[0].effort (line 18): must be a number greater than 0, got nan" in err
    assert "items[0].wave (line 17): must be a whole number at least 1, got inf" in err
    assert "settings.capacity" in err and "got nan" in err
