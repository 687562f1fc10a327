"""The bundled Retail Banking roadmap, generated once per test session, for the editor's tests and benchmark."""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import shutil
import tempfile
from pathlib import Path

from pmo_assess.roadmap.editor import RoadmapEditor
from pmo_assess.roadmap.workflow import PlanningInputs, load_planning_inputs, update_roadmap

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "examples" / "answers" / "retail-banking.csv"
BANK = ROOT / "questionnaires" / "value-driven-pmo.yaml"
TARGETS = ROOT / "examples" / "targets.yaml"
UNIT = "Retail Banking"
#: A Friday: the roadmap starts on the Monday after, 2027-01-04.
TODAY = dt.date(2027, 1, 1)


@functools.lru_cache(maxsize=1)
def planning_inputs() -> PlanningInputs:
    return load_planning_inputs([ANSWERS], BANK, TARGETS)


@functools.lru_cache(maxsize=1)
def generated_roadmap() -> bytes:
    """The bytes of ``pmo-assess roadmap`` for Retail Banking (the bundled samples), made once."""
    folder = Path(tempfile.mkdtemp(prefix="pmo-roadmap-fixture-"))
    try:
        path = folder / "roadmap.yaml"
        update_roadmap(planning_inputs(), UNIT, path, today=TODAY)
        return path.read_bytes()
    finally:
        shutil.rmtree(folder)


def roadmap_copy(folder: Path, comment: bool = True) -> Path:
    """A fresh copy of the generated roadmap in ``folder``; with ``comment``, a hand comment added as a PMO head would."""
    path = folder / "roadmap.yaml"
    text = generated_roadmap().decode()
    if comment:
        text = text.replace("\nitems:\n", "\nitems:  # reviewed with the sponsor on 2027-01-02\n", 1)
        text = re.sub(r"(?m)^(    owner: '')$", r"\1   # to agree", text, count=1)
    path.write_text(text)
    return path


def open_editor(path: Path) -> RoadmapEditor:
    inputs = planning_inputs()
    return RoadmapEditor(path, inputs.library, inputs.questionnaire)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(sign, line) of every line removed (-) or added (+) between two texts, in order."""
    return [(line[0], line[2:]) for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]
