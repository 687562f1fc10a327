"""Where a batch's round lives in the output folder, its ``round.json``, and the previous round of a unit.

With ``--round LABEL`` the whole output goes to ``OUT/rounds/LABEL/``; without, to ``OUT`` as
before. Either folder holds ``round.json`` (schema ``pmo-assess/round@1``: label, assessed_on,
questionnaire id and version, the pmo-assess version that wrote it). A rerun of a round keeps its
assessment date: a different ``--assessed-on`` is refused (exit 2, both dates named), and no
``--assessed-on`` means the date already recorded. A unit's previous round is the round under
``OUT/rounds/`` with the latest assessment date before this one that has the unit's scores.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from pmo_assess import __version__
from pmo_assess.batch.manifest import FILE_NAME as MANIFEST_FILE
from pmo_assess.batch.manifest import json_text
from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import atomic_write_text
from pmo_assess.model import Questionnaire
from pmo_assess.rounds.round_info import RoundInfo, round_info_from_json

SCHEMA = "pmo-assess/round@1"
FILE_NAME = "round.json"
ROUNDS = "rounds"


def round_folder(out: Path, info: RoundInfo) -> Path:
    """``OUT/rounds/LABEL`` for a labelled round, ``OUT`` otherwise."""
    return out / ROUNDS / info.label if info.label else out


def read_round_file(path: Path) -> RoundInfo | None:
    """The round recorded in ``path`` (None if there is none); InputErrors if it is broken or from a newer schema."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputErrors([InputProblem(str(path), "", f"cannot be read as JSON ({exc}); fix or delete it")]) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if isinstance(schema, str) and schema.startswith("pmo-assess/round@") and schema != SCHEMA:
        raise InputErrors([InputProblem(str(path), "schema", f"{schema} was written by a newer pmo-assess than this "
                                        f"one ({__version__}, which reads {SCHEMA}); upgrade pmo-assess")])
    info = round_info_from_json(data) if schema == SCHEMA else None
    if info is None:
        raise InputErrors([InputProblem(str(path), "", f"is not a {SCHEMA} file with a label and an assessed_on "
                                        "date (YYYY-MM-DD); fix or delete it")])
    return info


def settle_round(folder: Path, info: RoundInfo, date_given: bool) -> RoundInfo:
    """The round this batch writes into ``folder``: ``info``, or the date recorded by an earlier run of it.

    A different date given explicitly (``date_given``) for a round that has one is refused."""
    recorded = read_round_file(folder / FILE_NAME)
    if recorded is None or recorded.assessed_on == info.assessed_on:
        return info
    if date_given:
        name = f"round {info.label}" if info.label else f"the output folder {folder}"
        raise InputErrors([InputProblem(str(folder / FILE_NAME), "--assessed-on",
                                        f"{name} was assessed on {recorded.assessed_on.isoformat()}, not "
                                        f"{info.assessed_on.isoformat()}; use another --round label for a new "
                                        "assessment, or leave --assessed-on out to rerun this one")])
    return RoundInfo(info.label, recorded.assessed_on)


def write_round_file(folder: Path, info: RoundInfo, questionnaire: Questionnaire) -> None:
    """``round.json`` in ``folder`` (atomic)."""
    data = {"schema": SCHEMA, **info.to_json(),
            "questionnaire": {"id": questionnaire.id, "version": questionnaire.version},
            "written_by": f"pmo-assess {__version__}"}
    atomic_write_text(folder / FILE_NAME, json_text(data))


@dataclass(frozen=True)
class EarlierRound:
    """A round before this one: its folder, date, and the folder name of each unit it has (from its manifest)."""

    folder: Path
    assessed_on: dt.date
    slugs: dict[str, str]

    def scores(self, unit: str, slug: str) -> Path | None:
        """The unit's scores.json in this round, if it has one."""
        path = self.folder / "units" / self.slugs.get(unit, slug) / "scores.json"
        return path if path.is_file() else None


def earlier_rounds(out: Path, this: Path, info: RoundInfo) -> list[EarlierRound]:
    """Rounds under ``OUT/rounds/`` assessed before ``info``, latest first (``this`` round's folder left out)."""
    found = []
    parent = out / ROUNDS
    for folder in sorted(parent.iterdir()) if parent.is_dir() else ():
        if folder.resolve() == this.resolve() or not folder.is_dir():
            continue
        recorded = read_round_file(folder / FILE_NAME)
        if recorded is not None and recorded.assessed_on < info.assessed_on:
            found.append(EarlierRound(folder, recorded.assessed_on, _manifest_slugs(folder)))
    return sorted(found, key=lambda r: r.assessed_on, reverse=True)


def _manifest_slugs(folder: Path) -> dict[str, str]:
    try:
        units = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")).get("units") or {}
        return {name: entry["slug"] for name, entry in units.items() if isinstance(entry, dict) and entry.get("slug")}
    except (OSError, ValueError, AttributeError):
        return {}


def previous_scores(rounds: list[EarlierRound], unit: str, slug: str) -> Path | None:
    """The unit's scores.json in the latest earlier round that has one."""
    return next((path for r in rounds if (path := r.scores(unit, slug)) is not None), None)


def previous_units_folder(rounds: list[EarlierRound]) -> Path | None:
    """The latest earlier round's units/ folder that holds any scores (for the portfolio)."""
    return next((r.folder / "units" for r in rounds if any((r.folder / "units").glob("*/scores.json"))), None)
