"""Cost of reporting bad answers: N rows each wrong in its own way, against a valid file of the same size.

Two bad files per size: every row with its own invalid answer, and every answer given twice (duplicates).

Run: ``python benchmarks/bench_bad_input.py [--rows 20000 100000] [--repeat 3]``. For each size it prints
seconds (best of the repeats, wall and CPU: CPU is steadier on a shared machine) for reading and validating
the valid file and each bad one, and the ratios bad / valid. Collecting problems is linear, so the
ratio stays about the same as the file grows (it grew with N when problems were grouped quadratically).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pmo_assess.errors import InputErrors
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire

BANK = Path(__file__).resolve().parent.parent / "questionnaires" / "value-driven-pmo.yaml"


def write_answers(path: Path, rows: int, question_ids: list[str], kind: str) -> Path:
    """A canonical answers CSV of ``rows`` rows: ``valid``; ``invalid`` (each row its own bad answer x0, x1, ...);
    ``duplicate`` (every answer given twice, so half the rows are problems)."""
    per_respondent = len(question_ids)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("business_unit,respondent,role,question,answer,comment\n")
        for i in range(rows):
            answer = f"x{i}" if kind == "invalid" else str(1 + i % 4)
            n = i // 2 if kind == "duplicate" else i
            handle.write(f"Unit,R{n // per_respondent},,{question_ids[n % per_respondent]},{answer},\n")
    return path


def read(path: Path, questionnaire) -> int:
    """Read and validate; the number of problems reported (0 for a valid file)."""
    try:
        read_answers([path], questionnaire)
    except InputErrors as errors:
        errors.render()
        return len(errors.problems)
    return 0


def best(repeat: int, action) -> tuple[float, float, int]:
    """Best (wall, CPU) seconds of ``action`` over ``repeat`` runs, and what it returned."""
    wall = cpu = float("inf")
    result = 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questionnaire = load_questionnaire(BANK)
    ids = [q.id for q in questionnaire.questions]
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'rows':>9} {'kind':>10} {'valid s':>8} {'bad s':>8} {'valid cpu':>9} {'bad cpu':>8} "
              f"{'problems':>9} {'ratio':>6} {'cpu ratio':>9}")
        for rows in args.rows:
            good = write_answers(Path(folder) / f"good{rows}.csv", rows, ids, "valid")
            good_wall, good_cpu, _ = best(args.repeat, lambda: read(good, questionnaire))
            for kind in ("invalid", "duplicate"):
                wrong = write_answers(Path(folder) / f"{kind}{rows}.csv", rows, ids, kind)
                bad_wall, bad_cpu, problems = best(args.repeat, lambda: read(wrong, questionnaire))
                print(f"{rows:>9} {kind:>10} {good_wall:>8.3f} {bad_wall:>8.3f} {good_cpu:>9.3f} {bad_cpu:>8.3f} "
                      f"{problems:>9} {bad_wall / good_wall:>6.1f} {bad_cpu / good_cpu:>9.1f}")


if __name__ == "__main__":
    main()
