"""Rerun semantics a PMO head can trust (issue 9 cases 1, 2, 3, 5) and full validation of a hand-edited roadmap."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BANK, EXAMPLES
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.files import read_yaml, write_yaml
from pmo_assess.io.locks import locked
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.roadmap.checks import check_item_field, check_roadmap, roadmap_schedule, wave_loads
from pmo_assess.roadmap.library import load_library
from pmo_assess.roadmap.roadmap_file import load_roadmap, previous_path
from test_roadmap_file import DAY2, blocks, changed_keys, edit_item, generate, state

pytestmark = pytest.mark.timeout(120)

ANSWERS = EXAMPLES / "answers"
TARGETS = EXAMPLES / "targets.yaml"
BANK_LIBRARY = load_library(BANK.parent / "initiatives" / "value-driven-pmo.yaml", load_questionnaire(BANK))


def roadmap_args(out: Path, *answers: str, extra: tuple[str, ...] = ()) -> list[str]:
    files = [str(ANSWERS / a) for a in answers]
    return ["roadmap", *files, "-q", str(BANK), "-t", str(TARGETS), "--out", str(out), "--starts-on", "2027-01-04",
            *extra]


# --- issue 9, case 1: a pin (and a hand-moved wave) survive a gap that closes and reopens --------------

def test_pin_and_hand_moved_wave_survive_a_gap_that_closes_and_reopens(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    text = path.read_text()
    text = edit_item(text, "LEA-2", "wave: 3\n", "wave: 4   # agreed with the sponsor\n")
    text = edit_item(text, "LEA-2", "pinned: false", "pinned: true")
    text = edit_item(text, "LEA-2", "owner: ''", "owner: Ana")
    text = edit_item(text, "BEN-2", "wave: 1\n", "wave: 2\n")  # moved by hand, no pin
    text = edit_item(text, "BEN-2", "notes: ''", "notes: after the audit")
    path.write_text(text)
    generate(path, today=DAY2)
    committed = blocks(path.read_text())
    assert "wave: 4   # agreed with the sponsor" in committed["LEA-2"] and "wave: 2\n" in committed["BEN-2"]

    # leadership reaches 3 and benefits 3: LEA-2, BEN-1a/b and BEN-2 close; only their status changes
    changes = generate(path, state([1, 3, 3, 3], [3, 4, 3, 2]), today=DAY2)
    assert sorted(changes.closed) == ["BEN-1a", "BEN-1b", "BEN-2", "LEA-2"]
    closed = blocks(path.read_text())
    for item in ("LEA-2", "BEN-2"):
        assert changed_keys(committed[item], closed[item]) == {"status"}, item

    # the answers come back: the items reopen exactly as they were, commitments honoured
    changes = generate(path, today=DAY2)
    assert sorted(changes.reopened) == ["BEN-1a", "BEN-1b", "BEN-2", "LEA-2"]
    reopened = blocks(path.read_text())
    assert reopened["LEA-2"] == committed["LEA-2"] and reopened["BEN-2"] == committed["BEN-2"]
    roadmap = load_roadmap(path)
    lea2 = roadmap.item("LEA-2")
    assert lea2.wave == 4 and lea2.pinned and lea2.owner == "Ana"
    assert roadmap.wave_dates(4)[0] <= lea2.start <= roadmap.wave_dates(4)[1]
    assert roadmap.item("LEA-3").start > lea2.end  # what needs it waits for it
    assert "kept LEA-2 at wave 4: set by hand (the planner had wave 3)" in changes.details()
    assert "kept BEN-2 at wave 2: set by hand (the planner had wave 1)" in changes.details()


# --- issue 9, case 2: a hand-moved wave is kept, and every move is named with its reason --------------

def test_cli_keeps_a_hand_moved_wave_and_names_every_item_it_moves(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    assert main(roadmap_args(out, "retail-banking.csv")) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    before = load_roadmap(path)
    text = path.read_text()
    block = blocks(text)["BEN-2-benefit-profiles"]
    assert "wave: 2\n" in block
    path.write_text(text.replace(block, block.replace("wave: 2\n", "wave: 3\n", 1), 1))
    capsys.readouterr()
    assert main(roadmap_args(out, "retail-banking.csv", extra=("--capacity", "60"))) == 0
    printed = capsys.readouterr().out
    after = load_roadmap(path)
    assert after.item("BEN-2-benefit-profiles").wave == 3  # kept, not reverted
    assert "  kept BEN-2-benefit-profiles at wave 3: set by hand (the planner had wave 2)" in printed
    moved = {i.id for i in after.items if i.id != "BEN-2-benefit-profiles" and before.item(i.id).wave != i.wave}
    assert moved  # halving the capacity moves work
    for item_id in moved:
        line = re.search(rf"^  moved {re.escape(item_id)} from wave (\d+) to wave (\d+) \(start \S+ -> \S+\): (.+)$",
                         printed, re.M)
        assert line, item_id
        assert (int(line.group(1)), int(line.group(2))) == (before.item(item_id).wave, after.item(item_id).wave)
        assert "the settings changed (capacity 120 -> 60)" in line.group(3)
    summary = re.search(r"(\d+) moved to another wave", printed)
    assert int(summary.group(1)) == len(moved)


# --- issue 9, case 3: a rerun that changes nothing writes nothing -------------------------------------

def test_idle_rerun_leaves_roadmap_previous_and_history_byte_for_byte(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    args = roadmap_args(out, "retail-banking.csv")
    assert main(args) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    # a real change first (an owner and a capacity), so there is a previous version to keep
    path.write_text(path.read_text().replace("owner: ''", "owner: Ana   # lead", 1))
    assert main(args + ["--capacity", "100"]) == 0
    current, previous = path.read_bytes(), previous_path(path).read_bytes()
    history = load_roadmap(path).history
    assert len(history) == 2
    capsys.readouterr()
    assert main(args) == 0  # the file's own capacity (100) now; nothing new
    assert "unchanged (nothing to write)" in capsys.readouterr().out
    assert path.read_bytes() == current and previous_path(path).read_bytes() == previous
    assert load_roadmap(path).history == history
    # the "what changed" view still has its earlier version
    assert load_roadmap(previous_path(path)).settings.capacity == 120


# --- issue 9, case 5: quick wins early, chains without waiting for wave boundaries ---------------------

def test_a_small_quick_win_with_no_prerequisites_lands_in_wave_1(tmp_path):
    out = tmp_path / "roadmaps"
    assert main(roadmap_args(out, "manufacturing-operations.csv")) == 0
    roadmap = load_roadmap(out / "manufacturing-operations" / "roadmap.yaml")
    log = roadmap.item("DEC-2-decision-log")  # 6 person-days, 3 weeks, needs nothing: was in wave 3
    assert (log.effort, log.prerequisites, log.quick_win) == (6, (), True)
    assert log.wave == 1 and log.start == dt.date(2027, 1, 4)
    # no free quick win starts after a non-quick item of lower priority
    quick = [i for i in roadmap.active_items if i.quick_win and not i.prerequisites]
    for q in quick:
        for other in roadmap.active_items:
            if not other.quick_win and (other.priority or 0) <= (q.priority or 0):
                assert q.start <= other.start, (q.id, other.id)


def test_a_prerequisite_chain_starts_each_link_the_day_after_the_last_one_ends(tmp_path):
    out = tmp_path / "roadmaps"
    assert main(roadmap_args(out, "insurance-claims.csv")) == 0
    roadmap = load_roadmap(out / "insurance-claims" / "roadmap.yaml")
    chain = [roadmap.item(i) for i in ("BEN-2-benefit-profiles", "BEN-2-realisation-tracking",
                                       "BEN-3-realisation-feedback")]
    assert [i.effort for i in chain] == [25, 20, 35]  # the chain: 80 of 120 person-days a wave
    for first, then in zip(chain, chain[1:]):
        assert first.id in then.prerequisites
        assert then.start == first.end + dt.timedelta(days=1), (first.id, then.id)
    # it used to take waves 2, 3 and 4 (to the end of week 48); now it ends inside wave 3 (week 40)
    assert chain[-1].end == dt.date(2027, 10, 10) and chain[-1].wave == 3


# --- projected maturity is written into the file ----------------------------------------------------

def test_projection_is_written_per_wave(tmp_path):
    out = tmp_path / "roadmaps"
    assert main(roadmap_args(out, "retail-banking.csv")) == 0
    roadmap = load_roadmap(out / "retail-banking" / "roadmap.yaml")
    rows = roadmap.projection
    assert [r["wave"] for r in rows] == list(range(len(rows)))
    assert rows[0]["ends"] is None and rows[1]["ends"] == dt.date(2027, 3, 28)
    assert set(rows[0]) == {"wave", "ends", "overall", "people", "process", "technology", "governance"}
    assert all(rows[k + 1]["overall"] >= rows[k]["overall"] for k in range(len(rows) - 1))


# --- validation of a hand-edited roadmap: exit 2 naming item, key and line ------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "roadmaps"
    assert main(roadmap_args(out, "retail-banking.csv")) == 0
    return out / "retail-banking" / "roadmap.yaml"


def broken(tmp_path: Path, generated: Path, change) -> tuple[Path, list[str]]:
    out = tmp_path / "roadmaps"
    path = out / "retail-banking" / "roadmap.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(change(generated.read_text()))
    return out, roadmap_args(out, "retail-banking.csv")


def in_item(item: str, old: str, new: str):
    def change(text: str) -> str:
        return edit_item(text, item, old, new)
    return change


CASES = {
    "bad YAML": (lambda t: t.replace("items:\n", "items:\n  - {id: [\n", 1), r"line \d+, column \d+: invalid YAML"),
    "renamed library id": (in_item("MAN-1-pmo-charter", "id: MAN-1-pmo-charter", "id: MAN-1-our-charter"),
                           r"items\[0\] MAN-1-our-charter\.id \(line 12\): 'MAN-1-our-charter' is not an initiative "
                           r"of the library 'value-driven-pmo-initiatives' although its origin is library"),
    "unknown prerequisite": (in_item("DEC-2-decision-log", "prerequisites: [DEC-1-portfolio-board-pack]",
                                     "prerequisites: [DEC-1-portfolio-board-pack, NOPE-1]"),
                             r"DEC-2-decision-log\.prerequisites \(line \d+\): unknown prerequisite 'NOPE-1'"),
    "self prerequisite": (in_item("MAN-1-pmo-charter", "prerequisites: []", "prerequisites: [MAN-1-pmo-charter]"),
                          r"MAN-1-pmo-charter\.prerequisites \(line 23\): lists itself as a prerequisite"),
    "cycle": (in_item("DEC-1-portfolio-board-pack", "prerequisites: []", "prerequisites: [DEC-2-decision-log]"),
              r"prerequisite cycle: DEC-1-portfolio-board-pack -> DEC-2-decision-log -> DEC-1-portfolio-board-pack"),
    "negative effort": (in_item("MAN-1-pmo-charter", "effort: 12", "effort: -3"),
                        r"items\[0\]\.effort \(line 18\): must be a number greater than 0, got -3"),
    "infinite duration": (in_item("MAN-1-pmo-charter", "duration: 6", "duration: .inf"),
                          r"items\[0\]\.duration \(line 19\): must be a number greater than 0, got inf"),
    "end before start": (in_item("MAN-1-pmo-charter", "end: 2027-02-14", "end: 2026-12-01"),
                         r"items\[0\]\.end \(line 27\): ends \(2026-12-01\) before it starts \(2027-01-04\)"),
    "unknown status": (in_item("MAN-1-pmo-charter", "status: planned", "status: finished"),
                       r"items\[0\]\.status \(line 28\): must be one of planned, in-progress"),
    "absurd wave": (in_item("MAN-1-pmo-charter", "wave: 1\n", "wave: 100000000\n"),
                    r"items\[0\]\.wave \(line 17\): must be at most 200 \(the limit of a roadmap\), got 100000000"),
    "absurd date": (in_item("MAN-1-pmo-charter", "start: 2027-01-04", "start: 9999-12-27"),
                    r"items\[0\]\.start \(line 26\): must be a date from 1900-01-01 to 2200-12-31, got 9999-12-27"),
    "absurd start of the roadmap": (lambda t: t.replace("starts_on: 2027-01-04", "starts_on: 9999-12-27"),
                                    r"settings\.starts_on \(line 10\): must be a date from 1900-01-01"),
    "a hand-set wave that contradicts a hand-set start": (
        lambda t: edit_item(edit_item(t, "MAN-1-pmo-charter", "wave: 1\n", "wave: 3\n"), "MAN-1-pmo-charter",
                            "start: 2027-01-04", "start: 2027-02-01"),
        r"MAN-1-pmo-charter\.wave \(line 17\): wave 3 does not match its start 2027-02-01, which is in wave 1"),
    "custom item of an unknown capability": (
        lambda t: t.replace("\nuncovered:", "\n  - {id: OWN-1, title: Our own, capability: telepathy, effort: 5}"
                                            "\nuncovered:", 1),
        r"items\[\d+\]\.capability \(line \d+\): unknown capability id 'telepathy'"),
    "dates that start before a fixed prerequisite ends": (
        lambda t: edit_item(edit_item(t, "DEC-1-portfolio-board-pack", "end: 2027-01-31", "end: 2027-03-28"),
                            "DEC-2-decision-log", "start: 2027-02-01", "start: 2027-02-15"),
        r"DEC-2-decision-log\.start \(line \d+\): conflict: starts 2027-02-15, before its prerequisite "
        r"DEC-1-portfolio-board-pack ends \(2027-03-28\)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hand_edited_roadmap_with_a_problem_is_exit_2_naming_item_key_and_line(tmp_path, generated, capsys, case):
    change, expected = CASES[case]
    out, args = broken(tmp_path, generated, change)
    path = out / "retail-banking" / "roadmap.yaml"
    before = path.read_bytes()
    began = time.perf_counter()
    assert main(args) == 2
    assert time.perf_counter() - began < 20
    err = capsys.readouterr().err
    assert re.search(re.escape(str(path)) + r": .*" + expected, err), err
    assert path.read_bytes() == before and not previous_path(path).exists()  # nothing written


def test_a_renamed_initiative_is_not_added_again(tmp_path, generated):
    document = read_yaml(generated)
    document["items"][0]["id"] = "MAN-1-our-charter"
    problems = check_roadmap(document, BANK_LIBRARY, load_questionnaire(BANK), source="roadmap.yaml")
    assert [p.place for p in problems] == ["items[0] MAN-1-our-charter.id (line 12)"]
    del document["items"][0]["origin"]  # made our own on purpose: fine
    assert check_roadmap(document, BANK_LIBRARY, load_questionnaire(BANK)) == []


def test_check_item_field_explains_one_field(generated):
    document = read_yaml(generated)
    q = load_questionnaire(BANK)
    assert check_item_field(document, "DEC-2-decision-log", "owner", "Ana", BANK_LIBRARY, q) == []
    assert check_item_field(document, "DEC-2-decision-log", "effort", -1, BANK_LIBRARY, q) == [
        "must be a number greater than 0, got -1"]
    assert check_item_field(document, "DEC-2-decision-log", "prerequisites", ["DEC-2-decision-log"],
                            BANK_LIBRARY, q) == ["lists itself as a prerequisite"]
    assert check_item_field(document, "MAN-1-pmo-charter", "end", dt.date(2026, 1, 1), BANK_LIBRARY, q) == [
        "ends (2026-01-01) before it starts (2027-01-04)"]
    # a big effort put into wave 1 by hand: the wave goes over capacity, said next to the effort
    over = check_item_field(document, "MAN-1-pmo-charter", "effort", 400, BANK_LIBRARY, q)
    assert len(over) == 1 and re.match(r"[\d.]+ person-days planned, more than the capacity of 120", over[0])
    assert check_item_field(document, "NOPE", "owner", "x") == ["no item 'NOPE' in this roadmap"]
    assert document["items"][0]["effort"] == 12  # the document itself is untouched


def test_roadmap_schedule_as_the_file_stands_and_as_a_rerun_would(generated):
    roadmap = load_roadmap(generated)
    as_is = roadmap_schedule(roadmap)
    assert {k: (s.start, s.end) for k, s in as_is.slots.items()} == {
        i.id: (i.start, i.end) for i in roadmap.active_items}
    assert as_is.conflicts == () and all(v <= 120 + 1e-6 for v in wave_loads(roadmap).values())
    rerun = roadmap_schedule(roadmap, reschedule=True)
    assert {k: s.start for k, s in rerun.slots.items()} == {i.id: i.start for i in roadmap.active_items}


# --- command-line guards ---------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value, expected", [
    ("--wave-weeks", "1e9", "must be at most 104"),
    ("--starts-on", "9999-12-27", "must be a date from 1900-01-01 to 2199-12-31"),
    ("--waves", "100000000", "must be at most 200"),
    ("--capacity", "1e300", "must be at most 1e+06"),
])
def test_absurd_options_are_refused_naming_the_option(tmp_path, capsys, option, value, expected):
    args = [a for a in roadmap_args(tmp_path / "out", "retail-banking.csv") if a not in ("--starts-on", "2027-01-04")]
    with pytest.raises(SystemExit) as exit_:
        main(args + [option, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert option in err and expected in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option, shown", [("-q", "--questionnaire"), ("-t", "--targets"), ("ANSWERS", "ANSWERS"),
                                           ("--votes", "--votes"), ("--library", "--library")])
def test_a_folder_where_a_file_belongs_is_exit_2(tmp_path, capsys, option, shown):
    folder = tmp_path / "folder"
    folder.mkdir()
    args = roadmap_args(tmp_path / "out", "retail-banking.csv")
    if option == "ANSWERS":
        args[1] = str(folder)
    elif option in ("-q", "-t"):
        args[args.index(option) + 1] = str(folder)
    else:
        args += [option, str(folder)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{folder}: {shown}: is a folder, not a file" in err
    assert not (tmp_path / "out").exists()


def test_out_never_targets_an_input(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "retail-banking").mkdir(parents=True)
    targets = out / "retail-banking" / "roadmap.yaml"  # the targets file sits where the roadmap would go
    targets.write_bytes(TARGETS.read_bytes())
    args = roadmap_args(out, "retail-banking.csv")
    args[args.index("-t") + 1] = str(targets)
    assert main(args) == 2
    assert "--out: is this command's input" in capsys.readouterr().err
    assert targets.read_bytes() == TARGETS.read_bytes()
    (tmp_path / "file").write_text("x")
    assert main(roadmap_args(tmp_path / "file", "retail-banking.csv")) == 2
    assert "--out: is a file, not a folder" in capsys.readouterr().err


# --- two writers at once ---------------------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_two_roadmap_runs_and_an_editor_at_once_lose_nothing(tmp_path):
    out = tmp_path / "roadmaps"
    assert main(roadmap_args(out, "retail-banking.csv")) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    ids = [i.id for i in load_roadmap(path).items]
    command = [sys.executable, "-m", "pmo_assess"]
    runs = [subprocess.Popen(command + roadmap_args(out, "retail-banking.csv", extra=("--capacity", capacity)),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for capacity in ("100", "90")]
    # meanwhile the PMO head's editor saves an owner per item, each save under the file's lock
    for k, item_id in enumerate(ids[:12]):
        with locked(path):
            document = read_yaml(path)
            node = next(n for n in document["items"] if n["id"] == item_id)
            node["owner"] = f"Owner {k}"
            write_yaml(path, document)
        time.sleep(0.05)
    for run in runs:
        _, err = run.communicate(timeout=90)
        assert run.returncode == 0, err
    roadmap = load_roadmap(path)
    assert [roadmap.item(i).owner for i in ids[:12]] == [f"Owner {k}" for k in range(12)]  # no save lost
    assert roadmap.settings.capacity in (100, 90)
    assert all(v <= roadmap.settings.capacity + 1e-6 for v in wave_loads(roadmap).values())
    assert check_roadmap(read_yaml(path), BANK_LIBRARY, load_questionnaire(BANK), source=str(path)) == []


# --- byte-for-byte round trip of a hand-formatted file ----------------------------------------------------

def test_a_hand_formatted_roadmap_round_trips_byte_for_byte(tmp_path, capsys):
    out = tmp_path / "roadmaps"
    args = roadmap_args(out, "retail-banking.csv")
    assert main(args) == 0
    path = out / "retail-banking" / "roadmap.yaml"
    text = path.read_text()
    # the PMO head's own style: comments everywhere, quoted strings, an item of their own in flow style
    text = edit_item(text, "MAN-1-pmo-charter", "owner: ''", 'owner: "Ana Silva"  # sponsor\'s pick')
    text = edit_item(text, "MEA-1-delivery-baselines", "notes: ''", "notes: |\n      Two lines\n      of notes")
    text = text.replace("items:\n", "items:   # agreed on 2026-12-01\n\n  # --- governance first ---\n", 1)
    text = text.replace("\nuncovered:", "\n  - {id: OWN-1, title: 'Our own, first', effort: 4, duration: 2}  # mine"
                                        "\nuncovered:", 1)
    path.write_text(text)
    assert main(args) == 0  # the own item gets its dates: one real change
    settled = path.read_bytes()
    assert b'owner: "Ana Silva"  # sponsor\'s pick' in settled and b"items:   # agreed on 2026-12-01\n\n" in settled
    assert b"  - {id: OWN-1, title: 'Our own, first', effort: 4, duration: 2, wave: 1, start: " in settled
    assert b"      Two lines\n      of notes\n" in settled
    previous = previous_path(path).read_bytes()
    capsys.readouterr()
    assert main(args) == 0 and "unchanged (nothing to write)" in capsys.readouterr().out
    assert path.read_bytes() == settled and previous_path(path).read_bytes() == previous


# --- the Gantt ---------------------------------------------------------------------------------------------

def test_gantt_shows_dates_today_arrows_titles_done_and_conflicts(generated, tmp_path):
    from matplotlib.colors import to_hex

    from pmo_assess.charts.roadmap import gantt_chart, gantt_rows

    text = edit_item(generated.read_text(), "MAN-1-pmo-charter", "status: planned", "status: done")
    text = edit_item(text, "DEC-2-decision-log", "start: 2027-02-01", "start: 2027-01-11")  # before DEC-1 ends
    path = tmp_path / "roadmap.yaml"
    path.write_text(text)
    roadmap = load_roadmap(path)
    q = load_questionnaire(BANK)
    rows = gantt_rows(roadmap, roadmap_schedule(roadmap), {c.id: c.dimension for c in q.capabilities})
    assert rows.loc[rows["id"] == "DEC-2-decision-log", "conflict"].item().startswith("starts 2027-01-11")
    figure = gantt_chart(rows, roadmap.settings.starts_on, today=dt.date(2027, 3, 1))
    ax = figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Keep a portfolio decision log ★" in labels  # titles, not ids; quick wins starred
    assert any(label.endswith("(done)") and label.startswith("Write the PMO charter") for label in labels)
    red = [t.get_text() for t in ax.get_yticklabels() if to_hex(t.get_color()) == "#d62728"]
    assert red == ["Keep a portfolio decision log ★"]
    arrows = [c for c in ax.collections if c.get_gid() == "needs"][0].get_segments()  # one line per arrow
    links = sum(p in set(rows["id"]) for needs in rows["prerequisites"] for p in needs)
    assert len(arrows) == links > 0
    today = [line for line in ax.get_lines() if list(line.get_xdata()) == [mdates_num(dt.date(2027, 3, 1))] * 2]
    assert len(today) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"done", "conflict (see the checks)", "today (2027-03-01)", "governance"} <= set(legend)
    assert ax.get_xticklabels()  # a date axis
    assert isinstance(ax.xaxis.get_major_formatter(), __import__("matplotlib.dates").dates.ConciseDateFormatter)
    figure.savefig(tmp_path / "gantt.png")


def mdates_num(day: dt.date) -> float:
    import matplotlib.dates as mdates
    return mdates.date2num(day)


# --- hostile values never crash the checks --------------------------------------------------------------

_values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12), st.dates(), st.lists(st.text(max_size=6), max_size=3),
                    st.dictionaries(st.sampled_from(["wave", "start", "end", "x"]),
                                    st.one_of(st.none(), st.integers(-5, 10**9), st.dates(), st.text(max_size=4)),
                                    max_size=3))
_keys = st.sampled_from(["id", "title", "capability", "wave", "effort", "duration", "start", "end", "status",
                         "pinned", "prerequisites", "origin", "scheduled", "priority", "quick_win"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=st.dictionaries(_keys, _values, max_size=10), projection=_values)
def test_check_roadmap_lists_problems_for_any_values_and_never_raises(item, projection):
    from test_roadmap_file import LIBRARY, MINI

    document = {"schema": "pmo-assess/roadmap@1", "business_unit": "Unit", "projection": projection,
                "settings": {"wave_weeks": 12, "capacity": 40, "starts_on": dt.date(2027, 1, 4)},
                "items": [{"id": "TAL-1", "title": "Skills", "origin": "library", "wave": 1}, item]}
    problems = check_roadmap(document, LIBRARY, MINI)
    assert all(p.place and p.message for p in problems)
    if not problems:
        from pmo_assess.roadmap.roadmap_file import parse_roadmap
        try:
            roadmap_schedule(parse_roadmap(document, "roadmap.yaml", MINI))
        except InputErrors as exc:  # only the scheduler's limits, named
            assert "limits of a roadmap" in exc.render()


def test_a_later_end_set_by_hand_keeps_the_start_and_stretches_the_work(tmp_path):
    path = tmp_path / "roadmap.yaml"
    generate(path)
    before = load_roadmap(path).item("TAL-2")
    path.write_text(edit_item(path.read_text(), "TAL-2", f"end: {before.end}", "end: 2027-09-26"))
    changes = generate(path, today=DAY2)
    after = load_roadmap(path).item("TAL-2")
    assert (after.start, after.end, after.wave) == (before.start, dt.date(2027, 9, 26), before.wave)
    assert "kept TAL-2 at end 2027-09-26: set by hand" in changes.details()
    assert "TAL-2" not in [m.id for m in changes.moved + changes.rescheduled]
    assert generate(path, today=DAY2).unchanged
