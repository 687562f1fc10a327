"""Read a dot-votes file: each workshop participant spreads a fixed number of votes over capabilities.

Format (YAML, saved beside the targets file by the workshop; read by the roadmap planner)::

    questionnaire: value-driven-pmo
    votes_per_participant: 5
    units:
      Retail Banking:
        Ana Silva: {benefits-management: 3, capacity-planning: 2}
        Ben Osei: {benefits-management: 5}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire

DEFAULT_VOTES_PER_PARTICIPANT = 5


@dataclass(frozen=True)
class Votes:
    votes_per_participant: int = DEFAULT_VOTES_PER_PARTICIPANT
    units: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    source: str = ""

    def participants(self, unit: str) -> dict[str, dict[str, int]]:
        """Participant → {capability id: votes} for one unit (empty if nobody voted)."""
        return self.units.get(unit, {})

    def totals(self, unit: str) -> dict[str, int]:
        """Capability id → total votes in one unit."""
        totals: dict[str, int] = {}
        for allocation in self.participants(unit).values():
            for capability, count in allocation.items():
                totals[capability] = totals.get(capability, 0) + count
        return totals


def load_votes(path: str | Path, questionnaire: Questionnaire | None = None) -> Votes:
    """Load and validate a votes file; raises InputErrors listing every problem found."""
    data = read_yaml(path)
    check = ProblemCollector(path)
    if not isinstance(data, dict):
        check.add("", "a votes file must be a mapping with votes_per_participant and units")
        check.raise_if_any()
    named = data.get("questionnaire")
    if questionnaire is not None and named is not None and str(named) != questionnaire.id:
        check.add(f"questionnaire (line {line_of(data, 'questionnaire')})",
                  f"votes are for questionnaire {named!r}, not {questionnaire.id!r}")
    budget = data.get("votes_per_participant", DEFAULT_VOTES_PER_PARTICIPANT)
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        check.add(f"votes_per_participant (line {line_of(data, 'votes_per_participant')})",
                  f"must be a whole number of at least 1, got {budget!r}")
        budget = DEFAULT_VOTES_PER_PARTICIPANT
    known = {c.id for c in questionnaire.capabilities} if questionnaire else None
    units: dict[str, dict[str, dict[str, int]]] = {}
    unit_nodes = data.get("units") or {}
    if not isinstance(unit_nodes, dict):
        check.add(f"units (line {line_of(data, 'units')})", "must be a mapping of business unit to participants")
        unit_nodes = {}
    for unit, people in unit_nodes.items():
        if not isinstance(people, dict):
            check.add(f"units.{unit} (line {line_of(unit_nodes, unit)})", "must map participant names to votes")
            continue
        units[str(unit)] = {}
        for person, allocation in people.items():
            place = f"units.{unit}.{person} (line {line_of(people, person)})"
            if not isinstance(allocation, dict):
                check.add(place, "must map capability ids to a number of votes")
                continue
            counts: dict[str, int] = {}
            for capability, count in allocation.items():
                if known is not None and capability not in known:
                    check.add(place, f"unknown capability id {capability!r}")
                elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
                    check.add(place, f"votes for {capability!r} must be a whole number ≥ 0, got {count!r}")
                else:
                    counts[str(capability)] = count
            if sum(counts.values()) > budget:
                check.add(place, f"{sum(counts.values())} votes cast, but each participant has {budget}")
            units[str(unit)][str(person)] = counts
    check.raise_if_any()
    return Votes(votes_per_participant=budget, units=units, source=str(path))
