"""How long ``pmo-assess compare`` takes over 200 units × 5 rounds, against reading the same JSON with pandas alone.

Builds a history folder (OUT/rounds/<label>/units/<slug>/scores.json, as ``pmo-assess batch --round``
writes it) from the bundled units scored once, copied to 200 units whose scores drift from round to
round. Times, in the same run: the baseline (every scores.json loaded and its capabilities flattened
with pandas.json_normalize), compare in-process (read, check, compare, render the table), and the
whole command in a fresh process. Goal: the command under 2 s.

    python benchmarks/bench_compare.py [--units 200] [--rounds 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def build_history(folder: Path, units: int, rounds: int) -> int:
    """Write the history; returns how many scores.json files it holds."""
    from pmo_assess.export.scores import scores_to_dict
    from pmo_assess.io.answers import read_answers
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.io.targets import load_targets
    from pmo_assess.scoring import compute_gaps, score_answers

    bank = load_questionnaire(ROOT / "questionnaires" / "value-driven-pmo.yaml")
    scores = score_answers(read_answers(sorted((ROOT / "examples" / "answers").glob("*.csv")), bank), bank)
    gaps = compute_gaps(scores, load_targets(ROOT / "examples" / "targets.yaml", bank))
    templates = [scores_to_dict(scores, gaps, units=[u]) for u in range(len(scores.units))]
    level_of = bank.scoring.level_of
    rng = np.random.default_rng(7)
    written = 0
    for r in range(rounds):
        info = {"label": f"R{r + 1}", "assessed_on": (dt.date(2021, 6, 1) + dt.timedelta(days=365 * r)).isoformat()}
        folder_r = folder / "rounds" / info["label"]
        folder_r.mkdir(parents=True)
        (folder_r / "round.json").write_text(json.dumps({"schema": "pmo-assess/round@1", **info,
                                                         "questionnaire": {"id": bank.id, "version": bank.version},
                                                         "written_by": "bench"}))
        for u in range(units):
            data = json.loads(json.dumps(templates[u % len(templates)]))
            unit = data["units"][0]
            unit["business_unit"] = f"Unit {u:03d}"
            for entry in [unit["overall"], *unit["dimensions"], *unit["capabilities"]]:
                if entry["score"] is not None:
                    entry["score"] = round(min(4.0, max(1.0, entry["score"] - 0.3 * (rounds - 1 - r)
                                                        + rng.normal(0, 0.15))), 2)
                    entry["level"] = level_of(entry["score"])
            data["round"] = info
            target = folder_r / "units" / f"unit-{u:03d}" / "scores.json"
            target.parent.mkdir(parents=True)
            target.write_text(json.dumps(data))
            written += 1
    return written


def pandas_baseline(folder: Path) -> pd.DataFrame:
    """Every scores.json read and its capabilities flattened with pandas: the floor any comparison starts from."""
    frames = []
    for path in sorted(folder.glob("rounds/*/units/*/scores.json")):
        with path.open(encoding="utf-8") as handle:
            frames.append(pd.json_normalize(json.load(handle)["units"], record_path="capabilities",
                                            meta=["business_unit"]))
    return pd.concat(frames, ignore_index=True)


def compare_in_process(folder: Path) -> str:
    from pmo_assess.rounds.comparison import compare_history
    from pmo_assess.rounds.history import read_history
    from pmo_assess.rounds.text import comparison_to_text

    return comparison_to_text(compare_history(read_history([folder])))


def best_of(repeats: int, work) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of ``repeats`` runs; CPU counts this process and its children, so it
    stays meaningful when other work shares the machine."""
    runs = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu, start = time.process_time(), time.perf_counter()
        work()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append((time.perf_counter() - start, time.process_time() - cpu + children))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "history"
        files = build_history(folder, args.units, args.rounds)
        compare_in_process(folder)  # warm the imports and the file cache for both
        baseline = best_of(args.repeats, lambda: pandas_baseline(folder))
        in_process = best_of(args.repeats, lambda: compare_in_process(folder))
        command = best_of(args.repeats, lambda: subprocess.run(
            [sys.executable, "-m", "pmo_assess", "compare", str(folder), "--out", str(Path(tmp) / "out.txt")],
            check=True, capture_output=True))
    print(f"{args.units} units × {args.rounds} rounds ({files} scores.json files), best of {args.repeats} "
          "(wall s / CPU s):")
    print(f"  pandas alone (read + flatten capabilities): {baseline[0]:.3f} / {baseline[1]:.3f}")
    print(f"  compare in process (read, check, compare, table): {in_process[0]:.3f} / {in_process[1]:.3f} "
          f"= {in_process[0] / baseline[0]:.2f} × pandas alone (wall), {in_process[1] / baseline[1]:.2f} × (CPU)")
    print(f"  pmo-assess compare (fresh process, --out): {command[0]:.3f} / {command[1]:.3f} "
          f"= {command[0] / baseline[0]:.2f} × pandas alone (wall), {command[1] / baseline[1]:.2f} × (CPU); "
          f"goal under 2 s: {'met' if command[0] < 2 else 'NOT met'} (wall), "
          f"{'met' if command[1] < 2 else 'NOT met'} (CPU)")


if __name__ == "__main__":
    main()
