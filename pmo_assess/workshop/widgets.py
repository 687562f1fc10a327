"""The thin ipywidgets layer over :class:`~pmo_assess.workshop.session.WorkshopSession`.

Every handler is a plain method (``on_start``, ``on_answer``, ...) that calls the session and then
redraws; refusals and failed saves are shown in the form's message line, never swallowed.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator

import ipywidgets as w

from pmo_assess.errors import InputErrors
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import escape_html
from pmo_assess.workshop.errors import WorkshopRefusal
from pmo_assess.workshop.live import LiveView
from pmo_assess.workshop.session import CONSENSUS_MODE, INDIVIDUAL_MODE, WorkshopSession

OTHER_CHOICES = (("n/a: does not apply here", "na"), ("don't know", "dk"))
WIDE = w.Layout(width="100%")
#: Long anchors wrap instead of overlapping; tables stay compact on a projector.
STYLE = """<style>
.pmo-answer-choices .widget-radio-box label {white-space: normal; height: auto; line-height: 1.35;
  margin: 3px 0; display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: flex-start;
  gap: 6px;}
.pmo-answer-choices .widget-radio-box input {margin-top: 3px; flex: none;}
.pmo-levels-table, .pmo-discussion-table {border-collapse: collapse;}
.pmo-levels-table td, .pmo-levels-table th, .pmo-discussion-table td, .pmo-discussion-table th
  {white-space: nowrap; padding: 1px 8px; text-align: left;}
</style>"""


def _level_text(value: float, questionnaire: Questionnaire) -> str:
    return "–" if value != value else f"{int(value)} {questionnaire.level_name(int(value))}"


def _number(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"


class WorkshopForm:
    """The capture form, live view and co-creation panels of one session.

    Display ``capture``, ``live_panel`` and ``cocreation_panel`` in separate cells.
    """

    def __init__(self, session: WorkshopSession, live: bool = True, cocreation: bool = True,
                 resume: bool = True, room_controls: bool = True):
        self.session = session
        self.live = live
        self._syncing = False
        self._radar_key: tuple | None = None
        self._radar = None
        self._shown_respondent: str | None = None
        self.last_update_seconds = 0.0
        q = session.questionnaire
        self.message = w.HTML().add_class("pmo-message")
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
        self.comment = w.Textarea(placeholder="comment (saved when you leave the box)", continuous_update=False,
                                  layout=WIDE).add_class("pmo-comment")
        self.comment.observe(self.on_comment, "value")
        self.previous_button = w.Button(description="◀ Previous").add_class("pmo-previous")
        self.previous_button.on_click(self.on_previous)
        self.next_button = w.Button(description="Next ▶").add_class("pmo-next")
        self.next_button.on_click(self.on_next)
        self.progress_bar = w.IntProgress(min=0, max=len(q.questions), value=0)
        self.progress = w.HTML().add_class("pmo-progress")
        respondent_row = [self.name, self.role, self.start]
        if room_controls:  # returning respondents and consensus mode: for the consultant's screen
            respondent_row = [self.known] + respondent_row
        self.capture = w.VBox([
            w.HTML(STYLE), w.HBox(respondent_row), *([self.mode] if room_controls else []), self.who,
            self.heading, self.choices, self.comment, w.HBox([self.previous_button, self.next_button, self.progress_bar]), self.progress,
            self.message])
        # live view
        self.levels = w.HTML().add_class("pmo-levels")
        self.radar = w.Image(format="png", layout=w.Layout(width="520px", height="auto", flex="0 0 auto",
                                                           align_self="flex-start"))
        self.discussion = w.HTML().add_class("pmo-discussion")
        self.reload_button = w.Button(description="↻ Refresh from file",
                                      tooltip="show answers saved by other respondents")
        self.reload_button.on_click(self.on_reload)
        self.live_message = w.HTML().add_class("pmo-live-message")
        levels_and_radar = w.Box([self.levels, self.radar], layout=w.Layout(flex_flow="row wrap"))
        self.live_panel = w.VBox([w.HTML(STYLE), w.HBox([self.reload_button, self.live_message]), levels_and_radar,
                                  self.discussion])
        # co-creation
        self.cocreation_panel = self._build_cocreation() if cocreation else w.VBox()
        if resume:
            self._guard(session.resume)
        self.refresh()

    # ------------------------------------------------------------------ building
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
        self.voter = w.Text(description="Participant", placeholder="who is voting")
        self.vote_inputs = {c.id: w.IntText(value=0, description=c.name, style={"description_width": "270px"},
                                            layout=w.Layout(width="350px")) for c in q.capabilities}
        self.votes_button = w.Button(description="Save votes", button_style="success")
        self.votes_button.on_click(self.on_save_votes)
        self.votes_info = w.HTML().add_class("pmo-votes")
        self.cocreation_message = w.HTML().add_class("pmo-cocreation-message")
        return w.VBox([
            w.HTML("<b>Target levels agreed with the room</b>"),
            w.HBox([self.target_item, self.target_level]), w.HBox([self.target_agreed_by, self.target_note]),
            self.target_button,
            w.HTML("<b>Dot voting: spread your votes over the capabilities to improve first</b>"),
            self.voter, w.GridBox(list(self.vote_inputs.values()),
                                  layout=w.Layout(grid_template_columns="repeat(2, 360px)")),
            self.votes_button, self.votes_info, self.cocreation_message])

    # ------------------------------------------------------------------ messages
    def _say(self, text: str, ok: bool = True, target: w.HTML | None = None) -> None:
        colour = "#1a7f37" if ok else "#b42318"
        (target or self.message).value = f'<span style="color:{colour}">{escape_html(text)}</span>'

    def _guard(self, action: Callable[[], object], target: w.HTML | None = None) -> bool:
        """Run a session call; show a refusal or a failed save in the message line instead of losing it."""
        try:
            action()
        except WorkshopRefusal as exc:
            self._say(str(exc), ok=False, target=target)
            return False
        except InputErrors as exc:
            self._say(exc.render(), ok=False, target=target)
            return False
        except OSError as exc:
            self._say(f"NOT SAVED: {exc}", ok=False, target=target)
            return False
        return True

    # ------------------------------------------------------------------ handlers
    def on_known(self, change: dict) -> None:
        """A returning respondent was picked: continue with them at their first unanswered question."""
        if not self._syncing and change["new"]:
            self.name.value = change["new"]
            self.role.value = self.session.role_of(change["new"]) or ""
            self.on_start()

    def on_start(self, _button: object = None) -> None:
        """Answer as the typed name and role (new, or returning with the role they had)."""
        if self._guard(lambda: self.session.choose_respondent(self.name.value, self.role.value)):
            self._say(f"answering as {self.session.respondent}; every answer is saved at once")
        self.refresh()

    def on_mode(self, change: dict) -> None:
        """Switch between individual answers and the room's consensus."""
        if not self._syncing:
            self._guard(lambda: self.session.set_mode(change["new"]))
            self.refresh()

    def on_answer(self, change: dict) -> None:
        """A choice was clicked: save it at once, then redraw (``last_update_seconds`` times the whole round)."""
        if self._syncing or change["new"] is None:
            return
        started = time.perf_counter()
        question = self.session.question.id
        if self._guard(lambda: self.session.answer(change["new"])):
            self._say(f"saved {question} = {change['new']} at {time.strftime('%H:%M:%S')}")
        self.refresh()
        self.last_update_seconds = time.perf_counter() - started

    def on_comment(self, change: dict) -> None:
        """The comment (dissent note in consensus mode) box was left: save it."""
        if self._syncing:
            return
        question = self.session.question.id
        if self._guard(lambda: self.session.set_comment(change["new"])):
            self._say(f"saved the {'dissent note' if self.session.mode == CONSENSUS_MODE else 'comment'} "
                      f"on {question}")
        self.refresh()

    def on_reload(self, _button: object = None) -> None:
        """Re-read the files so the live view includes answers saved from respondents' browsers."""
        if self._guard(self.session.reload, target=self.live_message):
            self._say(f"answers file read at {time.strftime('%H:%M:%S')}: "
                      f"{len(self.session.respondents())} respondent(s)", target=self.live_message)
        self.refresh()

    def on_previous(self, _button: object = None) -> None:
        """Show the previous question with its saved answer."""
        self.session.previous()
        self.refresh(live=False)

    def on_next(self, _button: object = None) -> None:
        """Show the next question with its saved answer."""
        self.session.next()
        self.refresh(live=False)

    def on_record_target(self, _button: object = None) -> None:
        """Record the target level typed in the co-creation panel."""
        kind, ident = self.target_item.value
        if self._guard(lambda: self.session.set_target(kind, ident, self.target_level.value,
                                                       self.target_agreed_by.value, note=self.target_note.value),
                       target=self.cocreation_message):
            self._say(f"target for {ident} recorded: level {self.target_level.value}",
                      target=self.cocreation_message)
        self.refresh_live()

    def on_save_votes(self, _button: object = None) -> None:
        """Save the typed participant's dot votes, then clear the boxes for the next participant."""
        allocation = {cid: box.value for cid, box in self.vote_inputs.items()}
        if self._guard(lambda: self.session.cast_votes(self.voter.value, allocation), target=self.cocreation_message):
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
            self.known.value = s.respondent if s.respondent in dict(s.respondents()) else ""
            self.mode.value = s.mode
            if s.mode == INDIVIDUAL_MODE and s.respondent and s.respondent != self._shown_respondent:
                self.name.value, self.role.value = s.respondent, s.role
                self._shown_respondent = s.respondent
            anchors = [(f"{n} · {q.level_name(n)}: {question.anchors.get(n, '')}", str(n)) for n in (1, 2, 3, 4)]
            self.choices.options = anchors + list(OTHER_CHOICES)
            answer, comment = s.current
            self.choices.value = answer or None
            self.comment.value = comment
            self.comment.placeholder = ("dissent note: who disagrees and why" if s.mode == CONSENSUS_MODE
                                        else "comment (saved when you leave the box)")
        who = ("the room (consensus)" if s.mode == CONSENSUS_MODE else s.respondent) or "nobody yet"
        self.who.value = f"<b>Answering as:</b> {escape_html(who)}"
        self.heading.value = (
            f"<div style='color:#555'>{escape_html(s.dimension.name)} › {escape_html(s.capability.name)} · "
            f"question {s.position + 1} of {len(q.questions)} ({escape_html(question.id)})</div>"
            f"<h3 style='margin:4px 0'>{escape_html(question.text)}</h3>")
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
        """Redraw the dot-vote totals."""
        totals = self.session.vote_totals()
        q = self.session.questionnaire
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        listed = ", ".join(f"{escape_html(q.capability(c).name)} {n}" for c, n in ranked if n) or "no votes yet"
        self.votes_info.value = (f"{self.session.vote_budget} votes per participant · totals: {listed}")

    def _levels_html(self, view: LiveView) -> str:
        q = self.session.questionnaire
        rows = ["<tr><th>Dimension / capability</th><th>score</th><th>level</th><th>target</th>"
                "<th>consensus</th></tr>"]
        capabilities = view.capabilities.to_dict("records")
        for dim in view.dimensions.to_dict("records"):
            rows.append(f"<tr style='background:#eef'><td><b>{escape_html(dim['name'])}</b></td>"
                        f"<td>{_number(dim['score'])}</td><td>{_level_text(dim['level'], q)}</td>"
                        f"<td>{_level_text(dim['target'], q)}</td><td></td></tr>")
            for cap in (c for c in capabilities if c["dimension"] == dim["dimension"]):
                flag = " ⚠ disputed" if cap["disputed"] else ""
                rows.append(f"<tr><td>&nbsp;&nbsp;{escape_html(cap['name'])}<span style='color:#b42318'>{flag}"
                            f"</span></td><td>{_number(cap['score'])}</td><td>{_level_text(cap['level'], q)}</td>"
                            f"<td>{_level_text(cap['target'], q)}</td>"
                            f"<td>{_level_text(cap['consensus_level'], q)}</td></tr>")
        return (f"<b>Overall: {_level_text(view.overall_level, q)}</b> ({len(view.respondents)} respondent(s))"
                f"<table class='pmo-levels-table'>{''.join(rows)}</table>")

    def _discussion_html(self, view: LiveView) -> str:
        if not len(view.discussion):
            return "<b>Discussion list:</b> no disputed items yet."
        people = view.respondents
        head = "".join(f"<th>{escape_html(p)}</th>" for p in people)
        rows = []
        for item in view.discussion.to_dict("records"):
            cells = "".join(f"<td>{escape_html(item[p])}</td>" for p in people)
            rows.append(f"<tr><td title='{escape_html(item['text'])}'>{escape_html(item['question'])}</td>"
                        f"<td>{escape_html(item['capability'])}</td><td>{item['spread']:.0f}</td>{cells}"
                        f"<td><b>{escape_html(item['consensus'])}</b></td>"
                        f"<td>{escape_html(item['dissent_note'])}</td></tr>")
        return (f"<b>Discussion list</b> ({len(view.discussion)} item(s), most disputed first)"
                f"<table class='pmo-discussion-table'><tr><th>question</th><th>capability</th><th>spread</th>{head}"
                f"<th>consensus</th><th>dissent note</th></tr>{''.join(rows)}</table>")

    def _draw_radar(self, view: LiveView) -> None:
        """Redraw the radar only when a level or target changed (background cached by :class:`LiveRadar`)."""
        caps = view.capabilities
        key = (tuple(caps["level"].fillna(0)), tuple(caps["target"].fillna(0)))
        if key == self._radar_key:
            return
        if self._radar is None:
            from pmo_assess.workshop.radar_view import LiveRadar

            self._radar = LiveRadar(caps["name"].tolist(), f"{self.session.business_unit}: current vs target")
        targets = caps["target"].tolist() if caps["target"].notna().any() else None
        self.radar.value = self._radar.png(caps["level"].tolist(), targets)
        self._radar_key = key


def capture_form(questionnaire_file: str, business_unit: str, answers_file: str) -> w.VBox:
    """The capture-only form served to respondents (no live view, no other respondents' names)."""
    from pmo_assess.workshop.session import open_session

    session = open_session(questionnaire_file, business_unit, answers_file)
    return WorkshopForm(session, live=False, cocreation=False, resume=False, room_controls=False).capture
