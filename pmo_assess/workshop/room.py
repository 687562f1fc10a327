"""The facilitator's room view: a code-free page for the projector that redraws itself as answers arrive.

It shows each respondent's progress, the live levels against the agreed targets, the radar, the
discussion list (question text, answers grouped by level) and a consensus capture for the room's
agreed answer and dissent note. A :class:`~pmo_assess.workshop.page.Pulse` polls the answers,
targets and votes files four times a second (a few ``stat`` calls) and redraws only when one
changed, so answers saved from respondents' own browsers appear within a second, without a click.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import ipywidgets as w
import nbformat

from pmo_assess.errors import InputErrors
from pmo_assess.workshop import page, render
from pmo_assess.workshop.errors import WorkshopRefusal, page_message
from pmo_assess.workshop.live import LiveView
from pmo_assess.workshop.radar_view import RadarWidget
from pmo_assess.workshop.session import CONSENSUS_MODE, WorkshopSession

ROOM_TITLE = "Workshop room view"
ANSWERS = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("n/a", "na"), ("don't know", "dk")]


class RoomView:
    """Progress, levels, radar, discussion list and consensus capture of one unit; ``page`` is the widget to show."""

    def __init__(self, session: WorkshopSession, watch: bool = False, poll_seconds: float = 0.25):
        self.session = session
        self._lock = threading.RLock()
        self._seen: tuple[str, str] = ("", "")
        self._syncing = False
        #: monotonic time of the last redraw and how many redraws so far (the benchmark reads both)
        self.updated_at, self.redraws = 0.0, 0
        session.set_mode(CONSENSUS_MODE)  # the room's saves are the room's agreed answers
        self.ack = page.Ack()
        self.pulse = page.Pulse(poll=self.poll, poll_seconds=poll_seconds)
        self.header = w.HTML(page.header_html(
            ROOM_TITLE, session.business_unit,
            "Updates by itself as answers arrive. Work down the discussion list: agree the room's answer and note "
            "who dissents below it.")).add_class("pmo-header")
        self.stamp = w.HTML().add_class("pmo-stamp")
        self.message = w.HTML().add_class("pmo-room-message")
        self.progress = w.HTML().add_class("pmo-room-progress")
        self.levels = w.HTML().add_class("pmo-levels")
        self.radar = RadarWidget()
        self.discussion = w.HTML().add_class("pmo-discussion")
        # consensus capture
        self.question = w.Dropdown(description="Question", options=self._question_options(),
                                   layout=w.Layout(width="100%")).add_class("pmo-consensus-question")
        self.question.observe(self.on_question, "value")
        self.agreed = w.ToggleButtons(options=ANSWERS, value=None, description="Agreed",
                                      tooltips=["ad hoc", "evolving", "operationalizing", "optimizing",
                                                "not applicable", "don't know"]).add_class("pmo-consensus-answer")
        self.note = w.Textarea(description="Dissent", placeholder="who disagrees and why (optional)",
                               layout=w.Layout(width="100%")).add_class("pmo-consensus-note")
        self.save_button = w.Button(description="Save the room's answer", button_style="success",
                                    layout=w.Layout(width="auto"))
        self.save_button.add_class("pmo-consensus-save")
        self.save_button.on_click(self.on_save)
        self.consensus_message = w.HTML().add_class("pmo-consensus-message")
        consensus = w.VBox([w.HTML("<h2>Consensus</h2>"), self.question, self.agreed, self.note,
                            self.save_button, self.consensus_message]).add_class("pmo-consensus")
        grid = w.Box([w.VBox([w.HTML("<h2>Respondents</h2>"), self.progress, w.HTML("<h2>Levels so far</h2>"),
                              self.levels]),
                      w.VBox([w.HTML("<h2>Current against target</h2>"), self.radar.box])]).add_class("pmo-live-grid")
        self.page = w.VBox([w.HTML(page.style_html()), self.header, self.stamp, self.message, grid,
                            w.HTML("<h2>Discussion list</h2>"), self.discussion, consensus,
                            self.ack.widget, self.pulse.widget],
                           layout=w.Layout(max_width="100%")).add_class("pmo-room")
        self.refresh()
        self._show_question()
        if watch:
            self.pulse.start()

    # ------------------------------------------------------------------ building
    def _question_options(self, view: LiveView | None = None) -> list[tuple[str, str]]:
        """Discussion items first (most disputed first), then every other question in questionnaire order."""
        q = self.session.questionnaire
        listed = (view or self.session.live_view()).discussion["question"].tolist()
        rest = [question.id for question in q.questions if question.id not in listed]

        def label(qid: str, mark: str) -> str:
            text = q.questions[q.question_index[qid]].text
            return f"{mark}{qid} · {text if len(text) <= 110 else text[:109] + '…'}"

        return [(label(qid, "⚠ "), qid) for qid in listed] + [(label(qid, ""), qid) for qid in rest]

    # ------------------------------------------------------------------ watching
    def poll(self) -> bool:
        """Redraw if the answers, targets or votes file changed since last read (the pulse calls this often)."""
        with self._lock:
            try:
                changed = self.session.reload_if_changed()
            except (WorkshopRefusal, InputErrors, OSError) as exc:
                self.message.value = page.note(page_message(exc), "error")
                return False
            if changed:
                self.message.value = ""
                self.refresh()
            return changed

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw progress, levels, radar, discussion list and the question list from the files as last read."""
        with self._lock:
            s, q = self.session, self.session.questionnaire
            view = s.live_view()
            rows = []
            for name, role in s.respondents():
                progress = s.progress(name)
                rows.append((name, s.role_name(role), progress.answered, progress.total,
                             [(d.name, d.answered, d.total) for d in progress.dimensions]))
            self.progress.value = render.progress_html(rows)
            self.levels.value = render.levels_html(view, q)
            self.discussion.value = render.discussion_html(view, q)
            self.radar.show(view.capabilities)
            options = self._question_options(view)
            if [v for _, v in options] != [v for _, v in self.question.options]:
                chosen = self.question.value
                self._syncing = True
                try:
                    self.question.options = options
                    self.question.value = chosen if chosen in {v for _, v in options} else options[0][1]
                finally:
                    self._syncing = False
            answers = sum(1 for name, _ in s.respondents() for question in q.questions
                          if s.answer_of(name, question.id)[0])
            self.stamp.value = (f"Updated {time.strftime('%H:%M:%S')} · {len(rows)} respondent(s) · "
                                f"{answers} answer(s) · {len(view.discussion)} item(s) to discuss")
            self.updated_at, self.redraws = time.monotonic(), self.redraws + 1

    def _show_question(self) -> None:
        """Show the room's saved answer and dissent note for the chosen question."""
        s = self.session
        if self.question.value:
            s.go_to(self.question.value)
        self._seen = s.current
        self._syncing = True
        try:
            self.agreed.value = self._seen[0] or None
            self.note.value = self._seen[1]
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ handlers
    def on_question(self, change: dict) -> None:
        """Another question was picked for the room's answer."""
        if not self._syncing:
            with self._lock:
                self.consensus_message.value = ""
                self._show_question()

    def on_save(self, _button: object = None) -> None:
        """Save the room's agreed answer and dissent note for the chosen question; refused if it changed meanwhile."""
        with self._lock:
            s = self.session
            if self.question.value:
                s.go_to(self.question.value)
            question, value, note = s.question.id, self.agreed.value, self.note.value
            if not value:
                self.consensus_message.value = page.note("choose the answer the room agreed first", "error")
                return
            try:
                s.answer(value, comment=note, seen=self._seen)
            except (WorkshopRefusal, InputErrors, OSError) as exc:
                message = page_message(exc)
                self.consensus_message.value = page.note(message, "error")
                self.ack.send("consensus", question, value, ok=False, message=message)
                self._show_question()
                return
            self.ack.send("consensus", question, value, ok=True)
            self._seen = s.current
            self.consensus_message.value = page.note(
                f"saved the room's answer to {question}: {dict((v, k) for k, v in ANSWERS)[value]} "
                f"at {time.strftime('%H:%M:%S')}", "ok")
            self.refresh()


def room_page(questionnaire_file: str, business_unit: str, answers_file: str, targets_file: str = "",
              votes_file: str = "") -> w.VBox:
    """The room view served by Voilà: page assets, then the view, watching the files; a problem shows a message."""
    from pmo_assess.workshop.session import open_session

    page.show_assets(f"{str(business_unit).strip()} · {ROOM_TITLE}", [])
    try:
        session = open_session(questionnaire_file, business_unit, answers_file, targets_file or None,
                               votes_file or None)
    except (WorkshopRefusal, InputErrors, OSError) as exc:
        return w.VBox([w.HTML(page.style_html()), w.HTML(page.note(page_message(exc), "error"))]).add_class("pmo-room")
    return RoomView(session, watch=True).page


def room_notebook(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path,
                  targets_file: str | Path = "", votes_file: str | Path = "") -> nbformat.NotebookNode:
    """The notebook Voilà runs for ``pmo-assess workshop --room``: plain parameter values, then the room view."""
    from pmo_assess.workshop.serve import page_notebook

    return page_notebook(
        {"questionnaire_file": str(questionnaire_file), "business_unit": business_unit,
         "answers_file": str(answers_file), "targets_file": str(targets_file or ""),
         "votes_file": str(votes_file or "")},
        "from pmo_assess.workshop.room import room_page\n"
        "room_page(questionnaire_file, business_unit, answers_file, targets_file, votes_file)")

