"""Read a questionnaire YAML file into :class:`~pmo_assess.model.Questionnaire`, listing every problem."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pmo_assess.errors import InputErrors, ProblemCollector
from pmo_assess.sanitize import control_character_problem
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import (
    DEFAULT_DISPUTE_RANGE,
    DEFAULT_THRESHOLDS,
    SCORING_METHODS,
    Capability,
    Dimension,
    Level,
    Question,
    Questionnaire,
    Role,
    Scoring,
)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Checker:
    """Walks the parsed YAML, recording problems with a key path and line number."""

    def __init__(self, file: str):
        self.problems = ProblemCollector(file)

    def place(self, path: str, node: Any, key: Any = None) -> str:
        line = line_of(node, key)
        return f"{path} (line {line})" if line else path

    def text(self, node: dict, key: str, path: str, required: bool = True) -> str:
        full = f"{path}.{key}" if path else key
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.add(self.place(full, node, key if key in node else None),
                                  "missing or empty")
            return ""
        if isinstance(value, (dict, list)):
            self.problems.add(self.place(full, node, key), "must be text, not a list or mapping")
            return ""
        return str(value).strip()

    def prose(self, node: dict, key: str, path: str) -> str:
        """An optional free-text key ("" when absent); anything but text (a number, a list) is a problem."""
        value = node.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            kind = "a list or mapping" if isinstance(value, (dict, list)) else repr(value)
            self.problems.add(self.place(f"{path}.{key}" if path else key, node, key), f"must be text, not {kind}")
            return ""
        return value.strip()

    def weight(self, node: dict, path: str) -> float:
        value = node.get("weight", 1)
        if not is_number(value) or value <= 0:
            self.problems.add(self.place(f"{path}.weight", node, "weight"),
                              f"weight must be a positive number, got {value!r}")
            return 1.0
        return float(value)

    def items(self, node: dict, key: str, path: str) -> list:
        value = node.get(key)
        full = f"{path}.{key}" if path else key
        if value is None:
            self.problems.add(full, "missing: a non-empty list is required")
            return []
        if not isinstance(value, list) or not value:
            self.problems.add(self.place(full, node, key), "must be a non-empty list")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.problems.add(self.place(f"{full}[{i}]", value, i), "must be a mapping")
        return good


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate a questionnaire; raises InputErrors listing every problem found."""
    path = Path(path)
    try:
        return _build(path, read_yaml(path, with_lines=False))
    except InputErrors:
        return _build(path, read_yaml(path))  # read again with line numbers for the messages


def _build(path: Path, data: Any) -> Questionnaire:
    check = _Checker(str(path))
    if not isinstance(data, dict):
        check.problems.add("", "a questionnaire must be a YAML mapping with id, version, levels, dimensions")
        check.problems.raise_if_any()

    qid = check.text(data, "id", "")
    version = check.text(data, "version", "")
    title = check.text(data, "title", "", required=False) or qid
    levels = _levels(check, data)
    scoring = _scoring(check, data)
    roles = _roles(check, data)
    guidance = check.prose(data, "guidance", "")
    dimensions = _dimensions(check, data)
    dimensions = _with_evidence_map(check, data, dimensions)
    _check_replaces(check, data, dimensions)
    check.problems.raise_if_any()
    return Questionnaire(id=qid, version=version, title=title, levels=levels,
                         dimensions=dimensions, scoring=scoring, roles=roles, source=str(path),
                         guidance=guidance)


def _levels(check: _Checker, data: dict) -> tuple[Level, ...]:
    items = check.items(data, "levels", "")
    if not items:
        return ()
    if len(data["levels"]) != 4:
        check.problems.add(check.place("levels", data, "levels"),
                           f"exactly four levels are required, found {len(data['levels'])}")
    levels = []
    for i, item in items:
        value = item.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or value != i + 1:
            check.problems.add(check.place(f"levels[{i}].value", item),
                               f"levels must have values 1, 2, 3, 4 in ascending order; expected {i + 1}, got {value!r}")
        name = check.text(item, "name", f"levels[{i}]")
        levels.append(Level(value=i + 1, name=name, description=str(item.get("description") or "")))
    return tuple(levels)


def _scoring(check: _Checker, data: dict) -> Scoring:
    node = data.get("scoring")
    if node is None:
        return Scoring()
    if not isinstance(node, dict):
        check.problems.add(check.place("scoring", data, "scoring"), "must be a mapping")
        return Scoring()
    method = node.get("method", "staged")
    if method not in SCORING_METHODS:
        check.problems.add(check.place("scoring.method", node, "method"),
                           f"method must be one of {', '.join(SCORING_METHODS)}, got {method!r}")
        method = "staged"
    thresholds = node.get("thresholds", list(DEFAULT_THRESHOLDS))
    if (not isinstance(thresholds, list) or len(thresholds) != 3
            or not all(is_number(t) for t in thresholds)):
        check.problems.add(check.place("scoring.thresholds", node, "thresholds"),
                           f"thresholds must be a list of three numbers, got {thresholds!r}")
        thresholds = list(DEFAULT_THRESHOLDS)
    elif not (1 < thresholds[0] < thresholds[1] < thresholds[2] <= 4):
        check.problems.add(check.place("scoring.thresholds", node, "thresholds"),
                           f"thresholds must be strictly ascending inside (1, 4], got {list(thresholds)}")
        thresholds = list(DEFAULT_THRESHOLDS)
    dispute = node.get("dispute_range", DEFAULT_DISPUTE_RANGE)
    if not is_number(dispute) or dispute <= 0:
        check.problems.add(check.place("scoring.dispute_range", node, "dispute_range"),
                           f"dispute_range must be a positive number, got {dispute!r}")
        dispute = DEFAULT_DISPUTE_RANGE
    return Scoring(method=method, thresholds=tuple(float(t) for t in thresholds),
                   dispute_range=float(dispute))


def _roles(check: _Checker, data: dict) -> tuple[Role, ...]:
    if data.get("roles") is None:
        return ()
    roles, seen = [], set()
    for i, item in check.items(data, "roles", ""):
        path = f"roles[{i}]"
        rid = check.text(item, "id", path)
        if message := control_character_problem(rid, "role id"):
            check.problems.add(check.place(f"{path}.id", item, "id"), message)
        if rid in seen:
            check.problems.add(check.place(f"{path}.id", item, "id"), f"duplicate role id {rid!r}")
        seen.add(rid)
        roles.append(Role(id=rid, name=check.text(item, "name", path, required=False) or rid,
                          weight=check.weight(item, path)))
    return tuple(roles)


def _dimensions(check: _Checker, data: dict) -> tuple[Dimension, ...]:
    dimensions = []
    seen: dict[str, str] = {}

    def unique(kind: str, ident: str, path: str, node: dict) -> None:
        if not ident:
            return
        if message := control_character_problem(ident, f"{kind} id"):
            check.problems.add(check.place(f"{path}.id", node, "id"), message)
        key = f"{kind}:{ident}"
        if key in seen:
            check.problems.add(check.place(f"{path}.id", node, "id"),
                               f"duplicate {kind} id {ident!r} (first used at {seen[key]})")
        else:
            seen[key] = path

    for di, dnode in check.items(data, "dimensions", ""):
        dpath = f"dimensions[{di}]"
        did = check.text(dnode, "id", dpath)
        unique("dimension", did, dpath, dnode)
        capabilities = []
        for ci, cnode in check.items(dnode, "capabilities", dpath):
            cpath = f"{dpath}.capabilities[{ci}]"
            cid = check.text(cnode, "id", cpath)
            unique("capability", cid, cpath, cnode)
            questions = []
            for qi, qnode in check.items(cnode, "questions", cpath):
                qpath = f"{cpath}.questions[{qi}]"
                qid = check.text(qnode, "id", qpath)
                unique("question", qid, qpath, qnode)
                questions.append(Question(id=qid, text=check.text(qnode, "text", qpath),
                                          anchors=_anchors(check, qnode, qpath),
                                          weight=check.weight(qnode, qpath),
                                          evidence=check.prose(qnode, "evidence", qpath),
                                          replaces=_replaces(check, qnode, qpath)))
            capabilities.append(Capability(
                id=cid, name=check.text(cnode, "name", cpath, required=False) or cid,
                dimension=did, questions=tuple(questions), weight=check.weight(cnode, cpath),
                description=str(cnode.get("description") or "")))
        dimensions.append(Dimension(id=did, name=check.text(dnode, "name", dpath, required=False) or did,
                                    capabilities=tuple(capabilities), weight=check.weight(dnode, dpath)))
    return tuple(dimensions)


def _anchors(check: _Checker, qnode: dict, qpath: str) -> dict[int, str]:
    node = qnode.get("anchors")
    if not isinstance(node, dict):
        check.problems.add(check.place(f"{qpath}.anchors", qnode, "anchors" if node is not None else None),
                           "anchors for levels 1, 2, 3 and 4 are required")
        return {}
    anchors: dict[int, str] = {}
    for key, text in node.items():
        try:
            level = int(str(key))
        except ValueError:
            level = 0
        if level not in (1, 2, 3, 4):
            check.problems.add(check.place(f"{qpath}.anchors.{key}", node, key),
                               f"anchor keys must be levels 1-4, got {key!r}")
        elif text is None or not str(text).strip():
            check.problems.add(check.place(f"{qpath}.anchors.{key}", node, key),
                               f"anchor for level {level} is empty")
        else:
            anchors[level] = str(text).strip()
    missing = [lv for lv in (1, 2, 3, 4) if lv not in anchors and lv not in
               {int(str(k)) for k in node if str(k).isdigit()}]
    if missing:
        check.problems.add(check.place(f"{qpath}.anchors", qnode, "anchors"),
                           f"missing anchor for level {', '.join(map(str, missing))}")
    return anchors


def _replaces(check: _Checker, qnode: dict, qpath: str) -> tuple[str, ...]:
    """The older question ids a question continues: a list of ids, () when the key is absent."""
    node = qnode.get("replaces")
    if node is None:
        return ()
    place = check.place(f"{qpath}.replaces", qnode, "replaces")
    if not isinstance(node, list) or not node:
        check.problems.add(place, f"must be a non-empty list of older question ids, e.g. [GOV-MEA-3], got {node!r}")
        return ()
    ids = []
    for i, item in enumerate(node):
        if not isinstance(item, str) or not item.strip():
            check.problems.add(check.place(f"{qpath}.replaces[{i}]", node, i),
                               f"must be a question id (text), got {item!r}")
        elif item.strip() in ids:
            check.problems.add(check.place(f"{qpath}.replaces[{i}]", node, i), f"{item.strip()!r} is listed twice")
        else:
            ids.append(item.strip())
    return tuple(ids)


def _question_nodes(data: dict) -> dict[str, tuple[str, dict]]:
    """Question id -> (key path, YAML node), for the messages of the cross-question checks."""
    found: dict[str, tuple[str, dict]] = {}
    for di, d in enumerate(data.get("dimensions") or []):
        for ci, c in enumerate((d.get("capabilities") or []) if isinstance(d, dict) else []):
            for qi, q in enumerate((c.get("questions") or []) if isinstance(c, dict) else []):
                if isinstance(q, dict) and isinstance(q.get("id"), str):
                    found.setdefault(q["id"].strip(), (f"dimensions[{di}].capabilities[{ci}].questions[{qi}]", q))
    return found


def _check_replaces(check: _Checker, data: dict, dimensions: tuple[Dimension, ...]) -> None:
    """A question may only replace ids that are gone from this bank: not itself, not a live question."""
    live = {q.id for d in dimensions for c in d.capabilities for q in c.questions}
    nodes = _question_nodes(data)
    claimed: dict[str, str] = {}
    for d in dimensions:
        for c in d.capabilities:
            for q in c.questions:
                path, node = nodes.get(q.id, ("", {}))
                place = check.place(f"{path}.replaces", node, "replaces")
                for old in q.replaces:
                    if old == q.id:
                        check.problems.add(place, f"question {q.id} cannot replace itself")
                    elif old in live:
                        check.problems.add(place, f"{old} is still a question of this bank; a question "
                                                  "can only replace ids from an older bank")
                    elif old in claimed:
                        check.problems.add(place, f"{old} is already replaced by {claimed[old]}")
                    else:
                        claimed[old] = q.id


def _with_evidence_map(check: _Checker, data: dict,
                       dimensions: tuple[Dimension, ...]) -> tuple[Dimension, ...]:
    """Apply a top-level ``evidence: {QID: text}`` mapping (evidence declared apart from the questions)."""
    node = data.get("evidence")
    if node is None:
        return dimensions
    if not isinstance(node, dict):
        check.problems.add(check.place("evidence", data, "evidence"),
                           "must be a mapping of question id to the evidence to ask for")
        return dimensions
    live = {q.id: q for d in dimensions for c in d.capabilities for q in c.questions}
    extra: dict[str, str] = {}
    for key, text in node.items():
        place = check.place(f"evidence.{key}", node, key)
        if str(key) not in live:
            check.problems.add(place, f"names question {key!r}, which is not in this questionnaire")
        elif not isinstance(text, str) or not text.strip():
            check.problems.add(place, f"must be text saying what to ask for or look at, got {text!r}")
        elif live[str(key)].evidence:
            check.problems.add(place, f"question {key} already declares evidence where it is defined")
        else:
            extra[str(key)] = text.strip()
    if not extra:
        return dimensions
    return tuple(replace(d, capabilities=tuple(
        replace(c, questions=tuple(replace(q, evidence=extra.get(q.id, q.evidence)) for q in c.questions))
        for c in d.capabilities)) for d in dimensions)
