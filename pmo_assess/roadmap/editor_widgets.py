"""The roadmap editor and the roadmap page as ipywidgets: a thin layer over :class:`RoadmapEditor` and the view.

Every handler is a plain method (``on_change``, ``on_drop``, ``on_add``, ``on_save``, ``on_reload``,
``on_use_mine``) that calls the editor and redraws; messages go next to their field, never swallowed.
Charts and tables live in Output widgets whose ``outputs`` are set directly, so a save redraws them
in JupyterLab and in Voilà alike.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import ipywidgets as w
import matplotlib
from matplotlib.figure import Figure

from pmo_assess.errors import InputErrors
from pmo_assess.roadmap import view as rv
from pmo_assess.roadmap.editor import (
    USER_STATUSES,
    Message,
    RoadmapEditor,
    cli_message,
    describe_edits,
    shown,
)
from pmo_assess.sanitize import escape_html

#: Columns of the editor table, in order.
TABLE_KEYS = ("title", "capability", "wave", "start", "end", "owner", "status", "pinned", "effort", "duration",
              "prerequisites", "notes")
HEADERS = {"title": "Initiative", "capability": "Capability", "wave": "Wave", "start": "Start", "end": "End",
           "owner": "Owner", "status": "Status", "pinned": "Pinned", "effort": "Effort (pd)",
           "duration": "Weeks", "prerequisites": "Needs", "notes": "Notes", "action": ""}
WIDTHS = {"title": "230px", "capability": "140px", "wave": "56px", "start": "106px", "end": "106px",
          "owner": "130px", "status": "112px", "pinned": "52px", "effort": "64px", "duration": "56px",
          "prerequisites": "160px", "notes": "160px", "action": "76px"}
_NARROW_LABELS = "\n".join(f'.pmo-editor-row .pmo-f-{key}::before {{content: "{HEADERS[key]}";}}'
                           for key in TABLE_KEYS)
#: Wide screens: one line per item, the table scrolls sideways if the window is narrower. Phones:
#: each item becomes a card, two fields a line, each with its label.
STYLE = """<style>
.pmo-editor-scroll {overflow-x: auto; max-width: 100%; padding-bottom: 4px;}
.pmo-editor-row {display: flex; flex-flow: row nowrap; gap: 4px; align-items: flex-start;}
.pmo-editor-head .widget-html-content {display: flex; flex-flow: row nowrap; gap: 4px; font-weight: 600;
  font-size: 13px; line-height: 1.3; border-bottom: 2px solid #888; padding: 2px 0;}
.pmo-editor-head .widget-html-content > div {flex: none;}
.pmo-editor-row {border-bottom: 1px solid #ddd; padding: 4px 0; overflow: visible;}
.pmo-editor-row > .widget-vbox {flex: none; overflow: visible;}
.pmo-editor-row .widget-text, .pmo-editor-row .widget-dropdown, .pmo-editor-row .widget-html {width: 100%; margin: 0;}
.pmo-editor-row .widget-checkbox {width: auto; margin: 0;}
.pmo-item-title {line-height: 1.3; font-size: 13px; white-space: normal;}
.pmo-item-title small {color: #555;}
.pmo-msg, .pmo-msg .widget-html-content {font-size: 12px; line-height: 1.3; white-space: normal;
  overflow-wrap: anywhere; height: auto;}
.pmo-msg .refused, .pmo-msg .error {color: #b00020;}
.pmo-msg .warning {color: #8a5a00;}
.pmo-msg .clash {color: #6a1b9a;}
.pmo-pending input, .pmo-pending select {background: #fff6cc;}
.pmo-refused-field input {border-color: #b00020;}
.pmo-dropped {opacity: 0.55;}
.pmo-editor-status, .pmo-editor-status .widget-html-content {font-size: 14px; line-height: 1.4; white-space: normal;
  height: auto;}
.pmo-editor-status .saved {color: #1b5e20; font-weight: 600;}
.pmo-editor-status .refused {color: #b00020; font-weight: 600;}
.pmo-input-problems {color: #b00020; white-space: pre-wrap; font-size: 13px;}
.pmo-roadmap-chart img, .pmo-roadmap-chart svg {max-width: 100%; height: auto;}
.pmo-roadmap-gantt {overflow-x: auto;}
.pmo-roadmap-gantt img, .pmo-roadmap-gantt svg {width: 100%; min-width: 760px; max-width: 1200px;}
.pmo-editor-add .widget-text, .pmo-editor-add .widget-dropdown {width: 100%; max-width: 520px;}
@media (min-width: 701px) {
  /* a message may be wider than its (narrow) column: it spreads under the next fields */
  .pmo-editor-row .pmo-msg {width: max-content !important; min-width: 100%; max-width: 320px; position: relative;
    z-index: 1; background: rgba(255, 255, 255, 0.92);}
}
@media (max-width: 700px) {
  .pmo-editor-head {display: none !important;}
  .pmo-editor-row {flex-flow: row wrap; border: 1px solid #ccc; border-radius: 4px; margin: 6px 0; padding: 6px;}
  .pmo-editor-row > .widget-vbox {width: calc(50% - 4px) !important;}
  .pmo-editor-row > .pmo-f-title, .pmo-editor-row > .pmo-f-notes, .pmo-editor-row > .pmo-f-prerequisites,
  .pmo-editor-row > .pmo-f-capability {width: 100% !important;}
  .pmo-editor-row > .widget-vbox::before {font-size: 12px; color: #555;}
  .pmo-editor-toolbar {flex-flow: row wrap !important;}
}
""" + "@media (max-width: 700px) {\n" + _NARROW_LABELS + "\n}\n</style>"


def item_class(item_id: str) -> str:
    """The CSS class of an item's row (ids may hold characters a class name cannot)."""
    return "pmo-item-" + re.sub(r"[^A-Za-z0-9_-]", "_", item_id)


def _text(value: Any) -> str:
    """A value as it stands in a text box ('' for nothing)."""
    return "" if value is None or value == () or value == "" else shown(value)


def _messages_html(messages: list[Message]) -> str:
    """Messages next to a field; a refused value says it was not kept (the box shows the value kept)."""
    return "".join(f'<div class="{m.level}">{"Not kept: " if m.level == "refused" else ""}{escape_html(m.text)}</div>'
                   for m in messages)


def _output(html: str = "") -> dict[str, Any]:
    return {"output_type": "display_data", "data": {"text/html": html, "text/plain": ""}, "metadata": {}}


def _figure_output(figure: Figure) -> dict[str, Any]:
    """A chart as SVG with real text (crisp on a projector and a phone, and quicker to make than a PNG)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    return {"output_type": "display_data", "data": {"image/svg+xml": buffer.getvalue(), "text/plain": "chart"},
            "metadata": {}}


@dataclasses.dataclass
class _Row:
    """The widgets of one item: an input and a message line per field, and the drop/restore button."""

    box: w.Box
    inputs: dict[str, w.Widget]
    messages: dict[str, w.HTML]
    action: w.Button


class RoadmapEditorPanel:
    """Every item of the roadmap in one table, editable in place; add, drop, restore, save, reload.

    ``on_saved`` is called after a save reached the disk (the page redraws its charts there).
    """

    def __init__(self, editor: RoadmapEditor, on_saved: Callable[[], None] | None = None):
        self.editor = editor
        self.on_saved = on_saved
        self._syncing = False
        self.name = w.Text(description="Your name", placeholder="required to save",
                           style={"description_width": "initial"}).add_class("pmo-editor-name")
        self.name_message = w.HTML().add_class("pmo-msg")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.save_button.add_class("pmo-editor-save")
        self.save_button.on_click(self.on_save)
        self.reload_button = w.Button(description="Reload from disk", icon="refresh").add_class("pmo-editor-reload")
        self.reload_button.on_click(self.on_reload)
        self.use_mine_button = w.Button(description="Use my values", layout=w.Layout(display="none"))
        self.use_mine_button.add_class("pmo-editor-use-mine")
        self.use_mine_button.on_click(self.on_use_mine)
        self.status = w.HTML().add_class("pmo-editor-status")
        self.rows: dict[str, _Row] = {}
        self.table = w.VBox().add_class("pmo-editor-table")
        head = w.HTML("".join(f'<div style="width:{WIDTHS[k]}">{HEADERS[k]}</div>' for k in (*TABLE_KEYS, "action")))
        head.add_class("pmo-editor-head")
        self.add_form = self._build_add_form()
        toolbar = w.HBox([self.name, self.save_button, self.reload_button, self.use_mine_button],
                         layout=w.Layout(flex_flow="row wrap", align_items="center")).add_class("pmo-editor-toolbar")
        self.widget = w.VBox([w.HTML(STYLE), toolbar, self.name_message, self.status,
                              w.VBox([head, self.table]).add_class("pmo-editor-scroll"), self.add_form])
        self.widget.add_class("pmo-editor")
        self._build_rows()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build_add_form(self) -> w.VBox:
        capabilities = [("(choose)", "")]
        if self.editor.questionnaire is not None:
            capabilities += [(f"{c.name} ({c.id})", c.id) for c in self.editor.questionnaire.capabilities]
        self.new_inputs: dict[str, w.Widget] = {
            "title": w.Text(description="Title", placeholder="what you will do"),
            "capability": w.Dropdown(description="Capability", options=capabilities, value=""),
            "effort": w.Text(description="Effort", placeholder="person-days, e.g. 10"),
            "duration": w.Text(description="Weeks", placeholder="duration in weeks, e.g. 4"),
            "prerequisites": w.Text(description="Needs", placeholder="ids of items it needs, comma separated"),
            "wave": w.Text(description="Wave", placeholder="empty: the planner places it"),
        }
        self.new_messages = {key: w.HTML().add_class("pmo-msg") for key in self.new_inputs}
        for key, widget in self.new_inputs.items():
            widget.add_class(f"pmo-new-{key}")
        self.add_button = w.Button(description="Add initiative", icon="plus").add_class("pmo-editor-add-button")
        self.add_button.on_click(self.on_add)
        self.add_message = w.HTML().add_class("pmo-msg")
        fields = [w.VBox([self.new_inputs[k], self.new_messages[k]]) for k in self.new_inputs]
        return w.VBox([w.HTML("<strong>Add your own initiative</strong>"), *fields, self.add_button,
                       self.add_message]).add_class("pmo-editor-add")

    def _build_rows(self) -> None:
        for row in self.rows.values():
            row.box.close()
        self.rows = {item.id: self._row(item.id) for item in self.editor.candidate().items}
        self.table.children = [row.box for row in self.rows.values()]

    def _row(self, item_id: str) -> _Row:
        editable = set(self.editor.editable(item_id))
        item = self.editor.item(item_id)
        inputs: dict[str, w.Widget] = {}
        for key in TABLE_KEYS:
            if key not in editable:
                inputs[key] = w.HTML()
            elif key == "status":
                inputs[key] = w.Dropdown(options=list(USER_STATUSES) + ([item.status] if item.status not in
                                                                       USER_STATUSES else []))
            elif key == "pinned":
                inputs[key] = w.Checkbox(indent=False)
            elif key == "capability" and self.editor.questionnaire is not None:
                inputs[key] = w.Dropdown(options=[c.id for c in self.editor.questionnaire.capabilities])
            else:
                inputs[key] = w.Text(continuous_update=False)
            if key in editable:
                inputs[key].observe(self._handler(item_id, key), "value")
            inputs[key].add_class(f"pmo-input-{key}")
        messages = {key: w.HTML().add_class("pmo-msg") for key in TABLE_KEYS}
        action = w.Button(layout=w.Layout(width="72px")).add_class("pmo-editor-drop")
        action.on_click(lambda _button, ident=item_id: self.on_drop(ident))
        cells = [w.VBox([inputs[k], messages[k]], layout=w.Layout(width=WIDTHS[k])).add_class(f"pmo-f-{k}")
                 for k in TABLE_KEYS]
        cells.append(w.VBox([action], layout=w.Layout(width=WIDTHS["action"])).add_class("pmo-f-action"))
        box = w.Box(cells).add_class("pmo-editor-row").add_class(item_class(item_id))
        return _Row(box=box, inputs=inputs, messages=messages, action=action)

    def _handler(self, item_id: str, key: str) -> Callable[[dict], None]:
        def handle(change: dict) -> None:
            if not self._syncing:
                self.on_change(item_id, key, change["new"])
        return handle

    # ------------------------------------------------------------------ handlers
    def on_change(self, item_id: str, key: str, value: Any) -> list[Message]:
        """A field was changed in the table: check it, keep it or refuse it, and redraw the messages."""
        messages = self.editor.set_value(item_id, key, value)
        self.refresh(extra=[m for m in messages if m.level == "refused"])
        return messages

    def on_drop(self, item_id: str) -> list[Message]:
        """The row's Drop / Restore button."""
        item = self.editor.item(item_id)
        messages = self.editor.restore(item_id) if item.status == "dropped" else self.editor.drop(item_id)
        self.refresh(extra=[dataclasses.replace(m, key="status") for m in messages if m.level == "refused"])
        return messages

    def on_add(self, _button: object = None) -> str | None:
        """Add the initiative described in the form; its refusals go next to the form's fields."""
        values = {key: widget.value for key, widget in self.new_inputs.items()}
        item_id, messages = self.editor.add_item(**values)
        for key, html in self.new_messages.items():
            html.value = _messages_html([m for m in messages if m.key == key and m.level == "refused"])
        if item_id is None:
            self.add_message.value = '<span class="refused">Not added: see the fields above.</span>'
            return None
        for key, widget in self.new_inputs.items():
            widget.value = ""
        self.add_message.value = (f'<span class="saved">Added {escape_html(item_id)} at the end of the table '
                                  "(not saved yet).</span>")
        self.rows[item_id] = self._row(item_id)
        self.table.children = [*self.table.children, self.rows[item_id].box]
        self.refresh()
        return item_id

    def on_save(self, _button: object = None) -> bool:
        """Save: 'Saved' only once the file is written; otherwise why not, with what differs on disk."""
        self.name_message.value = ""
        try:
            outcome = self.editor.save(self.name.value)
        except InputErrors as exc:  # e.g. another writer holds the lock too long, or the folder is read-only
            self._say(f"Not saved: {exc.render()}", "refused")
            return False
        if not outcome.saved:
            if not (self.name.value or "").strip():
                self.name_message.value = _messages_html([Message("", "name", outcome.message, "refused")])
            self._say(outcome.message, "refused")
            if outcome.differences:
                listed = "".join(f"<li>{escape_html(str(d))}</li>" for d in outcome.differences)
                self.status.value += f"<ul>{listed}</ul>"
            if outcome.stale:
                self.reload_button.button_style = "warning"  # the way on: take their version, re-apply yours
            return False
        self.refresh()
        if self.on_saved is not None:
            self.on_saved()
        self._say(outcome.message, "saved")
        return True

    def on_reload(self, _button: object = None) -> bool:
        """Load the file as it is on disk and re-apply the pending edits, saying which ones."""
        try:
            outcome = self.editor.reload()
        except InputErrors as exc:
            self._say(f"Not reloaded, the file on disk is invalid (your edits are kept):\n{cli_message(exc)}",
                      "refused")
            return False
        self.reload_button.button_style = ""
        self._build_rows()
        self.refresh()
        self._say(outcome.message, "refused" if outcome.clashes or outcome.not_reapplied else "saved")
        return True

    def on_use_mine(self, _button: object = None) -> list[Message]:
        """Take your values back for every field someone else changed too."""
        messages = []
        for item_id, key in list(self.editor.clashes):
            messages += self.editor.use_mine(item_id, key)
        self.refresh(extra=[m for m in messages if m.level == "refused"])
        return messages

    # ------------------------------------------------------------------ drawing
    def _say(self, text: str, level: str) -> None:
        self.status.value = f'<span class="{level}">{escape_html(text)}</span>'

    @contextmanager
    def _synced(self) -> Iterator[None]:
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def refresh(self, extra: list[Message] = ()) -> None:
        """Put every value, pending mark and message in its place (refused ones in ``extra``)."""
        editor = self.editor
        messages: dict[tuple[str, str], list[Message]] = {}
        for message in [*extra, *editor.messages()]:
            messages.setdefault((message.item, message.key), []).append(message)
        placed = editor.placement()
        with self._synced():
            for item_id, row in self.rows.items():
                item = editor.item(item_id)
                for key in TABLE_KEYS:
                    widget = row.inputs[key]
                    self._show_value(widget, item_id, key, getattr(item, key), placed.get(item_id, {}))
                    pending = editor.is_pending(item_id, key)
                    (widget.add_class if pending else widget.remove_class)("pmo-pending")
                    found = messages.get((item_id, key), [])
                    refused = any(m.level == "refused" for m in found)
                    (widget.add_class if refused else widget.remove_class)("pmo-refused-field")
                    row.messages[key].value = _messages_html(found)
                dropped = item.status == "dropped"
                row.action.description = "Restore" if dropped else "Drop"
                row.action.tooltip = ("put it back in the plan" if dropped else
                                      "take it out of the plan (kept in the file, status dropped)")
                (row.box.add_class if dropped else row.box.remove_class)("pmo-dropped")
        names = editor.edited_names()
        self.use_mine_button.layout.display = "" if editor.clashes else "none"
        self.use_mine_button.description = f"Use my values ({len(editor.clashes)})"
        if names:
            self._say(f"{len(names)} unsaved: {describe_edits(names)}", "pending")
        elif not self.status.value.startswith('<span class="saved"'):
            self._say(f"No unsaved edits to {editor.path.name}.", "pending")

    def _show_value(self, widget: w.Widget, item_id: str, key: str, value: Any, placed: dict[str, Any]) -> None:
        if isinstance(widget, w.HTML):
            if key == "title":
                widget.value = (f'<div class="pmo-item-title">{escape_html(value)}<br>'
                                f"<small>{escape_html(item_id)}</small></div>")
            else:
                widget.value = f'<div class="pmo-item-title">{escape_html(_text(value))}</div>'
            return
        if isinstance(widget, w.Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, w.Dropdown):
            if value not in widget.options:
                widget.options = [*widget.options, value]
            widget.value = value
        else:
            widget.value = _text(value)
            if key in placed:
                widget.placeholder = f"{_text(placed[key])} (planner)"
        if key == "title":
            widget.tooltip = item_id


class RoadmapPage:
    """What roadmap.ipynb shows: headline, editor, charts and tables, redrawn after every save.

    Built with :meth:`open`, which shows the CLI's message (exit-2 text) instead of a traceback when an
    input file is invalid; every section is then empty.
    """

    def __init__(self, view: rv.RoadmapView | None, problem: str = "", today: dt.date | None = None):
        self.view = view
        self.problem = problem
        self.today = today or dt.date.today()  # the Gantt's today line
        self.editor_panel: RoadmapEditorPanel | None = None
        self.headline = w.HTML().add_class("pmo-roadmap-headline")
        self.editor = w.VBox().add_class("pmo-roadmap-editor")
        self.gantt, self.capacity, self.maturity, self.items, self.uncovered, self.cocreation, self.changes, \
            self.progress = (w.Output(layout=w.Layout(max_width="100%")) for _ in range(8))
        self.outputs = {"gantt": self.gantt, "capacity": self.capacity, "maturity": self.maturity,
                        "items": self.items, "uncovered": self.uncovered, "cocreation": self.cocreation,
                        "changes": self.changes, "progress": self.progress}
        for name, output in self.outputs.items():
            output.add_class(f"pmo-roadmap-{name}")
            if name in ("gantt", "capacity", "maturity"):
                output.add_class("pmo-roadmap-chart")
        self.last_redraw_seconds = 0.0
        self._drawn: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {}
        if view is None:
            self.headline.value = f'{STYLE}<pre class="pmo-input-problems">{escape_html(problem)}</pre>'
            return
        if view.roadmap.source:
            try:
                editor = RoadmapEditor(view.roadmap.source, view.inputs.library, view.inputs.questionnaire)
            except InputErrors as exc:  # changed on disk into something invalid since the view read it
                problem = escape_html(cli_message(exc))
                self.editor.children = [w.HTML(f'<pre class="pmo-input-problems">{problem}</pre>')]
            else:
                self.view = rv.with_roadmap(view, editor.roadmap)
                self.editor_panel = RoadmapEditorPanel(editor, on_saved=self.after_save)
                self.editor.children = [self.editor_panel.widget]
        else:
            self.editor.children = [w.HTML("<p><em>Not saved to a roadmap file, so there is nothing to edit: set the "
                                           "<code>roadmap</code> parameter to the unit's roadmap.yaml.</em></p>")]
        self.redraw()

    @classmethod
    def open(cls, answers: str | list[str], business_unit: str, questionnaire: str, targets: str, votes: str = "",
             library: str = "", roadmap: str = "", update_roadmap: bool = False, wave_weeks: float | None = None,
             capacity: float | None = None, waves: int | None = None, baseline_answers: str | list[str] = "",
             today: dt.date | None = None) -> "RoadmapPage":
        """Load everything from the notebook's parameters; an invalid file gives the page the CLI's message."""
        try:
            view = rv.load_roadmap_view(answers, business_unit, questionnaire, targets, votes=votes, library=library,
                                        roadmap=roadmap, update_roadmap=update_roadmap, wave_weeks=wave_weeks,
                                        capacity=capacity, waves=waves, baseline_answers=baseline_answers, today=today)
            return cls(view, today=today)
        except InputErrors as exc:
            return cls(None, cli_message(exc))

    def after_save(self) -> None:
        """The file was saved: take the saved roadmap (and its previous version) and redraw everything."""
        assert self.view is not None and self.editor_panel is not None
        editor = self.editor_panel.editor
        self.view = rv.with_roadmap(self.view, editor.roadmap, previous=editor.previous)
        self.redraw()

    def redraw(self) -> None:
        """Draw the headline, charts and tables from the view as it stands; a chart showing the same as
        before is not drawn again."""
        began = time.perf_counter()
        view = self.view
        assert view is not None
        self.headline.value = STYLE + rv.headline_html(view)  # the style also sizes the charts to the screen
        for name, parts in rv.page_sections(view, today=self.today).items():
            outputs = []
            for number, part in enumerate(parts):
                if isinstance(part, str):
                    if part:
                        outputs.append(_output(part))
                    continue
                drawn = self._drawn.get((name, number))
                if drawn is None or drawn[0] != part.key:
                    drawn = self._drawn[(name, number)] = (part.key, _figure_output(part.draw()))
                outputs.append(drawn[1])
            self.outputs[name].outputs = tuple(outputs)
        self.last_redraw_seconds = time.perf_counter() - began
