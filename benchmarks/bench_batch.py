"""Benchmark ``pmo-assess batch`` against a sequential papermill CLI loop and the kernel floor.

Usage: python benchmarks/bench_batch.py [--units 16]

Builds UNITS business units (the five bundled sample units, renamed and repeated) in a temp folder,
then measures in this one run:
  floor       a bare kernel start plus ``import pandas, seaborn`` (median of 3 samples before the runs
              and 2 after), the least a unit can cost;
  sequential  one ``papermill`` CLI call per unit, one after the other;
  batch       ``pmo-assess batch`` with the default workers (one per core), portfolio included.
and prints the ratios the project targets: sequential / batch >= 3, and
batch / (units x floor / workers) <= 1.5.

Then one big unit (``--big-rows``, default 1,000,000 answer rows: about 18,500 respondents of the
bundled questionnaire) is timed with ``pmo-assess score`` and with ``pmo-assess batch`` (one unit, its
report and the portfolio): a unit this size reports per-role distributions, so batch / score stays a
small factor (the kernel start and the report's charts) instead of timing out at 300 s as the
per-respondent views did. ``--units 0`` or ``--big-rows 0`` skips either part.
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "examples" / "answers").glob("*.csv"))
QUESTIONNAIRE = ROOT / "questionnaires" / "value-driven-pmo.yaml"
TARGETS = ROOT / "examples" / "targets.yaml"
NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (and theirs): a load-independent cost."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_units(folder: Path, count: int) -> list[tuple[str, Path]]:
    """``count`` one-unit answer files: the sample units renamed 'Unit 01 (Retail Banking)' and so on."""
    units = []
    for i in range(count):
        sample = SAMPLES[i % len(SAMPLES)]
        with sample.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        name = f"Unit {i + 1:02d} ({rows[0]['business_unit']})"
        path = folder / f"unit-{i + 1:02d}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({**row, "business_unit": name} for row in rows)
        units.append((name, path))
    return units


FLOOR_CODE = """
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
reply = kc.execute_interactive("import pandas, seaborn", timeout=120)
assert reply["content"]["status"] == "ok", reply
kc.stop_channels()
km.shutdown_kernel(now=True)
"""


def measure_floor(repeats: int = 3) -> list[float]:
    """Seconds of kernel start + imports, timed around the kernel only (in a child with the client preloaded)."""
    timings = []
    for _ in range(repeats):
        code = ("import time, jupyter_client.manager\nstarted = time.perf_counter()\n" + FLOOR_CODE
                + "print(time.perf_counter() - started)\n")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        timings.append(float(result.stdout.strip().splitlines()[-1]))
    return timings


def run_sequential(units: list[tuple[str, Path]], out: Path) -> float:
    started = time.perf_counter()
    for i, (name, path) in enumerate(units):
        folder = out / f"unit-{i:02d}"
        folder.mkdir(parents=True)
        subprocess.run(["papermill", str(NOTEBOOK), str(folder / "assessment.ipynb"), "--no-progress-bar",
                        "-y", f"answers: ['{path}']", "-p", "business_unit", name,
                        "-p", "questionnaire", str(QUESTIONNAIRE), "-p", "targets", str(TARGETS),
                        "-p", "output_dir", str(folder)],
                       check=True, capture_output=True)
    return time.perf_counter() - started


def run_batch(units: list[tuple[str, Path]], out: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(["pmo-assess", "batch", *[str(p) for _, p in units], "--questionnaire",
                             str(QUESTIONNAIRE), "--targets", str(TARGETS), "--out", str(out)],
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"batch failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return elapsed


def make_big_unit(path: Path, rows: int) -> int:
    """One unit of ``rows`` answer rows (every respondent answers every question); returns the respondents."""
    import numpy as np
    import pandas as pd

    from pmo_assess.io.questionnaire import load_questionnaire

    bank = load_questionnaire(QUESTIONNAIRE)
    questions = np.array([q.id for q in bank.questions], dtype=object)
    roles = np.array(list(bank.role_weights) or [""], dtype=object)
    person = np.arange(rows) // len(questions)
    rng = np.random.default_rng(7)
    pd.DataFrame({"business_unit": "Big Unit", "respondent": pd.Series(person).map("R{:05d}".format),
                  "role": roles[person % len(roles)], "question": questions[np.arange(rows) % len(questions)],
                  "answer": rng.integers(1, 5, rows).astype(str), "comment": ""}).to_csv(path, index=False)
    return int(person[-1]) + 1


def time_command(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children) of one command line."""
    started, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    return elapsed, children_cpu() - cpu


def bench_big_unit(rows: int) -> None:
    """``score`` and ``batch`` of one unit of ``rows`` answer rows, in this run, and their ratio."""
    with tempfile.TemporaryDirectory(prefix="bench-big-unit-") as tmp:
        tmp = Path(tmp)
        answers = tmp / "big.csv"
        respondents = make_big_unit(answers, rows)
        common = [str(answers), "--questionnaire", str(QUESTIONNAIRE), "--targets", str(TARGETS)]
        score, score_cpu = time_command(["pmo-assess", "score", *common, "-f", "json",
                                         "-o", str(tmp / "scores.json")])
        batch, batch_cpu = time_command(["pmo-assess", "batch", *common, "--out", str(tmp / "batch"),
                                         "--timeout", "300"])
        report = (tmp / "batch" / "units" / "big-unit" / "report.html").stat().st_size
    print(f"big unit: {rows:,} answer rows, {respondents:,} respondents; load average {os.getloadavg()[0]:.1f}")
    print(f"pmo-assess score (json):                       {score:6.2f} s wall, {score_cpu:6.2f} s CPU")
    print(f"pmo-assess batch (1 unit + portfolio):         {batch:6.2f} s wall, {batch_cpu:6.2f} s CPU, "
          f"report.html {report / 1e6:.1f} MB")
    print(f"batch / score:                                 {batch / score:6.2f}x wall, "
          f"{batch_cpu / score_cpu:.2f}x CPU (was a 300 s timeout)")


def bench_units(count: int) -> None:
    """The parallel run of ``count`` sample units against the sequential loop and the kernel floor."""
    workers = os.cpu_count() or 1
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        units = make_units(tmp, count)
        # the floor is sampled before and after the two runs, so a change in machine load is averaged out
        cpu = [children_cpu()]
        floors = measure_floor(3)
        cpu.append(children_cpu())
        sequential = run_sequential(units, tmp / "sequential")
        cpu.append(children_cpu())
        batch = run_batch(units, tmp / "batch")
        cpu.append(children_cpu())
        floors += measure_floor(2)
    floor = statistics.median(floors)
    floor_cpu, sequential_cpu, batch_cpu = (cpu[1] - cpu[0]) / 3, cpu[2] - cpu[1], cpu[3] - cpu[2]
    ideal = count * floor / workers
    print(f"units {count}, workers {workers} (cores {os.cpu_count()})")
    print(f"load average at start: {load_at_start:.1f} (other work on the machine skews wall times)")
    print(f"floor (kernel start + import pandas, seaborn): {floor:6.2f} s wall (median of "
          f"{', '.join(f'{f:.2f}' for f in floors)}), {floor_cpu:6.2f} s CPU")
    print(f"sequential papermill CLI loop:                 {sequential:6.2f} s wall, {sequential_cpu:6.2f} s CPU "
          f"({sequential / count:.2f} s/unit)")
    print(f"pmo-assess batch (default workers):            {batch:6.2f} s wall, {batch_cpu:6.2f} s CPU "
          f"({batch / count:.2f} s/unit)")
    print(f"speed-up sequential / batch:                   {sequential / batch:6.2f}x  (target >= 3)")
    print(f"batch / (units x floor / workers = {ideal:.1f} s):  {batch / ideal:6.2f}   (target <= 1.5)")
    print(f"CPU per unit: batch {batch_cpu / count:.2f} s (portfolio and start-up included), "
          f"sequential {sequential_cpu / count:.2f} s, floor {floor_cpu:.2f} s; "
          f"batch CPU / (units x floor CPU) = {batch_cpu / (count * floor_cpu):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=16, help="units of the parallel run (0 skips it)")
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="answer rows of the big unit (0 skips it)")
    args = parser.parse_args()
    if args.units > 0:
        bench_units(args.units)
    if args.big_rows > 0:
        bench_big_unit(args.big_rows)


if __name__ == "__main__":
    main()
