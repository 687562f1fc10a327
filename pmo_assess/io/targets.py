"""Read a targets file: the levels a unit agreed to reach, per dimension and capability.

Format (YAML)::

    questionnaire: value-driven-pmo      # optional; checked against the questionnaire
    default:                             # every unit, unless the unit says otherwise
      dimensions: {people: 3, governance: 3}
      capabilities:
        benefits-management: {level: 4, agreed_by: [Ana, Ben], agreed_on: 2026-10-14, note: ...}
    units:
      Retail Banking:
        dimensions: {governance: 2}

Unit names are compared without surrounding blanks (``"Retail Banking "`` is ``Retail Banking``).
A target is a level 1-4 or a mapping with ``level`` and optional ``agreed_by``, ``agreed_on``,
``note``. A capability's target is, most specific first: the unit's capability target, the default
capability target, the unit's target for its dimension, the default target for its dimension.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import control_character_problem


@dataclass(frozen=True)
class Target:
    level: int
    agreed_by: tuple[str, ...] = ()
    agreed_on: str = ""
    note: str = ""


@dataclass(frozen=True)
class TargetSet:
    dimensions: dict[str, Target] = field(default_factory=dict)
    capabilities: dict[str, Target] = field(default_factory=dict)


@dataclass(frozen=True)
class Targets:
    default: TargetSet = field(default_factory=TargetSet)
    units: dict[str, TargetSet] = field(default_factory=dict)
    source: str = ""

    def unmatched_units(self, units: list[str]) -> list[str]:
        """Units the file names that are not among ``units`` (their targets would never be used)."""
        present = {str(u).strip() for u in units}
        return [u for u in self.units if u not in present]

    def dimension_target(self, unit: str, dimension: str) -> Target | None:
        own = self.units.get(str(unit).strip(), TargetSet())
        return own.dimensions.get(dimension) or self.default.dimensions.get(dimension)

    def capability_target(self, unit: str, capability: str, dimension: str) -> Target | None:
        own = self.units.get(str(unit).strip(), TargetSet())
        return (own.capabilities.get(capability) or self.default.capabilities.get(capability)
                or self.dimension_target(unit, dimension))


def _target(check: ProblemCollector, node: Any, key: str, place: str) -> Target | None:
    value = node[key]
    where = f"{place}.{key} (line {line_of(node, key)})"
    extra: dict[str, Any] = {}
    if isinstance(value, dict):
        extra, value = value, value.get("level")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4:
        check.add(where, f"target level must be a whole number 1-4, got {value!r}")
        return None
    agreed_by = extra.get("agreed_by") or ()
    if isinstance(agreed_by, str):
        agreed_by = (agreed_by,)
    if not isinstance(agreed_by, (list, tuple)):
        check.add(where, "agreed_by must be a list of names")
        agreed_by = ()
    return Target(level=value, agreed_by=tuple(str(a) for a in agreed_by),
                  agreed_on=str(extra.get("agreed_on") or ""), note=str(extra.get("note") or ""))


def _target_set(check: ProblemCollector, node: Any, place: str, questionnaire: Questionnaire | None) -> TargetSet:
    if node is None:
        return TargetSet()
    if not isinstance(node, dict):
        check.add(place, "must be a mapping with dimensions and/or capabilities")
        return TargetSet()
    for key in node:
        if key not in ("dimensions", "capabilities"):
            check.add(f"{place}.{key} (line {line_of(node, key)})",
                      "unknown key; expected dimensions or capabilities")
    known = {
        "dimensions": {d.id for d in questionnaire.dimensions} if questionnaire else None,
        "capabilities": {c.id for c in questionnaire.capabilities} if questionnaire else None,
    }
    parsed: dict[str, dict[str, Target]] = {"dimensions": {}, "capabilities": {}}
    for kind in ("dimensions", "capabilities"):
        entries = node.get(kind)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            check.add(f"{place}.{kind} (line {line_of(node, kind)})", "must be a mapping of id to level")
            continue
        for ident in entries:
            if known[kind] is not None and ident not in known[kind]:
                check.add(f"{place}.{kind}.{ident} (line {line_of(entries, ident)})",
                          f"unknown {kind[:-1] if kind == 'dimensions' else 'capability'} id {ident!r} "
                          f"in questionnaire {questionnaire.id!r}")
                continue
            target = _target(check, entries, ident, f"{place}.{kind}")
            if target:
                parsed[kind][str(ident)] = target
    return TargetSet(dimensions=parsed["dimensions"], capabilities=parsed["capabilities"])


def load_targets(path: str | Path, questionnaire: Questionnaire | None = None) -> Targets:
    """Load and validate a targets file; raises InputErrors listing every problem found."""
    data = read_yaml(path)
    check = ProblemCollector(path)
    if not isinstance(data, dict):
        check.add("", "a targets file must be a mapping with default and/or units")
        check.raise_if_any()
    for key in data:
        if key not in ("questionnaire", "default", "units"):
            check.add(f"{key} (line {line_of(data, key)})", "unknown key; expected questionnaire, default, units")
    named = data.get("questionnaire")
    if questionnaire is not None and named is not None and str(named) != questionnaire.id:
        check.add(f"questionnaire (line {line_of(data, 'questionnaire')})",
                  f"targets are for questionnaire {named!r}, not {questionnaire.id!r}")
    default = _target_set(check, data.get("default"), "default", questionnaire)
    units: dict[str, TargetSet] = {}
    unit_nodes = data.get("units") or {}
    if not isinstance(unit_nodes, dict):
        check.add(f"units (line {line_of(data, 'units')})", "must be a mapping of business unit to targets")
        unit_nodes = {}
    for unit, node in unit_nodes.items():
        name = str(unit).strip()  # answers' unit names are trimmed too, so "Retail Banking " matches
        message = control_character_problem(name, "business unit") if name else "business unit name is empty"
        place = f"units.{repr(name) if message else name} (line {line_of(unit_nodes, unit)})"
        if message:
            check.add(place, message)
            continue
        if name in units:
            check.add(place, f"business unit {name!r} is given twice (names are compared without surrounding "
                             "blanks); merge the two entries")
            continue
        units[name] = _target_set(check, node, f"units.{name}", questionnaire)
    check.raise_if_any()
    return Targets(default=default, units=units, source=str(path))
