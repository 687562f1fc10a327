"""The batch manifest: a content key per unit and for the portfolio, so a rerun redoes only what failed or changed.

A unit's key hashes what its report depends on: its own answer rows (not the whole file, so a fix
in one unit of a shared file reruns only that unit), the questionnaire file, the targets that apply
to it, the notebook, the pmo-assess version, and the report options (formats, anonymity, the
settings file's content, the unit's roadmap, the round and the previous round's scores). A unit is skipped when its last run succeeded
with the same key and its published files are all still there.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmo_assess import __version__
from pmo_assess.io.answers import COLUMNS
from pmo_assess.io.files import atomic_write_text
from pmo_assess.io.targets import Targets

SCHEMA = "pmo-assess/batch-manifest@1"
FILE_NAME = "manifest.json"


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def rows_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a unit's answer rows (canonical columns, in order; file and row numbers left out)."""
    text = frame[list(COLUMNS)].astype(str)
    return hashlib.sha256(pd.util.hash_pandas_object(text, index=False).to_numpy().tobytes()).hexdigest()


def targets_text(targets: Targets | None, unit: str) -> str:
    """The targets that can apply to one unit, as stable text."""
    if targets is None:
        return ""
    return repr((targets.default, targets.units.get(unit)))


def optional_file_hash(path: Path | str | None) -> str:
    """:func:`file_hash` of a file that may not be given (``""`` for none)."""
    return file_hash(Path(path)) if path else ""


def unit_key(rows: str, questionnaire: str, targets: str, notebook: str, options: dict | None = None) -> str:
    """The content key of one unit's report; ``options`` (JSON-able) are the report options that change it."""
    parts = {"rows": rows, "questionnaire": questionnaire, "targets": targets, "notebook": notebook,
             "version": __version__}
    if options is not None:
        parts["options"] = options
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def portfolio_key(score_files: list[Path], questionnaire: str, notebook: str, options: dict | None = None) -> str:
    """The content key of the portfolio: every unit's published scores, the questionnaire, the notebook, options."""
    parts = {"scores": [file_hash(p) for p in sorted(score_files)], "questionnaire": questionnaire,
             "notebook": notebook, "version": __version__}
    if options is not None:
        parts["options"] = options
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


#: Characters JSON may hold raw in strings but which break terminals and editors (DEL, C1 controls, U+2028/9).
_RAW_CONTROLS = re.compile("[\u007f-\u009f\u2028\u2029]")


def json_text(data: dict) -> str:
    """Readable JSON (non-ASCII letters kept) in which no control character appears raw: all are ``\\uXXXX``."""
    text = json.dumps(data, indent=1, ensure_ascii=False)  # escapes U+0000-U+001F itself
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


@dataclass
class Manifest:
    """What the last runs produced, per unit (by name) and for the portfolio; saved after every change."""

    path: Path
    units: dict[str, dict] = field(default_factory=dict)
    portfolio: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, out: Path) -> "Manifest":
        """The manifest in ``out``, or an empty one (also if unreadable: everything is then redone)."""
        path = out / FILE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return cls(path)
        return cls(path, dict(data.get("units") or {}), dict(data.get("portfolio") or {}))

    def slugs(self) -> dict[str, str]:
        """Folder name of every unit a previous run published or tried."""
        return {name: entry["slug"] for name, entry in self.units.items() if entry.get("slug")}

    def is_current(self, entry: dict, key: str, files: list[Path]) -> bool:
        """Did the last run of this entry succeed with this key, and are its files still there?"""
        return entry.get("status") == "ok" and entry.get("key") == key and all(f.exists() for f in files)

    def record_unit(self, unit: str, entry: dict) -> None:
        with self.lock:
            self.units[unit] = entry
            self._save()

    def record_portfolio(self, entry: dict) -> None:
        with self.lock:
            self.portfolio = entry
            self._save()

    def _save(self) -> None:
        data = {"schema": SCHEMA, "units": self.units, "portfolio": self.portfolio}
        atomic_write_text(self.path, json_text(data))
