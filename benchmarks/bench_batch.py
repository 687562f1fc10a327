"""Benchmark ``pmo-assess batch`` (on this machine and on a LocalCluster) against a sequential papermill CLI loop.

Usage: python benchmarks/bench_batch.py [--sizes 8,40] [--formats-cost] [--big-rows 0]

For each size N (units made by copying the five bundled sample units under new names into a temp
folder) it measures, in this one run:
  sequential  one ``papermill`` CLI call per unit, one after the other (the baseline);
  batch       ``pmo-assess batch`` with the default workers (one per core), portfolio included;
  dask        ``pmo-assess batch --scheduler local:W`` (a LocalCluster of W worker processes);
and prints the ratios the project targets (sequential / batch >= 3 for 8 units, >= 4 for 40), the
profile of where a unit's time goes (kernel start, imports, scoring, charts, tables and text,
papermill overhead, report rendering, publishing) from the executed notebooks' cell timings and the
batch manifest's per-unit profile, and the peak memory of each kernel and of the process that ran it.

``--formats-cost`` adds the cost of ``--formats html,pdf,pptx`` against ``html`` alone (8 units).
``--big-rows R`` adds one unit of R answer rows timed with ``pmo-assess score`` and ``batch``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from pmo_assess.batch.kernel_pool import MAX_UNITS_PER_KERNEL

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "examples" / "answers").glob("*.csv"))
QUESTIONNAIRE = ROOT / "questionnaires" / "value-driven-pmo.yaml"
TARGETS = ROOT / "examples" / "targets.yaml"
NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"
STAGES = ("kernel start", "imports", "scoring", "charts", "tables and text", "papermill overhead",
          "report rendering", "publishing")


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


def notebook_imports() -> str:
    """The import lines of the bundled notebook's first code cell after its parameters."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    lines = "".join(code[0]["source"]).splitlines()
    return "\n".join(line for line in lines if line.startswith(("import ", "from ")))


KERNEL_CODE = """
import time, json
from jupyter_client.manager import start_new_kernel
started = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
ready = time.perf_counter()
reply = kc.execute_interactive(IMPORTS, timeout=300)
assert reply["content"]["status"] == "ok", reply
done = time.perf_counter()
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps([ready - started, done - ready]))
"""


def measure_kernel(repeats: int = 2) -> tuple[float, float]:
    """(kernel start, the notebook's imports) in seconds, each the median of ``repeats`` fresh kernels."""
    code = "IMPORTS = " + repr(notebook_imports()) + "\n" + KERNEL_CODE
    samples = [json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout.strip().splitlines()[-1]) for _ in range(repeats)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


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


def run_batch(units: list[tuple[str, Path]], out: Path, *extra: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(["pmo-assess", "batch", *[str(p) for _, p in units], "--questionnaire",
                             str(QUESTIONNAIRE), "--targets", str(TARGETS), "--out", str(out), *extra],
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"batch failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    return elapsed


def cell_stages(executed: Path) -> dict[str, float]:
    """Seconds per stage of one executed notebook, from papermill's cell timings (cells classified by their code)."""
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    stages: dict[str, float] = defaultdict(float)
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source, seconds = "".join(cell["source"]), cell["metadata"].get("papermill", {}).get("duration") or 0.0
        tags = cell["metadata"].get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            stage = "papermill overhead"
        elif "import " in source and ("load_unit" in source or "load_portfolio" in source):
            stage = "scoring"  # imports + loading + scoring; the imports are split off by the caller
        elif "show_figure" in source:
            stage = "charts"
        else:
            stage = "tables and text"
        stages[stage] += seconds
    stages["notebook"] = notebook["metadata"]["papermill"].get("duration") or sum(stages.values())
    return stages


def sequential_profile(out: Path, wall: float, count: int, kernel: float, imports: float) -> dict[str, float]:
    """Mean seconds per unit of the papermill CLI loop by stage (process and kernel start = what the cells do not account for)."""
    per_unit = [cell_stages(p) for p in sorted(out.glob("*/assessment.ipynb"))]
    profile = {stage: statistics.mean(p.get(stage, 0.0) for p in per_unit) for stage in ("scoring", "charts",
                                                                                          "tables and text")}
    profile["imports"] = min(imports, profile["scoring"])
    profile["scoring"] -= profile["imports"]
    profile["kernel start"] = kernel
    profile["papermill overhead"] = wall / count - sum(profile.values())  # CLI process start, papermill, saving
    profile["report rendering"] = profile["publishing"] = 0.0  # the papermill loop makes no report
    return profile


def batch_profile(out: Path) -> tuple[dict[str, float], dict]:
    """Mean seconds per unit of a batch by stage, and peak memory per kernel (or per worker, for units run on a
    kernel of their own), from its manifest and notebooks."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["units"]
    rows, memory = [], defaultdict(lambda: {"kernel": 0.0, "process": 0.0, "units": 0})
    for entry in manifest.values():
        profile = entry["profile"]
        cells = cell_stages(out / "units" / entry["slug"] / "assessment.ipynb")
        # a pooled kernel's start includes its warm-up imports; a reused one's is the reset between units
        rows.append({"kernel start": profile.get("kernel", 0.0),
                     "scoring": cells.get("scoring", 0.0), "charts": cells.get("charts", 0.0),
                     "tables and text": cells.get("tables and text", 0.0),
                     "papermill overhead": profile.get("notebook", 0.0) - sum(
                         cells.get(s, 0.0) for s in ("scoring", "charts", "tables and text")),
                     "report rendering": profile.get("report", 0.0), "publishing": profile.get("publish", 0.0)})
        # a unit on a pooled kernel is counted with that kernel (a local batch has one thread more than kernels,
        # and any of them may lease it); on a cluster a process id is unique only with its worker's address
        place = profile.get("worker", "?")
        kernel = profile.get("kernel_pid")
        worker = memory[place if not kernel else f"kernel {kernel}" + (f" on {place}" if "://" in place else "")]
        worker["kernel"] = max(worker["kernel"], profile.get("kernel_peak_mb") or 0.0)
        worker["process"] = max(worker["process"], profile.get("process_peak_mb") or 0.0)
        worker["units"] += 1
    profile = {stage: statistics.mean(r[stage] for r in rows) for stage in rows[0]}
    profile["imports"] = 0.0  # done once per pooled kernel, at its start: counted in 'kernel start'
    return profile, dict(memory)


def print_profile(title: str, profiles: dict[str, dict[str, float]]) -> None:
    print(f"\n{title} — mean seconds per unit by stage (batch 'kernel start': a pooled kernel's start and "
          "warm-up imports for the first unit of each worker, the reset between units for the others)")
    names = list(profiles)
    print(f"  {'stage':<20}" + "".join(f"{n:>14}" for n in names))
    for stage in STAGES:
        print(f"  {stage:<20}" + "".join(f"{profiles[n].get(stage, 0.0):>14.2f}" for n in names))
    print(f"  {'sum':<20}" + "".join(f"{sum(profiles[n].get(s, 0.0) for s in STAGES):>14.2f}" for n in names))


def print_memory(label: str, memory: dict) -> None:
    for worker, m in sorted(memory.items()):
        print(f"  {label} {worker}: {m['units']} units, kernel peak {m['kernel']:.0f} MB, "
              f"{'worker process' if label == 'dask' else 'batch process (shared by its threads)'} "
              f"peak {m['process']:.0f} MB")


def bench_size(count: int, kernel: float, imports: float, workers: int) -> dict:
    """Sequential loop, local batch and LocalCluster batch on ``count`` units; their times, profiles and memory."""
    with tempfile.TemporaryDirectory(prefix=f"bench-batch-{count}-") as tmp:
        tmp = Path(tmp)
        units = make_units(tmp, count)
        sequential = run_sequential(units, tmp / "sequential")
        batch = run_batch(units, tmp / "batch")
        dask = run_batch(units, tmp / "dask", "--scheduler", f"local:{workers}")
        profiles = {"papermill loop": sequential_profile(tmp / "sequential", sequential, count, kernel, imports)}
        profiles["batch"], batch_memory = batch_profile(tmp / "batch")
        profiles["dask"], dask_memory = batch_profile(tmp / "dask")
    return {"count": count, "sequential": sequential, "batch": batch, "dask": dask, "profiles": profiles,
            "memory": {"batch": batch_memory, "dask": dask_memory}}


def bench_formats(count: int, repeats: int = 2) -> None:
    """The extra cost of pdf and pptx: batch with each format set against html alone, same units, interleaved
    (html, all three, html+pdf, html+pptx, then again) so that a burst of other work skews every set alike."""
    sets = {"html": (), "html,pdf,pptx": ("--formats", "html,pdf,pptx"), "html,pdf": ("--formats", "html,pdf"),
            "html,pptx": ("--formats", "html,pptx")}
    times: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        tmp = Path(tmp)
        units = make_units(tmp, count)
        for round_ in range(repeats):
            for name, extra in sets.items():
                times[name].append(run_batch(units, tmp / f"{name}-{round_}", *extra))
    html = statistics.median(times["html"])
    print(f"\nformats, {count} units + portfolio (medians of {repeats}; load average now {os.getloadavg()[0]:.1f})")
    for name in sets:
        took = statistics.median(times[name])
        extra = (took - html) / (count + 1)
        goal = "  (goal <= 1.5x: " + ("met)" if took / html <= 1.5 else "NOT met)") if name == "html,pdf,pptx" else ""
        print(f"  {name:14s} {took:6.1f} s  {took / html:5.2f}x html alone, {extra:+.2f} s a report{goal}")


def bench_big_unit(rows: int) -> None:
    """``score`` and ``batch`` of one unit of ``rows`` answer rows, and their ratio."""
    import numpy as np
    import pandas as pd

    from pmo_assess.io.questionnaire import load_questionnaire

    bank = load_questionnaire(QUESTIONNAIRE)
    questions = np.array([q.id for q in bank.questions], dtype=object)
    roles = np.array(list(bank.role_weights) or [""], dtype=object)
    person = np.arange(rows) // len(questions)
    with tempfile.TemporaryDirectory(prefix="bench-big-unit-") as tmp:
        answers = Path(tmp) / "big.csv"
        pd.DataFrame({"business_unit": "Big Unit", "respondent": pd.Series(person).map("R{:05d}".format),
                      "role": roles[person % len(roles)], "question": questions[np.arange(rows) % len(questions)],
                      "answer": np.random.default_rng(7).integers(1, 5, rows).astype(str),
                      "comment": ""}).to_csv(answers, index=False)
        common = [str(answers), "--questionnaire", str(QUESTIONNAIRE), "--targets", str(TARGETS)]
        started = time.perf_counter()
        subprocess.run(["pmo-assess", "score", *common, "-f", "json", "-o", str(Path(tmp) / "s.json")], check=True,
                       capture_output=True)
        score = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(["pmo-assess", "batch", *common, "--out", str(Path(tmp) / "b"), "--timeout", "600"],
                       check=True, capture_output=True)
        batch = time.perf_counter() - started
    print(f"\nbig unit, {rows:,} rows: score {score:.1f} s, batch (1 unit + portfolio) {batch:.1f} s, "
          f"batch / score {batch / score:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,40", help="unit counts to measure, comma-separated (default 8,40)")
    parser.add_argument("--formats-cost", action="store_true", help="also time --formats html,pdf,pptx vs html")
    parser.add_argument("--big-rows", type=int, default=0, help="answer rows of a big unit to time (0 skips it)")
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    print(f"cores {workers}; workers {workers} (batch threads, LocalCluster processes); "
          f"load average at start {os.getloadavg()[0]:.1f} (other work on the machine skews wall times)")
    kernel, imports = measure_kernel()
    print(f"fresh kernel: start {kernel:.2f} s, the notebook's imports {imports:.2f} s (medians of 2)")
    goals = {8: 3.0, 40: 4.0}
    for count in (int(s) for s in args.sizes.split(",") if s.strip()):
        result = bench_size(count, kernel, imports, workers)
        seq, batch, dask = result["sequential"], result["batch"], result["dask"]
        goal = goals.get(count)
        print(f"\n{count} units")
        print(f"  sequential papermill CLI loop: {seq:7.1f} s ({seq / count:.2f} s/unit)")
        print(f"  pmo-assess batch (local):      {batch:7.1f} s ({batch / count:.2f} s/unit, portfolio included)")
        print(f"  pmo-assess batch (local:{workers}):    {dask:7.1f} s ({dask / count:.2f} s/unit, cluster start "
              "included)")
        verdict = "" if goal is None else f"  (goal >= {goal:g}: {'met' if seq / batch >= goal else 'NOT met'})"
        print(f"  sequential / batch:            {seq / batch:7.2f}x{verdict}")
        print(f"  sequential / LocalCluster:     {seq / dask:7.2f}x")
        print_profile(f"{count} units", result["profiles"])
        print("peak memory per kernel (a worker's kernels, one at a time; replaced after "
              f"{MAX_UNITS_PER_KERNEL} units)")
        print_memory("batch", result["memory"]["batch"])
        print_memory("dask", result["memory"]["dask"])
        print(f"load average now {os.getloadavg()[0]:.1f}")
    if args.formats_cost:
        bench_formats(8)
    if args.big_rows > 0:
        bench_big_unit(args.big_rows)


if __name__ == "__main__":
    main()
