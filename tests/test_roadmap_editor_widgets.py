"""The roadmap editor's widgets, headless: every edit goes through the real handlers; the file and messages are checked.

ipywidgets button callbacks swallow exceptions, so buttons are pressed by calling their handlers;
text boxes, dropdowns and checkboxes are changed by setting their value (which runs the observer).
"""
from __future__ import annotations

import datetime as dt

import pytest

from pmo_assess.roadmap.editor_widgets import TABLE_KEYS, RoadmapEditorPanel
from pmo_assess.roadmap.roadmap_file import load_roadmap
from roadmap_fixtures import open_editor, roadmap_copy

pytestmark = pytest.mark.timeout(120)
CHARTER, BASELINES, BOARD_PACK, DECISION_LOG = ("MAN-1-pmo-charter", "MEA-1-delivery-baselines",
                                                "DEC-1-portfolio-board-pack", "DEC-2-decision-log")


@pytest.fixture
def path(tmp_path):
    return roadmap_copy(tmp_path)


@pytest.fixture
def panel(path):
    saved = []
    panel = RoadmapEditorPanel(open_editor(path), on_saved=lambda: saved.append(True))
    panel.saved_calls = saved
    return panel


def field(panel, item_id, key):
    return panel.rows[item_id].inputs[key]


def message(panel, item_id, key) -> str:
    return panel.rows[item_id].messages[key].value


def save(panel, name="Ana Lopez") -> bool:
    panel.name.value = name
    return panel.on_save()


def test_every_item_is_a_row_with_every_field(panel, path):
    roadmap = load_roadmap(path)
    assert list(panel.rows) == [i.id for i in roadmap.items]
    row = panel.rows[CHARTER]
    assert set(row.inputs) == set(TABLE_KEYS)
    assert field(panel, CHARTER, "wave").value == "1" and field(panel, CHARTER, "start").value == "2027-01-04"
    assert field(panel, CHARTER, "status").value == "planned" and field(panel, CHARTER, "pinned").value is False
    assert field(panel, CHARTER, "owner").value == "" and field(panel, CHARTER, "notes").value == ""
    assert "Write the PMO charter" in field(panel, CHARTER, "title").value  # library item: shown, not editable
    assert "No unsaved edits" in panel.status.value


@pytest.mark.parametrize("key, typed, expected", [
    ("owner", "Ana Lopez", "Ana Lopez"),
    ("notes", "agreed with the CFO", "agreed with the CFO"),
    ("effort", "15", 15),
    ("duration", "8", 8),
    ("end", "2027-02-28", dt.date(2027, 2, 28)),
])
def test_a_text_field_edit_is_saved(panel, path, key, typed, expected):
    field(panel, CHARTER, key).value = typed
    assert "pmo-pending" in field(panel, CHARTER, key)._dom_classes
    assert f"1 unsaved: MAN-1-pmo-charter ({key})" in panel.status.value
    assert save(panel)
    assert getattr(load_roadmap(path).item(CHARTER), key) == expected
    assert panel.saved_calls == [True] and "Saved version 2 of roadmap.yaml" in panel.status.value
    assert "pmo-pending" not in field(panel, CHARTER, key)._dom_classes


def test_moving_the_wave_moves_the_dates_in_the_table_and_the_file(panel, path):
    field(panel, CHARTER, "wave").value = "2"
    assert (field(panel, CHARTER, "start").value, field(panel, CHARTER, "end").value) == ("2027-03-29", "2027-05-09")
    assert "moved" not in message(panel, CHARTER, "start")  # info messages are for the return value only
    assert save(panel)
    item = load_roadmap(path).item(CHARTER)
    assert (item.wave, item.start, item.end) == (2, dt.date(2027, 3, 29), dt.date(2027, 5, 9))


def test_a_new_start_moves_the_end_and_wave(panel, path):
    field(panel, CHARTER, "start").value = "2027-04-05"
    assert (field(panel, CHARTER, "end").value, field(panel, CHARTER, "wave").value) == ("2027-05-16", "2")
    assert save(panel)
    assert load_roadmap(path).item(CHARTER).end == dt.date(2027, 5, 16)


def test_status_dropdown_and_pinned_checkbox(panel, path):
    field(panel, CHARTER, "status").value = "in-progress"
    field(panel, CHARTER, "pinned").value = True
    assert save(panel)
    item = load_roadmap(path).item(CHARTER)
    assert (item.status, item.pinned) == ("in-progress", True)


def test_drop_and_restore_buttons(panel, path):
    panel.on_drop(CHARTER)
    assert panel.rows[CHARTER].action.description == "Restore"
    assert "pmo-dropped" in panel.rows[CHARTER].box._dom_classes
    assert field(panel, CHARTER, "status").value == "dropped"
    assert save(panel)
    assert load_roadmap(path).item(CHARTER).status == "dropped"
    panel.on_drop(CHARTER)
    assert panel.rows[CHARTER].action.description == "Drop" and field(panel, CHARTER, "status").value == "planned"
    assert save(panel, "Tomás")
    assert load_roadmap(path).item(CHARTER).status == "planned"


def test_an_invalid_value_is_refused_next_to_its_field_and_the_box_shows_the_kept_value(panel, path):
    before = path.read_bytes()
    field(panel, BASELINES, "end").value = "2026-12-01"
    assert "Not kept: ends (2026-12-01) before it starts (2027-01-04)" in message(panel, BASELINES, "end")
    assert field(panel, BASELINES, "end").value == "2027-02-14"
    assert "pmo-refused-field" in field(panel, BASELINES, "end")._dom_classes
    field(panel, BASELINES, "wave").value = "soon"
    assert "the wave is a whole number from 1, got soon" in message(panel, BASELINES, "wave")
    assert field(panel, BASELINES, "wave").value == "1"
    assert "Not kept" not in message(panel, BASELINES, "end")  # the next change clears the old refusal
    assert not panel.on_save() and path.read_bytes() == before


def test_a_full_wave_is_flagged_on_every_item_in_it(panel):
    field(panel, CHARTER, "effort").value = "400"
    assert "Wave 1: 488 person-days planned, more than the capacity of 120" in message(panel, CHARTER, "wave")
    assert "Wave 1: 488 person-days planned" in message(panel, BASELINES, "wave")
    assert message(panel, "MAN-2-business-plan", "wave") == ""
    field(panel, CHARTER, "effort").value = "12"
    assert message(panel, BASELINES, "wave") == "" and "No unsaved edits" in panel.status.value


def test_a_start_before_a_prerequisite_ends_is_explained(panel):
    board_pack = panel.editor.item(BOARD_PACK)
    field(panel, DECISION_LOG, "start").value = str(board_pack.start)
    assert f"before its prerequisite {BOARD_PACK} ends {board_pack.end}" in message(panel, DECISION_LOG, "start")


def test_add_your_own_initiative_then_edit_its_title_capability_and_needs(panel, path):
    form = panel.new_inputs
    form["title"].value = "Coach the sponsors"
    form["capability"].value = "benefits-management"
    form["effort"].value = "-1"
    form["duration"].value = "3"
    assert panel.on_add() is None
    assert "the effort must be more than 0 person-days, got -1" in panel.new_messages["effort"].value
    form["effort"].value = "6"
    form["prerequisites"].value = "nope"
    assert panel.on_add() is None
    assert panel.new_messages["prerequisites"].value == (
        '<div class="refused">Not kept: unknown prerequisite &#x27;nope&#x27;: neither an item of this roadmap nor '
        'an initiative of the library</div>')
    form["prerequisites"].value = CHARTER
    item_id = panel.on_add()
    assert item_id == "own-coach-the-sponsors" and form["title"].value == ""
    assert panel.table.children[-1] is panel.rows[item_id].box
    assert field(panel, item_id, "wave").placeholder.endswith("(planner)")  # where the schedule puts it
    field(panel, item_id, "title").value = "Coach every sponsor"
    field(panel, item_id, "capability").value = "stakeholder-engagement" if "stakeholder-engagement" in \
        field(panel, item_id, "capability").options else field(panel, item_id, "capability").options[0]
    field(panel, item_id, "prerequisites").value = f"{CHARTER}, {BOARD_PACK}"
    assert save(panel)
    saved = load_roadmap(path).item(item_id)
    assert saved.title == "Coach every sponsor" and saved.prerequisites == (CHARTER, BOARD_PACK) and saved.custom


def test_saving_without_a_name_is_refused_next_to_the_name(panel, path):
    before = path.read_bytes()
    field(panel, CHARTER, "owner").value = "Ana"
    assert not save(panel, "")
    assert "type your name first" in panel.name_message.value and path.read_bytes() == before
    assert panel.saved_calls == []


def test_a_stale_file_is_refused_with_what_differs_then_reload_and_use_mine(panel, path):
    field(panel, CHARTER, "owner").value = "Ana"
    field(panel, BASELINES, "notes").value = "mine"
    colleague = open_editor(path)
    colleague.set_value(CHARTER, "owner", "Tomás")
    colleague.set_value(BOARD_PACK, "notes", "theirs")
    assert colleague.save("Tomás").saved
    theirs = path.read_bytes()
    assert not save(panel)
    assert "changed on disk since you loaded it" in panel.status.value
    assert "owner: theirs Tomás, yours Ana</li>" in panel.status.value and path.read_bytes() == theirs
    assert panel.saved_calls == [] and panel.reload_button.button_style == "warning"
    assert panel.on_reload()
    assert panel.reload_button.button_style == ""
    assert "Your edits re-applied: MEA-1-delivery-baselines.notes." in panel.status.value
    assert field(panel, CHARTER, "owner").value == "Tomás" and field(panel, BOARD_PACK, "notes").value == "theirs"
    assert "yours was Ana" in message(panel, CHARTER, "owner")
    assert panel.use_mine_button.layout.display == "" and panel.use_mine_button.description == "Use my values (1)"
    panel.on_use_mine()
    assert field(panel, CHARTER, "owner").value == "Ana" and panel.use_mine_button.layout.display == "none"
    assert save(panel)
    final = load_roadmap(path)
    assert (final.item(CHARTER).owner, final.item(BASELINES).notes, final.item(BOARD_PACK).notes) == \
        ("Ana", "mine", "theirs")


def test_reload_of_a_file_made_invalid_shows_the_clis_message_and_keeps_the_edits(panel, path):
    field(panel, CHARTER, "owner").value = "Ana"
    path.write_text(path.read_text().replace("    effort: 12\n", "    effort: -12\n", 1))
    assert not panel.on_reload()
    assert "pmo-assess roadmap: input problems:" in panel.status.value
    assert "effort" in panel.status.value and panel.editor.edited_names() == ["MAN-1-pmo-charter.owner"]


def test_the_page_redraws_charts_and_tables_after_a_save(path):
    from pmo_assess.roadmap.editor_widgets import RoadmapPage
    from roadmap_fixtures import ANSWERS, BANK, TARGETS, UNIT

    page = RoadmapPage.open([str(ANSWERS)], UNIT, str(BANK), str(TARGETS), roadmap=str(path))
    panel = page.editor_panel
    gantt, capacity = page.gantt.outputs[0], page.capacity.outputs[0]
    assert "image/svg+xml" in gantt["data"] and "Write the PMO charter" in gantt["data"]["image/svg+xml"]
    field(panel, CHARTER, "owner").value = "Ana Lopez"
    assert save(panel)
    assert page.gantt.outputs[0] is gantt  # nothing the charts show changed: not drawn again
    changes = page.changes.outputs
    assert any("Ana Lopez" in o["data"]["text/html"] and ">owner<" in o["data"]["text/html"] for o in changes)
    field(panel, CHARTER, "wave").value = "3"
    assert save(panel, "Tomás")
    assert page.gantt.outputs[0] is not gantt and page.capacity.outputs[0] is not capacity
    history = page.changes.outputs[-1]["data"]["text/html"]
    assert "<td>24</td>" in history and ">Tomás<" in history  # whole numbers, and who saved
    assert "Retail Banking: 24 initiatives" in page.headline.value


def test_the_page_shows_the_clis_message_for_an_invalid_file(path):
    from pmo_assess.roadmap.editor_widgets import RoadmapPage
    from roadmap_fixtures import ANSWERS, BANK, TARGETS, UNIT

    path.write_text(path.read_text().replace("    prerequisites: []\n", "    prerequisites: [nope]\n", 1))
    page = RoadmapPage.open([str(ANSWERS)], UNIT, str(BANK), str(TARGETS), roadmap=str(path))
    assert page.view is None and page.editor_panel is None and page.gantt.outputs == ()
    assert "pmo-assess roadmap: input problems:" in page.headline.value
    assert "unknown prerequisite &#x27;nope&#x27;" in page.headline.value
