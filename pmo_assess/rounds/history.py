"""A history of assessment rounds read from disk, checked before anything is compared.

What is read (see :func:`find_round_sources`): a history folder ``OUT`` as ``pmo-assess batch --round``
writes it (``OUT/rounds/<label>/round.json`` + ``units/<slug>/scores.json``; ``OUT`` itself is a round
when it holds ``round.json`` or ``units/``), a single round folder, or ``scores.json`` files whose
``round`` key says which round they belong to. Sources naming the same round are merged; the same
unit twice in one round with different scores, one label with two dates, a date in the future, or a
file written by a newer pmo-assess are input problems (exit 2), all listed together.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.rounds.round_info import RoundInfo, round_info_from_json

ROUND_SCHEMA = "pmo-assess/round@1"
SCORES_SCHEMA = "pmo-assess/scores@1"


@dataclass
class Round:
    """One round: when, which questionnaire and scoring method, and each unit's scores@1 entry."""

    info: RoundInfo
    questionnaire: tuple[str, str]
    method: dict
    sources: list[str] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    unit_files: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.info.name


@dataclass(frozen=True)
class History:
    """Rounds in date order (then label), and every file that was read (never to be written over)."""

    rounds: tuple[Round, ...]
    files: tuple[str, ...]
    folders: tuple[str, ...] = ()  # the round folders read (a batch writes more than scores there)

    @property
    def units(self) -> list[str]:
        """Every unit assessed in any round, in the order first seen."""
        return list(dict.fromkeys(u for r in self.rounds for u in r.units))


def _schema_problem(path: Path, schema: object, expected: str) -> InputProblem | None:
    """None when ``schema`` is ``expected``; otherwise what is wrong (a newer version is named as such)."""
    if schema == expected:
        return None
    family = expected.rsplit("@", 1)[0]
    if isinstance(schema, str) and schema.startswith(family + "@"):
        version = schema.rsplit("@", 1)[1]
        if version.isdigit() and int(version) > int(expected.rsplit("@", 1)[1]):
            return InputProblem(str(path), "schema", f"was written by a newer pmo-assess ({schema}); this version "
                                                     f"reads {expected}: upgrade pmo-assess to compare it")
    return InputProblem(str(path), "schema", f"is not a {expected} file (schema {schema!r})")


def _read_json(path: Path, problems: list[InputProblem]) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(InputProblem(str(path), "", f"cannot be read as JSON: {exc}"))
        return None
    if not isinstance(data, dict):
        problems.append(InputProblem(str(path), "", "must hold a JSON object"))
        return None
    return data


def find_round_sources(paths: Iterable[str | Path]) -> list[tuple[Path | None, list[Path]]]:
    """(round.json or None, its scores.json files) for every round under the paths given.

    A folder with ``rounds/`` holds one round per sub-folder (and is a round itself when it has
    ``round.json`` or ``units/``); any other folder is one round; a file is a scores.json of its own.
    """
    found: list[tuple[Path | None, list[Path]]] = []
    problems = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.append((None, [path]))
        elif not path.is_dir():
            problems.append(InputProblem(str(path), "", "not found (give a history folder, a round folder or a "
                                                        "scores.json file)"))
        else:
            folders = sorted(p for p in (path / "rounds").glob("*") if p.is_dir() and not p.name.startswith("."))
            if not folders or (path / "round.json").is_file() or (path / "units").is_dir():
                folders.append(path)
            for folder in folders:
                files = sorted(p for p in folder.glob("units/*/scores.json") if not p.parent.name.startswith("."))
                if not files and (folder / "scores.json").is_file():
                    files = [folder / "scores.json"]
                if not files:
                    problems.append(InputProblem(str(folder), "", "holds no units/<unit>/scores.json: not a round "
                                                                  "folder written by pmo-assess batch"))
                    continue
                found.append(((folder / "round.json") if (folder / "round.json").is_file() else None, files))
    if problems:
        raise InputErrors(problems)
    return found


def _round_of_folder(path: Path, problems: list[InputProblem]) -> tuple[RoundInfo, dict] | None:
    data = _read_json(path, problems)
    if data is None:
        return None
    wrong = _schema_problem(path, data.get("schema"), ROUND_SCHEMA)
    if wrong:
        problems.append(wrong)
        return None
    info = round_info_from_json(data)
    if info is None:
        problems.append(InputProblem(str(path), "assessed_on", "missing or not a YYYY-MM-DD date"))
        return None
    return info, data


def _check_date(info: RoundInfo, path: Path, today: dt.date, problems: list[InputProblem]) -> bool:
    if info.assessed_on > today:
        problems.append(InputProblem(str(path), "round.assessed_on", f"{info.assessed_on.isoformat()} is in the "
                                     f"future (today is {today.isoformat()}); a round is dated when it was assessed"))
        return False
    return True


def _method_of(data: dict) -> dict:
    """How a scores file was scored: its ``method`` object, else the older ``scoring`` object."""
    method = data.get("method") if isinstance(data.get("method"), dict) else data.get("scoring")
    if not isinstance(method, dict):
        return {}
    return {"method": method.get("method"), "thresholds": list(method.get("thresholds") or []),
            "dispute_range": method.get("dispute_range")}


class _Builder:
    """Collects rounds by name, merging sources of the same round and naming every conflict."""

    def __init__(self, today: dt.date):
        self.today = today
        self.rounds: dict[str, Round] = {}
        self.first_source: dict[str, str] = {}
        self.problems: list[InputProblem] = []

    def add_file(self, path: Path, folder_round: tuple[RoundInfo, dict] | None, round_file: Path | None) -> None:
        data = _read_json(path, self.problems)
        if data is None:
            return
        wrong = _schema_problem(path, data.get("schema"), SCORES_SCHEMA)
        if wrong:
            self.problems.append(wrong)
            return
        own = round_info_from_json(data.get("round"))
        if folder_round is not None:
            info, _ = folder_round
            if own is not None and own != info:
                self.problems.append(InputProblem(str(path), "round", f"says round {own.name} ({own.assessed_on}) "
                                                  f"but {round_file} says {info.name} ({info.assessed_on})"))
                return
        elif own is None:
            self.problems.append(InputProblem(str(path), "round", "has no round (it was scored before rounds "
                                              "existed): score it again with --round and --assessed-on, or put it "
                                              "in a round folder with round.json"))
            return
        else:
            info = own
            if not _check_date(info, path, self.today, self.problems):
                return
        questionnaire = data.get("questionnaire") if isinstance(data.get("questionnaire"), dict) else {}
        ident = (str(questionnaire.get("id")), str(questionnaire.get("version")))
        self._merge(info, ident, _method_of(data), path, data.get("units"))

    def _merge(self, info: RoundInfo, questionnaire: tuple[str, str], method: dict, path: Path, units: object) -> None:
        key = info.label or info.assessed_on.isoformat()
        existing = self.rounds.get(key)
        if existing is None:
            existing = self.rounds[key] = Round(info, questionnaire, method)
            self.first_source[key] = str(path)
        elif existing.info.assessed_on != info.assessed_on:
            self.problems.append(InputProblem(str(path), "round", (
                f"round {key} is dated {info.assessed_on} here but {existing.info.assessed_on} in "
                f"{self.first_source[key]}: two rounds cannot share a label")))
            return
        elif (existing.questionnaire, existing.method) != (questionnaire, method):
            self.problems.append(InputProblem(str(path), "questionnaire", (
                f"round {key} was scored with {questionnaire[0]} {questionnaire[1]} ({method.get('method')}) here but "
                f"{existing.questionnaire[0]} {existing.questionnaire[1]} ({existing.method.get('method')}) in "
                f"{self.first_source[key]}: one round has one questionnaire and method")))
            return
        existing.sources.append(str(path))
        for unit in units if isinstance(units, list) else []:
            if not isinstance(unit, dict) or not isinstance(unit.get("business_unit"), str):
                self.problems.append(InputProblem(str(path), "units", "a unit without business_unit"))
                continue
            name = unit["business_unit"]
            earlier = existing.units.get(name)
            if earlier is not None and earlier != unit:
                self.problems.append(InputProblem(str(path), f"units[{name!r}]", (
                    f"round {key} already has different scores for {name} in {existing.unit_files[name]}: "
                    "the same round and unit cannot have two sets of scores")))
            elif earlier is None:
                existing.units[name] = unit
                existing.unit_files[name] = str(path)


def _round_folder(round_file: Path | None, files: list[Path], given: set[Path]) -> Path | None:
    """The folder a round was read from: round.json's, the one above units/<slug>/, or the folder holding
    scores.json; None for a scores.json given on its own outside any units/ folder."""
    if round_file is not None:
        return round_file.parent
    first = files[0]
    if first.parent.parent.name == "units":
        return first.parents[2]
    return None if first in given else first.parent


def output_problems(out: str | Path, option: str, paths: Iterable[str | Path], history: History
                    ) -> list[InputProblem]:
    """Why ``out`` must not be written: inside a round folder of the history, or an existing file under a
    history folder given (a batch's manifest, reports, ...); empty when it may be written."""
    target = Path(out).resolve()
    for folder in history.folders:
        if target.is_relative_to(Path(folder).resolve()):
            return [InputProblem(str(out), option, f"is inside the round folder {folder} of the history read; "
                                 "writing there could replace what the batch wrote. Choose a file outside the "
                                 "round folders")]
    if target.exists():
        for given in paths:
            if Path(given).is_dir() and target.is_relative_to(Path(given).resolve()):
                return [InputProblem(str(out), option, f"is a file of the history {given}; writing there would "
                                     "replace it. Choose another output file")]
    return []


def read_history(paths: Iterable[str | Path], today: dt.date | None = None) -> History:
    """Every round under ``paths`` (see the module docstring), in date order; InputErrors lists all problems."""
    paths = list(paths)
    today = today or dt.date.today()
    builder = _Builder(today)
    files: list[str] = []
    folders: list[str] = []
    given = {Path(p) for p in paths}
    for round_file, score_files in find_round_sources(paths):
        folder = _round_folder(round_file, score_files, given)
        if folder is not None:
            folders.append(str(folder))
        folder_round = None
        if round_file is not None:
            files.append(str(round_file))
            folder_round = _round_of_folder(round_file, builder.problems)
            if folder_round is None or not _check_date(folder_round[0], round_file, today, builder.problems):
                continue
        for path in score_files:
            files.append(str(path))
            builder.add_file(path, folder_round, round_file)
    if builder.problems:
        raise InputErrors(builder.problems)
    rounds = sorted(builder.rounds.values(), key=lambda r: (r.info.assessed_on, r.info.label or ""))
    if not rounds:
        raise InputErrors([InputProblem(", ".join(map(str, paths)), "", "no rounds found")])
    return History(tuple(rounds), tuple(dict.fromkeys(files)), tuple(dict.fromkeys(folders)))
