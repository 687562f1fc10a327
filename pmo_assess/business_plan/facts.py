"""The facts a plan was drafted from, kept in plan.yaml's tool-owned ``drafted_from:`` block, and what changed since.

When the assessment (levels, targets) or the roadmap (waves, their dates, person-days, cost) is no
longer what the plan was drafted from, ``pmo-assess plan`` names each difference, so a text like
"level 3 overall today" never goes stale silently. ``plan --refresh`` records the facts again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from pmo_assess.business_plan.roadmap_costs import RoadmapCosts

if TYPE_CHECKING:  # plan.yaml is read (validate, fuzzing) without loading the scoring stack
    from pmo_assess.scoring import Gaps, Scores

KEY = "drafted_from"
COMMENT = ("written by pmo-assess, do not edit: the assessment and roadmap this plan was drafted from "
           "(`plan` compares them with today's) and fingerprints of the texts it wrote (to tell them from yours)")


@dataclass(frozen=True)
class WaveFacts:
    first: dt.date
    last: dt.date
    initiatives: int
    person_days: float


@dataclass(frozen=True)
class Facts:
    """Levels and targets of the unit, and the roadmap's waves and cost, at one moment."""

    on: dt.date | None = None
    overall: int | None = None
    dimensions: dict[str, int | None] = field(default_factory=dict)
    capabilities: dict[str, int | None] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    roadmap: str | None = None
    waves: dict[int, WaveFacts] = field(default_factory=dict)
    person_days: float | None = None


@dataclass(frozen=True)
class Change:
    """One difference between the facts drafted from and today's; ``kind`` is assessment, targets, roadmap or costs."""

    kind: str
    text: str


@dataclass(frozen=True)
class PlanStatus:
    """Today's facts beside the ones the plan was drafted from: what changed, and whether they were recorded."""

    facts: Facts
    changes: tuple[Change, ...]
    recorded: bool
    drafted_on: dt.date | None

    @property
    def stale(self) -> bool:
        return bool(self.changes)


def _level(value: float) -> int | None:
    return None if value != value else int(value)


def current_facts(scores: Scores, gaps: Gaps | None, unit: int, roadmap_path: str | None,
                  costs: RoadmapCosts | None, today: dt.date) -> Facts:
    """Today's facts for one unit (``unit`` is its index in the scores)."""
    q = scores.questionnaire
    targets = {}
    if gaps is not None:
        targets = {c.id: int(gaps.capability_target[unit, i]) for i, c in enumerate(q.capabilities)
                   if gaps.capability_target[unit, i] == gaps.capability_target[unit, i]}
    waves = {}
    if costs is not None:
        waves = {w.wave: WaveFacts(w.first, w.last, w.initiatives, w.person_days) for w in costs.waves}
    return Facts(on=today, overall=_level(scores.overall_level[unit]),
                 dimensions={d.id: _level(scores.dimension_level[unit, i]) for i, d in enumerate(q.dimensions)},
                 capabilities={c.id: _level(scores.capability_level[unit, i]) for i, c in enumerate(q.capabilities)},
                 targets=targets, roadmap=roadmap_path if costs is not None else None, waves=waves,
                 person_days=costs.person_days if costs is not None else None)


def _flow(pairs: list[tuple[str, Any]] | dict) -> CommentedMap:
    node = CommentedMap(pairs)
    node.fa.set_flow_style()
    return node


def _plain(number: float | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(float(number), 2)


def facts_node(facts: Facts, generated: CommentedMap) -> CommentedMap:
    """The ``drafted_from:`` mapping for plan.yaml (facts, then the fingerprints of generated texts)."""
    on = dt.date.fromordinal(facts.on.toordinal()) if facts.on else None  # its own object: no YAML alias
    node = CommentedMap([("on", on), ("overall", facts.overall),
                         ("dimensions", _flow(list(facts.dimensions.items()))),
                         ("capabilities", _flow(list(facts.capabilities.items()))),
                         ("targets", _flow(list(facts.targets.items())))])
    if facts.roadmap is not None:
        node["roadmap"] = facts.roadmap
        node["waves"] = CommentedMap((w, _flow([("from", f.first), ("to", f.last), ("initiatives", f.initiatives),
                                                 ("person_days", _plain(f.person_days))]))
                                     for w, f in facts.waves.items())
        node["person_days"] = _plain(facts.person_days)
    node["generated"] = generated
    return node


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _levels(value: Any) -> dict[str, int | None]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, int) and not isinstance(v, bool) else None for k, v in value.items()}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def parse_facts(node: Any) -> Facts | None:
    """The recorded facts, or None when the block is missing or unreadable (then nothing can be compared)."""
    if not isinstance(node, dict):
        return None
    waves = {}
    for wave, value in (node.get("waves") or {}).items() if isinstance(node.get("waves"), dict) else ():
        if isinstance(wave, int) and isinstance(value, dict):
            first, last = _date(value.get("from")), _date(value.get("to"))
            if first and last:
                waves[wave] = WaveFacts(first, last, int(_number(value.get("initiatives")) or 0),
                                        _number(value.get("person_days")) or 0.0)
    overall = node.get("overall")
    return Facts(on=_date(node.get("on")), overall=overall if isinstance(overall, int) else None,
                 dimensions=_levels(node.get("dimensions")), capabilities=_levels(node.get("capabilities")),
                 targets={k: v for k, v in _levels(node.get("targets")).items() if v is not None},
                 roadmap=str(node["roadmap"]) if node.get("roadmap") else None, waves=waves,
                 person_days=_number(node.get("person_days")))


def _shown(value: int | None) -> str:
    return "not scored" if value is None else str(value)


def _levels_changes(kind: str, label: str, old: dict, new: dict) -> list[Change]:
    return [Change(kind, f"{label} {key}: {_shown(old.get(key))} → {_shown(new.get(key))}")
            for key in list(old) + [k for k in new if k not in old]
            if old.get(key) != new.get(key) and (key in old or new.get(key) is not None)]


def _span(waves: list[int]) -> str:
    """'7–13' for consecutive waves, else '2, 5'."""
    if len(waves) > 2 and waves == list(range(waves[0], waves[-1] + 1)):
        return f"{waves[0]}–{waves[-1]}"
    return ", ".join(map(str, waves))


def _roadmap_changes(old: Facts, new: Facts, currency: str, day_rate: float | None) -> list[Change]:
    changes = []
    if (old.roadmap is None) != (new.roadmap is None):
        changes.append(Change("roadmap", "the plan was drafted " + ("without a roadmap; it now has one" if new.roadmap
                                                                    else "with a roadmap; none was given now")))
        return changes
    if old.roadmap is None:
        return changes
    added = sorted(set(new.waves) - set(old.waves))
    gone = sorted(set(old.waves) - set(new.waves))
    if added or gone:
        parts = [f"{len(old.waves)} → {len(new.waves)} waves"]
        if added:
            days = sum(new.waves[w].person_days for w in added)
            parts.append(f"wave{'s' if len(added) > 1 else ''} {_span(added)} added ({days:g} person-days)")
        if gone:
            parts.append(f"wave{'s' if len(gone) > 1 else ''} {_span(gone)} gone")
        changes.append(Change("roadmap", "; ".join(parts)))
    for wave in sorted(set(old.waves) & set(new.waves)):
        was, now = old.waves[wave], new.waves[wave]
        parts = []
        if (was.first, was.last) != (now.first, now.last):
            parts.append(f"dates {was.first} to {was.last} → {now.first} to {now.last}")
        if was.initiatives != now.initiatives:
            parts.append(f"initiatives {was.initiatives} → {now.initiatives}")
        if abs(was.person_days - now.person_days) > 1e-9:
            parts.append(f"{was.person_days:g} → {now.person_days:g} person-days")
        if parts:
            changes.append(Change("roadmap", f"wave {wave}: " + ", ".join(parts)))
    was, now = old.person_days or 0.0, new.person_days or 0.0
    if abs(was - now) > 1e-9:
        text = f"roadmap effort {was:g} → {now:g} person-days"
        if day_rate is not None:
            text += (f" (cost {_money(was * day_rate, currency)} → {_money(now * day_rate, currency)} "
                     f"at {_money(day_rate, currency)} a day)")
        changes.append(Change("costs", text))
    return changes


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}".strip()


def compare_facts(old: Facts, new: Facts, currency: str = "", day_rate: float | None = None) -> list[Change]:
    """Every difference between the facts drafted from (``old``) and today's (``new``), assessment first."""
    changes = []
    if old.overall != new.overall:
        changes.append(Change("assessment", f"overall level: {_shown(old.overall)} → {_shown(new.overall)}"))
    changes += _levels_changes("assessment", "dimension", old.dimensions, new.dimensions)
    changes += _levels_changes("assessment", "capability", old.capabilities, new.capabilities)
    changes += _levels_changes("targets", "target of", old.targets, new.targets)
    return changes + _roadmap_changes(old, new, currency, day_rate)
