"""The thin ipywidgets layer over :class:`~pmo_assess.workshop.session.WorkshopSession`.

Every handler is a plain method (``on_start``, ``on_answer``, ...) that calls the session and then
redraws; refusals and failed saves are shown next to the field they concern, never swallowed, and
every save result is echoed to the page script (:class:`~pmo_assess.workshop.page.Ack`) so that
nothing looks saved in the browser unless it is on disk. Handlers, the comment debounce timer and
the live panel's file watcher take one lock: they all touch the session.
"""
from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import ipywidgets as w

from pmo_assess.errors import InputErrors
from pmo_assess.sanitize import escape_html
from pmo_assess.workshop.errors import TargetExists, VotesExist, WorkshopRefusal
from pmo_assess.workshop import page, render
from pmo_assess.workshop.errors import page_message
from pmo_assess.workshop.live import LiveView
from pmo_assess.workshop.radar_view import RadarWidget
from pmo_assess.workshop.session import CONSENSUS_MODE, INDIVIDUAL_MODE, WorkshopSession

OTHER_CHOICES = (("n/a: does not apply here", "na"), ("don't know", "dk"))
#: The answers in the order the form offers them (the page script maps keys to these positions).
ANSWER_ORDER = ["1", "2", "3", "4"] + [value for _, value in OTHER_CHOICES]
WIDE = w.Layout(width="100%")
#: The form's styles (static/workshop.css): wrapping anchors, presentation mode, projector tables, phone layout.
STYLE = page.style_html()
#: Seconds of typing pause after which a comment is saved.
COMMENT_DEBOUNCE_SECONDS = 0.7


def _locked(method: Callable) -> Callable:
    """Run a handler under the form's lock (the debounce timer and the file watcher run in other threads)."""
    @functools.wraps(method)
    def run(self: "WorkshopForm", *args: object, **kwargs: object) -> object:
        with self._lock:
            return method(self, *args, **kwargs)
    return run


class WorkshopForm:
    """The capture form, live view and co-creation panels of one session.

    Display ``capture``, ``live_panel`` and ``cocreation_panel`` in separate cells. With ``watch`` the
    form ticks the page's heartbeat (see :mod:`.page`) and, with the live view, re-reads the files
    every half second so answers saved from other browsers appear without a click.
    """

    def __init__(self, session: WorkshopSession, live: bool = True, cocreation: bool = True,
                 room_controls: bool = True, watch: bool = False):
        self.session = session
        self.live = live
        self._syncing = False
        self._lock = threading.RLock()
        self._comment_timer: threading.Timer | None = None
        self._pending_comment: str | None = None
        self._seen: tuple[str, str] = ("", "")
        self.comment_delay = COMMENT_DEBOUNCE_SECONDS
        self.ack = page.Ack()
        self.pulse = page.Pulse(poll=self.poll_files if live else None)
        self._shown_respondent: str | None = None
        self.last_update_seconds = 0.0
        q = session.questionnaire
        self.message = w.HTML().add_class("pmo-message").add_class("pmo-answer-message")
        self.respondent_message = w.HTML().add_class("pmo-respondent-message")
        self.comment_message = w.HTML().add_class("pmo-comment-message")
        self.header = w.HTML().add_class("pmo-header")
        # respondent
        self.known = w.Dropdown(description="Returning", options=self._known_options())
        self.known.observe(self.on_known, "value")
        self.name = w.Text(description="Name", placeholder="respondent's name").add_class("pmo-respondent-name")
        role_options = [("(no role)", "")] + [(r.name, r.id) for r in q.roles]
        self.role = (w.Dropdown(description="Role", options=role_options) if q.roles
                     else w.Text(description="Role", placeholder="optional")).add_class("pmo-role")
        self.start = w.Button(description="Start answering", button_style="primary").add_class("pmo-start")
        self.start.on_click(self.on_start)
        self.mode = w.ToggleButtons(options=[("Individual", INDIVIDUAL_MODE), ("Consensus (room)", CONSENSUS_MODE)])
        self.mode.observe(self.on_mode, "value")
        self.who = w.HTML().add_class("pmo-who")
        # question
        self.heading = w.HTML().add_class("pmo-question")
        self.choices = w.RadioButtons(options=[("-", "dk")], value=None, layout=WIDE).add_class("pmo-answer-choices")
        self.choices.observe(self.on_answer, "value")
        self.comment = w.Textarea(placeholder="comment (saved as you type)", continuous_update=True,
                                  layout=WIDE).add_class("pmo-comment")
        self.comment.observe(self.on_comment, "value")
        self.jump = w.Dropdown(options=self._jump_options(), value="", layout=w.Layout(width="360px"))
        self.jump.add_class("pmo-jump")
        self.jump.observe(self.on_jump, "value")
        self.present = w.ToggleButton(description="Presentation mode", value=False,
                                      tooltip="large text for the projector").add_class("pmo-present-toggle")
        self.present.observe(self.on_present, "value")
        self.previous_button = w.Button(description="◀ Previous").add_class("pmo-previous")
        self.previous_button.on_click(self.on_previous)
        self.next_button = w.Button(description="Next ▶").add_class("pmo-next")
        self.next_button.on_click(self.on_next)
        self.progress_bar = w.IntProgress(min=0, max=len(q.questions), value=0)
        self.progress = w.HTML().add_class("pmo-progress")
        respondent_row = [self.name, self.role, self.start]
        if room_controls:  # returning respondents and consensus mode: for the consultant's screen
            respondent_row = [self.known] + respondent_row
        # Previous / Next / Jump sit above the question: their place never depends on its length
        navigation = [self.previous_button, self.next_button, self.jump, self.present]
        self.capture = w.VBox([
            w.HTML(STYLE), self.header, w.HBox(respondent_row).add_class("pmo-wrap").add_class("pmo-respondent-row"),
            self.respondent_message, *([self.mode] if room_controls else []), self.who,
            w.HBox(navigation).add_class("pmo-wrap").add_class("pmo-nav"), self.heading, self.choices, self.message,
            self.comment, self.comment_message, w.HBox([self.progress_bar, self.progress]).add_class("pmo-wrap"),
            self.ack.widget, self.pulse.widget], layout=w.Layout(max_width="100%")).add_class("pmo-capture")
        # live view
        self.levels = w.HTML().add_class("pmo-levels")
        self.radar_view = RadarWidget()
        self.discussion = w.HTML().add_class("pmo-discussion")
        self.reload_button = w.Button(description="↻ Refresh from file",
                                      tooltip="show answers saved by other respondents")
        self.reload_button.on_click(self.on_reload)
        self.live_message = w.HTML().add_class("pmo-live-message")
        levels_and_radar = w.Box([self.levels, self.radar_view.box]).add_class("pmo-live-grid")
        self.live_panel = w.VBox([w.HTML(STYLE), w.HBox([self.reload_button, self.live_message]).add_class("pmo-wrap"),
                                  levels_and_radar, self.discussion]).add_class("pmo-live")
        # co-creation
        self.cocreation_panel = self._build_cocreation() if cocreation else w.VBox()
        self.refresh()  # never resumes as someone by itself: the form asks who is answering
        if watch:
            self.pulse.start()

    # ------------------------------------------------------------------ building
    def _jump_options(self) -> list[tuple[str, str]]:
        """'Jump to…' entries: each dimension, then each of its capabilities (value ``kind:id``)."""
        options = [("Jump to a dimension or capability…", "")]
        for dim in self.session.questionnaire.dimensions:
            options.append((f"{dim.name} (all)", f"dimension:{dim.id}"))
            options += [(f"{dim.name} › {cap.name}", f"capability:{cap.id}") for cap in dim.capabilities]
        return options

    def _known_options(self) -> list[tuple[str, str]]:
        return [("(new respondent)", "")] + [(f"{n} ({r or 'no role'})", n) for n, r in self.session.respondents()]

    def _build_cocreation(self) -> w.VBox:
        q = self.session.questionnaire
        items = [(f"Dimension · {d.name}", ("dimensions", d.id)) for d in q.dimensions]
        items += [(f"Capability · {c.name}", ("capabilities", c.id)) for c in q.capabilities]
        self.target_item = w.Dropdown(description="Target for", options=items, layout=w.Layout(width="420px"))
        self.target_level = w.IntText(description="Level", value=3, layout=w.Layout(width="160px"))
        self.target_agreed_by = w.Text(description="Agreed by", placeholder="names, separated by commas")
        self.target_note = w.Text(description="Note", placeholder="optional")
        self.target_button = w.Button(description="Record target", button_style="success")
        self.target_button.on_click(self.on_record_target)
        self.target_replace = w.Button(description="Replace the recorded target", button_style="warning",
                                       layout=w.Layout(display="none")).add_class("pmo-target-replace")
        self.target_replace.on_click(lambda _button: self.on_record_target(replace=True))
        self.voter = w.Text(description="Participant", placeholder="who is voting")
        self.vote_inputs = {c.id: w.IntText(value=0, description=c.name, style={"description_width": "270px"},
                                            layout=w.Layout(width="350px")) for c in q.capabilities}
        self.votes_button = w.Button(description="Save votes", button_style="success")
        self.votes_button.on_click(self.on_save_votes)
        self.votes_replace = w.Button(description="Replace their votes", button_style="warning",
                                      layout=w.Layout(display="none")).add_class("pmo-votes-replace")
        self.votes_replace.on_click(lambda _button: self.on_save_votes(replace=True))
        self.votes_info = w.HTML().add_class("pmo-votes")
        self.cocreation_message = w.HTML().add_class("pmo-cocreation-message")
        return w.VBox([
            w.HTML("<b>Target levels agreed with the room</b>"),
            w.HBox([self.target_item, self.target_level]), w.HBox([self.target_agreed_by, self.target_note]),
            w.HBox([self.target_button, self.target_replace]),
            w.HTML("<b>Dot voting: spread your votes over the capabilities to improve first</b>"),
            self.voter, w.GridBox(list(self.vote_inputs.values()),
                                  layout=w.Layout(grid_template_columns="repeat(2, 360px)")),
            w.HBox([self.votes_button, self.votes_replace]), self.cocreation_message, self.votes_info])

    # ------------------------------------------------------------------ messages
    def _say(self, text: str, ok: bool = True, target: w.HTML | None = None) -> None:
        """Show a message in the box beside its field: a quiet confirmation, or an error no one can miss."""
        (target or self.message).value = page.note(text, "ok" if ok else "error")

    def _guard(self, action: Callable[[], object], target: w.HTML | None = None,
               ack: tuple[str, str, str] | None = None) -> bool:
        """Run a session call; show a refusal or a failed save beside its field instead of losing it.

        ``ack`` = (kind, question, value) of a save: its outcome is echoed to the page script.
        """
        try:
            action()
        except (WorkshopRefusal, InputErrors, OSError) as exc:
            message = page_message(exc)
            if isinstance(exc, OSError) or (ack and not isinstance(exc, WorkshopRefusal)):
                message = f"NOT SAVED: {message}"
            self._say(message, ok=False, target=target)
            if ack:
                self.ack.send(*ack, ok=False, message=message)
            return False
        if ack:
            self.ack.send(*ack, ok=True)
        return True

    # ------------------------------------------------------------------ handlers
    @_locked
    def on_known(self, change: dict) -> None:
        """A returning respondent was picked: continue with them at their first unanswered question."""
        if not self._syncing and change["new"]:
            self.name.value = change["new"]
            self.role.value = self.session.role_of(change["new"]) or ""
            self.on_start()

    @_locked
    def on_start(self, _button: object = None) -> None:
        """Answer as the typed name and role (new, or returning with the role they had).

        A refused role change puts the role field back to the role the person already has.
        """
        self.flush_comment()
        if self._guard(lambda: self.session.choose_respondent(self.name.value, self.role.value),
                       target=self.respondent_message):
            role = self.session.role_name(self.session.role)
            self._say(f"answering as {self.session.respondent} ({role}); every answer is saved the moment you "
                      "choose it", target=self.respondent_message)
        else:
            known = self.session.match_respondent(self.name.value)
            previous = self.session.role_of(known) if known is not None else (
                self.session.role if self.session.mode == INDIVIDUAL_MODE and self.session.respondent else "")
            with self._synced():
                self.role.value = previous or ""
        self.refresh()

    @_locked
    def on_mode(self, change: dict) -> None:
        """Switch between individual answers and the room's consensus."""
        if not self._syncing:
            self.flush_comment()
            self._guard(lambda: self.session.set_mode(change["new"]), target=self.respondent_message)
            self.refresh()

    @_locked
    def on_answer(self, change: dict) -> None:
        """A choice was clicked: save it at once, then redraw (``last_update_seconds`` times the whole round)."""
        if self._syncing or change["new"] is None:
            return
        started = time.perf_counter()
        self.flush_comment()
        question, value = self.session.question.id, change["new"]
        if self._guard(lambda: self.session.answer(value, seen=self._seen), ack=("answer", question, value)):
            self._say(f"saved {question} = {value} at {time.strftime('%H:%M:%S')}")
        self.refresh()
        self.last_update_seconds = time.perf_counter() - started

    @_locked
    def on_comment(self, change: dict) -> None:
        """The comment (dissent note in consensus mode) is being typed: save it after a short pause."""
        if self._syncing:
            return
        self._pending_comment = change["new"]
        if self._comment_timer is not None:
            self._comment_timer.cancel()
        self._comment_timer = threading.Timer(self.comment_delay, self.flush_comment)
        self._comment_timer.daemon = True
        self._comment_timer.start()
        self.comment_message.value = page.note("typing… saved when you pause", "info")

    @_locked
    def flush_comment(self) -> None:
        """Save the comment typed so far now: after the typing pause, or before anything moves the form on."""
        if self._comment_timer is not None:
            self._comment_timer.cancel()
            self._comment_timer = None
        text, self._pending_comment = self._pending_comment, None
        if text is None:
            return
        question = self.session.question.id
        what = "dissent note" if self.session.mode == CONSENSUS_MODE else "comment"
        if self._guard(lambda: self.session.set_comment(text, seen=self._seen), target=self.comment_message,
                       ack=("comment", question, text)):
            self._seen = self.session.current
            self._say(f"saved the {what} on {question} at {time.strftime('%H:%M:%S')}", target=self.comment_message)
            self.refresh_live()  # not the comment box: the person may still be typing
        else:
            unsaved = self.comment_message.value
            self.refresh()
            self.comment_message.value = unsaved + page.note(f"Your text, not saved: {text}", "info")

    @_locked
    def on_reload(self, _button: object = None) -> None:
        """Re-read the files so the live view includes answers saved from respondents' browsers."""
        self.flush_comment()
        if self._guard(self.session.reload, target=self.live_message):
            self._say(f"answers file read at {time.strftime('%H:%M:%S')}: "
                      f"{len(self.session.respondents())} respondent(s)", target=self.live_message)
        self.refresh()

    @_locked
    def poll_files(self) -> bool:
        """Redraw the live view if the answers, targets or votes file changed (the pulse calls this every 0.5 s)."""
        try:
            changed = self.session.reload_if_changed()
        except (WorkshopRefusal, InputErrors, OSError) as exc:
            self._say(page_message(exc), ok=False, target=self.live_message)
            return False
        if changed:
            with self._synced():
                self.known.options = self._known_options()
                self.known.value = self._known_value()
            self.refresh_live()
            self._say(f"updated at {time.strftime('%H:%M:%S')}: {len(self.session.respondents())} respondent(s)",
                      target=self.live_message)
        return changed

    @_locked
    def on_previous(self, _button: object = None) -> None:
        """Show the previous question with its saved answer."""
        self.flush_comment()
        self.session.previous()
        self._moved()

    @_locked
    def on_next(self, _button: object = None) -> None:
        """Show the next question with its saved answer."""
        self.flush_comment()
        self.session.next()
        self._moved()

    @_locked
    def on_jump(self, change: dict) -> None:
        """Go to the first question of the dimension or capability picked in 'Jump to…'."""
        if self._syncing or not change["new"]:
            return
        self.flush_comment()
        kind, ident = change["new"].split(":", 1)
        q = self.session.questionnaire
        questions = ([qq for c in q.dimension(ident).capabilities for qq in c.questions] if kind == "dimension"
                     else q.capability(ident).questions)
        self.session.go_to(questions[0].id)
        self._moved()

    def _moved(self) -> None:
        """Show the question moved to, without the previous question's save messages."""
        self.message.value = self.comment_message.value = ""
        self.refresh(live=False)

    def on_present(self, change: dict) -> None:
        """Presentation mode: the question, its choices and the buttons in projector sizes."""
        if change["new"]:
            self.capture.add_class("pmo-presenting")
        else:
            self.capture.remove_class("pmo-presenting")

    @_locked
    def on_record_target(self, _button: object = None, replace: bool = False) -> None:
        """Record the target level typed in the co-creation panel; over a different one only once confirmed."""
        kind, ident = self.target_item.value
        self.target_replace.layout.display = "none"
        try:
            self.session.set_target(kind, ident, self.target_level.value, self.target_agreed_by.value,
                                    note=self.target_note.value, replace=replace)
        except TargetExists as exc:
            self._say(str(exc), ok=False, target=self.cocreation_message)
            self.target_replace.layout.display = ""  # the confirmation: the facilitator presses it, or not
        except (WorkshopRefusal, InputErrors, OSError) as exc:
            self._say(page_message(exc), ok=False, target=self.cocreation_message)
        else:
            label = next(text for text, value in self.target_item.options if value == (kind, ident))
            self._say(f"target recorded: {label.split(' · ', 1)[-1]} at level {self.target_level.value}",
                      target=self.cocreation_message)
        self.refresh_live()

    @_locked
    def on_save_votes(self, _button: object = None, replace: bool = False) -> None:
        """Save the typed participant's dot votes (over their earlier votes only once confirmed), then clear."""
        allocation = {cid: box.value for cid, box in self.vote_inputs.items()}
        self.votes_replace.layout.display = "none"
        try:
            self.session.cast_votes(self.voter.value, allocation, replace=replace)
        except VotesExist as exc:
            self._say(str(exc), ok=False, target=self.cocreation_message)
            self.votes_replace.layout.display = ""
        except (WorkshopRefusal, InputErrors, OSError) as exc:
            self._say(page_message(exc), ok=False, target=self.cocreation_message)
        else:
            self._say(f"votes of {self.voter.value.strip()} saved", target=self.cocreation_message)
            with self._synced():
                for box in self.vote_inputs.values():
                    box.value = 0
        self.refresh_votes()

    # ------------------------------------------------------------------ drawing
    @contextmanager
    def _synced(self) -> Iterator[None]:
        """Set widget values from the session without their observers saving them back."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def refresh(self, live: bool = True) -> None:
        """Redraw the question, its choices and progress (and the live view) from the session."""
        s, q = self.session, self.session.questionnaire
        question = s.question
        with self._synced():
            self.known.options = self._known_options()
            self.known.value = self._known_value()
            self.jump.value = ""
            self.mode.value = s.mode
            if s.mode == INDIVIDUAL_MODE and s.respondent and s.respondent != self._shown_respondent:
                self.name.value, self.role.value = s.respondent, s.role
                self._shown_respondent = s.respondent
            anchors = [(f"{n} · {q.level_name(n)}: {question.anchors.get(n, '')}", str(n)) for n in (1, 2, 3, 4)]
            self.choices.options = anchors + list(OTHER_CHOICES)
            answer, comment = s.current
            self._seen = (answer, comment)  # what the page shows: a save over anything newer is refused
            self.choices.value = answer or None
            self.comment.value = comment
            self.comment.placeholder = ("dissent note: who disagrees and why" if s.mode == CONSENSUS_MODE
                                        else "comment (saved as you type)")
        who = ("the room (consensus)" if s.mode == CONSENSUS_MODE else s.respondent) or "nobody yet"
        self.who.value = f"<b>Answering as:</b> {escape_html(who)}"
        self.heading.value = (
            f"<div class='pmo-question-path' data-question='{escape_html(question.id)}'>"
            f"{escape_html(s.dimension.name)} › {escape_html(s.capability.name)} · "
            f"question {s.position + 1} of {len(q.questions)} ({escape_html(question.id)})</div>"
            f"<div class='pmo-question-text' role='heading' aria-level='2'>{escape_html(question.text)}</div>"
            f"{render.evidence_html(question)}")
        progress = s.progress()
        self.progress_bar.value = progress.answered
        parts = " · ".join(f"{escape_html(d.name)} {d.answered}/{d.total}" for d in progress.dimensions)
        self.progress.value = f"<b>{progress.answered} / {progress.total} answered</b> — {parts}"
        self.previous_button.disabled = s.position == 0
        self.next_button.disabled = s.position == len(q.questions) - 1
        if live:
            self.refresh_live()

    def refresh_live(self) -> None:
        """Redraw levels, discussion list, radar and vote totals from the answers as saved."""
        if not self.live:
            return
        view = self.session.live_view()
        self.levels.value = self._levels_html(view)
        self.discussion.value = self._discussion_html(view)
        self._draw_radar(view)
        if hasattr(self, "votes_info"):
            self.refresh_votes()

    def refresh_votes(self) -> None:
        """Redraw the dot-vote totals and who has voted, with each one's votes and votes left."""
        from pmo_assess.workshop.cocreation import votes_text

        totals = self.session.vote_totals()
        q = self.session.questionnaire
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        listed = ", ".join(f"{escape_html(q.capability(c).name)} {n}" for c, n in ranked if n) or "no votes yet"
        rows = "".join(
            f"<tr><td>{escape_html(v.name)}</td><td>{escape_html(votes_text(q, v.votes)) if v.voted else 'not yet'}"
            f"</td><td>{v.cast}</td><td>{v.left}</td></tr>" for v in self.session.voters())
        table = (f"<table class='pmo-voters'><tr><th>participant</th><th>votes</th><th>cast</th><th>left</th></tr>"
                 f"{rows}</table>") if rows else ""
        self.votes_info.value = f"{self.session.vote_budget} votes per participant · totals: {listed}{table}"

    def _known_value(self) -> str:
        """The returning-respondent list's entry for whoever is answering ('' for nobody or the room)."""
        s = self.session
        return s.respondent if s.respondent in dict(s.respondents()) else ""

    def _levels_html(self, view: LiveView) -> str:
        return render.levels_html(view, self.session.questionnaire)

    def _discussion_html(self, view: LiveView) -> str:
        return render.discussion_html(view, self.session.questionnaire)

    def _draw_radar(self, view: LiveView) -> None:
        """Redraw the radar only when a level or target changed (see :class:`RadarWidget`)."""
        self.radar_view.show(view.capabilities)


def capture_form(questionnaire_file: str, business_unit: str, answers_file: str, invites_file: str = "") -> w.VBox:
    """The capture-only form served to respondents (no live view, no other respondents' names).

    With an invites file the page answers as the person its link names; a bad link shows why and no form.
    """
    from pmo_assess.workshop.errors import page_message
    from pmo_assess.workshop.invites import page_session

    page.show_assets(f"{business_unit.strip()} · PMO maturity workshop", ANSWER_ORDER)
    try:
        session = page_session(questionnaire_file, business_unit, answers_file, invites_file)
    except (WorkshopRefusal, InputErrors, OSError) as exc:
        refused = w.HTML(f"<div style='font-size:20px;padding:16px;border:2px solid #b42318;color:#b42318'>"
                         f"{escape_html(page_message(exc))}</div>")
        return w.VBox([refused.add_class("pmo-invitation-refused")])
    form = WorkshopForm(session, live=False, cocreation=False, room_controls=False, watch=True)
    form.header.value = page.header_html("PMO maturity workshop", session.business_unit,
                                         page.capture_instructions())
    if session.invited is not None:
        for field in (form.name, form.role, form.start):
            field.layout.display = "none"  # the link says who is answering
    return form.capture
