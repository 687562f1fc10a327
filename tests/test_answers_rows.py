"""Messages name the row a problem is on, counted as a spreadsheet does: blank lines count as rows.

The fast CSV reader numbers rows without scanning the file when it has no blank line; these files put
the problem deep in the file, after blank lines of every kind, so a wrong count would show. The
expected row is the line the test itself wrote the bad record on (no record spans lines here).
"""
from __future__ import annotations

import pytest

from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from conftest import DATA

HEADER = "business_unit,respondent,role,question,answer,comment"
QUESTIONS = ["P-T-1", "P-T-2", "P-L-1", "G-B-1", "G-B-2", "G-M-1", "G-M-2"]  # mini.yaml's 7 questions
RESPONDENTS = 6_000  # 42,000 answer rows: several blocks of the parallel reader


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(DATA / "mini.yaml")


def answer_lines(bad_at: int | None = None, bad_answer: str = "7") -> list[str]:
    """Good answer records, one per line; record number ``bad_at`` (0-based) answers ``bad_answer``."""
    lines = []
    for r in range(RESPONDENTS):
        for q in QUESTIONS:
            answer = bad_answer if len(lines) == bad_at else str(1 + (r + len(q)) % 4)
            lines.append(f"Unit {r // 30},R{r},pm,{q},{answer},")
    return lines


def write(path, lines: list[str], newline: str = "\n", end: str = "\n"):
    path.write_bytes((newline.join(lines) + end).encode())
    return path


def problems_of(path, questionnaire) -> str:
    """Every problem reported for the file, one per line (nothing else may be reported)."""
    with pytest.raises(InputErrors) as caught:
        read_answers([path], questionnaire)
    return str(caught.value)


def test_without_blank_lines_a_deep_bad_answer_names_its_line(tmp_path, mini):
    lines = [HEADER, *answer_lines(bad_at=40_000)]
    line = lines.index(next(x for x in lines if ",7," in x)) + 1  # 1-based line number
    assert line == 40_002  # header, then record 0 on line 2
    path = write(tmp_path / "a.csv", lines)
    assert problems_of(path, mini) == f"{path}: row {line}: answer '7' is outside the levels 1-4"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_before_a_deep_bad_answer_count_as_rows(tmp_path, mini, newline):
    lines = [HEADER, *answer_lines(bad_at=41_000)]
    for at in (1, 2, 5_000, 30_000, 30_001, 30_002):  # blank lines right after the header and in runs
        lines.insert(at, "")
    line = lines.index(next(x for x in lines if ",7," in x)) + 1
    assert line == 41_002 + 6
    path = write(tmp_path / "blank.csv", lines, newline=newline)
    assert problems_of(path, mini) == f"{path}: row {line}: answer '7' is outside the levels 1-4"


def test_trailing_blank_lines_and_a_bare_delimiter_line_keep_the_numbering(tmp_path, mini):
    lines = [HEADER, *answer_lines(bad_at=20_000, bad_answer="maybe")]
    lines.insert(10_000, ",,,,,")  # a record of empty fields: a row with no unit, reported as such
    line = lines.index(next(x for x in lines if ",maybe," in x)) + 1
    path = write(tmp_path / "trail.csv", lines, end="\n\n\n")
    assert problems_of(path, mini).splitlines() == [
        f"{path}: row 10001: business_unit is empty",
        f"{path}: row 10001: respondent is empty",
        f"{path}: row 10001: question is empty",
        f"{path}: row {line}: answer 'maybe' is not one of 1, 2, 3, 4, na, dk or empty"]


def test_duplicate_answer_after_blank_lines_names_both_rows(tmp_path, mini):
    lines = [HEADER, *answer_lines()]
    lines.insert(3, "")
    lines.append(lines[35_000])  # record again at the end: both its lines are named
    first, again = 35_000 + 1, len(lines)
    path = write(tmp_path / "dup.csv", lines)
    respondent, question = lines[first - 1].split(",")[1], lines[first - 1].split(",")[3]
    assert problems_of(path, mini) == (
        f"{path}: row {again}: duplicate answer: respondent {respondent!r} of 'Unit 166' already answered "
        f"{question!r} at {path} row {first}")


def test_good_file_with_blank_lines_keeps_every_answer(tmp_path, mini):
    lines = [HEADER, *answer_lines()]
    for at in (1, 100, 101, 20_000):
        lines.insert(at, "")
    frame = read_answers([write(tmp_path / "good.csv", lines, newline="\r\n")], mini)
    assert len(frame) == RESPONDENTS * len(QUESTIONS)
    # the row column is what messages quote: the first record follows the header and one blank line
    assert frame["row"].iloc[0] == 3 and frame["row"].iloc[-1] == len(lines)


def test_a_header_longer_than_the_first_read_is_still_read(tmp_path, mini):
    # an extra column whose title (70,000 characters) does not fit in the first 64 KiB the reader looks at
    title = "x" * 70_000
    lines = [f"{HEADER},{title}", *(f"{line}," for line in answer_lines(bad_at=9_000))]
    path = write(tmp_path / "wide.csv", lines)
    assert problems_of(path, mini) == f"{path}: row 9002: answer '7' is outside the levels 1-4"


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, mini, monkeypatch):
    """The size is checked before reading and again after the parser read: a file written to meanwhile
    (simulated: the reader's look at its size says 100 bytes) is refused like any file over the limit."""
    import os
    import types

    import pmo_assess.io.answers as answers
    import pmo_assess.io.csv_arrow as csv_arrow

    lines = [HEADER, *answer_lines()]
    path = write(tmp_path / "growing.csv", lines)
    limit = len("\n".join(lines[:50]) + "\n") - 1  # the bytes path stops after limit + 1 bytes: at a line's end
    looks = []

    def small_at_first(target):
        looks.append(target)
        info = os.stat(target)
        return os.stat_result((info.st_mode, *info[1:6], 100, *info[7:]))

    monkeypatch.setattr(answers, "MAX_TABLE_BYTES", limit)
    monkeypatch.setattr(csv_arrow, "MAX_TABLE_BYTES", limit)
    monkeypatch.setattr(csv_arrow, "os", types.SimpleNamespace(stat=small_at_first))
    assert problems_of(path, mini) == f"{path}: is 1.1 MB; a CSV file may be at most 0 MB"
    assert looks == [path]  # the reader looked, was told 100 bytes, read more than the limit and handed it back
