"""Shared inputs of the business-plan tests: the mini questionnaire, two units' answers, a roadmap of Alpha."""
from __future__ import annotations

from pathlib import Path

from conftest import DATA

PLAN_DATA = DATA / "plan"
MINI = DATA / "mini.yaml"
ANSWERS = PLAN_DATA / "answers.csv"
TARGETS = PLAN_DATA / "targets.yaml"
LIBRARY = PLAN_DATA / "library.yaml"
ROADMAP = PLAN_DATA / "roadmap.yaml"
INJECTION = "=cmd|'/c calc'!A1"


def plan_args(out: Path, *extra: str) -> list[str]:
    """``pmo-assess plan`` arguments for unit Alpha with every input file."""
    return ["plan", "--unit", "Alpha", "--answers", str(ANSWERS), "--questionnaire", str(MINI),
            "--targets", str(TARGETS), "--roadmap", str(ROADMAP), "--library", str(LIBRARY),
            "--out", str(out), *extra]
