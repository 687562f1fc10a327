"""Benchmark the roadmap planner: 40 units × the bundled bank, against scoring those 40 units.

Usage: python benchmarks/bench_planner.py [--units 40] [--repeats 5]

Builds UNITS business units in memory (the five bundled sample units, renamed and repeated), then
measures in this one run (median of REPEATS):
  scoring   score_answers + compute_gaps for every unit at once (the baseline);
  planning  plan_unit for every unit (prioritise, place in waves, project maturity per wave);
  create    plan + write each unit's new roadmap.yaml (round-trip YAML, atomic write);
  merge     plan around each existing roadmap.yaml and merge into it (the regeneration path);
and prints each time and its ratio to scoring.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmo_assess.io.answers import read_answers  # noqa: E402
from pmo_assess.io.files import read_yaml  # noqa: E402
from pmo_assess.io.questionnaire import load_questionnaire  # noqa: E402
from pmo_assess.io.targets import load_targets  # noqa: E402
from pmo_assess.roadmap import PlanOptions, RoadmapSettings, load_library, plan_unit, unit_state  # noqa: E402
from pmo_assess.roadmap.roadmap_file import commitments_from, parse_roadmap, write_roadmap  # noqa: E402
from pmo_assess.scoring import compute_gaps, score_answers  # noqa: E402

SAMPLES = sorted((ROOT / "examples" / "answers").glob("*.csv"))
QUESTIONNAIRE = ROOT / "questionnaires" / "value-driven-pmo.yaml"
LIBRARY = ROOT / "questionnaires" / "initiatives" / "value-driven-pmo.yaml"
TARGETS = ROOT / "examples" / "targets.yaml"
TODAY = dt.date(2026, 11, 22)


def many_units(count: int, questionnaire) -> pd.DataFrame:
    """One answer table with ``count`` units: sample unit k renamed 'Unit 01 (Retail Banking)' and so on."""
    samples = [read_answers([path], questionnaire) for path in SAMPLES]
    frames = []
    for i in range(count):
        frame = samples[i % len(samples)].copy()
        name = f"Unit {i + 1:02d} ({frame['business_unit'].iloc[0]})"
        frame["business_unit"] = name
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for column in ("business_unit", "respondent", "role", "question", "answer"):
        table[column] = table[column].astype(str).astype("category")
    return table


def median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    questionnaire = load_questionnaire(QUESTIONNAIRE)
    library = load_library(LIBRARY, questionnaire)
    targets = load_targets(TARGETS, questionnaire)
    answers = many_units(args.units, questionnaire)
    scores = score_answers(answers, questionnaire)
    gaps = compute_gaps(scores, targets)
    options = PlanOptions()
    settings = RoadmapSettings(starts_on=dt.date(2027, 1, 4))

    def scoring() -> None:
        compute_gaps(score_answers(answers, questionnaire), targets)

    def planning() -> list:
        return [plan_unit(unit_state(scores, gaps, unit), library, options) for unit in scores.units]

    plans = planning()
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"unit-{i:02d}" / "roadmap.yaml" for i in range(len(scores.units))]

        def create() -> None:
            for path, plan in zip(paths, planning()):
                path.unlink(missing_ok=True)
                write_roadmap(path, plan, library, settings, TODAY)

        def merge() -> None:
            for path, unit in zip(paths, scores.units):
                document = read_yaml(path)
                commitments = commitments_from(parse_roadmap(document, path), library)
                plan = plan_unit(unit_state(scores, gaps, unit), library, options, commitments=commitments)
                write_roadmap(path, plan, library, settings, TODAY, document)

        results = {"scoring": median_seconds(scoring, args.repeats),
                   "planning": median_seconds(planning, args.repeats),
                   "create": median_seconds(create, args.repeats)}
        create()
        results["merge"] = median_seconds(merge, args.repeats)

    items = sum(len(p.items) for p in plans)
    print(f"{args.units} units × {len(questionnaire.capabilities)} capabilities, {len(library.initiatives)} "
          f"initiatives in the library; {items} roadmap items planned in all (median of {args.repeats})")
    for name, seconds in results.items():
        print(f"{name:>9}: {seconds * 1000:8.1f} ms   {seconds / results['scoring']:6.1f} × scoring   "
              f"{seconds / args.units * 1000:6.2f} ms per unit")


if __name__ == "__main__":
    main()
