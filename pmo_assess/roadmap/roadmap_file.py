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
        wave: 1                          # the tool moves it unless pinned, in progress, done or dropped
        effort: 15                       # person-days; your estimate replaces the library's
        duration: 6                      # weeks
        quick_win: true
        priority: 46.2
        why: {gap: 20.0, importance: 10.0, votes: 10.0, effort: 6.2}
        prerequisites: [MAN-1-pmo-charter]
        kpis: [benefits-register-coverage]
        owner: ''                        # yours from here on
        start:                           # YYYY-MM-DD
        end:
        status: planned                  # planned | in-progress | done | dropped | closed-gap (set by the tool)
        pinned: false                    # true keeps it in its wave
        notes: ''
        origin: library                  # items you add yourself need no origin
        reason: gap of 2 levels
    uncovered: [{capability: ..., step: 2->3, reason: ...}]
    history: [{version: 1, on: 2026-11-22, added: 12, closed: 0, reopened: 0, moved: 0}]

On regeneration the previous file is kept as ``roadmap.previous.yaml`` beside it, so "what changed
since the last version" can be shown.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import atomic_write_bytes, line_of, read_yaml, write_yaml
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.planner import DEFAULT_CAPACITY, DEFAULT_WAVE_WEEKS, Commitments, Plan, PlannedItem

ROADMAP_SCHEMA = "pmo-assess/roadmap@1"
STATUSES = ("planned", "in-progress", "done", "dropped", "closed-gap")
#: Statuses whose items no longer take a place in a wave.
INACTIVE_STATUSES = ("dropped", "closed-gap")
PREVIOUS_SUFFIX = ".previous.yaml"


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
        if self.settings.starts_on is None:
            return None
        first = self.settings.starts_on + dt.timedelta(weeks=self.settings.wave_weeks * (wave - 1))
        return first, first + dt.timedelta(weeks=self.settings.wave_weeks) - dt.timedelta(days=1)


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

    def number(self, key: str, whole: bool = False, minimum: float = 0, strict: bool = True) -> Any:
        value = self.node.get(key)
        if value is None or value == "":
            return None
        bad = not _number(value) or (whole and value != int(value)) or value < minimum or (strict and value == minimum)
        if bad:
            kind = "a whole number" if whole else "a number"
            bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
            self.problem(key, f"must be {kind} {bound}, got {value!r}")
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
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(key, f"must be a date YYYY-MM-DD, got {value!r}")
            return None

    def ids(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, "must be a list of ids")
            return ()
        return tuple(str(v) for v in value)


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
        to_level=read.number("to_level", whole=True, minimum=2, strict=False), wave=read.number("wave", whole=True, minimum=1, strict=False),
        effort=read.number("effort"), duration=read.number("duration"), quick_win=read.flag("quick_win"),
        priority=read.number("priority", minimum=0, strict=False), why={str(k): float(v) for k, v in why.items()},
        prerequisites=read.ids("prerequisites"), kpis=read.ids("kpis"), owner=read.text("owner"),
        start=read.date("start"), end=read.date("end"), status=status, pinned=read.flag("pinned"),
        notes=read.text("notes"), origin=read.text("origin") or "custom", reason=read.text("reason"))
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
    return RoadmapSettings(
        wave_weeks=read.number("wave_weeks") or defaults.wave_weeks,
        capacity=read.number("capacity") or defaults.capacity,
        waves=read.number("waves", whole=True, minimum=1, strict=False),
        starts_on=read.date("starts_on"))


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
                   history=tuple(dict(h) for h in history if isinstance(h, dict)), source=str(path))


def previous_path(path: str | Path) -> Path:
    """Where the version before the last regeneration is kept: ``roadmap.previous.yaml`` beside it."""
    path = Path(path)
    return path.with_name(path.name[: -len(path.suffix)] + PREVIOUS_SUFFIX if path.suffix else path.name + PREVIOUS_SUFFIX)


# --- writing and merging -------------------------------------------------------------------------

#: The tool keeps wave (unless pinned, in progress, done or dropped), priority, why, quick_win, reason
#: and status closed-gap/planned up to date; every other key belongs to the PMO head.
HEADER = """Roadmap of {unit}, generated by pmo-assess from the assessment, the targets, the votes and
the initiative library. It is yours now: fill in owner, start, end, status (planned, in-progress,
done, dropped), notes; set pinned: true to keep an item in its wave; add items of your own.
Regenerating (pmo-assess roadmap) keeps your edits and comments: it adds items for new gaps,
marks items whose gap has closed as closed-gap (never deletes), and moves only unpinned planned items."""


@dataclass
class RoadmapChanges:
    """What one regeneration did to the file."""

    added: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    moved: list[tuple[str, Any, Any]] = field(default_factory=list)
    created: bool = False

    def summary(self) -> str:
        if self.created:
            return f"created with {len(self.added)} items"
        parts = [f"{len(self.added)} added", f"{len(self.closed)} closed (gap closed)",
                 f"{len(self.reopened)} reopened", f"{len(self.moved)} moved to another wave"]
        return ", ".join(parts)


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else float(number)


def _flow(value: Any) -> Any:
    node = CommentedMap(value) if isinstance(value, dict) else CommentedSeq(value)
    node.fa.set_flow_style()
    return node


def _item_node(item: PlannedItem) -> CommentedMap:
    """A new roadmap item (mapping) for a planned initiative."""
    initiative = item.initiative
    return CommentedMap([
        ("id", initiative.id), ("title", initiative.title), ("capability", initiative.capability),
        ("from_level", initiative.from_level), ("to_level", initiative.to_level), ("wave", item.wave),
        ("effort", _plain(item.effort)), ("duration", _plain(initiative.duration)), ("quick_win", item.quick_win),
        ("priority", _plain(item.priority)), ("why", _flow({k: _plain(v) for k, v in item.parts.items()})),
        ("prerequisites", _flow(list(item.needs))), ("kpis", _flow(list(initiative.kpis))),
        ("owner", ""), ("start", None), ("end", None), ("status", "planned"), ("pinned", False),
        ("notes", ""), ("origin", "library"), ("reason", item.reason),
    ])


def _uncovered_nodes(plan: Plan) -> list[dict[str, Any]]:
    return [{"capability": u.capability, "step": u.step, "reason": u.reason} for u in plan.uncovered]


def _set(node: Any, key: str, value: Any) -> bool:
    """Set a key only when its value differs, so unchanged items keep their exact text."""
    current = node.get(key)
    if isinstance(value, dict) and isinstance(current, dict):
        same = dict(current) == value
    elif isinstance(value, list) and isinstance(current, list):
        same = list(current) == value
    else:
        same = key in node and current == value
    if same:
        return False
    node[key] = _flow(value) if isinstance(value, (dict, list)) else value
    return True


def commitments_from(roadmap: Roadmap, library: Library) -> Commitments:
    """What the roadmap file fixes for the planner: done, dropped, pinned or in-progress waves, own efforts."""
    done, dropped, fixed, effort, custom_load = set(), set(), {}, {}, {}
    for item in roadmap.items:
        if item.id not in library.by_id:
            if item.active and item.status != "done" and item.wave is not None and item.effort:
                custom_load[item.wave] = custom_load.get(item.wave, 0.0) + item.effort
            continue
        if item.status == "done":
            done.add(item.id)
        elif item.status == "dropped":
            dropped.add(item.id)
        elif item.status != "closed-gap" and (item.pinned or item.status == "in-progress") and item.wave is not None:
            fixed[item.id] = item.wave
        if item.effort is not None and item.effort != library.by_id[item.id].effort:
            effort[item.id] = item.effort
    return Commitments(done=frozenset(done), dropped=frozenset(dropped), fixed_wave=fixed, effort=effort,
                       custom_load=custom_load, source=roadmap.source)


def new_roadmap_document(plan: Plan, library: Library, settings: RoadmapSettings, today: dt.date) -> CommentedMap:
    """The first version of a unit's roadmap.yaml, as a round-trip YAML document."""
    document = CommentedMap([
        ("schema", ROADMAP_SCHEMA), ("business_unit", plan.business_unit),
        ("questionnaire", plan.projection.questionnaire.id), ("library", f"{library.id} {library.version}"),
        ("settings", _flow({"wave_weeks": _plain(settings.wave_weeks), "capacity": _plain(settings.capacity),
                            "waves": settings.waves, "starts_on": settings.starts_on})),
        ("items", CommentedSeq(_item_node(item) for item in plan.items)),
        ("uncovered", CommentedSeq(_flow(u) for u in _uncovered_nodes(plan))),
        ("history", CommentedSeq([_flow({"version": 1, "on": today, "added": len(plan.items), "closed": 0,
                                         "reopened": 0, "moved": 0})])),
    ])
    document.yaml_set_start_comment(HEADER.format(unit=plan.business_unit))
    return document


def merge_plan(document: CommentedMap, roadmap: Roadmap, plan: Plan, library: Library,
               settings: RoadmapSettings, today: dt.date) -> RoadmapChanges:
    """Merge a fresh plan into an edited roadmap document in place; human-owned keys are never touched."""
    changes = RoadmapChanges()
    nodes = document.get("items")
    if nodes is None:
        nodes = document["items"] = CommentedSeq()
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
        if states[iid].status == "closed-gap":
            node["status"] = "planned"
            changes.reopened.append(iid)
        if not item.fixed and node.get("wave") != item.wave:
            changes.moved.append((iid, node.get("wave"), item.wave))
            node["wave"] = item.wave
        for key, value in (("priority", _plain(item.priority)), ("why", {k: _plain(v) for k, v in item.parts.items()}),
                           ("quick_win", item.quick_win), ("reason", item.reason)):
            _set(node, key, value)
    for iid, node in by_id.items():
        if iid not in planned and states[iid].status == "planned":
            node["status"] = "closed-gap"
            changes.closed.append(iid)
    uncovered = _uncovered_nodes(plan)
    if [dict(u) for u in document.get("uncovered") or []] != uncovered:
        document["uncovered"] = CommentedSeq(_flow(u) for u in uncovered)
    _set(document, "library", f"{library.id} {library.version}")
    wanted = {"wave_weeks": _plain(settings.wave_weeks), "capacity": _plain(settings.capacity),
              "waves": settings.waves, "starts_on": settings.starts_on}
    if not isinstance(document.get("settings"), dict):
        document["settings"] = _flow(wanted)
    for key, value in wanted.items():
        _set(document["settings"], key, value)
    history = document.get("history")
    if history is None:
        history = document["history"] = CommentedSeq()
    version = max((int(h.get("version", 0)) for h in history if isinstance(h, dict)), default=0) + 1
    history.append(_flow({"version": version, "on": today, "added": len(changes.added),
                          "closed": len(changes.closed), "reopened": len(changes.reopened),
                          "moved": len(changes.moved)}))
    return changes


def write_roadmap(path: str | Path, plan: Plan, library: Library, settings: RoadmapSettings,
                  today: dt.date | None = None, document: CommentedMap | None = None) -> RoadmapChanges:
    """Create a unit's roadmap.yaml, or merge the plan into the existing one (keeping it as roadmap.previous.yaml).

    ``document`` is the existing file as already parsed, when the caller has it (saves parsing it again).
    """
    path = Path(path)
    today = today or dt.date.today()
    if not path.exists():
        write_yaml(path, new_roadmap_document(plan, library, settings, today))
        return RoadmapChanges(added=[i.initiative.id for i in plan.items], created=True)
    document = read_yaml(path) if document is None else document
    roadmap = parse_roadmap(document, path)
    changes = merge_plan(document, roadmap, plan, library, settings, today)
    atomic_write_bytes(previous_path(path), path.read_bytes())
    write_yaml(path, document)
    return changes
