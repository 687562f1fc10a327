"""Fuzzing the CSV and XLSX readers (answers, survey exports, packs) with hostile files.

Headers with repeated and odd titles, hostile cells, formulas, odd encodings and trailing garbage:
each file is read or refused with InputErrors, never another exception, within the time and memory budget.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from conftest import DATA
from fuzz_inputs import DERANDOMIZE, examples, csv_bytes, within_budget, xlsx_bytes
from pmo_assess.imports.mapping import Mapping
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.survey_import import read_input

pytestmark = pytest.mark.timeout(120)

MINI_PATH = DATA / "mini.yaml"
MINI = load_questionnaire(MINI_PATH)
FUZZ = settings(max_examples=examples(40), deadline=None, derandomize=DERANDOMIZE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


def _read_both(path):
    within_budget(lambda: read_answers([path], MINI), path)
    within_budget(lambda: read_input(path, MINI, Mapping(), default_unit="Ops"), path)


@FUZZ
@given(data=csv_bytes())
@example(data=b"\n\x80\n")  # found by the fuzzer: empty header, then a non-UTF-8 title (was a UnicodeDecodeError)
def test_csv_readers_refuse_or_read_hostile_files(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "answers.csv"
    path.write_bytes(data)
    _read_both(path)


@settings(max_examples=examples(25), deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=xlsx_bytes())
def test_xlsx_readers_refuse_or_read_hostile_workbooks(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "answers.xlsx"
    path.write_bytes(data)
    _read_both(path)


@settings(max_examples=examples(10), deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=csv_bytes())
@example(data=b"\r\x00\n\x00\x01\x01\x01\x01\x01")  # found by the fuzzer: a carriage return inside the header
def test_score_cli_exits_0_or_2_on_hostile_csv(data, tmp_path_factory, capsys):
    from pmo_assess.cli import main

    path = tmp_path_factory.mktemp("cli") / "answers.csv"
    path.write_bytes(data)
    try:
        code = main(["score", "-q", str(MINI_PATH), str(path), "--format", "json"])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code in (0, 2), out.err
    assert "Traceback" not in out.err
