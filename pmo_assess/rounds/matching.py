"""Which capabilities of two questionnaire versions can be compared: their questions match one to one.

A question of the newer bank continues an older one with the same id, or one it names under
``replaces:``. A capability is comparable when each of its questions continues one of the older
capability's questions and each older question is continued; otherwise the reason is given
(questions added, no longer asked, or moved), and the capability is shown as not comparable.
"""
from __future__ import annotations

from dataclasses import dataclass

from pmo_assess.model import Questionnaire


@dataclass(frozen=True)
class QuestionMatch:
    """How the questions of a newer bank continue an older bank's."""

    continued: dict[str, tuple[str, ...]]  # newer question id -> the older ids it continues
    via_replaces: dict[str, tuple[str, ...]]  # the subset matched through ``replaces:``
    added: tuple[str, ...]  # newer questions continuing none
    dropped: tuple[str, ...]  # older questions nobody continues


def match_questions(old: Questionnaire, new: Questionnaire) -> QuestionMatch:
    """Match each question of ``new`` to ``old`` by id, else through its ``replaces:`` ids."""
    old_ids = set(old.question_index)
    continued, via_replaces, added = {}, {}, []
    for question in new.questions:
        if question.id in old_ids:
            continued[question.id] = (question.id,)
            continue
        earlier = tuple(r for r in getattr(question, "replaces", ()) if r in old_ids)
        if earlier:
            continued[question.id] = via_replaces[question.id] = earlier
        else:
            added.append(question.id)
    reached = {o for ids in continued.values() for o in ids}
    dropped = tuple(q.id for q in old.questions if q.id not in reached)
    return QuestionMatch(continued, via_replaces, tuple(added), dropped)


def _capability_of(bank: Questionnaire) -> dict[str, str]:
    return {q.id: c.id for c in bank.capabilities for q in c.questions}


def capability_changes(old: Questionnaire, new: Questionnaire) -> dict[str, str]:
    """Capability id (in both banks) -> why its scores cannot be compared; comparable ones are left out."""
    match = match_questions(old, new)
    old_home = _capability_of(old)
    old_caps = {c.id for c in old.capabilities}
    reasons = {}
    for capability in new.capabilities:
        if capability.id not in old_caps:
            continue
        parts = []
        added = [q.id for q in capability.questions if q.id in match.added]
        moved = sorted({o for q in capability.questions for o in match.continued.get(q.id, ())
                        if old_home[o] != capability.id})
        mine = {q.id for q in capability.questions}
        reached = {o for q in mine for o in match.continued.get(q, ())}
        gone = [q.id for q in old.capability(capability.id).questions if q.id not in reached]
        if added:
            parts.append(f"new question{'s' if len(added) > 1 else ''} {', '.join(added)} with no earlier one")
        if moved:
            parts.append(f"{', '.join(moved)} came from another capability")
        if gone:
            parts.append(f"{', '.join(gone)} no longer asked here")
        if parts:
            reasons[capability.id] = "questions changed: " + "; ".join(parts)
    return reasons
