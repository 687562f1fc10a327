"""What may be compared between two rounds: same questionnaire and method, or matched questions, or flagged.

Rounds scored from the same questionnaire version compare as they are. When the version changed,
the two banks (given with ``--questionnaire``) say which capabilities kept their questions
(:mod:`pmo_assess.rounds.matching`); a capability whose questions changed, and a dimension or the
overall level built on it, is not comparable. Without both banks the change is flagged; a different
questionnaire altogether is not comparable at all. Different thresholds or method are flagged.
"""
from __future__ import annotations

from dataclasses import dataclass

from pmo_assess.model import Questionnaire
from pmo_assess.rounds.history import Round
from pmo_assess.rounds.matching import capability_changes, match_questions

Banks = dict[tuple[str, str], Questionnaire]


@dataclass(frozen=True)
class PairCheck:
    """Between an earlier and a later round: (kind, id) -> why not comparable, and flags for the pair."""

    not_comparable: dict[tuple[str, str], str]
    all_reason: str  # non-empty: nothing between these rounds is comparable, for this reason
    flags: tuple[str, ...]
    method_changed: bool


def _method_text(method: dict) -> str:
    thresholds = "/".join(f"{t:g}" for t in method.get("thresholds") or [])
    return f"{method.get('method')}, thresholds {thresholds}, dispute range {method.get('dispute_range')}"


def _structure_reasons(old: Questionnaire, new: Questionnaire) -> dict[tuple[str, str], str]:
    """Capabilities with changed questions, and the dimensions and overall level resting on them."""
    reasons = {("capability", c): why for c, why in capability_changes(old, new).items()}
    old_dims = {d.id: {c.id for c in d.capabilities} for d in old.dimensions}
    for dimension in new.dimensions:
        caps = {c.id for c in dimension.capabilities}
        changed = sorted(c for c in caps if ("capability", c) in reasons)
        if dimension.id in old_dims and old_dims[dimension.id] != caps:
            reasons[("dimension", dimension.id)] = "its capabilities changed: " + ", ".join(
                sorted(old_dims[dimension.id] ^ caps))
        elif changed:
            reasons[("dimension", dimension.id)] = "questions changed in " + ", ".join(changed)
    if any(k == "dimension" for k, _ in reasons) or set(old_dims) != {d.id for d in new.dimensions}:
        reasons[("overall", "overall")] = "the questionnaire's dimensions or their questions changed"
    return reasons


def check_pair(earlier: Round, later: Round, banks: Banks) -> PairCheck:
    """What can be compared between two rounds, and what a reader must be told about them."""
    flags = []
    method_changed = earlier.method != later.method
    if method_changed:
        flags.append(f"{earlier.name} → {later.name}: scored differently ({_method_text(earlier.method)} → "
                     f"{_method_text(later.method)}); a level change between them may come from the method")
    if earlier.questionnaire == later.questionnaire:
        return PairCheck({}, "", tuple(flags), method_changed)
    (old_id, old_version), (new_id, new_version) = earlier.questionnaire, later.questionnaire
    old, new = banks.get(earlier.questionnaire), banks.get(later.questionnaire)
    if old is not None and new is not None:
        reasons = _structure_reasons(old, new)
        match = match_questions(old, new)
        parts = [f"{sum(k == 'capability' for k, _ in reasons)} capabilities not comparable (questions changed)"]
        if match.via_replaces:
            parts.append("continued through replaces: " + ", ".join(
                f"{new_q} ← {'/'.join(old_qs)}" for new_q, old_qs in match.via_replaces.items()))
        if match.added:
            parts.append("new questions: " + ", ".join(match.added))
        if match.dropped:
            parts.append("no longer asked: " + ", ".join(match.dropped))
        flags.append(f"{earlier.name} → {later.name}: questionnaire {old_id} {old_version} → {new_id} {new_version}; "
                     + "; ".join(parts))
        return PairCheck(reasons, "", tuple(flags), method_changed)
    if old_id != new_id:
        why = f"different questionnaires ({old_id} → {new_id})"
        flags.append(f"{earlier.name} → {later.name}: {why}: nothing is compared")
        return PairCheck({}, why, tuple(flags), method_changed)
    missing = " and ".join(f"{i} {v}" for (i, v), bank in ((earlier.questionnaire, old), (later.questionnaire, new))
                           if bank is None)
    flags.append(f"{earlier.name} → {later.name}: questionnaire version {old_version} → {new_version}, compared by "
                 f"capability id only; give {missing} with --questionnaire to check which questions changed")
    return PairCheck({}, "", tuple(flags), method_changed)
