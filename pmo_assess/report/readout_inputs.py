"""The arguments of the readout deck writers (pmo_assess.report.deck), read from an executed notebook's
parameters and the scores.json it wrote."""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.model import Questionnaire
from pmo_assess.report.paths import resolve_input
from pmo_assess.report.portfolio import load_portfolio
from pmo_assess.report.previous import load_previous_unit
from pmo_assess.report.unit import SCORES_FILE
from pmo_assess.roadmap.roadmap_file import load_roadmap
from pmo_assess.rounds.round_info import parse_round_info


def unit_scores(notebook_path: Path, parameters: dict) -> dict:
    """The unit's scores@1 entry from the scores.json beside the notebook (else in its output_dir)."""
    places = [notebook_path.parent / SCORES_FILE]
    if parameters.get("output_dir"):
        places.append(resolve_input(parameters["output_dir"]) / SCORES_FILE)
    found = next((p for p in places if p.is_file()), None)
    if found is None:
        raise InputErrors([InputProblem(str(places[0]), "", "no scores.json beside the executed notebook; run the "
                                        "notebook with output_dir set to its folder")])
    data = json.loads(found.read_text(encoding="utf-8"))
    unit = next((u for u in data.get("units") or [] if u.get("business_unit") == parameters["business_unit"]), None)
    if unit is None:
        raise InputErrors([InputProblem(str(found), "units", f"has no unit {parameters['business_unit']!r}")])
    return unit


def _existing(source, name: str, hint: str) -> Path:
    """The file a notebook parameter names, resolved; InputErrors naming it when it is gone (e.g. a batch worker's
    scratch copy, deleted after the run)."""
    path = resolve_input(source.parameters[name])
    if not path.is_file():
        raise InputErrors([InputProblem(str(source.path), name, f"the notebook ran with {str(path)!r}, which no "
                                        f"longer exists; {hint}")])
    return path


@functools.lru_cache(maxsize=8)
def _parsed(path: str, digest: str) -> Questionnaire:
    """The questionnaire at ``path`` whose bytes have ``digest`` (the key of the cache)."""
    return load_questionnaire(Path(path))


def _questionnaire_at(path: Path) -> Questionnaire:
    """The questionnaire at ``path``, parsed once per content: a batch's kernel writes many units' decks from one."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return load_questionnaire(path)  # which names the file and what is wrong
    return _parsed(str(path), digest)


def deck_arguments(source) -> dict:
    """Keyword arguments for write_unit_deck / write_portfolio_deck (all but ``path``)."""
    parameters = source.parameters
    _existing(source, "questionnaire", "pass the questionnaire with -q/--questionnaire")
    round_info = parse_round_info(parameters.get("round_label", ""), parameters.get("assessed_on", ""),
                                  where="notebook parameters")
    if source.kind != "unit":  # the portfolio reads the questionnaire itself
        portfolio = load_portfolio(parameters.get("scores_dir", ""), parameters.get("answers", ""),
                                   parameters["questionnaire"], parameters.get("targets", ""))
        return {"units": portfolio.units, "questionnaire": portfolio.questionnaire, "settings": source.settings,
                "round_info": round_info}
    questionnaire = _questionnaire_at(resolve_input(parameters["questionnaire"]))
    unit = unit_scores(source.path, parameters)
    roadmap = parameters.get("roadmap") or ""
    for name in ("roadmap", "previous_scores"):
        if parameters.get(name):
            _existing(source, name, "run the unit again with its answers to include it")
    return {"unit": unit, "questionnaire": questionnaire, "settings": source.settings, "round_info": round_info,
            "roadmap": load_roadmap(resolve_input(roadmap), questionnaire) if roadmap else None,
            "previous": load_previous_unit(parameters.get("previous_scores") or "", unit["business_unit"],
                                           questionnaire)}
