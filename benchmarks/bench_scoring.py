"""Scoring speed on 1,000 units × 30 respondents × 60 questions (1.8 M answer rows).

Prints answer rows scored per second (after loading) and the wall time of the whole
``pmo-assess score`` command as a ratio to ``pandas.read_csv`` of the same file, in the same run:
both against a process that only imports pandas and reads the CSV (like for like: both pay
interpreter start-up) and against the read alone inside this process.
Targets: scoring ≥ 2 M rows/s; the command within 2× of the bare CSV read. The command and the bare read
run in turn (at least 5 pairs), so a busy machine slows both alike; the best times give the headline ratio,
and the pairs' ratios give a median and a range. The package is compiled to bytecode first, as installed.

    python benchmarks/bench_scoring.py [--units 1000] [--respondents 30] [--repeat 3] [--flow-bank]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.scoring import score_answers

ROLES = ["sponsor", "pmo-staff", "project-manager", "team-member"]


def write_questionnaire(path: Path, dimensions: int = 4, capabilities: int = 5, questions: int = 3,
                        text: str = '"Question?"') -> None:
    """A synthetic bank of dimensions × capabilities × questions (60 questions by default).

    Question texts are quoted, as in the bundled banks: libyaml (the fast C loader) refuses a bare ``?``
    inside a flow mapping (``{text: Question?}``), and such a file falls back to the pure-Python parser,
    about 0.15 s more on a 2-core machine (``--flow-bank`` measures with such a bank).
    """
    lines = ["id: bench", "version: 1.0.0", "title: Benchmark bank", "levels:"]
    lines += [f"  - {{value: {v}, name: {n}}}" for v, n in
              zip(range(1, 5), ["ad hoc", "evolving", "operationalizing", "optimizing"])]
    lines += ["roles:"] + [f"  - {{id: {r}, name: {r}, weight: {1.5 if r == 'sponsor' else 1}}}" for r in ROLES]
    lines.append("dimensions:")
    for d in range(dimensions):
        lines += [f"  - id: d{d}", f"    name: Dimension {d}", "    capabilities:"]
        for c in range(capabilities):
            lines += [f"      - id: d{d}c{c}", f"        name: Capability {d}.{c}", "        questions:"]
            lines += [f"          - {{id: Q{d}-{c}-{q}, text: {text}, weight: {1 + q % 2}, "
                      f"anchors: {{1: a, 2: b, 3: c, 4: d}}}}" for q in range(questions)]
    path.write_text("\n".join(lines) + "\n")


def write_answers(path: Path, units: int, respondents: int, question_ids: list[str], seed: int = 7) -> int:
    """A long answers CSV with ~3% n/a, ~3% don't know and a few comments."""
    rng = np.random.default_rng(seed)
    n = units * respondents * len(question_ids)
    unit = np.repeat(np.arange(units), respondents * len(question_ids))
    person = np.tile(np.repeat(np.arange(respondents), len(question_ids)), units)
    question = np.tile(np.arange(len(question_ids)), units * respondents)
    answers = rng.integers(1, 5, n).astype(str).astype(object)
    roll = rng.random(n)
    answers[roll < 0.03] = "na"
    answers[(roll >= 0.03) & (roll < 0.06)] = "dk"
    comments = np.where(rng.random(n) < 0.02, "Needs discussion, see workshop notes", "")
    frame = pd.DataFrame({
        "business_unit": pd.Categorical.from_codes(unit, [f"Unit {u:04d}" for u in range(units)]),
        "respondent": pd.Categorical.from_codes(person, [f"Respondent {r:02d}" for r in range(respondents)]),
        "role": pd.Categorical.from_codes(person % len(ROLES), ROLES),
        "question": pd.Categorical.from_codes(question, question_ids),
        "answer": answers,
        "comment": comments,
    })
    frame.to_csv(path, index=False)
    return n


def compile_package() -> None:
    """Compile pmo_assess to bytecode first, as an installed package is. Where PYTHONDONTWRITEBYTECODE is set
    (some sandboxes and containers), an editable install would otherwise compile every module of the command
    on every run, 0.1-0.2 s that no installed copy pays."""
    import compileall

    import pmo_assess

    compileall.compile_dir(str(Path(pmo_assess.__file__).parent), quiet=1)


def best_of(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def paired_runs(repeat: int, first: list[str], second: list[str]) -> tuple[list[float], list[float]]:
    """Wall times of two commands run in turn ``repeat`` times: on a busy machine each pair sees the same load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for command, spent in zip((first, second), times):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            spent.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--respondents", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flow-bank", action="store_true",
                        help="write the question texts unquoted (text: Question?), as before 2026-12-07: "
                             "the questionnaire then loads through the slow pure-Python YAML parser")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bank, answers_csv, out = tmp / "bench.yaml", tmp / "answers.csv", tmp / "scores.json"
        write_questionnaire(bank, text="Question?" if args.flow_bank else '"Question?"')
        questionnaire = load_questionnaire(bank)
        rows = write_answers(answers_csv, args.units, args.respondents, [q.id for q in questionnaire.questions])
        print(f"{rows:,} answer rows, {answers_csv.stat().st_size / 1e6:.0f} MB CSV")

        frame = read_answers([answers_csv], questionnaire)
        scoring = best_of(args.repeat, lambda: score_answers(frame, questionnaire))
        loading = best_of(args.repeat, lambda: read_answers([answers_csv], questionnaire))
        bare_read = best_of(args.repeat, lambda: pd.read_csv(answers_csv))
        command = [sys.executable, "-m", "pmo_assess", "score", str(answers_csv),
                   "--questionnaire", str(bank), "--format", "json", "--output", str(out)]
        bare_command = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(answers_csv)!r})"]
        wholes, bares = paired_runs(max(args.repeat, 5), command, bare_command)
        whole, bare_process = min(wholes), min(bares)
        ratios = sorted(w / b for w, b in zip(wholes, bares))

        print(f"scoring (after loading): {scoring:.3f} s = {rows / scoring / 1e6:.2f} M rows/s (target >= 2)")
        print(f"loading + validation:    {loading:.3f} s")
        print(f"pandas.read_csv:         {bare_read:.3f} s (baseline)")
        print(f"python -c 'import pandas; pandas.read_csv(...)': {bare_process:.3f} s (baseline as a process)")
        print(f"pmo-assess score (json): {whole:.3f} s = {whole / bare_process:.2f}x the bare read as a process "
              f"(target <= 2), {whole / bare_read:.2f}x the in-process read")
        print(f"  the same, run in turn {len(ratios)} times: median {statistics.median(ratios):.2f}x "
              f"(from {ratios[0]:.2f}x to {ratios[-1]:.2f}x); command median {statistics.median(wholes):.3f} s, "
              f"bare read median {statistics.median(bares):.3f} s")


if __name__ == "__main__":
    main()
