"""Everything a batch checks before it starts a kernel: files, notebook parameters, and the units.

Bad input for the whole run (a questionnaire, targets or answers file that cannot be read or split
by unit; a notebook missing a parameter) raises InputErrors. A unit whose own rows are invalid is
returned with its problems, so the batch fails that unit and runs the others.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import Targets, load_targets
from pmo_assess.model import Questionnaire
from pmo_assess.report.answers import UnitAnswers, split_units

#: Parameters the batch passes to the per-unit notebook and to the portfolio notebook.
UNIT_PARAMETERS = ("answers", "business_unit", "questionnaire", "targets", "output_dir")
PORTFOLIO_PARAMETERS = ("scores_dir", "questionnaire")
#: Parameters passed only to a notebook that declares them; the option that needs each, if any.
UNIT_OPTIONAL = {"round_label": "--round", "assessed_on": "--assessed-on", "anonymise": "--anonymise",
                 "report_settings": "--settings", "roadmap": "--roadmaps", "previous_scores": None}
PORTFOLIO_OPTIONAL = {"round_label": "--round", "assessed_on": "--assessed-on", "anonymise": "--anonymise",
                      "report_settings": "--settings", "previous_scores_dir": None}


@dataclass(frozen=True)
class BatchInputs:
    """Validated inputs of a batch: the questionnaire, targets, and every unit's rows and problems."""

    questionnaire: Questionnaire
    targets: Targets | None
    units: UnitAnswers


def check_notebook_parameters(notebook: Path, needed: tuple[str, ...]) -> set[str]:
    """The names ``notebook``'s parameters cell defines; InputErrors unless it exists and defines all of ``needed``."""
    if not notebook.is_file():
        raise InputErrors([InputProblem(str(notebook), "", "notebook not found")])
    import papermill
    from papermill.exceptions import PapermillException

    try:
        declared = papermill.inspect_notebook(str(notebook))
    except (PapermillException, ValueError, OSError) as exc:
        raise InputErrors([InputProblem(str(notebook), "", f"cannot be read as a notebook: {exc}")]) from None
    missing = [name for name in needed if name not in declared]
    if missing:
        place = "parameters cell" if declared else "cells"
        what = ("does not define" if declared else "have no cell tagged 'parameters' defining")
        raise InputErrors([InputProblem(str(notebook), place, f"{what} {', '.join(missing)} "
                                        f"(the batch passes {', '.join(needed)})")])
    return set(declared)


def check_asked_options(notebook: Path, declared: set[str], optional: dict[str, str | None],
                        asked: set[str]) -> list[InputProblem]:
    """A problem for every option the user ``asked`` for whose parameter the notebook does not declare."""
    return [InputProblem(str(notebook), "parameters cell", f"does not define {name}, which {option} needs; add "
                         f"{name} to the notebook's parameters cell or leave {option} out")
            for name, option in optional.items() if option in asked and name not in declared]


def declared_only(values: dict, declared: set[str]) -> dict:
    """The optional parameter values a notebook declares (a custom notebook may not know newer ones)."""
    return {name: value for name, value in values.items() if name in declared}


def load_inputs(answers: list[Path], questionnaire: Path, targets: Path | None) -> BatchInputs:
    """Load and check questionnaire, targets and answers (split by unit); every problem found is raised together."""
    bank = load_questionnaire(questionnaire)
    problems: list[InputProblem] = []
    goals = None
    if targets is not None:
        try:
            goals = load_targets(targets, bank)
        except InputErrors as exc:
            problems.extend(exc.problems)
    try:
        units = split_units(answers, bank)
    except InputErrors as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputErrors(problems)
    return BatchInputs(bank, goals, units)


def slugify(name: str) -> str:
    """A folder name for a unit: ASCII letters, digits and hyphens (``Zürich Ops`` → ``zurich-ops``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "unit"


def assign_slugs(units: list[str], known: dict[str, str]) -> dict[str, str]:
    """Folder names for units, unique, reusing the ones a previous run gave (``known``) so reports stay put."""
    slugs = {u: known[u] for u in units if u in known}
    taken = set(known.values())  # a unit left out of this run keeps its folder too
    for unit in units:
        if unit in slugs:
            continue
        base = slugify(unit)
        slug, n = base, 2
        while slug in taken or slug == "portfolio":
            slug, n = f"{base}-{n}", n + 1
        slugs[unit] = slug
        taken.add(slug)
    return {u: slugs[u] for u in units}
