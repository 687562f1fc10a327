"""``plan --refresh``: re-derive what pmo-assess wrote in plan.yaml, keep every edit of the PMO head.

At drafting, each generated text gets a fingerprint in ``drafted_from.generated``. On refresh a value
whose fingerprint still matches was never touched, so it is replaced by a fresh draft's value; one
that differs was edited and stays byte for byte. List entries are matched by what they are about
(an objective by its capability, a KPI or service by its id, a risk by its text); untouched entries
the fresh draft no longer has are removed, edited ones kept, new ones added, and an entry the PMO
head deleted is not added back. A section the plan lacks (drafted by an earlier pmo-assess) is added at
the draft's place. Only what a refresh wrote gets a fingerprint: an entry of the PMO head's own stays theirs on
every later refresh. A new draft entry that the PMO head's own entry already covers under another key (a group
'sponsor' for 'sponsors', a KPI on a measure level the plan has) is named as a suggestion, not added. The PMO
head's records (``context``, ``co_creation``, ``sign_off``, ``pmo_type.chosen``)
are never re-derived. Every step is named in the :class:`RefreshReport`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq

SCALARS = ("purpose", "mandate", "pmo_type.recommended", "pmo_type.aim", "pmo_type.reason", "pmo_type.evolution",
           "scope.served", "scope.in", "scope.out", "funding.model", "funding.reason", "financials.horizon_years",
           "reassessment.date", "reassessment.scope")
#: Sections whose entries are matched by an id field (else by the hash of their text field).
KEYED = {"objectives": "capabilities", "kpis": "id", "services": "id", "staffing": "role",
         "value_propositions": "stakeholder", "communication": "audience"}
BY_TEXT = {"change_management": "action", "risks": "risk"}
BENEFITS = "financials.benefits"
SECTIONS = ("objectives", "kpis", "services", "staffing", "value_propositions", "change_management",
            "communication", "risks", BENEFITS)
_OBJECTIVE_ID = re.compile(r"^(\S+?):\s")


def fingerprint(value: Any) -> str:
    """A short letters-only digest of a value (letters, so YAML never reads it as a number or boolean)."""
    digest = hashlib.sha256(json.dumps(_plain(value), sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return "".join(chr(97 + int(c, 16)) for c in digest[:7])


def field_print(value: Any) -> str:
    """A field's fingerprint; '' for an empty field (null, '', []), which is not recorded at all."""
    return "" if value is None or value == "" or value == [] else fingerprint(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def _get(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _parent(document: CommentedMap, path: str) -> tuple[Any, str]:
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return node, last


def _identity(section: str, node: Any, objective_caps: dict[str, str]) -> str | None:
    """What an entry is about, as a YAML-safe key; None when it cannot be told (then it is the PMO head's own)."""
    if not isinstance(node, dict):
        return None
    if section in KEYED:
        value = node.get(KEYED[section])
        if section == "objectives":
            value = value[0] if isinstance(value, list) and len(value) == 1 else None
        return str(value) if value not in (None, "") and not isinstance(value, (dict, list)) else None
    if section == BENEFITS:
        found = _OBJECTIVE_ID.match(str(node.get("item", "")))
        return objective_caps.get(found.group(1)) if found else None
    text = node.get(BY_TEXT[section])
    return fingerprint(text) if text not in (None, "") else None


def _objective_caps(document: Any) -> dict[str, str]:
    """Objective id → its single capability, for matching benefit lines to objectives."""
    caps = {}
    for node in _get(document, "objectives") or []:
        if isinstance(node, dict) and isinstance(node.get("capabilities"), list) and len(node["capabilities"]) == 1:
            caps[str(node.get("id"))] = str(node["capabilities"][0])
    return caps


def _entries(document: Any, section: str) -> list:
    value = _get(document, section)
    return value if isinstance(value, list) else []


def fingerprints(draft: CommentedMap) -> CommentedMap:
    """The ``generated:`` mapping of a fresh draft: a fingerprint per scalar text and per field of each entry."""
    generated = CommentedMap((path, field_print(_get(draft, path))) for path in SCALARS
                             if field_print(_get(draft, path)))
    caps = _objective_caps(draft)
    for section in SECTIONS:
        entries = CommentedMap()
        for node in _entries(draft, section):
            key = _identity(section, node, caps)
            if key is not None:
                fields = CommentedMap((k, field_print(v)) for k, v in node.items() if field_print(v))
                fields.fa.set_flow_style()
                entries[key] = fields
        generated[section] = entries
    return generated


@dataclass
class RefreshReport:
    """What a refresh did: texts re-derived, edits kept, entries added or removed, deletions respected."""

    rederived: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    not_readded: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the file's content changes (kept edits alone change nothing)."""
        return bool(self.rederived or self.added or self.removed or self.replaced)

    def lines(self) -> list[str]:
        groups = (("re-derived (never edited)", self.rederived), ("kept as you edited it", self.kept),
                  ("added", self.added), ("removed (untouched, no longer derived)", self.removed),
                  ("not added back (you removed or rewrote it)", self.not_readded),
                  ("replaced by the --context answers", self.replaced),
                  ("suggested, not added (your plan already covers it)", self.covered))
        return [f"{title}: {', '.join(_grouped(items))}" for title, items in groups if items]


def _grouped(labels: list[str]) -> list[str]:
    """Labels as given, except that more than three entries of one text-keyed section become a count."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label.split("[", 1)[0]] = counts.get(label.split("[", 1)[0], 0) + 1
    shown, done = [], set()
    for label in labels:
        section = label.split("[", 1)[0]
        if section in BY_TEXT and counts[section] > 3:
            if section not in done:
                shown.append(f"{counts[section]} {section} entries")
                done.add(section)
        else:
            shown.append(label)
    return shown


def _label(section: str, key: str, node: dict) -> str:
    if section in BY_TEXT:
        text = str(node.get(BY_TEXT[section], ""))
        return f"{section}['{text[:50]}{'…' if len(text) > 50 else ''}']"
    return f"{section}[{key}]"


def _remap_objective_ids(document: CommentedMap, draft: CommentedMap, recorded: dict) -> None:
    """Give the fresh draft's objectives the ids they already have in plan.yaml (new ones the next free OBJ-n).

    A benefit line drafted for an objective of the PMO head's own (one pmo-assess has no record of) quotes
    that objective's text from plan.yaml, not the draft's: the id means what the PMO head wrote."""
    existing = {cap: oid for oid, cap in _objective_caps(document).items()}
    own_text = {str(n.get("id")): n.get("objective") for n in _entries(document, "objectives")
                if isinstance(n, dict) and _identity("objectives", n, {}) not in (recorded.get("objectives") or {})
                and n.get("objective") not in (None, "")}
    used = {str(n.get("id")) for n in _entries(document, "objectives") if isinstance(n, dict)}
    mapping, number = {}, 1
    for node in _entries(draft, "objectives"):
        cap = _identity("objectives", node, {})
        new_id = existing.get(cap)
        if new_id is None:
            while f"OBJ-{number}" in used:
                number += 1
            new_id = f"OBJ-{number}"
            used.add(new_id)
        mapping[str(node["id"])] = new_id
    for node in _entries(draft, "objectives"):
        node["id"] = mapping[str(node["id"])]
    for node in _entries(draft, BENEFITS):
        found = _OBJECTIVE_ID.match(str(node.get("item", "")))
        if found and found.group(1) in mapping:
            new_id = mapping[found.group(1)]
            text = f": {own_text[new_id]}" if new_id in own_text else str(node["item"])[found.end(1):]
            node["item"] = new_id + text


def _add_missing_sections(document: CommentedMap, draft: CommentedMap, report: RefreshReport) -> None:
    """Top-level sections of the draft the plan lacks (drafted by an earlier pmo-assess) go in at the draft's place."""
    keys = list(draft.keys())
    for n, key in enumerate(keys):
        if key in document or key == "drafted_from":
            continue
        before = next((k for k in reversed(keys[:n]) if k in document), None)
        position = list(document.keys()).index(before) + 1 if before is not None else 0
        document.insert(position, key, draft[key])
        report.added.append(f"{key} (a section this plan did not have)")


def _merge_scalars(document: CommentedMap, draft: CommentedMap, recorded: dict, report: RefreshReport) -> None:
    for path in SCALARS:
        current, fresh = _get(document, path), _get(draft, path)
        if fingerprint(current) == fingerprint(fresh):
            continue
        parent, key = _parent(document, path)
        if isinstance(parent, dict) and key not in parent:  # a field an earlier pmo-assess did not draft
            parent[key] = fresh
            report.added.append(path)
            continue
        untouched = bool(recorded) and recorded.get(path, "") == field_print(current)  # no record: all yours
        if untouched and isinstance(parent, dict):
            parent[key] = fresh
            report.rederived.append(path)
        else:
            report.kept.append(path)


def _merge_entry(section: str, key: str, node: dict, fresh: dict, recorded: dict, report: RefreshReport) -> None:
    for name, value in fresh.items():
        if fingerprint(node.get(name)) == fingerprint(value):
            continue
        if name not in node and name in recorded:  # a field the PMO head removed is not added back
            report.not_readded.append(f"{_label(section, key, node)}.{name}")
        elif name not in node or recorded.get(name, "") == field_print(node.get(name)):
            node[name] = value
            report.rederived.append(f"{_label(section, key, node)}.{name}")
        elif value not in (None, ""):  # a field the draft leaves to the PMO head (money, owner) is not news
            report.kept.append(f"{_label(section, key, node)}.{name}")


def _role(text: Any) -> str:
    """A stakeholder group or audience, lowercased and singular word by word: 'Sponsors' ~ 'sponsor'."""
    words = re.split(r"[\s_-]+", str(text or "").lower().strip())
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w)


def _roles(document: Any, section: str, node: dict) -> set[str]:
    """The names a value proposition or communication entry goes by (a group's id and its name)."""
    if section == "value_propositions":
        names = {node.get("stakeholder"), node.get("name")}
    else:
        audience = node.get("audience")
        names = {audience} | {vp.get("stakeholder") for vp in _entries(document, "value_propositions")
                              if isinstance(vp, dict) and audience and vp.get("name") == audience}
    return {_role(n) for n in names if n not in (None, "") and not isinstance(n, (dict, list))} - {""}


def _covered_by(document: Any, draft: Any, section: str, node: dict, others: list) -> str:
    """Why a new draft entry is only a suggestion: the PMO head's own entry (under another key) covers it."""
    if section == "kpis":
        kpi_id = node.get("id")
        wanted = any(isinstance(o, dict) and (o.get("measure") == kpi_id or kpi_id in (o.get("measured_by") or []))
                     for o in _entries(document, "objectives"))
        level = node.get("measure_level")
        mine = [o for o in others if isinstance(o, dict) and o.get("measure_level") == level and level is not None]
        return "" if wanted or not mine else f"measure level {level} already has kpis[{mine[0].get('id')}]"
    if section in ("value_propositions", "communication"):
        roles = _roles(draft, section, node)
        for other in others:
            if isinstance(other, dict) and roles & _roles(document, section, other):
                return f"you have {section}[{other.get(KEYED[section])}]"
    return ""


def _merge_section(document: CommentedMap, draft: CommentedMap, section: str, recorded: dict,
                   caps_now: dict[str, str], report: RefreshReport) -> dict:
    """Merge one list section in place; returns the fingerprints to record for it (None: the fresh draft's).

    Only entries pmo-assess wrote get a record: an entry of the PMO head's own (one with no record) stays
    unrecorded, so no later refresh takes it for an untouched one."""
    entries = _get(document, section)
    if not isinstance(entries, list):
        parent, name = _parent(document, section)
        if not isinstance(parent, dict):
            return {}
        entries = parent[name] = CommentedSeq()
    caps_fresh = _objective_caps(draft)
    fresh = {}
    for node in _entries(draft, section):
        key = _identity(section, node, caps_fresh)
        if key is not None:
            fresh.setdefault(key, node)
    seen, keep_records = set(), {}
    for node in list(entries):
        key = _identity(section, node, caps_now)
        if key is None or key not in recorded or key in seen:
            continue  # the PMO head's own entry
        seen.add(key)
        record = recorded[key] if isinstance(recorded[key], dict) else {}
        edited = [k for k, v in node.items() if record.get(k, "") != field_print(v)]
        if key in fresh:
            _merge_entry(section, key, node, fresh[key], record, report)
            keep_records[key] = None
        elif not edited:
            entries.remove(node)
            report.removed.append(_label(section, key, node))
        else:
            keep_records[key] = record
            report.kept.append(f"{_label(section, key, node)} (edited {', '.join(edited)}; no longer derived)")
    for key, node in fresh.items():
        if key in seen or key in {_identity(section, n, caps_now) for n in entries}:
            continue
        if key in recorded:
            keep_records[key] = recorded[key]
            report.not_readded.append(_label(section, key, node))
            continue
        covered = _covered_by(document, draft, section, node, [n for n in entries if
                                                               _identity(section, n, caps_now) not in fresh])
        if covered:
            report.covered.append(f"{_label(section, key, node)} ({covered})")
            continue
        entries.append(node)
        keep_records[key] = None
        report.added.append(_label(section, key, node))
    return keep_records


def refresh_plan(document: CommentedMap, draft: CommentedMap, recorded: Any,
                 make_record: Callable[[CommentedMap], CommentedMap]) -> tuple[RefreshReport, CommentedMap]:
    """Merge a fresh ``draft`` into the plan ``document`` in place; returns the report and the new fingerprints.

    ``recorded`` is the ``drafted_from.generated`` mapping of the plan (empty for a plan drafted before
    fingerprints existed: then every existing text counts as the PMO head's and only new entries are added).
    """
    recorded = recorded if isinstance(recorded, dict) else {}
    report = RefreshReport()
    _remap_objective_ids(document, draft, recorded)
    caps_now = _objective_caps(document)  # before objectives change: benefit lines follow their objective
    had = set(document.keys())
    _add_missing_sections(document, draft, report)
    new_sections = set(document.keys()) - had  # wholly the draft's: all of it is recorded
    _merge_scalars(document, draft, recorded, report)
    kept = {section: _merge_section(document, draft, section, recorded.get(section) or {}, caps_now, report)
            for section in SECTIONS}
    fresh_records = make_record(draft)
    written = set(report.rederived) | set(report.added)
    generated = CommentedMap((path, value) for path, value in fresh_records.items() if path not in SECTIONS and (
        path in recorded or path in written or path.split(".")[0] in new_sections))
    for section, records in kept.items():  # only what pmo-assess wrote: the PMO head's own entries get no record
        if section.split(".")[0] in new_sections:
            generated[section] = fresh_records[section]
            continue
        generated[section] = CommentedMap(
            (key, fresh_records[section].get(key) if record is None else record) for key, record in records.items()
            if record is not None or key in fresh_records[section])
    return report, generated
