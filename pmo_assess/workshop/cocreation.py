"""Record what the room agrees: target levels in the targets file, dot votes in the votes file.

Both files are round-trip YAML: the tool changes only the entry it records, so the comments and
order of a hand-edited file survive. A file with problems is refused before anything is written.
Each record is a read-modify-write under the file's lock, and recording over someone else's
target or votes is refused unless the caller confirms (``replace=True``): no silent replacement.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.io.files import read_yaml, write_yaml
from pmo_assess.io.locks import locked
from pmo_assess.io.targets import Target, load_targets
from pmo_assess.io.votes import DEFAULT_VOTES_PER_PARTICIPANT, load_votes
from pmo_assess.model import Questionnaire
from pmo_assess.workshop.errors import TargetExists, VotesExist, WorkshopRefusal
from pmo_assess.workshop.identity import clean_name, match_name

TARGET_KINDS = ("dimensions", "capabilities")


def _whole_number(value: object) -> int | None:
    """An int from 3, '3' or 3.0; None for anything else (2.5, 'three', True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _names(agreed_by: list[str] | str) -> list[str]:
    """'Ana, Ben' or ['Ana', 'Ben'] → ['Ana', 'Ben'] (blanks dropped)."""
    items = agreed_by.split(",") if isinstance(agreed_by, str) else list(agreed_by or [])
    return [str(n).strip() for n in items if str(n).strip()]


def _child(parent: CommentedMap, key: str) -> CommentedMap:
    """The mapping under ``key``, created (or replacing an empty value) when missing."""
    node = parent.get(key)
    if not isinstance(node, dict):
        node = CommentedMap()
        parent[key] = node
    return node


def _flow(mapping: dict) -> CommentedMap:
    node = CommentedMap(mapping)
    node.fa.set_flow_style()
    return node


def record_target(path: str | Path, questionnaire: Questionnaire, unit: str, kind: str, ident: str,
                  level: object, agreed_by: list[str] | str, agreed_on: date, note: str = "",
                  replace: bool = False) -> Target:
    """Write ``units: {unit}: {kind}: {ident}: {level, agreed_by, agreed_on}`` into the targets file.

    A different target already recorded for the item is TargetExists unless ``replace``.
    """
    path = Path(path)
    if kind not in TARGET_KINDS:
        raise WorkshopRefusal(f"a target is for 'dimensions' or 'capabilities', not {kind!r}")
    known = [d.id for d in questionnaire.dimensions] if kind == "dimensions" \
        else [c.id for c in questionnaire.capabilities]
    if ident not in known:
        raise WorkshopRefusal(f"unknown {kind[:-1] if kind == 'dimensions' else 'capability'} {ident!r}")
    number = _whole_number(level)
    if number is None or not 1 <= number <= 4:
        raise WorkshopRefusal(f"target level must be a whole number 1-4, got {level!r}")
    names = [clean_name(n, "a name in 'agreed by'") for n in _names(agreed_by)]
    if not names:
        raise WorkshopRefusal("say who agreed the target (names, separated by commas)")
    with locked(path):
        if path.exists():
            existing = load_targets(path, questionnaire)  # a file with problems is refused, not overwritten
            own = existing.units.get(unit)
            before = getattr(own, kind).get(ident) if own else None
            if before is not None and not replace and (before.level, before.agreed_by) != (number, tuple(names)):
                name = (questionnaire.dimension(ident) if kind == "dimensions" else questionnaire.capability(ident)).name
                raise TargetExists(kind, ident, name, before)
            data = read_yaml(path)
        else:
            data = CommentedMap(questionnaire=questionnaire.id)
        entry = {"level": number, "agreed_by": CommentedSeq(names), "agreed_on": agreed_on}
        entry["agreed_by"].fa.set_flow_style()
        if note.strip():
            entry["note"] = note.strip()
        units = _child(data, "units")
        key = next((k for k in units if str(k).strip() == unit.strip()), unit)  # "Unit " in the file is Unit
        _child(_child(units, key), kind)[ident] = _flow(entry)
        write_yaml(path, data)
    return Target(level=number, agreed_by=tuple(names), agreed_on=agreed_on.isoformat(), note=note.strip())


def votes_text(questionnaire: Questionnaire, votes: dict[str, int]) -> str:
    """'Benefits management 3, Talent 2': votes by capability name, as the room reads them."""
    return ", ".join(f"{questionnaire.capability(c).name} {n}" for c, n in votes.items() if n)


def record_votes(path: str | Path, questionnaire: Questionnaire, unit: str, participant: str,
                 allocation: dict[str, object], votes_per_participant: int = DEFAULT_VOTES_PER_PARTICIPANT,
                 replace: bool = False) -> dict[str, int]:
    """Write one participant's dot votes for the unit into the votes file.

    A participant who already voted (name matched case- and space-insensitively) is VotesExist unless
    ``replace``; then their earlier votes are replaced under the spelling already in the file.
    """
    path = Path(path)
    participant = clean_name(participant, "participant")
    if not participant:
        raise WorkshopRefusal("type the participant's name before saving their votes")
    with locked(path):
        return _record_votes(path, questionnaire, unit, participant, allocation, votes_per_participant, replace)


def _record_votes(path: Path, questionnaire: Questionnaire, unit: str, participant: str,
                  allocation: dict[str, object], votes_per_participant: int, replace: bool) -> dict[str, int]:
    """The read-modify-write of :func:`record_votes`, run under the votes file's lock."""
    if path.exists():
        existing = load_votes(path, questionnaire)  # refuse a file with problems
        budget = existing.votes_per_participant
        earlier = existing.participants(unit)
        participant = match_name(participant, earlier) or participant
        data = read_yaml(path)
    else:
        budget, earlier = votes_per_participant, {}
        data = CommentedMap(questionnaire=questionnaire.id, votes_per_participant=budget)
    known = [c.id for c in questionnaire.capabilities]
    counts: dict[str, int] = {}
    for capability, value in allocation.items():
        if capability not in known:
            raise WorkshopRefusal(f"unknown capability {capability!r}")
        number = _whole_number(value)
        if number is None or number < 0:
            raise WorkshopRefusal(f"votes for {questionnaire.capability(capability).name} must be a whole "
                                  f"number of 0 or more, got {value!r}")
        if number:
            counts[capability] = number
    total = sum(counts.values())
    if total > budget:
        raise WorkshopRefusal(f"{participant} cast {total} votes, but each participant has {budget}")
    if participant in earlier and not replace:
        raise VotesExist(participant, earlier[participant], votes_text(questionnaire, earlier[participant]))
    ordered = {c: counts[c] for c in known if c in counts}
    _child(_child(data, "units"), unit)[participant] = _flow(ordered)
    write_yaml(path, data)
    return ordered
