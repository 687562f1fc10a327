"""The ``roadmap.yaml`` of one unit: generated once, then owned by the PMO head; regenerating merges.

Format (round-trip YAML; comments and order survive every regeneration)::

    schema: pmo-assess/roadmap@1
    business_unit: Retail Banking
    questionnaire: value-driven-pmo
    library: value-driven-pmo-initiatives 1.0.0
    settings: {wave_weeks: 12, capacity: 120, waves: null, starts_on: 2027-01-04}
    items:
      - id: BEN-1-benefits-register      # a library id, or any id of your own for a custom item
        title: Start a benefits register
        capability: benefits-management
        from_level: 1
        to_level: 2
        wave: 1                          # the wave its start falls in; change it and it stays there
        effort: 15                       # person-days; your estimate replaces the library's
        duration: 6                      # weeks; your estimate replaces the library's
        quick_win: true
        priority: 46.2
        why: {gap: 20.0, importance: 10.0, votes: 10.0, effort: 6.2}
        prerequisites: [MAN-1-pmo-charter]
        kpis: [benefits-register-coverage]
        owner: ''                        # yours from here on
        start: 2027-01-04                # planned start (the tool fills it; set it and it stays)
        end: 2027-02-14                  # planned end, the last day of its last week
        status: planned                  # planned | in-progress | done | dropped | closed-gap (set by the tool)
        pinned: false                    # true keeps it in its wave
        notes: ''
        origin: library                  # items you add yourself need no origin
        reason: gap of 2 levels
        scheduled: {wave: 1, start: 2027-01-04, end: 2027-02-14}   # what the tool last wrote (tool-owned)
    uncovered: [{capability: ..., step: 2->3, reason: ...}]
    projection: [{wave: 0, ends: null, overall: 2, people: 2, ...}, {wave: 1, ends: 2027-04-04, ...}]
    history: [{version: 1, on: 2026-11-22, added: 12, closed: 0, reopened: 0, moved: 0}]

A wave, start or end that differs from what ``scheduled`` says the tool last wrote was set by hand
(see :func:`hand_set`): like ``pinned: true`` it is a commitment the planner schedules around and
never moves. On a regeneration that changes something, the previous file is kept as
``roadmap.previous.yaml`` beside it, so "what changed since the last version" can be shown; a
regeneration that changes nothing writes nothing.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import atomic_write_bytes, line_of, read_yaml, write_yaml
from pmo_assess.io.limits import MAX_CAPACITY, MAX_DATE, MAX_WAVE_WEEKS, MAX_WAVES, MIN_DATE
from pmo_assess.io.locks import locked
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.planner import (
    DEFAULT_CAPACITY,
    DEFAULT_WAVE_WEEKS,
    Commitments,
    Fixed,
    OwnItem,
    Plan,
    PlannedItem,
)
from pmo_assess.roadmap.scheduler import Calendar, Slot

ROADMAP_SCHEMA = "pmo-assess/roadmap@1"
STATUSES = ("planned", "in-progress", "done", "dropped", "closed-gap")
#: Statuses whose items no longer take a place in a wave.
INACTIVE_STATUSES = ("dropped", "closed-gap")
PREVIOUS_SUFFIX = ".previous.yaml"


#: The keys of an item that place it in time; the tool writes them unless they are commitments.
PLACEMENT = ("wave", "start", "end")


@dataclass(frozen=True)
class Scheduled:
    """What the tool last wrote into an item's wave, start and end (None where it wrote nothing)."""

    wave: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class RoadmapItem:
    """One initiative of a roadmap, as the PMO head last left it."""

    id: str
    title: str
    capability: str = ""
    from_level: int | None = None
    to_level: int | None = None
    wave: int | None = None
    effort: float | None = None
    duration: float | None = None
    quick_win: bool = False
    priority: float | None = None
    why: dict[str, float] = field(default_factory=dict)
    prerequisites: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    owner: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = "planned"
    pinned: bool = False
    notes: str = ""
    origin: str = "custom"
    reason: str = ""
    scheduled: Scheduled | None = None

    @property
    def custom(self) -> bool:
        """True for an item the PMO head added by hand (not from the initiative library)."""
        return self.origin != "library"

    @property
    def active(self) -> bool:
        """Still part of the plan: not dropped and its gap not closed."""
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True)
class RoadmapSettings:
    wave_weeks: float = DEFAULT_WAVE_WEEKS
    capacity: float = DEFAULT_CAPACITY
    waves: int | None = None
    starts_on: dt.date | None = None

    @property
    def calendar(self) -> Calendar:
        return Calendar(wave_weeks=self.wave_weeks, capacity=self.capacity, starts_on=self.starts_on, waves=self.waves)


@dataclass(frozen=True)
class Roadmap:
    business_unit: str
    questionnaire: str
    library: str
    settings: RoadmapSettings
    items: tuple[RoadmapItem, ...]
    uncovered: tuple[dict[str, Any], ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    source: str = ""
    projection: tuple[dict[str, Any], ...] = ()

    @property
    def active_items(self) -> tuple[RoadmapItem, ...]:
        return tuple(i for i in self.items if i.active)

    def item(self, item_id: str) -> RoadmapItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def waves(self) -> dict[int, tuple[RoadmapItem, ...]]:
        """Wave number → its active items, in wave order (items without a wave are left out)."""
        waves: dict[int, list[RoadmapItem]] = {}
        for item in self.active_items:
            if item.wave is not None:
                waves.setdefault(item.wave, []).append(item)
        return {w: tuple(waves[w]) for w in sorted(waves)}

    def wave_dates(self, wave: int) -> tuple[dt.date, dt.date] | None:
        """First and last day of a wave, when the roadmap has a start date."""
        calendar = self.settings.calendar
        if calendar.starts_on is None:
            return None
        first, last = calendar.wave_window(wave)
        return calendar.week_start(first), calendar.week_end(last)


def _number(value: Any) -> bool:
    """An int or float, not a bool, and finite (.nan would hang the planner, .inf break int())."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _ItemReader:
    """Reads one item mapping, recording every problem with its key and line."""

    def __init__(self, check: ProblemCollector, node: dict, path: str):
        self.check, self.node, self.path = check, node, path

    def problem(self, key: str, message: str) -> None:
        line = line_of(self.node, key if key in self.node else None)
        self.check.add(f"{self.path}.{key} (line {line})" if line else f"{self.path}.{key}", message)

    def text(self, key: str, required: bool = False) -> str:
        value = self.node.get(key)
        if value is None or value == "":
            if required:
                self.problem(key, "missing or empty")
            return ""
        if isinstance(value, (dict, list)):
            self.problem(key, "must be text, not a list or mapping")
            return ""
        return str(value).strip()

    def number(self, key: str, whole: bool = False, minimum: float = 0, strict: bool = True,
               maximum: float | None = None) -> Any:
        value = self.node.get(key)
        if value is None or value == "":
            return None
        bad = not _number(value) or (whole and value != int(value)) or value < minimum or (strict and value == minimum)
        if bad:
            kind = "a whole number" if whole else "a number"
            bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
            self.problem(key, f"must be {kind} {bound}, got {value!r}")
            return None
        if maximum is not None and value > maximum:
            self.problem(key, f"must be at most {maximum:g} (the limit of a roadmap), got {value!r}")
            return None
        return int(value) if whole else float(value)

    def flag(self, key: str) -> bool:
        value = self.node.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {value!r}")
            return False
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.node.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                self.problem(key, f"must be a date YYYY-MM-DD, got {value!r}")
                return None
        if not MIN_DATE <= value <= MAX_DATE:
            self.problem(key, f"must be a date from {MIN_DATE} to {MAX_DATE}, got {value}")
            return None
        return value

    def ids(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            self.problem(key, "must be a list of ids")
            return ()
        return tuple(str(v) for v in value)

    def scheduled(self) -> Scheduled | None:
        value = self.node.get("scheduled")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem("scheduled", "must be a mapping {wave, start, end} (the tool writes it; leave it alone)")
            return None
        inner = _ItemReader(self.check, value, f"{self.path}.scheduled")
        return Scheduled(wave=inner.number("wave", whole=True, minimum=1, strict=False, maximum=MAX_WAVES),
                         start=inner.date("start"), end=inner.date("end"))


def _item(check: ProblemCollector, node: Any, path: str) -> RoadmapItem | None:
    if not isinstance(node, dict):
        check.add(path, "must be a mapping with at least id and title")
        return None
    read = _ItemReader(check, node, path)
    status = read.text("status") or "planned"
    if status not in STATUSES:
        read.problem("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    why = node.get("why") or {}
    if not isinstance(why, dict) or not all(_number(v) for v in why.values()):
        read.problem("why", "must map priority parts to numbers")
        why = {}
    item = RoadmapItem(
        id=read.text("id", required=True), title=read.text("title", required=True),
        capability=read.text("capability"), from_level=read.number("from_level", whole=True, minimum=1, strict=False),
        to_level=read.number("to_level", whole=True, minimum=2, strict=False),
        wave=read.number("wave", whole=True, minimum=1, strict=False, maximum=MAX_WAVES),
        effort=read.number("effort", maximum=MAX_CAPACITY), duration=read.number("duration", maximum=MAX_WAVE_WEEKS * MAX_WAVES),
        quick_win=read.flag("quick_win"),
        priority=read.number("priority", minimum=0, strict=False), why={str(k): float(v) for k, v in why.items()},
        prerequisites=read.ids("prerequisites"), kpis=read.ids("kpis"), owner=read.text("owner"),
        start=read.date("start"), end=read.date("end"), status=status, pinned=read.flag("pinned"),
        notes=read.text("notes"), origin=read.text("origin") or "custom", reason=read.text("reason"),
        scheduled=read.scheduled())
    if item.start and item.end and item.end < item.start:
        read.problem("end", f"ends ({item.end}) before it starts ({item.start})")
    if item.pinned and item.wave is None:
        read.problem("pinned", "a pinned item needs a wave to stay in")
    return item


def _settings(check: ProblemCollector, data: dict) -> RoadmapSettings:
    node = data.get("settings") or {}
    if not isinstance(node, dict):
        check.add(f"settings (line {line_of(data, 'settings')})", "must be a mapping")
        return RoadmapSettings()
    read = _ItemReader(check, node, "settings")
    defaults = RoadmapSettings()
    settings = RoadmapSettings(
        wave_weeks=read.number("wave_weeks", maximum=MAX_WAVE_WEEKS) or defaults.wave_weeks,
        capacity=read.number("capacity", maximum=MAX_CAPACITY) or defaults.capacity,
        waves=read.number("waves", whole=True, minimum=1, strict=False, maximum=MAX_WAVES),
        starts_on=read.date("starts_on"))
    if settings.starts_on is not None and settings.starts_on > MAX_DATE - dt.timedelta(days=366):
        read.problem("starts_on", f"must be a date from {MIN_DATE} to {MAX_DATE.year - 1}-12-31, got {settings.starts_on}")
        settings = RoadmapSettings(settings.wave_weeks, settings.capacity, settings.waves, None)
    return settings


def load_roadmap(path: str | Path, questionnaire: Questionnaire | None = None) -> Roadmap:
    """Read and validate a unit's roadmap.yaml (capability ids against the questionnaire when given).

    InputErrors lists every problem with its key and line.
    """
    return parse_roadmap(read_yaml(path), path, questionnaire)


def parse_roadmap(data: Any, path: str | Path, questionnaire: Questionnaire | None = None) -> Roadmap:
    """Validate an already parsed roadmap document (see :func:`load_roadmap`)."""
    check = ProblemCollector(path)
    if not isinstance(data, dict):
        check.add("", "a roadmap must be a mapping with business_unit and items")
        check.raise_if_any()
    if data.get("schema", ROADMAP_SCHEMA) != ROADMAP_SCHEMA:
        check.add(f"schema (line {line_of(data, 'schema')})",
                  f"expected {ROADMAP_SCHEMA!r}, got {data.get('schema')!r}")
    unit = data.get("business_unit")
    if not unit or not isinstance(unit, str):
        check.add("business_unit", "missing: the business unit this roadmap is for")
    settings = _settings(check, data)
    nodes = data.get("items")
    if nodes is None:
        nodes = []
    if not isinstance(nodes, list):
        check.add(f"items (line {line_of(data, 'items')})", "must be a list of initiatives")
        nodes = []
    named = data.get("questionnaire")
    if questionnaire is not None and named and named != questionnaire.id:
        check.add(f"questionnaire (line {line_of(data, 'questionnaire')})",
                  f"this roadmap is for questionnaire {named!r}, not {questionnaire.id!r}")
    known = {c.id for c in questionnaire.capabilities} if questionnaire else set()
    items: list[RoadmapItem] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(nodes):
        line = line_of(nodes, i)
        item = _item(check, node, f"items[{i}]")
        if item is None:
            continue
        if item.id and item.id in seen:
            check.add(f"items[{i}].id (line {line})", f"duplicate id {item.id!r} (also items[{seen[item.id]}])")
        seen.setdefault(item.id, i)
        if questionnaire is not None and item.capability and item.capability not in known:
            check.add(f"items[{i}].capability (line {line_of(nodes[i], 'capability')})",
                      f"unknown capability id {item.capability!r} in questionnaire {questionnaire.id!r}")
        items.append(item)
    uncovered = data.get("uncovered") or []
    history = data.get("history") or []
    projection = data.get("projection") or []
    if not isinstance(uncovered, list):
        check.add(f"uncovered (line {line_of(data, 'uncovered')})", "must be a list")
        uncovered = []
    if not isinstance(history, list):
        check.add(f"history (line {line_of(data, 'history')})", "must be a list")
        history = []
    check.raise_if_any()
    return Roadmap(business_unit=str(unit), questionnaire=str(data.get("questionnaire") or ""),
                   library=str(data.get("library") or ""), settings=settings, items=tuple(items),
                   uncovered=tuple(dict(u) for u in uncovered if isinstance(u, dict)),
                   history=tuple(dict(h) for h in history if isinstance(h, dict)), source=str(path),
                   projection=tuple(dict(p) for p in projection if isinstance(p, dict)) if isinstance(projection, list) else ())


def previous_path(path: str | Path) -> Path:
    """Where the version before the last regeneration is kept: ``roadmap.previous.yaml`` beside it."""
    path = Path(path)
    return path.with_name(path.name[: -len(path.suffix)] + PREVIOUS_SUFFIX if path.suffix else path.name + PREVIOUS_SUFFIX)


# --- what is the PMO head's, what is the tool's ----------------------------------------------------

def hand_set(item: RoadmapItem) -> frozenset[str]:
    """Which of wave, start and end were set by hand: not empty and not what the tool last wrote.

    Without a ``scheduled`` record (files written before it existed), a library item's wave counts
    as the tool's and its dates as hand-set (the tool never wrote dates then); every placement a
    custom item has is its author's.
    """
    values = {"wave": item.wave, "start": item.start, "end": item.end}
    if item.scheduled is None:
        keys = PLACEMENT if item.custom else ("start", "end")
        return frozenset(k for k in keys if values[k] is not None)
    mark = {"wave": item.scheduled.wave, "start": item.scheduled.start, "end": item.scheduled.end}
    return frozenset(k for k, v in values.items() if v is not None and v != mark[k])


def kept_keys(item: RoadmapItem) -> frozenset[str]:
    """The placement keys the tool must leave as they are: hand-set ones (and the start of an item whose
    end was set by hand), and every set one of a pinned or in-progress item, except the tool's own dates
    of an item whose wave was moved by hand (those dates belong to the old wave and follow the new one)."""
    hand = hand_set(item)
    keys = set(hand)
    if "end" in hand and item.start is not None:
        keys.add("start")  # a new end means "it ends then", not "it starts later": the start stays
    if item.pinned or item.status == "in-progress":
        stale = {"start", "end"} if "wave" in hand and not hand & {"start", "end"} else set()
        keys |= {k for k in PLACEMENT if getattr(item, k) is not None and k not in stale}
    return frozenset(keys)


def commitment(item: RoadmapItem) -> Fixed | None:
    """The commitment an item carries (pinned, in progress, wave or dates set by hand), or None."""
    keep = kept_keys(item)
    if not keep:
        return None
    hand = hand_set(item)
    why = ("pinned" if item.pinned else "in progress" if item.status == "in-progress"
           else "dates set by hand" if hand & {"start", "end"} else "wave set by hand")
    return Fixed(wave=item.wave if "wave" in keep else None, start=item.start if "start" in keep else None,
                 end=item.end if "end" in keep else None, why=why)


def commitments_from(roadmap: Roadmap, library: Library) -> Commitments:
    """What the roadmap file fixes for the planner: done, dropped, every commitment (also on items whose gap
    closed, so a reopened item keeps it), own efforts and durations, and the work the library does not hold."""
    done, dropped, fixed, effort, duration, own = set(), set(), {}, {}, {}, []
    for item in roadmap.items:
        if item.status in ("done", "dropped"):
            (done if item.status == "done" else dropped).add(item.id)
            continue
        held = commitment(item)
        if held is not None:
            fixed[item.id] = held
        initiative = library.by_id.get(item.id)
        if initiative is None:
            if item.active:
                own.append(OwnItem(id=item.id, effort=item.effort or 0.0, duration=item.duration,
                                   prerequisites=item.prerequisites, priority=item.priority or 0.0,
                                   quick_win=item.quick_win))
            continue
        if item.effort is not None and item.effort != initiative.effort:
            effort[item.id] = item.effort
        if item.duration is not None and item.duration != initiative.duration:
            duration[item.id] = item.duration
        if item.status == "in-progress":  # still under way even if its gap has closed
            own.append(OwnItem(id=item.id, effort=effort.get(item.id, initiative.effort),
                               duration=duration.get(item.id, initiative.duration), prerequisites=(),
                               priority=item.priority or 0.0))
    return Commitments(done=frozenset(done), dropped=frozenset(dropped), fixed=fixed, effort=effort,
                       duration=duration, own=tuple(own), source=roadmap.source)


# --- writing and merging -------------------------------------------------------------------------

HEADER = """Roadmap of {unit}, generated by pmo-assess from the assessment, the targets, the votes and the
initiative library. It is yours now: fill in owner, status (planned, in-progress, done, dropped), notes;
change a wave, start or end and it stays there (as pinned: true does); add items of your own. Rerunning
pmo-assess roadmap keeps your edits and comments: it adds items for new gaps, marks closed gaps closed-gap
(never deletes), schedules the rest in weeks around your commitments and names every item it moves."""


@dataclass(frozen=True)
class Move:
    """An item the planner placed somewhere else than the file had it, and why."""

    id: str
    before: int | None
    after: int | None
    started: dt.date | None
    starts: dt.date | None
    reason: str

    def describe(self) -> str:
        when = f" (start {self.started} -> {self.starts})" if self.started and self.starts else ""
        if self.before == self.after:
            return f"rescheduled {self.id} within wave {self.after}{when}: {self.reason}"
        before = "unscheduled" if self.before is None else f"wave {self.before}"
        after = "unscheduled" if self.after is None else f"wave {self.after}"
        return f"moved {self.id} from {before} to {after}{when}: {self.reason}"


@dataclass
class RoadmapChanges:
    """What one regeneration did to the file."""

    added: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    rescheduled: list[Move] = field(default_factory=list)
    dated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    created: bool = False
    unchanged: bool = False
    edits: int = 0

    def set(self, node: Any, key: str, value: Any) -> None:
        """Set a key of the document only when its value differs, counting what was rewritten."""
        self.edits += _set(node, key, value)

    def summary(self) -> str:
        if self.created:
            return f"created with {len(self.added)} items"
        if self.unchanged:
            return "unchanged (nothing to write)"
        parts = [f"{len(self.added)} added", f"{len(self.closed)} closed (gap closed)",
                 f"{len(self.reopened)} reopened", f"{len(self.moved)} moved to another wave"]
        if self.rescheduled:
            parts.append(f"{len(self.rescheduled)} rescheduled within their wave")
        if self.dated:
            parts.append(f"{len(self.dated)} given their first dates")
        return ", ".join(parts)

    def details(self) -> list[str]:
        """One line per item moved or kept against the plan, for the CLI and the notebook."""
        lines = [m.describe() for m in self.moved + self.rescheduled]
        return lines + self.kept


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else float(number)


def _flow(value: Any) -> Any:
    node = CommentedMap(value) if isinstance(value, dict) else CommentedSeq(value)
    node.fa.set_flow_style()
    return node


def _fresh(value: Any) -> Any:
    """A date as a new object: YAML would write one object used twice as an anchor and an alias."""
    return dt.date.fromordinal(value.toordinal()) if isinstance(value, dt.date) else value


def _placement(slot: Slot | None) -> dict[str, Any]:
    """A new mapping of the wave, start and end the planner gives an item (fresh objects every call)."""
    if slot is None:
        return {"wave": None, "start": None, "end": None}
    return {"wave": slot.wave, "start": _fresh(slot.start), "end": _fresh(slot.end)}


def _item_node(item: PlannedItem) -> CommentedMap:
    """A new roadmap item (mapping) for a planned initiative."""
    initiative = item.initiative
    place = _placement(item.slot)
    return CommentedMap([
        ("id", initiative.id), ("title", initiative.title), ("capability", initiative.capability),
        ("from_level", initiative.from_level), ("to_level", initiative.to_level), ("wave", place["wave"]),
        ("effort", _plain(item.effort)), ("duration", _plain(initiative.duration)), ("quick_win", item.quick_win),
        ("priority", _plain(item.priority)), ("why", _flow({k: _plain(v) for k, v in item.parts.items()})),
        ("prerequisites", _flow(list(item.needs))), ("kpis", _flow(list(initiative.kpis))),
        ("owner", ""), ("start", place["start"]), ("end", place["end"]), ("status", "planned"), ("pinned", False),
        ("notes", ""), ("origin", "library"), ("reason", item.reason), ("scheduled", _flow(_placement(item.slot))),
    ])


def _uncovered_nodes(plan: Plan) -> list[dict[str, Any]]:
    return [{"capability": u.capability, "step": u.step, "reason": u.reason} for u in plan.uncovered]


def projection_rows(plan: Plan, calendar: Calendar) -> list[dict[str, Any]]:
    """Projected overall and dimension levels after each wave (wave 0 = today), with the wave's last day."""
    projection = plan.projection
    dimensions = [d.id for d in projection.questionnaire.dimensions]
    rows = []
    for wave in range(projection.waves + 1):
        ends = calendar.week_end(calendar.wave_window(wave)[1]) if wave else None
        level = projection.overall_level[wave]
        row = {"wave": wave, "ends": ends, "overall": None if np.isnan(level) else int(level)}
        for d, dimension in enumerate(dimensions):
            value = projection.dimension_level[wave, d]
            row[dimension] = None if np.isnan(value) else int(value)
        rows.append(row)
    return rows


def _set(node: Any, key: str, value: Any) -> bool:
    """Set a key only when its value differs, so unchanged items keep their exact text."""
    current = node.get(key)
    if isinstance(value, dict) and isinstance(current, dict):
        same = dict(current) == value
    elif isinstance(value, list) and isinstance(current, list):
        same = [dict(c) if isinstance(c, dict) else c for c in current] == value
    else:
        same = key in node and current == value
    if same:
        return False
    node[key] = _flow(value) if isinstance(value, dict) else (
        CommentedSeq(_flow(v) if isinstance(v, dict) else v for v in value) if isinstance(value, list) and value
        and isinstance(value[0], dict) else _flow(value) if isinstance(value, list) else value)
    return True


def _settings_change(document: CommentedMap, settings: RoadmapSettings) -> str:
    """'capacity 120 -> 50' for every setting this run changes, to explain why items moved."""
    old = document.get("settings") if isinstance(document.get("settings"), dict) else {}
    wanted = {"wave_weeks": _plain(settings.wave_weeks), "capacity": _plain(settings.capacity),
              "waves": settings.waves, "starts_on": _fresh(settings.starts_on)}
    return ", ".join(f"{k} {old.get(k)} -> {v}" for k, v in wanted.items() if k in old and old.get(k) != v)


def _why_moved(slot: Slot | None, before: dt.date | None, plan: Plan, settings_changed: str,
               start_kept: dt.date | None = None) -> str:
    """Why the planner put an item where it did, in the PMO head's words."""
    if slot is None:
        reason = f"it no longer fits in the {plan.options.waves} waves asked for"
    elif slot.bound.startswith("prerequisite:"):
        needed = slot.bound.split(":", 1)[1]
        end = plan.schedule.slots[needed].end if plan.schedule else None
        direction = "" if before is None or slot.start is None else " earlier" if slot.start < before else " later"
        reason = f"its prerequisite {needed} now ends{direction}" + (f" ({end})" if end else "")
    elif slot.bound == "start":
        reason = "nothing it needs is left to wait for and there is room from the start"
    elif slot.bound.startswith("quick-win:"):
        reason = f"the quick win {slot.bound.split(':', 1)[1]} goes first"
    elif slot.bound == "fixed" and start_kept is not None:
        reason = f"its start {start_kept} is set by hand, and that is in wave {slot.wave}"
    elif slot.bound == "fixed":
        reason = "kept in its committed wave, after what it needs"
    elif before is not None and slot.start is not None and slot.start < before:
        reason = "capacity freed up earlier"
    else:
        reason = (f"the weekly capacity ({plan.options.capacity:g} person-days per wave of "
                  f"{plan.options.wave_weeks:g} weeks) is taken by higher-priority work until then")
    return f"the settings changed ({settings_changed}); {reason}" if settings_changed else reason


def _place(node: Any, item: RoadmapItem, slot: Slot | None, plan: Plan, changes: RoadmapChanges,
           settings_changed: str) -> None:
    """Write the planner's wave/start/end into an item, except what the PMO head committed; record moves."""
    keep = kept_keys(item)
    place = _placement(slot)
    old_mark = node.get("scheduled") if isinstance(node.get("scheduled"), dict) else {}
    mark = {k: old_mark.get(k) for k in PLACEMENT}
    hand = hand_set(item)
    for key in PLACEMENT:
        if key in keep:
            if key not in hand and mark[key] is None:
                mark[key] = _fresh(getattr(item, key))  # a pinned value the tool wrote before it kept records
            continue
        changes.set(node, key, place[key])
        mark[key] = _fresh(place[key])
    changes.set(node, "scheduled", mark)
    if hand:
        parts = [f"{k} {getattr(item, k)}" for k in PLACEMENT if k in hand]
        tool = item.scheduled.wave if item.scheduled and "wave" in hand else None
        was = f" (the planner had wave {tool})" if tool else ""
        changes.kept.append(f"kept {item.id} at {', '.join(parts)}: set by hand{was}")
    new_wave = item.wave if "wave" in keep else place["wave"]
    new_start = item.start if "start" in keep else place["start"]
    if item.wave is None and item.start is None and item.scheduled is None and new_wave is not None:
        changes.dated.append(item.id)  # placed for the first time (an item of the PMO head's own)
    elif item.wave != new_wave:
        changes.moved.append(Move(item.id, item.wave, new_wave, item.start, new_start,
                                  _why_moved(slot, item.start, plan, settings_changed,
                                             item.start if "start" in keep else None)))
    elif item.start is None and new_start is not None:
        changes.dated.append(item.id)
    elif item.start != new_start:
        changes.rescheduled.append(Move(item.id, item.wave, new_wave, item.start, new_start,
                                        _why_moved(slot, item.start, plan, settings_changed)))


def new_roadmap_document(plan: Plan, library: Library, settings: RoadmapSettings, today: dt.date) -> CommentedMap:
    """The first version of a unit's roadmap.yaml, as a round-trip YAML document."""
    document = CommentedMap([
        ("schema", ROADMAP_SCHEMA), ("business_unit", plan.business_unit),
        ("questionnaire", plan.projection.questionnaire.id), ("library", f"{library.id} {library.version}"),
        ("settings", _flow({"wave_weeks": _plain(settings.wave_weeks), "capacity": _plain(settings.capacity),
                            "waves": settings.waves, "starts_on": _fresh(settings.starts_on)})),
        ("items", CommentedSeq(_item_node(item) for item in plan.items)),
        ("uncovered", CommentedSeq(_flow(u) for u in _uncovered_nodes(plan))),
        ("projection", CommentedSeq(_flow(r) for r in projection_rows(plan, settings.calendar))),
        ("history", CommentedSeq([_flow({"version": 1, "on": today, "added": len(plan.items), "closed": 0,
                                         "reopened": 0, "moved": 0})])),
    ])
    document.yaml_set_start_comment(HEADER.format(unit=plan.business_unit))
    return document


def merge_plan(document: CommentedMap, roadmap: Roadmap, plan: Plan, library: Library,
               settings: RoadmapSettings) -> RoadmapChanges:
    """Merge a fresh plan into an edited roadmap document in place; human-owned keys are never touched."""
    changes = RoadmapChanges()
    nodes = document.get("items")
    if nodes is None:
        nodes = document["items"] = CommentedSeq()
        changes.edits += 1
    settings_changed = _settings_change(document, settings)
    # an item is the library's by its id, even if whoever wrote it left out origin: library
    by_id = {item.id: node for item, node in zip(roadmap.items, nodes) if item.id in library.by_id}
    states = {item.id: item for item in roadmap.items}
    planned = {item.initiative.id: item for item in plan.items}
    for iid, item in planned.items():
        node = by_id.get(iid)
        if node is None:
            nodes.append(_item_node(item))
            changes.added.append(iid)
            continue
        state = states[iid]
        if state.status == "closed-gap":
            node["status"] = "planned"
            changes.reopened.append(iid)
        _place(node, state, item.slot, plan, changes, settings_changed)
        for key, value in (("priority", _plain(item.priority)), ("why", {k: _plain(v) for k, v in item.parts.items()}),
                           ("quick_win", item.quick_win), ("reason", item.reason)):
            changes.set(node, key, value)
    slots = plan.schedule.slots if plan.schedule else {}
    for item, node in zip(roadmap.items, nodes):
        if item.id in planned:
            continue
        if item.id in by_id and item.status == "planned":
            node["status"] = "closed-gap"
            changes.closed.append(item.id)
        elif item.id in slots and item.active and item.status != "done":
            _place(node, item, slots[item.id], plan, changes, settings_changed)
    changes.set(document, "uncovered", _uncovered_nodes(plan))
    changes.set(document, "library", f"{library.id} {library.version}")
    wanted = {"wave_weeks": _plain(settings.wave_weeks), "capacity": _plain(settings.capacity),
              "waves": settings.waves, "starts_on": _fresh(settings.starts_on)}
    if not isinstance(document.get("settings"), dict):
        document["settings"] = _flow(wanted)
        changes.edits += 1
    for key, value in wanted.items():
        changes.set(document["settings"], key, value)
    rows = projection_rows(plan, settings.calendar)
    if "projection" not in document and "history" in document:
        document.insert(list(document.keys()).index("history"), "projection", CommentedSeq())
    changes.set(document, "projection", rows)
    return changes


def write_roadmap(path: str | Path, plan: Plan, library: Library, settings: RoadmapSettings,
                  today: dt.date | None = None) -> RoadmapChanges:
    """Create a unit's roadmap.yaml, or merge the plan into it under its lock (re-read there).

    A merge that changes nothing writes nothing; one that does keeps the version before as
    roadmap.previous.yaml and adds a history line. Callers that plan from the file should hold
    :func:`pmo_assess.io.locks.locked` themselves and call :func:`write_roadmap_locked`.
    """
    with locked(path):
        return write_roadmap_locked(path, plan, library, settings, today)


def write_roadmap_locked(path: str | Path, plan: Plan, library: Library, settings: RoadmapSettings,
                         today: dt.date | None = None, document: CommentedMap | None = None) -> RoadmapChanges:
    """:func:`write_roadmap` for a caller that already holds the file's lock; ``document`` is the file as that
    caller read it under the same lock (read here when not given)."""
    path = Path(path)
    today = today or dt.date.today()
    if not path.exists():
        write_yaml(path, new_roadmap_document(plan, library, settings, today))
        return RoadmapChanges(added=[i.initiative.id for i in plan.items], created=True)
    before = path.read_bytes()
    document = read_yaml(path) if document is None else document
    roadmap = parse_roadmap(document, path)
    changes = merge_plan(document, roadmap, plan, library, settings)
    if not (changes.added or changes.closed or changes.reopened or changes.edits):
        changes.unchanged = True
        return changes
    history = document.get("history")
    if not isinstance(history, list):
        history = document["history"] = CommentedSeq()
    version = max((int(h.get("version", 0)) for h in history if isinstance(h, dict) and _number(h.get("version", 0))),
                  default=0) + 1
    history.append(_flow({"version": version, "on": today, "added": len(changes.added),
                          "closed": len(changes.closed), "reopened": len(changes.reopened),
                          "moved": len(changes.moved)}))
    atomic_write_bytes(previous_path(path), before)
    write_yaml(path, document)
    return changes
