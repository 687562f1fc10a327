"""Widget-free state of a live workshop: who answers, which question, and every answer saved at once.

A :class:`WorkshopSession` holds one business unit's answers file. Each answer or comment is
written to that file before the call returns (see :mod:`.answers_file`), so a killed kernel loses
nothing already chosen, and choosing a returning respondent resumes at their first unanswered
question. A save carries the value the page last saw; when the file holds a newer one the save is
refused (:class:`StaleSave`) and the session shows the newer value. The session never picks a
respondent by itself; a session opened from a personal link answers as that person only and sees
the others in aggregate. Consensus mode records the room's agreed answer as respondent ``consensus`` (empty role)
with the dissent note as its comment; live scores use the individual respondents only and show
the consensus beside them (see :mod:`.live`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace as replaced
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.answers import CONSENSUS_RESPONDENT, read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import Target, Targets, load_targets
from pmo_assess.io.votes import DEFAULT_VOTES_PER_PARTICIPANT, Votes, load_votes
from pmo_assess.model import Capability, Dimension, Question, Questionnaire
from pmo_assess.sanitize import control_character_problem, neutralize_formula
from pmo_assess.workshop import cocreation
from pmo_assess.workshop.answers_file import file_stamp, read_rows, save_row
from pmo_assess.workshop.errors import NotSaved, StaleSave, WorkshopRefusal
from pmo_assess.workshop.identity import clean_name, match_name
from pmo_assess.workshop.live import LiveView, compute_live_view

if TYPE_CHECKING:
    from pmo_assess.workshop.invites import Invitation

__all__ = ["WorkshopSession", "WorkshopRefusal", "StaleSave", "NotSaved", "open_session", "CHOICES", "CONSENSUS"]

#: The answers a respondent can give, as written to the file.
CHOICES = ("1", "2", "3", "4", "na", "dk")
#: Respondent name under which consensus answers are recorded.
CONSENSUS = CONSENSUS_RESPONDENT
INDIVIDUAL_MODE, CONSENSUS_MODE = "individual", "consensus"
_ANSWER_WORDS = {"n/a": "na", "not applicable": "na", "don't know": "dk", "dont know": "dk"}


@dataclass(frozen=True)
class DimensionProgress:
    id: str
    name: str
    answered: int
    total: int


@dataclass(frozen=True)
class Progress:
    """How far the current respondent got: answered / total, overall and per dimension."""

    answered: int
    total: int
    dimensions: tuple[DimensionProgress, ...]


@dataclass(frozen=True)
class VoterStatus:
    """One participant on the vote panel: their votes, how many they cast and have left."""

    name: str
    votes: dict[str, int]
    cast: int
    left: int
    voted: bool


class WorkshopSession:
    """One business unit's workshop: respondents, navigation, answers saved on every change, co-creation."""

    def __init__(self, questionnaire: Questionnaire, business_unit: str, answers_path: str | Path,
                 targets_path: str | Path | None = None, votes_path: str | Path | None = None,
                 votes_per_participant: int = DEFAULT_VOTES_PER_PARTICIPANT):
        self.questionnaire = questionnaire
        self.business_unit = business_unit.strip()
        self.answers_path = Path(answers_path)
        self.targets_path = Path(targets_path) if targets_path else None
        if votes_path is None and self.targets_path is not None:
            votes_path = self.targets_path.parent / "votes.yaml"
        self.votes_path = Path(votes_path) if votes_path else None
        self.votes_per_participant = votes_per_participant
        #: The unit as written in the answers file (a formula-like unit name is neutralised there).
        self.unit_in_file = neutralize_formula(self.business_unit)
        self._rows: list[list[str]] = read_rows(self.answers_path)
        if self._rows:
            read_answers([self.answers_path], questionnaire)  # refuse to build on a file with problems
        self._index: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._reindex()
        self.targets: Targets | None = self._load_targets()
        self.votes: Votes | None = self._load_votes()
        self._stamp = self.stamp()
        self.respondent: str | None = None
        self.role = ""
        self.mode = INDIVIDUAL_MODE
        self._individual: tuple[str, str] | None = None
        self.position = 0
        #: Who this session's saves are journalled as (shown to a page whose save it made stale).
        self.writer = "another workshop window"
        #: The personal invitation this session answers under (set by :func:`invites.page_session`).
        self.invited: Invitation | None = None

    # ------------------------------------------------------------------ respondents
    def _reindex(self) -> None:
        """(respondent, question) → (role, answer, comment) for this unit, from the rows last read or written."""
        unit = self.unit_in_file
        self._index = {(r[1].strip(), r[3].strip()): (r[2].strip(), r[4].strip(), r[5])
                       for r in self._rows if r[0].strip() == unit}

    def _all_respondents(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for (name, _), (role, _, _) in self._index.items():
            if name != CONSENSUS and name not in seen:
                seen[name] = role
        return list(seen.items())

    def respondents(self) -> list[tuple[str, str]]:
        """(name, role) of the unit's individual respondents in file order; only oneself on a personal link."""
        people = self._all_respondents()
        if self.invited is not None:
            return [(n, r) for n, r in people if n == self.respondent]
        return people

    def role_of(self, name: str) -> str | None:
        """The role a respondent already answered with in this unit, or None if they have no row yet."""
        return dict(self.respondents()).get(name)

    def role_name(self, role: str) -> str:
        """The name a role id is shown by ('sponsor' → 'Executive sponsor'); 'no role' for none."""
        if not role:
            return "no role"
        return next((r.name for r in self.questionnaire.roles if r.id == role), role)

    def _role_names(self) -> str:
        return ", ".join(r.name for r in self.questionnaire.roles)

    def match_respondent(self, name: str) -> str | None:
        """The spelling already in the file of a returning respondent (case and spaces ignored), or None."""
        return match_name(name, [n for n, _ in self.respondents()])

    def choose_respondent(self, name: str, role: str | None = None) -> Question:
        """Answer as ``name`` (new, or returning: matched case- and space-insensitively); returns where to resume."""
        name = clean_name(name, "the respondent's name")
        if not name:
            raise WorkshopRefusal("type the respondent's name first")
        if name.casefold() == CONSENSUS:
            raise WorkshopRefusal(f"{name!r} is reserved for the room's agreed answers; switch to consensus mode")
        if self.invited is not None and match_name(name, [self.invited.name]) is None:
            raise WorkshopRefusal(f"this page answers as {self.invited.name} only")
        name = self.match_respondent(name) or name
        known = self.role_of(name)
        role = self._role_id((role or "").strip())
        if known is not None:
            if role and role != known:
                raise WorkshopRefusal(f"{name} already answered as {self.role_name(known)}; "
                                      "one respondent keeps one role")
            role = known
        self.respondent, self.role, self.mode = name, role, INDIVIDUAL_MODE
        self._individual = (name, role)
        self.position = self.resume_position(name)
        return self.question

    def _role_id(self, role: str) -> str:
        """A role given by id or by name ('Executive sponsor' → 'sponsor'); unknown roles refused by name."""
        if not role or not self.questionnaire.roles:
            return neutralize_formula(role)
        for r in self.questionnaire.roles:
            if role == r.id or role.casefold() == r.name.casefold():
                return r.id
        raise WorkshopRefusal(f"unknown role {role!r}; choose one of {self._role_names()}")

    def set_mode(self, mode: str) -> None:
        """Switch between individual answers and the room's consensus, keeping the current question."""
        if mode == CONSENSUS_MODE and self.invited is not None:
            raise WorkshopRefusal("the room's consensus is recorded by the facilitator")
        if mode == CONSENSUS_MODE:
            self.respondent, self.role, self.mode = CONSENSUS, "", CONSENSUS_MODE
        elif mode == INDIVIDUAL_MODE:
            self.respondent, self.role = self._individual or (None, "")
            self.mode = INDIVIDUAL_MODE
        else:
            raise WorkshopRefusal(f"unknown mode {mode!r}; use {INDIVIDUAL_MODE!r} or {CONSENSUS_MODE!r}")

    # ------------------------------------------------------------------ navigation
    @property
    def question(self) -> Question:
        """The question on screen."""
        return self.questionnaire.questions[self.position]

    @property
    def capability(self) -> Capability:
        """The capability the question on screen belongs to."""
        return self.questionnaire.capabilities[int(self.questionnaire.question_capability[self.position])]

    @property
    def dimension(self) -> Dimension:
        """The dimension the question on screen belongs to."""
        return self.questionnaire.dimension(self.capability.dimension)

    def resume_position(self, respondent: str) -> int:
        """Index of the respondent's first unanswered question (the last question if all are answered)."""
        for i, question in enumerate(self.questionnaire.questions):
            if not self.answer_of(respondent, question.id)[0]:
                return i
        return len(self.questionnaire.questions) - 1

    def go_to(self, position: int | str) -> Question:
        """Move to a question by index or id (clamped to the questionnaire)."""
        if isinstance(position, str):
            if position not in self.questionnaire.question_index:
                raise WorkshopRefusal(f"unknown question id {position!r}")
            position = self.questionnaire.question_index[position]
        self.position = max(0, min(int(position), len(self.questionnaire.questions) - 1))
        return self.question

    def next(self) -> Question:
        """Move to the next question (questionnaire order: dimension, capability, question)."""
        return self.go_to(self.position + 1)

    def previous(self) -> Question:
        """Move to the previous question."""
        return self.go_to(self.position - 1)

    # ------------------------------------------------------------------ answering
    def answer_of(self, respondent: str | None, question_id: str) -> tuple[str, str]:
        """(answer, comment) a respondent gave to a question, ``("", "")`` if none (or not one's own on a link)."""
        if self.invited is not None and respondent != self.respondent:
            return "", ""
        _, answer, comment = self._index.get((respondent or "", question_id), ("", "", ""))
        return answer, comment

    @property
    def current(self) -> tuple[str, str]:
        """(answer, comment) of the current respondent for the current question."""
        return self.answer_of(self.respondent, self.question.id)

    @staticmethod
    def normalise_answer(value: object) -> str:
        """The file's spelling of an answer (``3``, ``'N/A'`` → ``'3'``, ``'na'``); refuses anything else."""
        if isinstance(value, bool):
            raise WorkshopRefusal(f"answer {value!r} is not one of 1, 2, 3, 4, na or dk")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        word = str(value).strip().lower()
        word = _ANSWER_WORDS.get(word, word)
        if word not in CHOICES:
            raise WorkshopRefusal(
                f"answer {value!r} is not one of 1, 2, 3, 4, na (not applicable) or dk (don't know)")
        return word

    def answer(self, value: object, comment: str | None = None, seen: tuple[str, str] | None = None) -> list[str]:
        """Record the current respondent's answer to the current question and save the file at once.

        ``seen`` is the (answer, comment) the page last showed (default: what this session last read or
        wrote); if the file holds a different, newer value the save is refused with :class:`StaleSave`.
        """
        word = self.normalise_answer(value)
        seen = self.current if seen is None else seen
        return self._save(word, seen[1] if comment is None else comment, seen)

    def set_comment(self, text: str, seen: tuple[str, str] | None = None) -> list[str]:
        """Record a comment (a dissent note in consensus mode) for the current question, saved at once."""
        seen = self.current if seen is None else seen
        return self._save(seen[0], text or "", seen)

    def _save(self, answer: str, comment: str, seen: tuple[str, str]) -> list[str]:
        if self.respondent is None:
            raise WorkshopRefusal("choose who is answering first")
        question = self.question.id
        row = [neutralize_formula(field) for field in
               (self.unit_in_file, self.respondent, self.role, question, answer, comment)]
        # Only this change is merged into the file as it is now, and only if the file still holds what
        # the page saw: a later correction from another kernel (a second tab) is never undone.
        try:
            rows, conflict = save_row(self.answers_path, row, seen, self.writer)
        except (InputErrors, OSError) as exc:
            detail = exc.render() if isinstance(exc, InputErrors) else str(exc)
            raise NotSaved(self._not_saved_message(question, exc), detail, question) from None
        self._rows = rows
        self._reindex()
        self._stamp = self.stamp()
        if conflict is not None:
            raise StaleSave(question, self.respondent, conflict.answer, conflict.comment,
                            conflict.written_by, conflict.written_at)
        return row

    @staticmethod
    def _not_saved_message(question: str, exc: Exception) -> str:
        """Why a save failed, in the respondent's words (no server paths)."""
        if isinstance(exc, InputErrors) and any("cannot be written" in p.message for p in exc.problems):
            why = "the answers file cannot be written (the disk may be full or the file read-only)"
        elif isinstance(exc, InputErrors) and any("another pmo-assess process" in p.message for p in exc.problems):
            why = "another program kept the answers file busy for too long"
        elif isinstance(exc, InputErrors):
            where = "; ".join(f"{p.place}: {p.message}" if p.place else p.message for p in exc.problems[:3])
            why = f"the answers file was changed outside the workshop and cannot be read ({where})"
        else:
            why = f"the answers file cannot be used ({getattr(exc, 'strerror', None) or 'system error'})"
        return f"NOT SAVED: your answer to {question} was not saved because {why}. Answers saved before are " \
               "safe; tell the facilitator."

    def progress(self, respondent: str | None = None) -> Progress:
        """Answered / total questions for a respondent (default: the current one), overall and per dimension."""
        respondent = self.respondent if respondent is None else respondent
        parts = []
        for dim in self.questionnaire.dimensions:
            ids = [q.id for c in dim.capabilities for q in c.questions]
            done = sum(1 for qid in ids if self.answer_of(respondent, qid)[0])
            parts.append(DimensionProgress(dim.id, dim.name, done, len(ids)))
        return Progress(sum(p.answered for p in parts), sum(p.total for p in parts), tuple(parts))

    def reload(self) -> int:
        """Re-read the answers, targets and votes files to show what others saved; returns the answer row count."""
        self._rows = read_rows(self.answers_path)
        self._reindex()
        self.targets, self.votes = self._load_targets(), self._load_votes()
        self._stamp = self.stamp()
        return len(self._rows)

    def stamp(self) -> tuple:
        """(modified ns, size, inode) of the answers, targets and votes files: changes whenever one is saved."""
        return tuple(file_stamp(p) for p in (self.answers_path, self.targets_path, self.votes_path))

    def reload_if_changed(self) -> bool:
        """Re-read only the files that changed since last read (a few stat calls when none did); True if any."""
        now = self.stamp()
        if now == self._stamp:
            return False
        answers, targets, votes = (a != b for a, b in zip(now, self._stamp))
        if answers:
            self._rows = read_rows(self.answers_path)
            self._reindex()
        if targets:
            self.targets = self._load_targets()
        if votes:
            self.votes = self._load_votes()
        self._stamp = now
        return True

    # ------------------------------------------------------------------ live view
    def live_view(self) -> LiveView:
        """Scores, levels, targets and the discussion list of the unit as answered so far.

        On a personal link the view is aggregate only: no names, no individual answers, no dissent notes.
        """
        view = compute_live_view(self.questionnaire, self.unit_in_file, self._rows, self.targets)
        if self.invited is None:
            return view
        shared = ["question", "capability", "text", "spread", "capability_disputed", "consensus"]
        return replaced(view, respondents=[f"respondent {i + 1}" for i in range(len(view.respondents))],
                        discussion=view.discussion[shared].copy())

    def summary(self) -> str:
        """A few lines for the notebook: where the answers go, who answered, what is disputed."""
        people = self.respondents()
        view = self.live_view()
        disputed = ", ".join(view.disputed_capabilities()) or "none"
        lines = [f"{self.business_unit}: {len(people)} respondent(s) so far in {self.answers_path}",
                 f"questionnaire {self.questionnaire.id} {self.questionnaire.version}: "
                 f"{len(self.questionnaire.questions)} questions",
                 f"disputed capabilities: {disputed}"]
        if self.respondent:
            p = self.progress()
            lines.append(f"resuming with {self.respondent} at {self.question.id} ({p.answered}/{p.total} answered)")
        return "\n".join(lines)

    # ------------------------------------------------------------------ co-creation
    def _load_targets(self) -> Targets | None:
        if self.targets_path is None or not self.targets_path.exists():
            return None
        return load_targets(self.targets_path, self.questionnaire)

    def _load_votes(self) -> Votes | None:
        if self.votes_path is None or not self.votes_path.exists():
            return None
        return load_votes(self.votes_path, self.questionnaire)

    def _facilitator_only(self, what: str) -> None:
        if self.invited is not None:
            raise WorkshopRefusal(f"{what} are recorded by the facilitator")

    def set_target(self, kind: str, ident: str, level: object, agreed_by: list[str] | str,
                   agreed_on: date | None = None, note: str = "", replace: bool = False) -> Target:
        """Record the level the room agreed for a dimension or capability of this unit in the targets file.

        Over a different target already recorded: :class:`TargetExists` unless ``replace`` (after confirming).
        """
        self._facilitator_only("targets")
        if self.targets_path is None:
            raise WorkshopRefusal("no targets file was given to this workshop")
        try:
            target = cocreation.record_target(self.targets_path, self.questionnaire, self.business_unit, kind,
                                              ident, level, agreed_by, agreed_on or date.today(), note, replace)
        finally:
            self.targets = self._load_targets()
        return target

    def cast_votes(self, participant: str, allocation: dict[str, object], replace: bool = False) -> dict[str, int]:
        """Record how one participant spreads their dot votes over capabilities.

        A participant who already voted: :class:`VotesExist` unless ``replace`` (after they confirm).
        """
        self._facilitator_only("dot votes")
        if self.votes_path is None:
            raise WorkshopRefusal("no votes file was given to this workshop")
        try:
            saved = cocreation.record_votes(self.votes_path, self.questionnaire, self.business_unit, participant,
                                            allocation, self.votes_per_participant, replace)
        finally:
            self.votes = self._load_votes()
        return saved

    def voters(self) -> list[VoterStatus]:
        """Who has voted (file order) with their votes and votes left, then respondents who have not voted yet."""
        budget = self.vote_budget
        cast = self.votes.participants(self.business_unit) if self.votes else {}
        listed = [VoterStatus(name, dict(votes), sum(votes.values()), budget - sum(votes.values()), True)
                  for name, votes in cast.items()]
        listed += [VoterStatus(name, {}, 0, budget, False) for name, _ in self.respondents()
                   if match_name(name, cast) is None]
        return listed

    @property
    def vote_budget(self) -> int:
        """Votes each participant may spread (the votes file's figure once it exists)."""
        return self.votes.votes_per_participant if self.votes else self.votes_per_participant

    def vote_totals(self) -> dict[str, int]:
        """Capability id → dot votes cast so far in this unit."""
        return self.votes.totals(self.business_unit) if self.votes else {}


def open_session(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path,
                 targets_file: str | Path | None = None, votes_file: str | Path | None = None,
                 votes_per_participant: int = DEFAULT_VOTES_PER_PARTICIPANT) -> WorkshopSession:
    """Check the notebook's parameters and open the unit's workshop; bad parameters → InputErrors."""
    problems = []
    if not isinstance(business_unit, str) or not business_unit.strip():
        problems.append(InputProblem("parameters", "business_unit", "must name the business unit"))
    elif control_character_problem(business_unit.strip(), "business_unit"):
        problems.append(InputProblem("parameters", "business_unit",
                                     control_character_problem(business_unit.strip(), "business_unit")))
    if not str(answers_file or "").strip():
        problems.append(InputProblem("parameters", "answers_file", "must name the unit's answers file (CSV)"))
    elif Path(answers_file).suffix.lower() != ".csv":
        problems.append(InputProblem("parameters", "answers_file",
                                     f"{answers_file}: the workshop saves answers as CSV; use a .csv file"))
    if not isinstance(votes_per_participant, int) or isinstance(votes_per_participant, bool) \
            or votes_per_participant < 1:
        problems.append(InputProblem("parameters", "votes_per_participant",
                                     f"must be a whole number of at least 1, got {votes_per_participant!r}"))
    if problems:
        raise InputErrors(problems)
    questionnaire = load_questionnaire(questionnaire_file)
    return WorkshopSession(questionnaire, business_unit, answers_file, targets_file or None,
                           votes_file or None, votes_per_participant)
