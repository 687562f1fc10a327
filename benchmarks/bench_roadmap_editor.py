"""Roadmap editor: time from Save to the charts redrawn, headless, on the bundled Retail Banking roadmap.

Generates the roadmap with ``pmo-assess roadmap`` (as in the README) into a temporary folder, opens
the roadmap page as the notebook does, then repeatedly changes an owner and a wave and presses Save
(``panel.on_save``: lock, stale check, round-trip write, history line, then Gantt, capacity and
projected-maturity charts and the tables redrawn). Baseline, in the same run: a plain ``write_yaml``
of the same document. Target: median < 300 ms.

    python benchmarks/bench_roadmap_editor.py [--saves 15]
"""
from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questionnaires" / "value-driven-pmo.yaml"
TARGETS = ROOT / "examples" / "targets.yaml"
TARGET_SECONDS = 0.300
ITEM = "MAN-1-pmo-charter"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=15, help="saves to time (default 15)")
    args = parser.parse_args()

    from pmo_assess.io.files import write_yaml
    from pmo_assess.roadmap.editor_widgets import RoadmapPage

    with tempfile.TemporaryDirectory() as folder:
        answers = sorted(glob.glob(str(ROOT / "examples" / "answers" / "*.csv")))
        subprocess.run([sys.executable, "-m", "pmo_assess", "roadmap", *answers, "-q", str(BANK), "-t", str(TARGETS),
                        "--unit", "Retail Banking", "--out", folder], check=True, stdout=subprocess.DEVNULL)
        roadmap = Path(folder) / "retail-banking" / "roadmap.yaml"
        page = RoadmapPage.open(answers, "Retail Banking", str(BANK), str(TARGETS), roadmap=str(roadmap))
        panel = page.editor_panel
        if panel is None:
            print(f"the roadmap page did not open: {page.problem}", file=sys.stderr)
            return 1
        panel.name.value = "Bench Editor"
        saves, redraws, cpu = [], [], []
        for number in range(args.saves):
            panel.on_change(ITEM, "owner", f"Owner {number}")
            panel.on_change(ITEM, "wave", str(1 + (number + 1) % 3))
            started, used = time.perf_counter(), time.process_time()
            saved = panel.on_save()
            saves.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            redraws.append(page.last_redraw_seconds)
            if not saved or "Saved version" not in panel.status.value:
                print(f"not saved: {panel.status.value}", file=sys.stderr)
                return 1
        items = len(panel.editor.roadmap.items)
        scratch = Path(folder) / "baseline.yaml"
        scratch.write_bytes(roadmap.read_bytes())
        baseline, baseline_cpu = [], []
        for _ in range(max(20, args.saves)):
            started, used = time.perf_counter(), time.process_time()
            write_yaml(scratch, panel.editor.document)
            baseline.append(time.perf_counter() - started)
            baseline_cpu.append(time.process_time() - used)

    median, worst = statistics.median(saves), max(saves)
    p95 = statistics.quantiles(saves, n=20, method="inclusive")[18] if len(saves) > 1 else worst
    redraw, base = statistics.median(redraws), statistics.median(baseline)
    cpu_median, base_cpu = statistics.median(cpu), statistics.median(baseline_cpu)
    print(f"editor Save → file written and charts redrawn ({len(saves)} saves, {items} items, "
          f"Retail Banking from pmo-assess roadmap):")
    print(f"  median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {worst * 1000:.1f} ms "
          f"(target < {TARGET_SECONDS * 1000:.0f} ms); of which redraw median {redraw * 1000:.1f} ms")
    print(f"  CPU time of this process: median {cpu_median * 1000:.1f} ms (other processes do not count here)")
    print(f"  baseline write_yaml of the same document: median {base * 1000:.1f} ms (CPU {base_cpu * 1000:.1f} ms)")
    print(f"  ratio save+redraw / write_yaml: median {median / base:.1f}×, p95 {p95 / base:.1f}× "
          f"(CPU {cpu_median / base_cpu:.1f}×)")
    print(f"  load average while measuring: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    print("PASS" if median < TARGET_SECONDS else "SLOWER THAN TARGET")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
