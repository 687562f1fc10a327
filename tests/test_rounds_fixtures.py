"""Builders shared by the rounds, compare and trends tests (no tests here): histories of scored rounds.

The history of the bundled units has three rounds, the earlier two made by lowering the answers of
examples/answers/*.csv:

- 2024-R1 (2024-11-04): every answer of every unit except Public Sector Programmes set to 1, so every
  capability, dimension and overall level is 1 (score 1.00). Public Sector Programmes is not assessed.
- 2025-R2 (2025-11-03): the example answers, except that Retail Banking answers 1 to every question of
  capacity-planning and 4 to every question of benefits-management; Manufacturing Operations as in 2024.
- 2026-R3 (2026-11-02): the example answers as bundled; Manufacturing Operations is no longer assessed.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from conftest import BANK, EXAMPLES
from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.roadmap.workflow import unit_slug
from pmo_assess.scoring import compute_gaps, score_answers

ROUNDS = (("2024-R1", dt.date(2024, 11, 4)), ("2025-R2", dt.date(2025, 11, 3)), ("2026-R3", dt.date(2026, 11, 2)))
UNIT_FILES = {"Retail Banking": "retail-banking.csv", "Group Technology": "group-technology.csv",
              "Insurance Claims": "insurance-claims.csv", "Manufacturing Operations": "manufacturing-operations.csv",
              "Public Sector Programmes": "public-sector-programmes.csv"}


def write_answers(path: Path, rows: list[dict], change) -> Path:
    """The rows with ``change(row) -> answer`` applied, written as an answers CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "answer": change(row)})
    return path


def example_rows(unit: str) -> list[dict]:
    with (EXAMPLES / "answers" / UNIT_FILES[unit]).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_round(history: Path, label: str | None, assessed_on: dt.date, answers: list[Path], bank_path: Path = BANK,
                targets: Path | None = None, scores_round: bool = True) -> Path:
    """Score ``answers`` and write them as a round folder of ``history`` (round.json + units/<slug>/scores.json)."""
    bank = load_questionnaire(bank_path)
    scores = score_answers(read_answers(answers, bank), bank)
    gaps = compute_gaps(scores, load_targets(targets, bank)) if targets else None
    folder = history / "rounds" / label if label else history
    info = {"label": label, "assessed_on": assessed_on.isoformat()}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "round.json").write_text(json.dumps({
        "schema": "pmo-assess/round@1", **info, "questionnaire": {"id": bank.id, "version": bank.version},
        "written_by": "pmo-assess test"}))
    for u, unit in enumerate(scores.units):
        data = scores_to_dict(scores, gaps, units=[u])
        if scores_round:
            data["round"] = info
        target = folder / "units" / unit_slug(unit) / "scores.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data))
    return folder


def bundled_history(root: Path) -> Path:
    """The three-round history of the bundled units described in the module docstring; returns its folder."""
    history = root / "history"
    answers = root / "answers"
    answers.mkdir(parents=True)
    bank = load_questionnaire(BANK)
    caps = {q.id: c.id for c in bank.capabilities for q in c.questions}
    targets = EXAMPLES / "targets.yaml"
    first, second = [], []
    for unit in UNIT_FILES:
        rows = example_rows(unit)
        if unit != "Public Sector Programmes":
            first.append(write_answers(answers / f"1-{unit_slug(unit)}.csv", rows, lambda row: "1"))
        if unit == "Retail Banking":
            second.append(write_answers(answers / f"2-{unit_slug(unit)}.csv", rows, lambda row: {
                "capacity-planning": "1", "benefits-management": "4"}.get(caps[row["question"]], row["answer"])))
        elif unit == "Manufacturing Operations":
            second.append(first[-1])
        else:
            second.append(EXAMPLES / "answers" / UNIT_FILES[unit])
    third = [EXAMPLES / "answers" / f for u, f in UNIT_FILES.items() if u != "Manufacturing Operations"]
    for (label, date), files in zip(ROUNDS, (first, second, third)):
        write_round(history, label, date, files, targets=targets)
    return history
