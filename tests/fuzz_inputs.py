"""Hypothesis strategies for hostile input files, and the budget every reader must stay within.

Shared by the tests/test_fuzz_*.py suites: hostile text and values, YAML documents made by mutating a
valid file of each kind, raw YAML text, alias bombs, CSV bytes in odd encodings, XLSX workbooks.
"""
from __future__ import annotations

import io
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

try:
    import resource
except ImportError:  # Windows: the tracemalloc budget still applies
    resource = None
from ruamel.yaml import YAML

from pmo_assess.errors import InputErrors

#: CI runs a fixed, bounded set of examples; PMO_FUZZ_EXAMPLES=N (a multiplier) runs a longer, random hunt.
FUZZ_SCALE = int(os.environ.get("PMO_FUZZ_EXAMPLES", "1"))
DERANDOMIZE = FUZZ_SCALE == 1


def examples(count: int) -> int:
    """The bounded example count for CI, or ``count`` times PMO_FUZZ_EXAMPLES for a longer hunt."""
    return count * FUZZ_SCALE


#: Per example: a reader may take this much CPU time (not wall time: a loaded machine must not fail it) and
#: allocate this much (tracked by tracemalloc) — generous.
TIME_BUDGET_S = 10.0
MEMORY_BUDGET_BYTES = 256 * 1024 * 1024
#: ... and the process's peak resident memory may grow by at most this much (C allocations included).
RSS_GROWTH_BUDGET_BYTES = 1024 * 1024 * 1024

HOSTILE_WORDS = [
    "=cmd|' /c calc'!A1", "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "<script>alert(1)</script>",
    "[x](javascript:alert(1))", "Retail\x07Banking", "a\x00b", "line\u2028break", "tab\there", "\x1b[2J",
    "", " ", "  padded  ", "na", "N/A", "dk", "3", "3.0", "2.5", "5", "0", "-1", "1e308", "-1e308", "inf", "-inf",
    "nan", "9999-12-31", "0000-00-00", "2027-02-30", "true", "null", "~", "&a", "*a", "<<", "!!python/object:os.system",
    "{a: b}", "[1, 2]", "#comment", "---", "...", "é" * 30, "🏦" * 10, "x" * 3000, "Ω≈ç√∫",
    "\ufeffBOM", "\r\n",
    "people", "process", "governance", "technology", "P-T-1", "G-B-1", "sponsor", "pm", "mini",
]

hostile_text = st.one_of(st.sampled_from(HOSTILE_WORDS), st.text(max_size=30))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), hostile_text, st.dates())
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(hostile_text, st.integers(-5, 5)), children, max_size=4)),
    max_leaves=10)


def plain_yaml(path: Path) -> Any:
    """A YAML file as plain Python data (dicts, lists, scalars)."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def dump_yaml(data: Any) -> str:
    buffer = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document (keys of mappings, indexes of lists), parents before children."""
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, prefix + (index,))
    return found


@st.composite
def mutated_documents(draw, base: Any, max_mutations: int = 3) -> str:
    """YAML text: ``base`` with a few places replaced by hostile values, deleted or given an extra key."""
    import copy

    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        places = _paths(data)
        place = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not place:
            data = draw(values) if action == "replace" else data
            continue
        parent = data
        for step in place[:-1]:
            parent = parent[step]
        if action == "replace":
            parent[place[-1]] = draw(values)
        elif action == "delete":
            del parent[place[-1]]
        elif isinstance(parent, dict):
            parent[draw(hostile_text)] = draw(values)
        else:
            parent.append(draw(values))
    return dump_yaml(data)


YAML_ALPHABET = st.sampled_from(list("abc:- []{},&*!|>'\"#%@`?\n\t  0123456789.~<=\\") + ["\x00", "\x85", "é"])
raw_yaml = st.text(alphabet=YAML_ALPHABET, max_size=200)


@st.composite
def alias_bombs(draw) -> str:
    """Nested anchors of ``width`` aliases each, ``levels`` deep, used under a random key."""
    levels, width = draw(st.integers(1, 12)), draw(st.integers(2, 12))
    key = draw(st.sampled_from(["business_unit", "default", "units", "items", "dimensions", "respondents", "id"]))
    lines = ["base:", "  a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


@st.composite
def deep_documents(draw) -> str:
    depth = draw(st.integers(1, 3000))
    opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
    key = draw(st.sampled_from(["business_unit", "default", "items", "levels", "respondents"]))
    return f"{key}: " + opener * depth + closer * depth + "\n"


yaml_texts = lambda base: st.one_of(mutated_documents(base), raw_yaml, alias_bombs(), deep_documents())  # noqa: E731

CANONICAL = ["business_unit", "respondent", "role", "question", "answer", "comment", "questionnaire",
             "Business Unit", "Answer", "ANSWER", "Name", "Email", "P-T-1", "G-B-1 Benefits one?", "Your role",
             "Start time", ""]


@st.composite
def csv_bytes(draw) -> bytes:
    """A CSV file: a header of (possibly repeated) known and odd titles, hostile rows, an odd encoding."""
    header = draw(st.lists(st.one_of(st.sampled_from(CANONICAL), hostile_text), min_size=0, max_size=8))
    width = len(header)
    rows = draw(st.lists(st.lists(hostile_text, min_size=max(0, width - 1), max_size=width + 1), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    quote = draw(st.booleans())

    def line(fields: list[str]) -> str:
        if quote:
            return delimiter.join('"' + f.replace('"', '""') + '"' for f in fields)
        return delimiter.join(fields)

    text = "\n".join(line(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n", "\r\n", '"']))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    return data + draw(st.binary(max_size=8))


@st.composite
def xlsx_bytes(draw) -> bytes:
    """An XLSX workbook: a header, hostile cells (formulas, numbers, dates, text), maybe a fake pack sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from pmo_assess.packs import META_SHEET

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)[:32000]
        if isinstance(value, float) and value != value:
            return None
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return None
        return value

    cell = st.one_of(hostile_text, st.integers(-10, 10), st.floats(-1e6, 1e6), st.none(), st.booleans(),
                     st.dates(), st.sampled_from(["=1+2", "=SUM(A1:A3)", "=A1", "=\"x\"&\"y\""]))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = draw(st.sampled_from(["answers", "Form1", "Sheet"]))
    header = draw(st.lists(st.one_of(st.sampled_from(CANONICAL), hostile_text), max_size=8))
    sheet.append([clean(h) for h in header])
    for row in draw(st.lists(st.lists(cell, max_size=len(header) + 1), max_size=6)):
        sheet.append([clean(v) for v in row])
    if draw(st.booleans()):
        meta = workbook.create_sheet(META_SHEET)
        for key, value in draw(st.lists(st.tuples(st.sampled_from(
                ["format", "questionnaire_id", "business_unit", "respondent", "question_rows", "answers_sheet",
                 "answer_column", "ref_column", "checksum", "1", "2"]), cell), max_size=10)):
            meta.append([key, clean(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _peak_rss() -> int:
    """Peak resident memory of this process in bytes (0 where the platform cannot tell)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 if resource else 0


def within_budget(action: Callable[[], Any], path: Path | None = None) -> str:
    """Run a reader: it must return or raise InputErrors (naming ``path``), within the time and memory budget.

    Returns "ok" or "refused"; any other exception propagates and fails the example.
    """
    peak_rss = _peak_rss()  # sees pyarrow's and openpyxl's C memory too
    tracemalloc.start()
    started = time.process_time()
    try:
        action()
        outcome = "ok"
    except InputErrors as errors:
        assert errors.problems, "InputErrors without a problem"
        assert all(p.message for p in errors.problems)
        assert path is None or str(path) in {p.file for p in errors.problems}, errors.render()
        errors.render()
        outcome = "refused"
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < TIME_BUDGET_S, f"took {elapsed:.1f} s"
    assert peak < MEMORY_BUDGET_BYTES, f"allocated {peak / 1048576:.0f} MB"
    grown = _peak_rss() - peak_rss
    assert grown < RSS_GROWTH_BUDGET_BYTES, f"peak memory of the process grew by {grown / 1048576:.0f} MB"
    return outcome
