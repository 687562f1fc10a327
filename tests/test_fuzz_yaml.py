"""Fuzzing every YAML reader with hostile documents: a clear refusal (InputErrors) or success, within budget.

Documents are valid files of each kind with hostile values swapped in, raw YAML-ish text, alias bombs of
random size and deep nesting. Never another exception, never more than the time and memory budget.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import BANK, DATA, PULSE
from fuzz_inputs import DERANDOMIZE, examples, plain_yaml, within_budget, yaml_texts
from pmo_assess.io.questionnaire import load_questionnaire

pytestmark = pytest.mark.timeout(120)

MINI_PATH = DATA / "mini.yaml"
MINI = load_questionnaire(MINI_PATH)
VDP = load_questionnaire(BANK)
PULSE_Q = load_questionnaire(PULSE)
ANSWERS_FORM = {"business_unit": "Ops", "questionnaire": "mini", "respondents": [
    {"id": "ann", "role": "pm", "answers": {"P-T-1": 3, "P-T-2": "na", "G-B-1": None},
     "comments": {"P-T-1": "=cmd|' /c calc'!A1"}}]}


def _answers(path):
    from pmo_assess.io.answers import read_answers

    return read_answers([path], MINI)


def _targets(path):
    from pmo_assess.io.targets import load_targets

    return load_targets(path, MINI)


def _votes(path):
    from pmo_assess.io.votes import load_votes

    return load_votes(path, VDP)


def _mapping(path):
    from pmo_assess.imports.mapping import load_mapping

    return load_mapping(path, PULSE_Q)


def _roadmap(path):
    from pmo_assess.roadmap.roadmap_file import load_roadmap

    return load_roadmap(path, MINI)


def _plan(path):
    from pmo_assess.business_plan.plan_file import load_plan

    return load_plan(path, MINI)


def _library(path):
    from pmo_assess.roadmap.library import load_library

    return load_library(path, MINI)


#: reader name → (base document, reader)
READERS = {
    "questionnaire": (plain_yaml(MINI_PATH), load_questionnaire),
    "answers-yaml": (ANSWERS_FORM, _answers),
    "targets": (plain_yaml(DATA / "plan" / "targets.yaml"), _targets),
    "votes": (plain_yaml(DATA / "planning" / "votes.yaml"), _votes),
    "mapping": (plain_yaml(DATA / "surveys" / "renamed-pulse.mapping.yaml"), _mapping),
    "roadmap": (plain_yaml(DATA / "plan" / "roadmap.yaml"), _roadmap),
    "plan": (plain_yaml(DATA / "plan" / "plan.yaml"), _plan),
    "library": (plain_yaml(DATA / "plan" / "library.yaml"), _library),
}
FUZZ = settings(max_examples=examples(25), deadline=None, derandomize=DERANDOMIZE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                        HealthCheck.data_too_large, HealthCheck.large_base_example])


@pytest.mark.parametrize("kind", sorted(READERS))
def test_every_yaml_reader_refuses_or_reads_hostile_documents(kind, tmp_path):
    base, reader = READERS[kind]

    @FUZZ
    @given(text=yaml_texts(base))
    def check(text):
        path = tmp_path / f"{kind}.yaml"
        path.write_text(text, encoding="utf-8")
        within_budget(lambda: reader(path), path)

    check()


@settings(max_examples=examples(15), deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=yaml_texts(ANSWERS_FORM))
def test_validate_cli_exits_0_or_2_on_hostile_yaml(text, tmp_path_factory, capsys):
    from pmo_assess.cli import main

    folder = tmp_path_factory.mktemp("cli")
    path = folder / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        code = main(["validate", "-q", str(MINI_PATH), str(path)])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code in (0, 2), out.err
    assert "Traceback" not in out.err + out.out
    if code == 2:
        assert str(path) in out.err or str(path) in out.out
