"""Import time of 200 filled respondent packs, against openpyxl merely opening and reading the same files.

Run: ``python benchmarks/bench_import.py [--packs 200] [--repeat 3]``. Prints seconds (best of the
repeats) and the ratio import / baseline, measured in the same run on the same files.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.packs import ANSWERS_SHEET, PackRequest, build_pack, pack_filename
from pmo_assess.survey_import import import_answers

BANK = Path(__file__).resolve().parent.parent / "questionnaires" / "value-driven-pmo.yaml"


def make_filled_packs(folder: Path, count: int) -> list[Path]:
    """``count`` packs of the bundled bank, answered at random (seeded) the way a respondent fills them."""
    questionnaire = load_questionnaire(BANK)
    roles = [r.id for r in questionnaire.roles]
    rng = random.Random(200)
    paths = []
    for i in range(count):
        request = PackRequest(f"Unit {i % 10:02d}", f"Respondent {i:03d}", roles[i % len(roles)])
        workbook = build_pack(questionnaire, request)
        sheet = workbook[ANSWERS_SHEET]
        for row in range(6, sheet.max_row + 1):
            if sheet.cell(row, 1).value in questionnaire.question_index:
                sheet.cell(row, 7, rng.choice([1, 2, 3, 4, 4, 3, 2, "na", "dk"]))
                if rng.random() < 0.1:
                    sheet.cell(row, 8, "Evidence: see the March steering pack.")
        path = folder / pack_filename(request)
        workbook.save(path)
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> None:
    """What any reader has to pay: open each workbook read-only and read every value of its answer sheet."""
    for path in paths:
        workbook = load_workbook(path, read_only=True)
        for _ in workbook[ANSWERS_SHEET].iter_rows(values_only=True):
            pass
        workbook.close()


def best_times(repeat: int, **actions) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds of each action, interleaved so machine load hits them alike.

    CPU time is printed too because other jobs on a shared machine inflate wall time unevenly.
    """
    best = {name: (float("inf"), float("inf")) for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questionnaire = load_questionnaire(BANK)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = make_filled_packs(folder, args.packs)
        made = time.perf_counter() - start
        out = folder / "answers.csv"

        def run_import() -> None:
            out.unlink(missing_ok=True)
            import_answers(paths, questionnaire, out)

        best = best_times(args.repeat, base=lambda: baseline(paths), imported=run_import)
        rows = sum(1 for _ in out.open()) - 1
    (base_wall, base_cpu), (import_wall, import_cpu) = best["base"], best["imported"]
    print(f"packs: {args.packs} of {questionnaire.id} ({len(questionnaire.questions)} questions), {rows} answer rows")
    print(f"writing the filled packs (build + save): {made:.2f} s ({1000 * made / args.packs:.1f} ms per pack)")
    print(f"baseline, openpyxl opening and reading them: {base_wall:.2f} s wall, {base_cpu:.2f} s CPU")
    print(f"pmo-assess import of all of them (checked, merged, written): {import_wall:.2f} s wall, "
          f"{import_cpu:.2f} s CPU ({1000 * import_wall / args.packs:.1f} ms per pack)")
    print(f"ratio import / baseline: {import_wall / base_wall:.2f} wall, {import_cpu / base_cpu:.2f} CPU")


if __name__ == "__main__":
    main()
