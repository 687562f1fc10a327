"""Benchmark the roadmap planner: the week scheduler on 500 initiatives, and 40 units × the bundled bank.

Usage: python benchmarks/bench_planner.py [--units 40] [--repeats 5] [--initiatives 500]

Scheduler (the issue's target: 500 initiatives over 30 capabilities in under a second): a synthetic
library of INITIATIVES initiatives over 30 capabilities (three steps each, level-order and some
cross-capability prerequisites, 5-45 person-days, 2-12 weeks, some quick wins, a few pinned to a
wave or fixed by date), scheduled in weeks at 120 person-days per 12-week wave, against a plain
topological sort (graphlib) of the same items in this run.

Builds UNITS business units in memory (the five bundled sample units, renamed and repeated), then
measures in this one run (median of REPEATS):
  scoring   score_answers + compute_gaps for every unit at once (the baseline);
  planning  plan_unit for every unit (prioritise, place in waves, project maturity per wave);
  create    plan + write each unit's new roadmap.yaml (round-trip YAML, atomic write);
  merge     plan around each existing roadmap.yaml and merge into it (the regeneration path; an
            idle rerun, which compares and writes nothing);
and prints each time and its ratio to scoring.
"""
from __future__ import annotations

import argparse
import datetime as dt
import graphlib
import random
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
from pmo_assess.io.locks import locked  # noqa: E402
from pmo_assess.roadmap.roadmap_file import (  # noqa: E402
    commitments_from,
    parse_roadmap,
    write_roadmap,
    write_roadmap_locked,
)
from pmo_assess.roadmap.scheduler import Calendar, Task, schedule  # noqa: E402
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


def synthetic_tasks(count: int, capabilities: int = 30, seed: int = 7) -> list[Task]:
    """``count`` initiatives over ``capabilities`` capabilities, as the planner hands them to the scheduler."""
    rng = random.Random(seed)
    tasks: list[Task] = []
    by_step: dict[tuple[int, int], list[str]] = {}
    for k in range(count):
        capability, step = k % capabilities, 1 + (k // capabilities) % 3
        tid = f"C{capability:02d}-{step}-{k}"
        needs = [t for s in range(1, step) for t in by_step.get((capability, s), [])][-3:]
        if step > 1 and rng.random() < 0.3:
            other = rng.randrange(capabilities)
            needs += by_step.get((other, step - 1), [])[:1]
        effort, weeks = rng.randint(5, 45), rng.randint(2, 12)
        fixed = rng.random()
        tasks.append(Task(id=tid, effort=effort, weeks=weeks, prerequisites=tuple(dict.fromkeys(needs)),
                          priority=round(rng.uniform(10, 80), 2), quick_win=effort <= 10 and weeks <= 6,
                          fixed_wave=rng.randint(2, 8) if fixed < 0.03 else None,
                          fixed_start=rng.randint(0, 60) if 0.03 <= fixed < 0.05 else None,
                          why_fixed="pinned" if fixed < 0.05 else ""))
        by_step.setdefault((capability, step), []).append(tid)
    return tasks


def bench_scheduler(count: int, repeats: int) -> None:
    tasks = synthetic_tasks(count)
    calendar = Calendar(wave_weeks=12, capacity=120, starts_on=dt.date(2027, 1, 4))

    def topological() -> list[str]:
        return list(graphlib.TopologicalSorter({t.id: t.prerequisites for t in tasks}).static_order())

    base = median_seconds(topological, repeats)
    took = median_seconds(lambda: schedule(tasks, calendar), repeats)
    result = schedule(tasks, calendar)
    print(f"scheduler: {count} initiatives over 30 capabilities -> {result.waves} waves, "
          f"{sum(t.fixed for t in tasks)} fixed, {len(result.conflicts)} conflicts (median of {repeats})")
    print(f"  topological sort {base * 1000:8.2f} ms   (baseline)")
    print(f"  week scheduler   {took * 1000:8.2f} ms   {took / base:8.1f} × topological sort   "
          f"{'under' if took < 1 else 'OVER'} the 1 s target")


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
    parser.add_argument("--initiatives", type=int, default=500)
    args = parser.parse_args()
    bench_scheduler(args.initiatives, args.repeats)

    questionnaire = load_questionnaire(QUESTIONNAIRE)
    library = load_library(LIBRARY, questionnaire)
    targets = load_targets(TARGETS, questionnaire)
    answers = many_units(args.units, questionnaire)
    scores = score_answers(answers, questionnaire)
    gaps = compute_gaps(scores, targets)
    settings = RoadmapSettings(starts_on=dt.date(2027, 1, 4))
    options = PlanOptions(starts_on=settings.starts_on)

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
                with locked(path):  # as `pmo-assess roadmap` does: one read under the lock, plan, merge
                    document = read_yaml(path)
                    commitments = commitments_from(parse_roadmap(document, path), library)
                    plan = plan_unit(unit_state(scores, gaps, unit), library, options, commitments=commitments)
                    write_roadmap_locked(path, plan, library, settings, TODAY, document)

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
