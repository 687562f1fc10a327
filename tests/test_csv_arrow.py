"""CSV answer files parsed ahead, in the background, read exactly as when parsed on the spot.

``pmo-assess score`` starts parsing its answer files while it imports pandas; what it then reads, and
every message about a bad file, must be the same as without the head start.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

import pmo_assess.io.csv_arrow as csv_arrow
from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.csv_arrow import start_parsing
from pmo_assess.io.questionnaire import load_questionnaire
from conftest import DATA

HEADER = "business_unit,respondent,role,question,answer,comment"
QUESTIONS = ["P-T-1", "P-T-2", "P-L-1", "G-B-1", "G-B-2", "G-M-1", "G-M-2"]  # mini.yaml's 7 questions


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(DATA / "mini.yaml")


def answers_text(respondents: int = 3_000) -> str:
    """Answer records one per line, seven per respondent (21,000 by default)."""
    lines = [f"Unit {r // 30},R{r},pm,{q},{1 + (r + len(q)) % 4},{'see notes' if r % 7 == 0 else ''}"
             for r in range(respondents) for q in QUESTIONS]
    return "\n".join([HEADER, *lines]) + "\n"


def read_both_ways(paths, questionnaire):
    """What read_answers gives (frame, or the problems' text) without and with the files parsed ahead."""
    outcomes = []
    for parse_ahead in (False, True):
        try:
            ahead = start_parsing(paths) if parse_ahead else None
            outcomes.append(read_answers(paths, questionnaire, ahead=ahead))
        except InputErrors as exc:
            outcomes.append(str(exc))
    return outcomes


def test_a_file_parsed_ahead_reads_as_the_same_table(tmp_path, mini):
    path = tmp_path / "a.csv"
    path.write_text(answers_text(respondents=30_000))  # 6.5 MB: two of Arrow's blocks, each with its categories
    assert path.stat().st_size > csv_arrow.BLOCK_BYTES
    on_the_spot, parsed_ahead = read_both_ways([path], mini)
    assert list(parsed_ahead.columns) == list(on_the_spot.columns)
    for column in on_the_spot.columns:  # categories and codes compared as arrays: pandas' check is slow here
        ours, theirs = parsed_ahead[column], on_the_spot[column]
        assert ours.dtype == theirs.dtype, column
        if column != "row":
            assert ours.cat.categories.tolist() == theirs.cat.categories.tolist(), column
            ours, theirs = ours.cat.codes, theirs.cat.codes
        assert np.array_equal(ours.to_numpy(), theirs.to_numpy()), column
    assert parsed_ahead.attrs == on_the_spot.attrs
    assert len(parsed_ahead) == 210_000 and parsed_ahead["row"].iloc[-1] == 210_001
    assert parsed_ahead["comment"].iloc[0] == "see notes"


def with_problem(case: str) -> tuple[bytes, str]:
    """A file's bytes with one problem deep inside, and the message part naming its row."""
    lines = answers_text().splitlines()
    if case == "blank lines":
        lines[5:5] = ["", ""]
        lines[9_000:9_000] = ["\r"]
        lines[15_000] = lines[15_000].rsplit(",", 2)[0] + ",7,"
        return ("\n".join(lines) + "\n").encode(), "row 15001: answer '7' is outside the levels 1-4"
    if case == "wrong field count":
        lines[12_000] = "Unit 1,R1,pm,P-T-1"
        return ("\n".join(lines) + "\n").encode(), "row 12001: has 4 fields, the header has 6"
    if case == "not UTF-8":
        return ("\n".join(lines) + "\n").encode().replace(b"R2999,pm,G-M-2", b"R2999,pm,G-M-\xff"), \
            "row 21001: is not UTF-8 text; save the file as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)"
    lines[1] = lines[1].replace("see notes", '"see\nnotes"')  # a quoted comment over two lines: one record
    lines[-1] = lines[-1].rsplit(",", 2)[0] + ",9,"
    return ("\n".join(lines) + "\n").encode(), "row 21001: answer '9' is outside the levels 1-4"


@pytest.mark.parametrize("case", ["blank lines", "wrong field count", "not UTF-8", "comment over two lines"])
def test_a_bad_file_parsed_ahead_gets_the_same_message(tmp_path, mini, case):
    path = tmp_path / "bad.csv"
    text, message = with_problem(case)
    path.write_bytes(text)
    on_the_spot, parsed_ahead = read_both_ways([path], mini)
    assert isinstance(parsed_ahead, str), f"{case}: read without a problem"
    assert parsed_ahead == on_the_spot
    assert parsed_ahead == f"{path}: {message}"


def test_only_csv_files_are_parsed_ahead_and_each_once(tmp_path, mini, monkeypatch):
    csv_path, yaml_path = tmp_path / "a.csv", tmp_path / "b.yaml"
    csv_path.write_text(answers_text(respondents=30))
    yaml_path.write_text("business_unit: Unit 9\nrespondents:\n  - {id: Y1, role: pm, answers: {P-T-1: 3}}\n")
    parsed = []
    real = csv_arrow.read_csv_table_streamed
    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", lambda path: parsed.append(path) or real(path))
    ahead = start_parsing([str(csv_path), str(yaml_path), str(csv_path.parent / "." / csv_path.name)])
    frame = read_answers([str(csv_path), str(yaml_path)], mini, ahead=ahead)
    assert parsed == [csv_path]
    assert set(frame["business_unit"].cat.categories) == {"Unit 0", "Unit 9"}


def test_a_failure_in_the_parsing_thread_is_raised_to_the_reader(tmp_path, mini, monkeypatch):
    path = tmp_path / "a.csv"
    path.write_text(answers_text(respondents=30))

    def broken(path):
        raise MemoryError("no room for the table")

    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", broken)
    ahead = start_parsing([path])
    with pytest.raises(MemoryError, match="no room for the table"):
        read_answers([path], mini, ahead=ahead)


def test_the_parse_runs_beside_the_caller(tmp_path, monkeypatch):
    """The caller goes on while the file parses: the parse waits here until the caller says so."""
    path = tmp_path / "a.csv"
    path.write_text(answers_text(respondents=30))
    caller_went_on = threading.Event()
    real = csv_arrow.read_csv_table_streamed

    def waiting(path):
        assert caller_went_on.wait(10)
        return real(path)

    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", waiting)
    ahead = start_parsing([path])
    caller_went_on.set()
    assert ahead.table(path).num_rows == 210


def test_arrow_gets_every_core_back_once_the_caller_waits_and_after_the_parse(tmp_path, monkeypatch):
    """While the caller works Arrow has one core fewer; waiting for the table, or the parse ending, gives it back."""
    import pyarrow as pa

    path = tmp_path / "a.csv"
    path.write_text(answers_text(respondents=30))
    cores = pa.cpu_count()
    seen = []
    real = csv_arrow.read_csv_table_streamed
    started, release = threading.Event(), threading.Event()

    def watching(path):
        seen.append(pa.cpu_count())
        started.set()
        assert release.wait(10)
        return real(path)

    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", watching)
    ahead = start_parsing([path])
    assert started.wait(10)
    assert seen == [max(1, cores - 1)] and pa.cpu_count() == max(1, cores - 1)
    release.set()
    assert ahead.table(path).num_rows == 210
    assert pa.cpu_count() == cores

    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", lambda path: 1 / 0)
    start_parsing([path]).stop()  # the parse failed, and nobody asked for the table
    assert pa.cpu_count() == cores


def test_overlapping_parses_give_arrow_back_the_cores_it_had(tmp_path):
    """A command that stopped early may leave its parse running while the next one starts (one process)."""
    import pyarrow as pa

    path = tmp_path / "a.csv"
    path.write_text(answers_text(respondents=30))
    cores = pa.cpu_count()
    first, second = start_parsing([path]), start_parsing([path])
    second.table(path)
    first.stop()
    assert pa.cpu_count() == cores


def test_stopping_skips_the_files_not_yet_begun(tmp_path, monkeypatch):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path in paths:
        path.write_text(answers_text(respondents=30))
    begun, release = [], threading.Event()
    real = csv_arrow.read_csv_table_streamed

    def held(path):
        begun.append(path)
        assert release.wait(10)
        return real(path)

    monkeypatch.setattr(csv_arrow, "read_csv_table_streamed", held)
    ahead = start_parsing(paths)
    stopping = threading.Thread(target=ahead.stop)
    stopping.start()
    while not ahead._stopping.is_set():
        stopping.join(0.01)
    release.set()
    stopping.join(10)
    assert begun == [paths[0]]
    assert ahead.table(paths[0]).num_rows == 210 and ahead.table(paths[1]) is None  # b is then read on the spot
