"""The initiative library loader: what it reads, and every problem it names with file, key and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BANK, DATA, ROOT
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.roadmap.library import find_cycle, load_library

MINI_LIBRARY = DATA / "planning" / "mini-library.yaml"
BANK_LIBRARY = ROOT / "questionnaires" / "initiatives" / "value-driven-pmo.yaml"


@pytest.fixture
def mini():
    return load_questionnaire(DATA / "mini.yaml")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "library.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, questionnaire=None) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        load_library(path, questionnaire)
    return [str(p) for p in caught.value.problems]


HEAD = """id: test-lib
version: 1.0.0
questionnaire: mini
kpis:
  - {id: on-time, name: On time, measure_level: 1, unit: percent, direction: up}
initiatives:
"""


def test_mini_library_reads_every_field(mini):
    library = load_library(MINI_LIBRARY, mini)
    assert (library.id, library.version, library.questionnaire) == ("mini-initiatives", "0.1.0", "mini")
    assert len(library.initiatives) == 13 and len(library.kpis) == 3
    tal3 = library.by_id["TAL-3"]
    assert (tal3.capability, tal3.from_level, tal3.to_level, tal3.step) == ("talent", 3, 4, "3->4")
    assert (tal3.effort, tal3.duration) == (30.0, 12.0)
    assert tal3.requires_capabilities == (("leadership", 3),)
    assert [i.id for i in library.step("benefits", 1)] == ["BEN-1a", "BEN-1b"]
    assert library.by_id["BEN-1a"].quick_win is True
    assert library.kpi_by_id["benefits-tracked"].measure_level == 2


def test_dependencies_add_lower_steps_and_capability_levels(mini):
    library = load_library(MINI_LIBRARY, mini)
    # TAL-3 needs talent's own lower steps and leadership up to level 3 (steps 1->2 and 2->3).
    assert library.dependencies(library.by_id["TAL-3"]) == {"TAL-1", "TAL-2", "LEA-1", "LEA-2"}
    assert library.dependencies(library.by_id["MEA-3"]) == {"MEA-1", "MEA-2", "BEN-2"}
    assert library.dependencies(library.by_id["BEN-1a"]) == set()


def test_bundled_library_covers_every_step_of_the_bank():
    bank = load_questionnaire(BANK)
    library = load_library(BANK_LIBRARY, bank)
    for capability in bank.capabilities:
        for step in (1, 2, 3):
            assert library.step(capability.id, step), (capability.id, step)


def test_every_problem_is_listed_with_key_and_line(tmp_path, mini):
    path = write(tmp_path, HEAD + """\
  - {id: A, capability: talent, from_level: 1, title: A, description: d, effort: 5, duration: 2, outcome: o}
  - {id: A, capability: talnet, from_level: 4, title: B, description: d, effort: 0, duration: 2, outcome: o, kpis: [late]}
  - {id: C, capability: talent, from_level: 2, title: C, description: d, effort: 5, duration: two, outcome: o,
     prerequisites: {initiatives: [ZZZ], capabilities: {leadership: 5}}}
""")
    problems = problems_of(path, mini)
    text = "\n".join(problems)
    assert f"{path}: initiatives[1] A.id (line 8): duplicate initiative id 'A'" in problems
    assert "initiatives[1] A.capability (line 8): unknown capability id 'talnet' in questionnaire 'mini'" in text
    assert "initiatives[1] A.from_level (line 8): must be 1, 2 or 3" in text
    assert "initiatives[1] A.effort (line 8): must be a number greater than 0, got 0" in text
    assert "initiatives[1] A.kpis[0] (line 8): unknown KPI id 'late'" in text
    assert "initiatives[2] C.duration (line 9): must be a number greater than 0, got 'two'" in text
    assert "prerequisites.capabilities.leadership (line 10): required level must be 2, 3 or 4, got 5" in text
    assert len(problems) == 7


def test_unknown_prerequisite_and_level_order_contradiction(tmp_path):
    path = write(tmp_path, HEAD + """\
  - {id: A, capability: talent, from_level: 1, title: A, description: d, effort: 5, duration: 2, outcome: o,
     prerequisites: {initiatives: [NOPE], capabilities: {talent: 3}}}
""")
    text = "\n".join(problems_of(path))
    assert "unknown initiative id 'NOPE'" in text
    assert "requires talent at level 3 before the step 1->2 that raises it to 2: contradicts level order" in text


def test_explicit_cycle_is_named(tmp_path):
    path = write(tmp_path, HEAD + """\
  - {id: A, capability: talent, from_level: 1, title: A, description: d, effort: 5, duration: 2, outcome: o,
     prerequisites: {initiatives: [B]}}
  - {id: B, capability: benefits, from_level: 1, title: B, description: d, effort: 5, duration: 2, outcome: o,
     prerequisites: {initiatives: [A]}}
""")
    assert problems_of(path) == [f"{path}: initiatives[0] A.prerequisites (line 8): prerequisite cycle "
                                 "(explicit or implied by level order): A -> B -> A"]


def test_cycle_through_capability_levels_is_found(tmp_path):
    # B1 (benefits 1->2) needs measures at 2 (so M1); M1 needs benefits at 2 (so B1).
    path = write(tmp_path, HEAD + """\
  - {id: B1, capability: benefits, from_level: 1, title: B, description: d, effort: 5, duration: 2, outcome: o,
     prerequisites: {capabilities: {measures: 2}}}
  - {id: M1, capability: measures, from_level: 1, title: M, description: d, effort: 5, duration: 2, outcome: o,
     prerequisites: {capabilities: {benefits: 2}}}
""")
    (problem,) = problems_of(path)
    assert "prerequisite cycle" in problem and "B1 -> M1 -> B1" in problem


def test_missing_steps_are_listed_against_the_questionnaire(tmp_path, mini):
    text = MINI_LIBRARY.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "id: MEA-3" not in line and "id: LEA-1" not in line]
    path = write(tmp_path, "\n".join(lines).replace("prerequisites: {initiatives: [TAL-1]}", "outcome2: x"))
    problems = problems_of(path, mini)
    assert any("no initiative for capability 'leadership', step 1->2" in p for p in problems)
    assert any("no initiative for capability 'measures', step 3->4" in p for p in problems)
    # without a questionnaire, a library need not cover every step
    assert len(load_library(path).initiatives) == 11


def test_library_for_another_questionnaire_and_bad_kpis(tmp_path, mini):
    path = write(tmp_path, """id: x
version: 1
questionnaire: value-driven-pmo
kpis:
  - {id: k, name: K, measure_level: 5, unit: euros, direction: sideways}
initiatives:
  - {id: A, capability: talent, from_level: 1, title: A, description: d, effort: 5, duration: 2, outcome: o}
""")
    text = "\n".join(problems_of(path, mini))
    assert "questionnaire (line 3): the library is for questionnaire 'value-driven-pmo', not 'mini'" in text
    assert "kpis[0].measure_level (line 5): must be 1 (delivery)" in text
    assert "kpis[0].unit (line 5): must be one of percent, count, days, ratio, currency, score, got 'euros'" in text
    assert "kpis[0].direction (line 5): must be up (higher is better) or down, got 'sideways'" in text


def test_not_a_mapping_and_yaml_syntax(tmp_path):
    assert "must be a mapping" in problems_of(write(tmp_path, "- a\n- b\n"))[0]
    assert "invalid YAML" in problems_of(write(tmp_path, "id: [unclosed\n"))[0]


def test_find_cycle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) == []
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c"]
    assert find_cycle({"a": ["a"]}) == ["a"]


def test_validate_command_knows_libraries(tmp_path, capsys):
    assert main(["validate", "-q", str(DATA / "mini.yaml"), str(MINI_LIBRARY)]) == 0
    assert "initiative library mini-initiatives 0.1.0: 13 initiatives, 3 KPIs against mini" in capsys.readouterr().out
    bad = write(tmp_path, HEAD + "  - {id: A, capability: nope, from_level: 1, title: A, description: d, "
                                 "effort: 5, duration: 2, outcome: o}\n")
    assert main(["validate", "-q", str(DATA / "mini.yaml"), str(bad)]) == 2
    assert "unknown capability id 'nope'" in capsys.readouterr().err
