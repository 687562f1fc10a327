"""Load and validate an initiative library: the steps up each capability, with effort, prerequisites and KPIs.

Format (YAML; see ``questionnaires/initiatives/``)::

    id: value-driven-pmo-initiatives
    version: 1.0.0
    questionnaire: value-driven-pmo
    kpis:
      - {id: schedule-variance, name: ..., measure_level: 1, unit: percent, direction: up, description: ...}
    initiatives:
      - id: BEN-1-benefits-register
        capability: benefits-management
        from_level: 1                      # closes the step from_level -> from_level + 1
        title: ...
        description: ...
        effort: 15                         # person-days
        duration: 6                        # weeks
        prerequisites: {initiatives: [MAN-1-pmo-charter], capabilities: {pmo-mandate: 2}}
        outcome: ...
        kpis: [benefits-register-coverage]
        quick_win: false
        non_labour_cost: 2500              # optional, >= 0, in the library's currency: licences, fees
        non_labour_note: survey tool licence for a year

A library may name the ``currency`` of its non-labour costs (``currency: EUR``).

Every problem is reported with the file, the key path and the line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire

KPI_UNITS = ("percent", "count", "days", "ratio", "currency", "score")
KPI_DIRECTIONS = ("up", "down")
STEPS = (1, 2, 3)


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    measure_level: int
    unit: str
    direction: str
    description: str = ""


@dataclass(frozen=True)
class Initiative:
    id: str
    capability: str
    from_level: int
    title: str
    description: str
    effort: float
    duration: float
    outcome: str
    kpis: tuple[str, ...] = ()
    requires_initiatives: tuple[str, ...] = ()
    requires_capabilities: tuple[tuple[str, int], ...] = ()
    quick_win: bool = False
    non_labour_cost: float = 0.0
    non_labour_note: str = ""

    @property
    def to_level(self) -> int:
        return self.from_level + 1

    @property
    def step(self) -> str:
        return f"{self.from_level}->{self.to_level}"


@dataclass(frozen=True)
class Library:
    id: str
    version: str
    questionnaire: str
    kpis: tuple[Kpi, ...]
    initiatives: tuple[Initiative, ...]
    source: str = ""
    currency: str = ""

    @cached_property
    def by_id(self) -> dict[str, Initiative]:
        return {i.id: i for i in self.initiatives}

    @cached_property
    def kpi_by_id(self) -> dict[str, Kpi]:
        return {k.id: k for k in self.kpis}

    @cached_property
    def by_step(self) -> dict[tuple[str, int], tuple[Initiative, ...]]:
        """(capability id, from_level) → the initiatives of that step, sorted by id."""
        steps: dict[tuple[str, int], list[Initiative]] = {}
        for initiative in self.initiatives:
            steps.setdefault((initiative.capability, initiative.from_level), []).append(initiative)
        return {key: tuple(sorted(items, key=lambda i: i.id)) for key, items in steps.items()}

    def step(self, capability: str, from_level: int) -> tuple[Initiative, ...]:
        """The initiatives that together take ``capability`` from ``from_level`` to the next level."""
        return self.by_step.get((capability, from_level), ())

    def dependencies(self, initiative: Initiative) -> set[str]:
        """Every initiative that must be done (or planned) before this one, explicit or implied by level order."""
        needed = set(initiative.requires_initiatives)
        for level in range(1, initiative.from_level):
            needed.update(i.id for i in self.step(initiative.capability, level))
        for capability, level in initiative.requires_capabilities:
            for from_level in range(1, level):
                needed.update(i.id for i in self.step(capability, from_level))
        needed.discard(initiative.id)
        return needed


def _is_number(value: Any) -> bool:
    """An int or float, not a bool, and finite (YAML's .nan and .inf are not amounts)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Records problems with a key path and a line number."""

    def __init__(self, path: str | Path):
        self.problems = ProblemCollector(path)

    def add(self, path: str, node: Any, key: Any, message: str) -> None:
        line = line_of(node, key)
        self.problems.add(f"{path} (line {line})" if line else path, message)

    def text(self, node: dict, key: str, path: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(f"{path}.{key}", node, key if key in node else None, "missing or empty")
            return ""
        if isinstance(value, (dict, list)):
            self.add(f"{path}.{key}", node, key, "must be text, not a list or mapping")
            return ""
        return str(value).strip()

    def cost(self, node: dict, key: str, path: str) -> float:
        """An optional amount of money: a finite number, zero or more; 0 when absent."""
        value = node.get(key, 0)
        if not _is_number(value) or value < 0:
            self.add(f"{path}.{key}", node, key, f"must be an amount of 0 or more (licences, fees), got {value!r}")
            return 0.0
        return float(value)

    def positive(self, node: dict, key: str, path: str) -> float:
        value = node.get(key)
        if not _is_number(value) or value <= 0:
            self.add(f"{path}.{key}", node, key if key in node else None,
                     f"must be a number greater than 0, got {value!r}")
            return 1.0
        return float(value)

    def id_list(self, node: dict, key: str, path: str) -> list[tuple[int, str]]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{path}.{key}", node, key, "must be a list of ids")
            return []
        return list(enumerate(value))

    def mappings(self, data: dict, key: str) -> list[tuple[int, dict]]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.add(key, data, key if key in data else None, "must be a non-empty list")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.add(f"{key}[{i}]", value, i, "must be a mapping")
        return good


def load_library(path: str | Path, questionnaire: Questionnaire | None = None) -> Library:
    """Load and validate an initiative library (against the questionnaire when given); InputErrors lists every problem."""
    data = read_yaml(path)
    check = _Checker(path)
    if not isinstance(data, dict):
        check.problems.add("", "an initiative library must be a mapping with id, version, questionnaire, kpis, initiatives")
        check.problems.raise_if_any()
    library_id = check.text(data, "id", "")
    version = check.text(data, "version", "")
    named = check.text(data, "questionnaire", "")
    if questionnaire is not None and named and named != questionnaire.id:
        check.add("questionnaire", data, "questionnaire",
                  f"the library is for questionnaire {named!r}, not {questionnaire.id!r}")
    kpis = _kpis(check, data)
    initiatives = _initiatives(check, data, {k.id for k in kpis}, questionnaire)
    currency = check.text(data, "currency", "", required=False)
    library = Library(id=library_id, version=version, questionnaire=named, kpis=tuple(kpis),
                      initiatives=tuple(initiatives), source=str(path), currency=currency)
    if not check.problems:
        _check_graph(check, data, library, questionnaire)
    check.problems.raise_if_any()
    return library


def _kpis(check: _Checker, data: dict) -> list[Kpi]:
    kpis: list[Kpi] = []
    seen: set[str] = set()
    for i, node in check.mappings(data, "kpis"):
        path = f"kpis[{i}]"
        kid = check.text(node, "id", path)
        if kid in seen:
            check.add(f"{path}.id", node, "id", f"duplicate KPI id {kid!r}")
        seen.add(kid)
        level = node.get("measure_level")
        if not _is_whole(level) or not 1 <= level <= 4:
            check.add(f"{path}.measure_level", node, "measure_level" if "measure_level" in node else None,
                      f"must be 1 (delivery), 2 (benefits accountability), 3 (business outcomes) or "
                      f"4 (competitive advantage), got {level!r}")
            level = 1
        unit = node.get("unit")
        if unit not in KPI_UNITS:
            check.add(f"{path}.unit", node, "unit" if "unit" in node else None,
                      f"must be one of {', '.join(KPI_UNITS)}, got {unit!r}")
        direction = node.get("direction")
        if direction not in KPI_DIRECTIONS:
            check.add(f"{path}.direction", node, "direction" if "direction" in node else None,
                      f"must be up (higher is better) or down, got {direction!r}")
        kpis.append(Kpi(id=kid, name=check.text(node, "name", path), measure_level=level, unit=str(unit),
                        direction=str(direction), description=check.text(node, "description", path, False)))
    return kpis


def _initiatives(check: _Checker, data: dict, kpi_ids: set[str],
                 questionnaire: Questionnaire | None) -> list[Initiative]:
    capability_ids = {c.id for c in questionnaire.capabilities} if questionnaire else None
    initiatives: list[Initiative] = []
    seen: set[str] = set()
    for i, node in check.mappings(data, "initiatives"):
        path = f"initiatives[{i}]"
        iid = check.text(node, "id", path)
        if iid:
            path = f"initiatives[{i}] {iid}"
        if iid in seen:
            check.add(f"{path}.id", node, "id", f"duplicate initiative id {iid!r}")
        seen.add(iid)
        capability = check.text(node, "capability", path)
        if capability and capability_ids is not None and capability not in capability_ids:
            check.add(f"{path}.capability", node, "capability",
                      f"unknown capability id {capability!r} in questionnaire {questionnaire.id!r}")
        from_level = node.get("from_level")
        if not _is_whole(from_level) or from_level not in STEPS:
            check.add(f"{path}.from_level", node, "from_level" if "from_level" in node else None,
                      f"must be 1, 2 or 3 (the step from_level -> from_level + 1), got {from_level!r}")
            from_level = 1
        for k, kpi in check.id_list(node, "kpis", path):
            if kpi not in kpi_ids:
                check.add(f"{path}.kpis[{k}]", node["kpis"], k, f"unknown KPI id {kpi!r} (not under kpis:)")
        quick_win = node.get("quick_win", False)
        if not isinstance(quick_win, bool):
            check.add(f"{path}.quick_win", node, "quick_win", f"must be true or false, got {quick_win!r}")
            quick_win = False
        requires_initiatives, requires_capabilities = _prerequisites(check, node, path, capability_ids)
        initiatives.append(Initiative(
            id=iid, capability=capability, from_level=from_level, title=check.text(node, "title", path),
            description=check.text(node, "description", path), effort=check.positive(node, "effort", path),
            duration=check.positive(node, "duration", path), outcome=check.text(node, "outcome", path),
            kpis=tuple(node.get("kpis") or ()) if isinstance(node.get("kpis"), list) else (),
            requires_initiatives=requires_initiatives, requires_capabilities=requires_capabilities,
            quick_win=quick_win, non_labour_cost=check.cost(node, "non_labour_cost", path),
            non_labour_note=check.text(node, "non_labour_note", path, required=False)))
    return initiatives


def _prerequisites(check: _Checker, node: dict, path: str,
                   capability_ids: set[str] | None) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    prereq = node.get("prerequisites")
    if prereq is None:
        return (), ()
    path = f"{path}.prerequisites"
    if not isinstance(prereq, dict):
        check.add(path, node, "prerequisites", "must be a mapping with initiatives and/or capabilities")
        return (), ()
    for key in prereq:
        if key not in ("initiatives", "capabilities"):
            check.add(f"{path}.{key}", prereq, key, "unknown key; expected initiatives or capabilities")
    initiatives = tuple(i for _, i in check.id_list(prereq, "initiatives", path))
    capabilities: list[tuple[str, int]] = []
    levels = prereq.get("capabilities")
    if levels is not None and not isinstance(levels, dict):
        check.add(f"{path}.capabilities", prereq, "capabilities", "must map capability ids to a level 2-4")
    elif levels:
        for capability, level in levels.items():
            where = f"{path}.capabilities.{capability}"
            if capability_ids is not None and capability not in capability_ids:
                check.add(where, levels, capability, f"unknown capability id {capability!r}")
            elif not _is_whole(level) or not 2 <= level <= 4:
                check.add(where, levels, capability, f"required level must be 2, 3 or 4, got {level!r}")
            else:
                capabilities.append((str(capability), level))
    return initiatives, tuple(sorted(capabilities))


def _check_graph(check: _Checker, data: dict, library: Library, questionnaire: Questionnaire | None) -> None:
    """Unknown prerequisites, contradictions with level order, cycles and (with a questionnaire) missing steps."""
    nodes = data["initiatives"]
    place = {init.id: (f"initiatives[{i}] {init.id}", nodes[i]) for i, init in enumerate(library.initiatives)}
    for init in library.initiatives:
        path, node = place[init.id]
        for required in init.requires_initiatives:
            if required not in library.by_id:
                check.add(f"{path}.prerequisites.initiatives", node, "prerequisites",
                          f"unknown initiative id {required!r}")
        for capability, level in init.requires_capabilities:
            if capability == init.capability and level > init.from_level:
                check.add(f"{path}.prerequisites.capabilities.{capability}", node, "prerequisites",
                          f"requires {capability} at level {level} before the step {init.step} that raises it "
                          f"to {init.to_level}: contradicts level order")
    if check.problems:
        return
    cycle = find_cycle({i.id: sorted(library.dependencies(i)) for i in library.initiatives})
    if cycle:
        path, node = place[cycle[0]]
        check.add(f"{path}.prerequisites", node, "prerequisites" if "prerequisites" in node else None,
                  "prerequisite cycle (explicit or implied by level order): " + " -> ".join(cycle + [cycle[0]]))
    if questionnaire is not None:
        for capability in questionnaire.capabilities:
            for from_level in STEPS:
                if not library.step(capability.id, from_level):
                    check.add("initiatives", data, "initiatives",
                              f"no initiative for capability {capability.id!r}, step {from_level}->{from_level + 1}")


def find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """One cycle of a dependency graph (node → nodes it needs), as a list of nodes; [] when acyclic."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = [start]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            needs = graph.get(node, [])
            if index < len(needs):
                stack[-1] = (node, index + 1)
                nxt = needs[index]
                if state.get(nxt) == 1:
                    return trail[trail.index(nxt):]
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    trail.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                trail.pop()
    return []
