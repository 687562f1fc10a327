"""What the workshop refuses, in words a respondent understands; widgets show the message as is.

Every refusal is a :class:`WorkshopRefusal`. The subclasses carry what a page needs to react: the
newer value of a stale save, the votes a participant already cast, the target already agreed, why a
personal link is not accepted. Messages never hold server paths; :func:`page_message` turns any
other error a page may meet into such a sentence.
"""
from __future__ import annotations

import re

from pmo_assess.errors import InputErrors


class WorkshopRefusal(ValueError):
    """A value the workshop refuses (answer outside the choices, unknown role, vote over budget, ...)."""


class StaleSave(WorkshopRefusal):
    """The file holds a newer answer than the page showed: nothing was written, the newer value is attached."""

    def __init__(self, question_id: str, respondent: str, answer: str, comment: str, written_by: str,
                 written_at: str = ""):
        self.question_id, self.respondent = question_id, respondent
        self.answer, self.comment = answer, comment
        self.written_by, self.written_at = written_by, written_at
        shown = answer or "no answer"
        when = f" at {written_at}" if written_at else ""
        super().__init__(f"not saved: {question_id} was changed to {shown} by {written_by}{when} after this page "
                         f"showed it; the form now shows that answer, choose again if you still want to change it")


class NotSaved(WorkshopRefusal):
    """A save could not be written (read-only, full disk, unreadable file); ``detail`` keeps the technical text."""

    def __init__(self, message: str, detail: str = "", question_id: str | None = None):
        self.detail, self.question_id = detail, question_id
        super().__init__(message)


class VotesExist(WorkshopRefusal):
    """The participant already voted; replacing their votes needs ``replace=True`` after they confirm."""

    def __init__(self, participant: str, votes: dict[str, int], votes_text: str):
        self.participant, self.votes, self.votes_text = participant, dict(votes), votes_text
        super().__init__(f"{participant} has already voted ({votes_text or 'no votes'}); "
                         "confirm to replace their votes")


class TargetExists(WorkshopRefusal):
    """A different target is already recorded for that item; replacing it needs ``replace=True``."""

    def __init__(self, kind: str, ident: str, name: str, target: object):
        self.kind, self.ident, self.target = kind, ident, target
        who = ", ".join(getattr(target, "agreed_by", ()) or ()) or "someone"
        super().__init__(f"{name} already has target level {getattr(target, 'level', '?')} agreed by {who}; "
                         "confirm to replace it")


class InvitationRefused(WorkshopRefusal):
    """The page's personal link is missing, unknown, expired or revoked: show the message and no form."""

    MESSAGES = {
        "missing": "This workshop is by invitation: open the personal link you were given.",
        "invalid": "This link is not valid for this workshop. Check that you opened the whole personal "
                   "link you were given, or ask the facilitator for yours.",
        "expired": "This personal link has expired. Ask the facilitator for a new one.",
        "revoked": "This personal link is no longer valid. Ask the facilitator if you should still answer.",
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s:'\"]+){2,}[\\/]?")


def _without_paths(text: str) -> str:
    """Replace anything that looks like a file path with 'the file' (pages never show server paths)."""
    return _PATH.sub("the file", text)


def page_message(exc: BaseException) -> str:
    """User words for an error met on a page: refusals as they are, file problems without server paths."""
    if isinstance(exc, WorkshopRefusal):
        return str(exc)
    if isinstance(exc, InputErrors):
        parts = [f"{p.place}: {_without_paths(p.message)}" if p.place else _without_paths(p.message)
                 for p in exc.problems[:5]]
        return "the workshop's files have a problem; tell the facilitator: " + "; ".join(parts)
    if isinstance(exc, OSError):
        return f"the workshop's files cannot be used right now ({exc.strerror or 'system error'}); tell the facilitator"
    return "something went wrong on the workshop's side; tell the facilitator"
