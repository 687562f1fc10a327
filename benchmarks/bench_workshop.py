"""Workshop responsiveness: time from an answer click to the updated view, headless, bundled bank.

Drives the real form (``form.choices.value = ...`` runs the same handler a click runs: save the
file atomically, re-score, redraw levels, discussion list and, when a level changed, the radar) on
a copy of the Group Technology example (7 respondents, 54 questions) plus a new respondent.
Baseline, in the same run: one ``score_answers`` call on the same data. Target: median < 150 ms.

    python benchmarks/bench_workshop.py [--clicks 54]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questionnaires" / "value-driven-pmo.yaml"
EXAMPLE = ROOT / "examples" / "answers" / "group-technology.csv"
TARGETS = ROOT / "examples" / "targets.yaml"
TARGET_SECONDS = 0.150


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=54, help="answers to click (default: one per question)")
    args = parser.parse_args()

    from pmo_assess.io.answers import read_answers
    from pmo_assess.scoring import score_answers
    from pmo_assess.workshop.session import open_session
    from pmo_assess.workshop.widgets import WorkshopForm

    with tempfile.TemporaryDirectory() as folder:
        answers = Path(folder) / "group-technology.csv"
        shutil.copy(EXAMPLE, answers)
        shutil.copy(TARGETS, Path(folder) / "targets.yaml")
        session = open_session(BANK, "Group Technology", answers, Path(folder) / "targets.yaml")
        form = WorkshopForm(session, resume=False)
        form.name.value, form.role.value = "Bench Respondent", "sponsor"
        form.on_start()
        clicks, radar_redraws = [], 0
        for number in range(args.clicks):
            radar_before = form._radar_key
            form.choices.value = str(number * 7 % 4 + 1)
            clicks.append(form.last_update_seconds)
            radar_redraws += form._radar_key != radar_before
            if "saved" not in form.message.value:
                print(f"answer not saved: {form.message.value}", file=sys.stderr)
                return 1
            form.on_next()
        frame = read_answers(answers, session.questionnaire)
        baseline = []
        for _ in range(max(20, args.clicks)):
            started = time.perf_counter()
            score_answers(frame, session.questionnaire)
            baseline.append(time.perf_counter() - started)

    median, worst = statistics.median(clicks), max(clicks)
    p95 = sorted(clicks)[int(0.95 * (len(clicks) - 1))]
    base = statistics.median(baseline)
    print(f"answer click → updated view ({len(clicks)} clicks, {len(frame)} answer rows, "
          f"{radar_redraws} radar redraws):")
    print(f"  median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {worst * 1000:.1f} ms "
          f"(target < {TARGET_SECONDS * 1000:.0f} ms)")
    print(f"  baseline score_answers on the same data: median {base * 1000:.2f} ms")
    print(f"  ratio click / score_answers: median {median / base:.1f}×, p95 {p95 / base:.1f}×")
    print("PASS" if median < TARGET_SECONDS else "SLOWER THAN TARGET")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
