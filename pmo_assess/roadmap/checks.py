"""Every check of a hand-edited roadmap, for the CLI (exit 2) and the notebook editor (next to each field).

* :func:`check_roadmap` - the whole file: its YAML structure and values (via the reader), initiatives
  renamed away from the library, unknown or circular prerequisites, unknown capabilities, a wave
  that contradicts the dates set beside it, and commitments that start before what they need ends.
* :func:`check_item_field` - what would be wrong with one field of one item if it took a value.
* :func:`roadmap_schedule` - where every active item sits in weeks, as the file stands (or as a
  rerun would reschedule it), with its conflicts; :func:`wave_loads` and :func:`capacity_warnings`
  from it.
"""
from __future__ import annotations

from typing import Any

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import line_of
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.library import Library, find_cycle
from pmo_assess.roadmap.planner import is_quick_win
from pmo_assess.roadmap.roadmap_file import Roadmap, RoadmapItem, commitment, hand_set, kept_keys, parse_roadmap
from pmo_assess.roadmap.scheduler import Schedule, Task, schedule

#: The fields whose change can change a wave's load.
LOAD_FIELDS = ("wave", "start", "end", "effort", "duration", "status", "pinned")


def _place(roadmap_nodes: Any, index: int, item: RoadmapItem, key: str) -> str:
    node = roadmap_nodes[index] if roadmap_nodes is not None and index < len(roadmap_nodes) else None
    line = line_of(node, key) if isinstance(node, dict) and key in node else line_of(node) if node is not None else None
    where = f"items[{index}] {item.id}.{key}"
    return f"{where} (line {line})" if line else where


def check_roadmap(document: Any, library: Library | None = None, questionnaire: Questionnaire | None = None,
                  source: str = "roadmap.yaml") -> list[InputProblem]:
    """Every problem of a roadmap (a parsed YAML document or a :class:`Roadmap`); [] when it is valid."""
    if isinstance(document, Roadmap):
        roadmap, nodes = document, None
        source = roadmap.source or source
    else:
        try:
            roadmap = parse_roadmap(document, source, questionnaire)
        except InputErrors as exc:
            return list(exc.problems)
        nodes = document.get("items")
    problems: list[InputProblem] = []

    def add(index: int, item: RoadmapItem, key: str, message: str) -> None:
        problems.append(InputProblem(source, _place(nodes, index, item, key), message))

    ids = {item.id: i for i, item in enumerate(roadmap.items)}
    known_capabilities = {c.id for c in questionnaire.capabilities} if questionnaire else None
    for i, item in enumerate(roadmap.items):
        in_library = library is not None and item.id in library.by_id
        if library is not None and item.origin == "library" and not in_library:
            add(i, item, "id", f"{item.id!r} is not an initiative of the library {library.id!r} although its origin "
                               "is library: if it was renamed, give it back its library id; to keep it as your own "
                               "item, remove origin: library")
        if isinstance(document, Roadmap) and known_capabilities is not None and item.capability \
                and item.capability not in known_capabilities:
            add(i, item, "capability", f"unknown capability id {item.capability!r} in questionnaire {questionnaire.id!r}")
        if isinstance(document, Roadmap) and item.start and item.end and item.end < item.start:
            add(i, item, "end", f"ends ({item.end}) before it starts ({item.start})")
        for p in item.prerequisites:
            if p == item.id:
                add(i, item, "prerequisites", "lists itself as a prerequisite")
            elif p not in ids and (library is None or p not in library.by_id):
                add(i, item, "prerequisites", f"unknown prerequisite {p!r}: neither an item of this roadmap nor an "
                                              "initiative of the library")
        hand = hand_set(item)
        calendar = roadmap.settings.calendar
        if {"wave", "start"} <= hand and calendar.starts_on is not None:
            wave = calendar.wave_of_week(calendar.week_of(item.start))
            if wave != item.wave:
                add(i, item, "wave", f"wave {item.wave} does not match its start {item.start}, which is in wave "
                                     f"{wave}; change one of them")
    graph = {item.id: [p for p in item.prerequisites if p in ids and p != item.id] for item in roadmap.items}
    cycle = find_cycle(graph)
    if cycle:
        first = roadmap.items[ids[cycle[0]]]
        add(ids[cycle[0]], first, "prerequisites", "prerequisite cycle: " + " -> ".join(cycle + cycle[:1]))
    problems += _commitment_conflicts(roadmap, nodes, source, ids)
    return problems


def _commitment_conflicts(roadmap: Roadmap, nodes: Any, source: str, ids: dict[str, int]) -> list[InputProblem]:
    """A start the PMO head fixed before an end they also fixed, of something it needs."""
    problems = []
    for i, item in enumerate(roadmap.items):
        if item.start is None or "start" not in kept_keys(item) or item.status in ("done", "dropped", "closed-gap"):
            continue
        for p in item.prerequisites:
            before = roadmap.items[ids[p]] if p in ids else None
            if before is None or before.status in ("done", "dropped", "closed-gap") or before.end is None:
                continue
            if "end" in kept_keys(before) and before.end >= item.start:
                problems.append(InputProblem(source, _place(nodes, i, item, "start"), f"conflict: starts {item.start}, "
                                             f"before its prerequisite {p} ends ({before.end}); move one of them"))
    return problems


def check_item_field(document: Any, item_id: str, key: str, value: Any, library: Library | None = None,
                     questionnaire: Questionnaire | None = None) -> list[str]:
    """What would be wrong with ``key`` of item ``item_id`` set to ``value`` (the document is not changed).

    Messages are the same as the CLI's, without file and line; a wave over capacity is included for the
    fields that change a wave's load.
    """
    nodes = list(document.get("items") or [])
    index = next((i for i, n in enumerate(nodes) if isinstance(n, dict) and str(n.get("id")) == item_id), None)
    if index is None:
        return [f"no item {item_id!r} in this roadmap"]
    changed = dict(nodes[index])
    changed[key] = value
    nodes[index] = changed
    trial = {**dict(document), "items": nodes}
    problems = check_roadmap(trial, library, questionnaire, source="")
    mine = [p.message for p in problems
            if p.place.startswith(f"items[{index}].{key}") or p.place.startswith(f"items[{index}] {item_id}.{key}")]
    if mine or problems or key not in LOAD_FIELDS:
        return mine
    roadmap = parse_roadmap(trial, "", questionnaire)
    item = roadmap.items[index]
    if not item.active or item.status == "done" or item.wave is None:
        return []
    return [p.message for p in capacity_warnings(roadmap) if p.place == f"wave {item.wave}"]


def _tasks(roadmap: Roadmap, reschedule: bool) -> list[Task]:
    """Scheduler tasks for the roadmap's active, not done items: fixed as the file has them, or only
    their commitments fixed when rescheduling."""
    calendar = roadmap.settings.calendar
    live = {i.id for i in roadmap.active_items if i.status != "done"}
    tasks = []
    for item in roadmap.active_items:
        if item.id not in live:
            continue
        effort = item.effort or 0.0
        weeks = max(1, int(-(-(item.duration or calendar.wave_weeks) // 1)))
        start = end = wave = None
        why = ""
        if reschedule:
            held = commitment(item)
            if held is not None:
                start, end, wave, why = held.start, held.end, held.wave, held.why
        else:
            start, end, wave = item.start, item.end, item.wave
        if calendar.starts_on is None:
            start = end = None
        tasks.append(Task(
            id=item.id, effort=effort, weeks=weeks, prerequisites=tuple(p for p in item.prerequisites if p in live),
            priority=item.priority or 0.0, quick_win=item.quick_win or is_quick_win(False, effort, item.duration),
            fixed_start=calendar.week_of(start) if start else None, fixed_end=calendar.week_of(end) if end else None,
            fixed_wave=wave if start is None and end is None else None, why_fixed=why))
    return tasks


def roadmap_schedule(roadmap: Roadmap, reschedule: bool = False) -> Schedule:
    """Every active, not done item in weeks: where the file puts it (its dates, else the start of its wave),
    or with ``reschedule`` only its commitments kept and the rest placed as a rerun of the planner would."""
    return schedule(_tasks(roadmap, reschedule), roadmap.settings.calendar)


def wave_loads(roadmap: Roadmap) -> dict[int, float]:
    """Person-days of work in each wave's window, as the file stands (done and dropped items left out)."""
    return roadmap_schedule(roadmap).wave_loads()


def capacity_warnings(roadmap: Roadmap) -> list[InputProblem]:
    """One warning per wave whose planned work is over the capacity per wave."""
    calendar = roadmap.settings.calendar
    warnings = []
    for wave, load in wave_loads(roadmap).items():
        first, last = calendar.wave_window(wave)
        room = calendar.weekly_capacity * (last - first + 1)  # a wave of 12.5 weeks has windows of 12 and 13
        if load > room + 1e-6:
            warnings.append(InputProblem(roadmap.source, f"wave {wave}", f"{load:.4g} person-days planned, more "
                                         f"than the capacity of {room:.4g} person-days in this wave"))
    return warnings
