"""Import time of 200 filled respondent packs, against openpyxl merely opening and reading the same files;
and of a SurveyMonkey export of the whole bank (500 responses), against importing the same answers given
as the canonical long table.

Run: ``python benchmarks/bench_import.py [--packs 200] [--responses 500] [--repeat 3]``. Prints seconds
(best of the repeats) and the ratio import / baseline, measured in the same run on the same files.
"""
from __future__ import annotations

import argparse
import csv
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


def make_surveymonkey_export(path: Path, canonical: Path, responses: int) -> None:
    """A SurveyMonkey "expanded" CSV of the bundled bank (one matrix per capability, answers as level names),
    and the same answers as the canonical long table."""
    questionnaire = load_questionnaire(BANK)
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1"]
    first, second = meta + ["What is your role?"], [""] * len(meta) + ["Response"]
    for capability in questionnaire.capabilities:
        for n, question in enumerate(capability.questions):
            first.append(capability.name if n == 0 else "")
            second.append(question.text)
    labels = {"Ad hoc": "1", "Evolving": "2", "Operationalizing": "3", "Optimizing": "4", "Not applicable": "na",
              "Don't know": "dk", "": ""}
    rng = random.Random(500)
    with open(path, "w", newline="", encoding="utf-8") as handle, \
            open(canonical, "w", newline="", encoding="utf-8") as long_handle:
        writer, long_writer = csv.writer(handle), csv.writer(long_handle)
        writer.writerows([first, second])
        long_writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for i in range(responses):
            role = questionnaire.roles[i % len(questionnaire.roles)]
            picked = [rng.choice(list(labels)) for _ in questionnaire.questions]
            writer.writerow([10000 + i, 1, "", "", "", f"r{i}@example.com", f"Respondent{i}", "Test", "", role.name]
                            + picked)
            long_writer.writerows(["Bench unit", f"Respondent{i} Test", role.id, q.id, labels[label], ""]
                                  for q, label in zip(questionnaire.questions, picked) if label)


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
    parser.add_argument("--responses", type=int, default=500)
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
    bench_survey_export(questionnaire, args.responses, args.repeat)


def bench_survey_export(questionnaire, responses: int, repeat: int) -> None:
    """A SurveyMonkey export recognised, its columns matched by text and its answers read, vs the long table."""
    with tempfile.TemporaryDirectory() as tmp:
        export, canonical, out = Path(tmp) / "surveymonkey.csv", Path(tmp) / "long.csv", Path(tmp) / "answers.csv"
        make_surveymonkey_export(export, canonical, responses)

        def run_import(path: Path) -> None:
            out.unlink(missing_ok=True)
            import_answers([path], questionnaire, out, default_unit="Bench unit")

        best = best_times(repeat, base=lambda: run_import(canonical), imported=lambda: run_import(export))
        rows = sum(1 for _ in out.open()) - 1
    (base_wall, base_cpu), (import_wall, import_cpu) = best["base"], best["imported"]
    print(f"SurveyMonkey export: {responses} responses x {len(questionnaire.questions)} questions, {rows} answer rows")
    print(f"baseline, importing the same answers as the canonical long table: {base_wall:.2f} s wall, "
          f"{base_cpu:.2f} s CPU")
    print(f"pmo-assess import of it (recognised, matched, checked, merged, written): {import_wall:.2f} s wall, "
          f"{import_cpu:.2f} s CPU")
    print(f"ratio export / long table: {import_wall / base_wall:.2f} wall, {import_cpu / base_cpu:.2f} CPU")


if __name__ == "__main__":
    main()
