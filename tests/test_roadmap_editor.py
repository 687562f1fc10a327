"""The roadmap editor's rules, on the bundled Retail Banking roadmap: checks, round-trip save, stale file, history."""
from __future__ import annotations

import datetime as dt
import subprocess
import threading
import sys

import pytest

from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.files import read_yaml
from pmo_assess.roadmap.editor import cli_message
from pmo_assess.roadmap.roadmap_file import hand_set, load_roadmap, previous_path
from pmo_assess.roadmap.workflow import update_roadmap
from roadmap_fixtures import ANSWERS, BANK, TARGETS, UNIT, changed_lines, open_editor, planning_inputs, roadmap_copy

pytestmark = pytest.mark.timeout(120)
CHARTER, BASELINES, BOARD_PACK, DECISION_LOG = ("MAN-1-pmo-charter", "MEA-1-delivery-baselines",
                                                "DEC-1-portfolio-board-pack", "DEC-2-decision-log")
NOON = dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def path(tmp_path):
    return roadmap_copy(tmp_path)


def refused(messages) -> list[str]:
    return [m.text for m in messages if m.level == "refused"]


def test_a_save_changes_only_the_edited_lines_and_adds_one_history_line(path):
    before = path.read_text()
    editor = open_editor(path)
    assert editor.set_value(CHARTER, "owner", "Ana Lopez") == []
    moved = editor.set_value(CHARTER, "wave", "3")  # wave 3 starts 24 weeks after wave 1
    assert [m.text for m in moved if m.level == "info"] == ["moved with the wave to 2027-06-21",
                                                             "moved with the wave to 2027-08-01"]
    outcome = editor.save("Ana Lopez", now=NOON)
    assert outcome.saved and outcome.version == 2
    assert outcome.message == ("Saved version 2 of roadmap.yaml at 2027-01-05 12:00 UTC by Ana Lopez: "
                               "MAN-1-pmo-charter (owner, wave, start, end).")
    assert changed_lines(before, path.read_text()) == [
        ("-", "    wave: 1"), ("+", "    wave: 3"),
        ("-", "    owner: ''   # to agree"), ("+", "    owner: 'Ana Lopez' # to agree"),
        ("-", "    start: 2027-01-04"), ("+", "    start: 2027-06-21"),
        ("-", "    end: 2027-02-14"), ("+", "    end: 2027-08-01"),
        ("+", "  - {version: 2, on: 2027-01-05 12:00:00+00:00, by: Ana Lopez, edited: [MAN-1-pmo-charter.owner, "
              "MAN-1-pmo-charter.wave, MAN-1-pmo-charter.start, MAN-1-pmo-charter.end]}"),
    ]
    assert "items:  # reviewed with the sponsor on 2027-01-02" in path.read_text()
    assert previous_path(path).read_text() == before  # "what changed since the last version" shows this save
    saved = load_roadmap(path).item(CHARTER)
    assert hand_set(saved) == {"wave", "start", "end"}  # the planner keeps them: a commitment


def test_the_planner_keeps_what_the_editor_saved(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana Lopez")
    editor.set_value(CHARTER, "wave", "3")
    item_id, _ = editor.add_item("Coach the sponsors", "benefits-management", "6", "3", CHARTER)
    assert editor.save("Ana Lopez", now=NOON).saved
    update_roadmap(planning_inputs(), UNIT, path, today=dt.date(2027, 1, 8))
    rerun = load_roadmap(path)
    assert (rerun.item(CHARTER).owner, rerun.item(CHARTER).wave, rerun.item(CHARTER).start) == \
        ("Ana Lopez", 3, dt.date(2027, 6, 21))
    assert rerun.item(item_id).title == "Coach the sponsors" and rerun.item(item_id).custom


def test_invalid_values_are_refused_next_to_their_field_and_never_written(path):
    before = path.read_bytes()
    editor = open_editor(path)
    own, _ = editor.add_item("Own one", "benefits-management", "5", "2", "")
    other, _ = editor.add_item("Own two", "benefits-management", "5", "2", own)
    editor.edits.clear()
    cases = [
        (BASELINES, "end", "2026-12-01", "ends (2026-12-01) before it starts (2027-01-04)"),
        (BASELINES, "start", "2027-02-30", "'2027-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2027-03-01"),
        (BASELINES, "wave", "0", "the wave is a whole number from 1, got 0"),
        (BASELINES, "wave", "two", "the wave is a whole number from 1, got two"),
        (BASELINES, "effort", "-5", "the effort must be more than 0 person-days, got -5"),
        (BASELINES, "duration", "soon", "the duration is a number of weeks, got soon"),
        (BASELINES, "status", "closed-gap", "the status is one of planned, in-progress, done, dropped, got closed-gap"),
        (BASELINES, "title", "Renamed", "the title is the planner's on an initiative from the library"),
        (own, "prerequisites", "no-such-item", "unknown prerequisite 'no-such-item': neither an item of "
                                               "this roadmap nor an initiative of the library"),
        (own, "prerequisites", other, f"prerequisite cycle: {own} -> {other} -> {own}"),
        (own, "capability", "benefit-management", "'benefit-management' is not a capability of questionnaire "
                                                  "value-driven-pmo (did you mean benefits-management?)"),
        (own, "title", "  ", "an item needs a title"),
    ]
    control = refused(editor.set_value(BASELINES, "owner", "Ana\x07"))
    assert control[0].startswith("owner 'Ana\\x07' contains control character U+0007 at position 4")
    for item_id, key, value, message in cases:
        messages = editor.set_value(item_id, key, value)
        assert refused(messages) == [message], (key, value)
        assert all(m.item == item_id and m.key == key for m in messages)
        assert (item_id, key) not in editor.edits
    assert editor.item(BASELINES).end == dt.date(2027, 2, 14) and editor.item(own).prerequisites == ()
    assert editor.edited_names() == [f"added {own}", f"added {other}"]
    assert path.read_bytes() == before


def test_a_pin_needs_a_wave_and_a_pinned_item_keeps_it(path):
    editor = open_editor(path)
    own, _ = editor.add_item("Own one", "benefits-management", "5", "2", "")
    assert refused(editor.set_value(own, "pinned", True)) == ["give the item a wave before pinning it there"]
    assert editor.set_value(CHARTER, "pinned", True) == []
    assert refused(editor.set_value(CHARTER, "wave", "")) == [
        "a pinned item stays in its wave: unpin it first to hand it back to the planner"]


def test_warnings_for_a_full_wave_and_a_start_before_its_prerequisite_ends(path):
    editor = open_editor(path)
    full = editor.set_value(CHARTER, "effort", "400")
    assert [m.text for m in full] == ["Wave 1: 488 person-days planned, more than the capacity of 120 person-days "
                                      "in this wave"]
    assert {m.item for m in editor.messages() if m.key == "wave"} == \
        {i.id for i in editor.candidate().active_items if i.wave == 1}
    editor = open_editor(path)
    board_pack = editor.item(BOARD_PACK)
    early = editor.set_value(DECISION_LOG, "start", str(board_pack.start))
    assert [m.text for m in early if m.level == "warning"] == [
        f"starts {board_pack.start} (wave 1) before its prerequisite {BOARD_PACK} ends {board_pack.end} (wave 1)"]
    # both dates set by hand and contradicting: the file would be invalid, so it is refused (CLI words)
    assert refused(editor.set_value(BOARD_PACK, "end", "2027-03-01"))[0].endswith(
        f"conflict: starts {board_pack.start}, before its prerequisite {BOARD_PACK} ends (2027-03-01); move one of them")


def test_a_new_start_keeps_the_length_and_moves_the_wave(path):
    editor = open_editor(path)
    messages = editor.set_value(CHARTER, "start", "2027-04-05")  # week 13: wave 2
    item = editor.item(CHARTER)
    assert (item.start, item.end, item.wave) == (dt.date(2027, 4, 5), dt.date(2027, 5, 16), 2)
    assert [m.text for m in messages if m.level == "info"] == ["moved with the start to 2027-05-16",
                                                               "moved with the start to 2"]


def test_drop_restore_status_and_back_to_the_loaded_value(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "status", "in-progress")
    editor.drop(CHARTER)
    assert editor.item(CHARTER).status == "dropped"
    editor.restore(CHARTER)
    assert editor.item(CHARTER).status == "in-progress"
    editor.set_value(CHARTER, "status", "planned")
    assert not editor.pending  # back to what the file says is no edit
    assert refused(editor.restore(CHARTER)) == ["this item is not dropped"]
    assert editor.save("Ana", now=NOON).message == "Nothing to save: no edits since the file was loaded."


def test_an_added_initiative_is_written_as_the_pmo_heads_own(path):
    editor = open_editor(path)
    item_id, messages = editor.add_item("Coach the sponsors", "benefits-management", "6", "3",
                                        f"{CHARTER}, {BOARD_PACK}", wave="2")
    assert item_id == "own-coach-the-sponsors" and refused(messages) == []
    again, _ = editor.add_item("Coach the sponsors", "benefits-management", "6", "3", "")
    assert again == "own-coach-the-sponsors-2"
    editor.set_value(again, "owner", "Tomás")
    assert editor.save("Tomás Herrera", now=NOON).saved
    text = path.read_text()
    assert ("  - id: own-coach-the-sponsors\n    title: Coach the sponsors\n    capability: benefits-management\n"
            "    wave: 2\n    effort: 6\n    duration: 3\n    prerequisites: [MAN-1-pmo-charter, "
            "DEC-1-portfolio-board-pack]\n    owner: ''\n    start:\n    end:\n    status: planned\n"
            "    pinned: false\n    notes: ''\n") in text
    assert "    owner: Tomás\n" in text
    saved = load_roadmap(path)
    assert saved.item(item_id).custom and saved.items[-1].id == again


def test_saving_needs_a_name(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana")
    before = path.read_bytes()
    assert editor.save("  ").message == "Not saved: type your name first (it goes into the file's history)."
    assert path.read_bytes() == before and editor.pending


def test_a_file_changed_since_loading_is_not_overwritten_and_nothing_is_lost(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana")
    editor.set_value(BASELINES, "notes", "mine")
    # a colleague saves first: a different owner for the charter, and a note elsewhere
    colleague = open_editor(path)
    colleague.set_value(CHARTER, "owner", "Tomás")
    colleague.set_value(BOARD_PACK, "notes", "theirs")
    assert colleague.save("Tomás", now=NOON).saved
    theirs = path.read_bytes()

    outcome = editor.save("Ana", now=NOON)
    assert not outcome.saved and outcome.stale and path.read_bytes() == theirs
    assert [str(d) for d in outcome.differences] == [
        "Write the PMO charter and give the PMO its own budget line (MAN-1-pmo-charter) · owner: "
        "theirs Tomás, yours Ana",
        f"{editor.item(BOARD_PACK).title} (DEC-1-portfolio-board-pack) · notes: theirs theirs, yours (empty)"]
    assert "changed on disk since you loaded it" in outcome.message and "your edits are kept" in outcome.message
    assert editor.edited_names() == ["MAN-1-pmo-charter.owner", "MEA-1-delivery-baselines.notes"]

    reloaded = editor.reload()
    assert reloaded.reapplied == ("MEA-1-delivery-baselines.notes",)
    assert [str(c) for c in reloaded.clashes] == [
        "Write the PMO charter and give the PMO its own budget line (MAN-1-pmo-charter) · owner: "
        "theirs Tomás, yours Ana"]
    assert editor.item(CHARTER).owner == "Tomás" and editor.item(BOARD_PACK).notes == "theirs"
    assert [m.text for m in editor.messages() if m.level == "clash"] == [
        "someone else set this to Tomás after you loaded the file; yours was Ana (use mine to keep yours)"]
    editor.use_mine(CHARTER, "owner")
    assert editor.save("Ana", now=NOON).saved
    final = load_roadmap(path)
    assert (final.item(CHARTER).owner, final.item(BASELINES).notes, final.item(BOARD_PACK).notes) == \
        ("Ana", "mine", "theirs")
    assert [h.get("by") for h in final.history] == [None, "Tomás", "Ana"]


def test_an_edit_on_an_item_removed_meanwhile_is_named_not_lost(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana")
    text = path.read_text()
    start = text.index("  - id: MAN-1-pmo-charter")
    end = text.index("  - id: ", start + 10)
    path.write_text(text[:start] + text[end:])
    assert editor.save("Ana").differences[0].theirs == "removed by someone else"
    outcome = editor.reload()
    assert outcome.not_reapplied == ("MAN-1-pmo-charter.owner = Ana (the item is no longer in the file)",)
    assert "Not re-applied: MAN-1-pmo-charter.owner = Ana" in outcome.message


def test_save_waits_for_another_writer_holding_the_lock(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana")
    holder = subprocess.Popen([sys.executable, "-c", "import sys\nfrom pmo_assess.io.locks import locked\n"
                               f"with locked({str(path)!r}):\n    print('held', flush=True)\n    sys.stdin.readline()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    outcome = {}
    saver = threading.Thread(target=lambda: outcome.update(save=editor.save("Ana")))
    try:
        assert holder.stdout.readline().strip() == "held"
        saver.start()
        saver.join(1.0)
        assert saver.is_alive()  # still waiting for the lock the other writer holds: nothing written past it
        holder.stdin.write("release\n")
        holder.stdin.flush()
        saver.join(30)
        assert outcome["save"].saved
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.replace("    effort: 12\n", "    effort: -12\n", 1), "effort"),
    (lambda t: t.replace("    end: 2027-02-14\n", "    end: 2026-02-14\n", 1), "before it starts"),
    (lambda t: t.replace("    prerequisites: []\n", "    prerequisites: [MAN-9-nothing]\n", 1), "unknown prerequisite"),
    (lambda t: t.replace(f"  - id: {CHARTER}\n", "  - id: MAN-1-pmo-charterX\n", 1), "not an initiative of the library"),
    (lambda t: t.replace("settings: {", "settings: {{", 1), "invalid YAML"),
])
def test_an_invalid_hand_edit_gives_the_clis_message(tmp_path, capsys, change, expected):
    path = tmp_path / "retail-banking" / "roadmap.yaml"
    path.parent.mkdir()
    roadmap_copy(path.parent)
    path.write_text(change(path.read_text()))
    with pytest.raises(InputErrors) as caught:
        open_editor(path)
    capsys.readouterr()
    status = main(["roadmap", str(ANSWERS), "-q", str(BANK), "-t", str(TARGETS), "--unit", UNIT, "--out", str(tmp_path)])
    assert status == 2
    assert cli_message(caught.value) == capsys.readouterr().err.strip()
    assert expected in cli_message(caught.value)


def test_a_cycle_through_library_items_edited_by_hand_is_named(tmp_path, capsys):
    path = roadmap_copy(tmp_path)
    text = path.read_text()
    block = text.index(f"  - id: {BOARD_PACK}")
    text = text[:block] + text[block:].replace("    prerequisites: []", f"    prerequisites: [{DECISION_LOG}]", 1)
    path.write_text(text)
    with pytest.raises(InputErrors) as caught:
        open_editor(path)
    assert "prerequisite cycle: DEC-1-portfolio-board-pack -> DEC-2-decision-log -> DEC-1-portfolio-board-pack" in \
        cli_message(caught.value) or "prerequisite cycle: DEC-2-decision-log -> DEC-1-portfolio-board-pack" in \
        cli_message(caught.value)


def test_history_entry_reads_back(path):
    editor = open_editor(path)
    editor.set_value(CHARTER, "notes", "agreed with the CFO")
    editor.save("Ana Lopez", now=NOON)
    entry = read_yaml(path)["history"][-1]
    assert (entry["version"], entry["by"], list(entry["edited"])) == (2, "Ana Lopez", ["MAN-1-pmo-charter.notes"])
    assert entry["on"].isoformat().startswith("2027-01-05T12:00:00")


def test_edit_roadmap_command_refuses_an_invalid_file_before_serving(tmp_path, capsys):
    import argparse

    from pmo_assess.commands import edit_roadmap

    path = roadmap_copy(tmp_path)
    path.write_text(path.read_text().replace("    end: 2027-02-14\n", "    end: 2026-02-14\n", 1))
    parser = argparse.ArgumentParser()
    edit_roadmap.add_parser(parser.add_subparsers())
    args = parser.parse_args(["edit-roadmap", str(ANSWERS), "-q", str(BANK), "-t", str(TARGETS), "--unit", UNIT,
                              "--roadmap", str(path), "--port", "0"])
    with pytest.raises(InputErrors) as caught:
        edit_roadmap.run(args)
    assert "ends (2026-02-14) before it starts (2027-01-04)" in caught.value.render()
    assert edit_roadmap.editor_parameters(args)["roadmap"] == str(path.resolve())
    notebook = edit_roadmap.editor_notebook(edit_roadmap.editor_parameters(args))
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f"roadmap = {str(path.resolve())!r}".replace("'", '"') in injected[0].source


def test_a_folder_or_missing_file_is_named_not_a_traceback(tmp_path):
    with pytest.raises(InputErrors, match="cannot be read"):
        open_editor(tmp_path)
    with pytest.raises(InputErrors, match="file not found"):
        open_editor(tmp_path / "nothing.yaml")


def test_a_save_that_cannot_be_written_changes_nothing_and_keeps_the_edits(path):
    before = path.read_bytes()
    previous_path(path).mkdir()  # the previous version cannot be kept: nothing may be written
    editor = open_editor(path)
    editor.set_value(CHARTER, "owner", "Ana")
    outcome = editor.save("Ana")
    assert not outcome.saved and "is a folder, not a file" in outcome.message
    assert path.read_bytes() == before and editor.edited_names() == ["MAN-1-pmo-charter.owner"]
    previous_path(path).rmdir()
    assert editor.save("Ana").saved and load_roadmap(path).item(CHARTER).owner == "Ana"
