"""Readout deck (PPTX) speed: each example unit's deck and the portfolio deck, warm and cold.

The five example units are scored once; then each deck is written as the batch writes it after a unit's
notebook (pmo_assess.report.deck):

- warm: the best of --repeat calls in this process after a first one (the batch's kernel writes every unit's
  deck in a process that has written one before);
- cold: the first call in a new process, (a) with nothing imported, (b) after the batch kernel's warm-up
  imports (pmo_assess.batch.kernel_pool), (c) after those and :func:`pmo_assess.report.deck.warm_up`.

Baseline, in the same run: python-pptx writing a deck with the same number of slides, each holding only its
title (no tables, no pictures: what any deck of that length costs); the ratio is CPU time to CPU time. Times
are the best of the repeats, wall and CPU (CPU counts other work on the machine less). Goal (issue 12): a
warm unit deck within 0.15 s.

    python benchmarks/bench_deck.py [--repeat 5] [--cold 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.rounds.round_info import RoundInfo
from pmo_assess.scoring import compute_gaps, score_answers

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questionnaires" / "value-driven-pmo.yaml"
EXAMPLES = ROOT / "examples"
GOAL = 0.15

#: Run in a new process: (optionally) the warm-up, then one deck, timed; prints its CPU seconds.
COLD = """\
import json, sys, time
from pathlib import Path
mode, scores, bank, out, which = sys.argv[1:6]
if mode != "nothing":
    from pmo_assess.batch.kernel_pool import REPORT_WARM_UP, UNIT_WARM_UP
    for module in (*UNIT_WARM_UP, *REPORT_WARM_UP["pptx"]):
        __import__(module)
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.report.settings import ReportSettings
document, questionnaire = json.loads(Path(scores).read_text()), load_questionnaire(bank)
if mode == "warm-up":
    __import__("pmo_assess.report.deck", fromlist=["warm_up"]).warm_up()
start = time.process_time()
from pmo_assess.report.deck import write_portfolio_deck, write_unit_deck
if which == "portfolio":
    write_portfolio_deck(document["units"], questionnaire, Path(out), ReportSettings(), round_info=document["round"])
else:
    unit = next(u for u in document["units"] if u["business_unit"] == which)
    write_unit_deck(unit, questionnaire, Path(out), ReportSettings(), round_info=document["round"])
print(time.process_time() - start)
"""


def score_examples() -> tuple[dict, object]:
    """scores@1 of the example units (with targets and a round) and their questionnaire."""
    bank = load_questionnaire(BANK)
    scores = score_answers(read_answers(sorted((EXAMPLES / "answers").glob("*.csv")), bank), bank)
    gaps = compute_gaps(scores, load_targets(EXAMPLES / "targets.yaml", bank))
    return scores_to_dict(scores, gaps, round_info=RoundInfo("2026-Q4", dt.date(2026, 11, 20))), bank


def best_of(repeat: int, call) -> tuple[float, float]:
    """The least wall and the least CPU time of ``repeat`` calls (after one untimed call)."""
    call()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def titles_only_deck(slides: int) -> None:
    """The baseline: python-pptx writing ``slides`` slides that hold only a title, into memory."""
    from pptx import Presentation

    deck = Presentation()
    for i in range(slides):
        deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = f"Slide {i + 1}"
    deck.save(io.BytesIO())


def cold_time(mode: str, scores: Path, out: Path, which: str, runs: int) -> float:
    """The least CPU time of the first deck in ``runs`` new processes started in ``mode``."""
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", COLD, mode, str(scores), str(BANK), str(out), which],
                              capture_output=True, text=True, check=True)
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm calls per deck (the best is shown)")
    parser.add_argument("--cold", type=int, default=3, help="new processes per cold measurement (the best is shown)")
    args = parser.parse_args()

    from pptx import Presentation

    from pmo_assess.report.deck import write_portfolio_deck, write_unit_deck
    from pmo_assess.report.settings import ReportSettings

    document, bank = score_examples()
    settings = ReportSettings()
    with tempfile.TemporaryDirectory(prefix="bench-deck-") as tmp:
        folder = Path(tmp)
        scores = folder / "scores.json"
        scores.write_text(json.dumps(document), encoding="utf-8")
        decks = {u["business_unit"]: (lambda u=u: write_unit_deck(u, bank, folder / "unit.pptx", settings,
                                                                 round_info=document["round"]))
                 for u in document["units"]}
        decks["portfolio"] = lambda: write_portfolio_deck(document["units"], bank, folder / "portfolio.pptx", settings,
                                                          round_info=document["round"])
        print(f"{'deck':26} {'slides':>6} {'warm wall':>9} {'warm CPU':>8} {'baseline CPU':>12} {'ratio':>6} "
              f"{'cold: nothing':>13} {'kernel imports':>14} {'+ warm_up()':>11}")
        for name, write in decks.items():
            wall, cpu = best_of(args.repeat, write)
            slides = len(Presentation(str(folder / ("portfolio.pptx" if name == "portfolio" else "unit.pptx"))).slides)
            base = best_of(args.repeat, lambda: titles_only_deck(slides))[1]
            cold = [cold_time(mode, scores, folder / "cold.pptx", name, args.cold)
                    for mode in ("nothing", "imports", "warm-up")]
            print(f"{name:26} {slides:>6} {wall:>9.3f} {cpu:>8.3f} {base:>12.3f} {cpu / base:>6.1f} "
                  f"{cold[0]:>13.3f} {cold[1]:>14.3f} {cold[2]:>11.3f}")
    print(f"seconds; warm: best of {args.repeat}; cold (CPU): best of {args.cold} new processes. "
          f"Goal: a warm unit deck within {GOAL:.2f} s.")


if __name__ == "__main__":
    main()
