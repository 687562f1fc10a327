"""Editing a unit's roadmap.yaml in place, without widgets: pending edits, checks, save, stale-file refusal.

The editor loads the file once (bytes and round-trip document), keeps every change as a pending edit
checked at once against the same rules as the CLI (:func:`~pmo_assess.roadmap.checks.check_roadmap`),
and refuses any value that would make the file invalid. :meth:`RoadmapEditor.save` re-reads the file
under its lock and writes only if nobody changed it since it was loaded; it then sets just the edited
values in the loaded document, so comments, order and indentation stay byte for byte, and records who
edited what in the file's ``history``. A refused save keeps every pending edit; :meth:`RoadmapEditor.reload`
re-applies them on the new file and names those it could not.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.errors import InputErrors, InputProblem
from pmo_assess.io.files import atomic_write_bytes, read_yaml, write_yaml
from pmo_assess.io.locks import locked
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.checks import (
    LOAD_FIELDS,
    capacity_warnings,
    check_item_field,
    check_roadmap,
    roadmap_schedule,
)
from pmo_assess.roadmap.library import Library
from pmo_assess.roadmap.roadmap_file import Roadmap, RoadmapItem, parse_roadmap, previous_path
from pmo_assess.roadmap.scheduler import Schedule
from pmo_assess.sanitize import control_character_problem

#: Statuses a person sets; ``closed-gap`` is the tool's alone.
USER_STATUSES = ("planned", "in-progress", "done", "dropped")
#: Keys the PMO head may edit on every item, in table order.
COMMON_KEYS = ("wave", "start", "end", "owner", "status", "pinned", "effort", "duration", "notes")
#: Keys that are the tool's on library items and the PMO head's on their own items.
CUSTOM_KEYS = ("title", "capability", "prerequisites")
#: Every editable key, in the order a new item of one's own is written.
NEW_ITEM_KEYS = ("title", "capability", "wave", "effort", "duration", "prerequisites", "owner", "start", "end",
                 "status", "pinned", "notes")
#: How each key is named to the user.
LABELS = {"title": "title", "capability": "capability", "wave": "wave", "start": "start", "end": "end",
          "owner": "owner", "status": "status", "pinned": "pinned", "effort": "effort (person-days)",
          "duration": "duration (weeks)", "notes": "notes", "prerequisites": "needs"}
#: What the CLI prints before the problems of an invalid file (pmo_assess.cli, exit status 2).
CLI_PREFIX = "pmo-assess {command}: input problems:"
_PLACE = re.compile(r"^items\[\d+\] (?P<item>\S+)\.(?P<key>\w+)")
_WAVE = re.compile(r"\bwave (\d+)\b")


def cli_message(errors: InputErrors, command: str = "roadmap") -> str:
    """The text the CLI gives for these problems (exit status 2), to show instead of a traceback."""
    return f"{CLI_PREFIX.format(command=command)}\n{errors.render()}"


def describe_edits(names: list[str] | tuple[str, ...]) -> str:
    """Edits named ``ITEM.key`` / ``added ITEM`` as a person reads them: 'MAN-1 (owner, wave); added own-x'."""
    keys: dict[str, list[str]] = {}
    added = []
    for name in names:
        if name.startswith("added "):
            added.append(name)
        else:
            item, _, key = name.rpartition(".")
            keys.setdefault(item, []).append(key)
    return "; ".join([f"{item} ({', '.join(fields)})" for item, fields in keys.items()] + added)


def shown(value: Any) -> str:
    """A value as the user would type it: dates as YYYY-MM-DD, 12.0 as 12, lists comma separated."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


@dataclass(frozen=True)
class Message:
    """One message next to a field (``key``) of an item; ``level`` is refused, error, warning or clash."""

    item: str
    key: str
    text: str
    level: str = "warning"


@dataclass(frozen=True)
class Difference:
    """A value that is different on disk from what the editor loaded: theirs, and what you have."""

    item: str
    title: str
    key: str
    loaded: Any
    theirs: Any
    yours: Any

    def __str__(self) -> str:
        where = f"{self.title} ({self.item})" if self.title and self.title != self.item else self.item
        if self.key == "":
            return f"{where}: {self.theirs}"
        return f"{where} · {LABELS.get(self.key, self.key)}: theirs {shown(self.theirs)}, yours {shown(self.yours)}"


@dataclass(frozen=True)
class SaveOutcome:
    """What a save did: saved (with the version and what was edited) or refused (why, and what differs)."""

    saved: bool
    message: str
    version: int | None = None
    edited: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()
    stale: bool = False


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did with the pending edits: re-applied, kept aside (a colleague changed the same value), or
    not re-applied (named with the value, so nothing is lost)."""

    reapplied: tuple[str, ...]
    clashes: tuple[Difference, ...]
    not_reapplied: tuple[str, ...]

    @property
    def message(self) -> str:
        parts = ["Reloaded the file from disk."]
        if self.reapplied:
            parts.append(f"Your edits re-applied: {', '.join(self.reapplied)}.")
        if self.clashes:
            parts.append("Changed by someone else too (theirs kept, yours listed to use): "
                         + "; ".join(map(str, self.clashes)) + ".")
        if self.not_reapplied:
            parts.append("Not re-applied: " + "; ".join(self.not_reapplied) + ".")
        if not (self.reapplied or self.clashes or self.not_reapplied):
            parts.append("You had no pending edits.")
        return " ".join(parts)


class Refused(ValueError):
    """A value the editor will not take, with the reason in the user's words."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-") or "item"


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else float(number)


def _flow(values: list[Any] | dict[str, Any]) -> CommentedSeq | CommentedMap:
    node = CommentedMap(values) if isinstance(values, dict) else CommentedSeq(values)
    node.fa.set_flow_style()
    return node


def _yaml_value(key: str, value: Any) -> Any:
    """An item value as it is written to the file."""
    if key == "prerequisites":
        return _flow(list(value))
    if key in ("effort", "duration") and value is not None:
        return _plain(value)
    return value


def _new_node(item: RoadmapItem) -> dict[str, Any]:
    """The mapping an item of one's own is written as (no origin: it is custom)."""
    return {"id": item.id, **{key: _yaml_value(key, getattr(item, key)) for key in NEW_ITEM_KEYS}}


class RoadmapEditor:
    """Pending edits to one roadmap.yaml, checked at once; saved round-trip under the file's lock."""

    def __init__(self, path: str | Path, library: Library | None = None, questionnaire: Questionnaire | None = None):
        self.path = Path(path)
        self.library = library
        self.questionnaire = questionnaire
        self.edits: dict[tuple[str, str], Any] = {}
        self.added: dict[str, RoadmapItem] = {}
        self.clashes: dict[tuple[str, str], Difference] = {}
        self._before_drop: dict[str, str] = {}
        self._candidate: Roadmap | None = None
        self._schedule: Schedule | None = None
        self._schedule_of: Roadmap | None = None
        self._bytes, self.document, self.roadmap = self._read()
        self.previous: Roadmap | None = None

    # ------------------------------------------------------------------ reading
    def _read(self) -> tuple[bytes, CommentedMap, Roadmap]:
        """The file's bytes, its round-trip document and its validated roadmap (InputErrors as the CLI gives them)."""
        for _attempt in range(5):  # a writer may replace the file between two reads: take a stable copy
            before = self._disk_bytes()
            document = read_yaml(self.path)
            if self._disk_bytes() == before:
                return before, document, self._validated(document)
        raise InputErrors([InputProblem(str(self.path), "", "keeps changing while being read; try again")])

    def _disk_bytes(self) -> bytes:
        """The file as it is on disk now (InputErrors if it is gone or cannot be read)."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise InputErrors([InputProblem(str(self.path), "", "file not found")]) from None
        except OSError as exc:
            raise InputErrors([InputProblem(str(self.path), "", f"cannot be read: {exc.strerror or exc}")]) from None

    def _validated(self, document: Any) -> Roadmap:
        """The roadmap of a document checked exactly as the CLI checks it (InputErrors with the same problems)."""
        problems = check_roadmap(document, self.library, self.questionnaire, source=str(self.path))
        if problems:
            raise InputErrors(problems)
        return parse_roadmap(document, self.path, self.questionnaire)

    # ------------------------------------------------------------------ the roadmap as edited
    @property
    def pending(self) -> bool:
        """True while there are edits or new items not yet saved."""
        return bool(self.edits or self.added)

    def candidate(self) -> Roadmap:
        """The roadmap as it would be saved: the loaded file with every pending edit and new item."""
        if self._candidate is None:
            self._candidate = parse_roadmap(self._trial(self.edits, self.added), self.path, self.questionnaire)
        return self._candidate

    def schedule(self) -> Schedule:
        """Where every active item lands as the roadmap stands (its dates, else the start of its wave)."""
        candidate = self.candidate()
        if self._schedule is None or self._schedule_of is not candidate:
            self._schedule, self._schedule_of = roadmap_schedule(candidate), candidate
        return self._schedule

    def placement(self) -> dict[str, dict[str, Any]]:
        """Item id → the wave, start and end the schedule gives it (shown where the file leaves them empty)."""
        return {ident: {"wave": slot.wave, "start": slot.start, "end": slot.end}
                for ident, slot in self.schedule().slots.items()}

    def _trial(self, edits: dict[tuple[str, str], Any], added: dict[str, RoadmapItem]) -> dict[str, Any]:
        """The loaded document with these edits and new items, as plain mappings (the loaded one is untouched)."""
        changes: dict[str, dict[str, Any]] = {}
        for (item_id, key), value in edits.items():
            changes.setdefault(item_id, {})[key] = _yaml_value(key, value)
        nodes = []
        for node in self.document.get("items") or []:
            if isinstance(node, dict) and str(node.get("id")) in changes:
                node = {**dict(node), **changes[str(node.get("id"))]}
            nodes.append(node)
        nodes += [_new_node(item) for item in added.values()]
        return {**dict(self.document), "items": nodes}

    def item(self, item_id: str) -> RoadmapItem:
        """An item as it stands with the pending edits."""
        return self.candidate().item(item_id)

    def is_custom(self, item_id: str) -> bool:
        """True for an item of one's own (its title, capability and prerequisites are editable)."""
        known = self.library.by_id if self.library is not None else {}
        item = self.item(item_id)
        return item.custom and item_id not in known

    def editable(self, item_id: str) -> tuple[str, ...]:
        """The keys the PMO head may change on this item."""
        return COMMON_KEYS + (CUSTOM_KEYS if self.is_custom(item_id) else ())

    def is_pending(self, item_id: str, key: str) -> bool:
        """True when this value differs from the file as loaded (or the item is new)."""
        return item_id in self.added or (item_id, key) in self.edits

    def edited_names(self) -> list[str]:
        """The pending edits as ``ITEM.key`` and ``added ITEM``, in the order they were made."""
        return [f"{item}.{key}" for item, key in self.edits] + [f"added {item}" for item in self.added]

    # ------------------------------------------------------------------ parsing what was typed
    def _parse(self, item: RoadmapItem, key: str, value: Any) -> Any:
        """The typed value for ``key`` from what the widget gave (text or value); Refused in the user's words."""
        text = value.strip() if isinstance(value, str) else value
        if key in ("owner", "notes", "title"):
            text = "" if text is None else str(text)
            problem = control_character_problem(text, LABELS[key])
            if problem:
                raise Refused(problem)
            if key == "title" and not text:
                raise Refused("an item needs a title")
            return text
        if key == "wave":
            if text in (None, ""):
                if item.pinned:
                    raise Refused("a pinned item stays in its wave: unpin it first to hand it back to the planner")
                return None
            return self._whole(text, "the wave", 1)
        if key in ("start", "end"):
            if text in (None, ""):
                return None
            if isinstance(text, dt.date):
                return text.date() if isinstance(text, dt.datetime) else text
            try:
                return dt.date.fromisoformat(str(text))
            except ValueError:
                raise Refused(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-03-01") from None
        if key in ("effort", "duration"):
            unit = "person-days" if key == "effort" else "weeks"
            try:
                number = float(text)
            except (TypeError, ValueError):
                raise Refused(f"the {key} is a number of {unit}, got {shown(text)}") from None
            if not number > 0 or number == float("inf"):
                raise Refused(f"the {key} must be more than 0 {unit}, got {shown(text)}")
            return number
        if key == "status":
            if text == item.status:
                return text
            if text not in USER_STATUSES:
                raise Refused(f"the status is one of {', '.join(USER_STATUSES)}, got {shown(text)}")
            return text
        if key == "pinned":
            if not isinstance(text, bool):
                raise Refused(f"pinned is yes or no, got {shown(text)}")
            if text and item.wave is None:
                raise Refused("give the item a wave before pinning it there")
            return text
        if key == "capability":
            return self._capability(text)
        if key == "prerequisites":
            ids = text if isinstance(text, (list, tuple)) else [p for p in re.split(r"[,\s]+", text or "") if p]
            return tuple(dict.fromkeys(str(i).strip() for i in ids))
        raise Refused(f"{key} is not something the editor changes")

    @staticmethod
    def _whole(text: Any, name: str, minimum: int) -> int:
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise Refused(f"{name} is a whole number from {minimum}, got {shown(text)}") from None
        if not number.is_integer() or number < minimum:
            raise Refused(f"{name} is a whole number from {minimum}, got {shown(text)}")
        return int(number)

    def _capability(self, text: Any) -> str:
        ident = "" if text is None else str(text).strip()
        if not ident:
            raise Refused("choose the capability this item improves")
        if self.questionnaire is not None:
            known = [c.id for c in self.questionnaire.capabilities]
            if ident not in known:
                close = get_close_matches(ident, known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise Refused(f"{ident!r} is not a capability of questionnaire {self.questionnaire.id}{hint}")
        return ident

    # ------------------------------------------------------------------ changing values
    def set_value(self, item_id: str, key: str, value: Any) -> list[Message]:
        """Set one field (text as typed, or a value); refused values are not kept. Returns its messages."""
        try:
            item = self.item(item_id)
        except KeyError:
            return [Message(item_id, key, f"there is no item {item_id!r} in this roadmap", "refused")]
        if key not in self.editable(item_id):
            why = "the planner's on an initiative from the library" if key in CUSTOM_KEYS else "not editable"
            return [Message(item_id, key, f"the {LABELS.get(key, key)} is {why}", "refused")]
        try:
            parsed = self._parse(item, key, value)
        except Refused as exc:
            return [Message(item_id, key, str(exc), "refused")]
        changes = {key: parsed}
        if key == "wave":
            changes.update(self._moved_dates(item, parsed))
        elif key == "start":
            changes.update(self._moved_by_start(item, parsed))
        messages = self._apply(item_id, key, changes)
        if key == "status" and parsed == "dropped" and item.status != "dropped" and \
                not any(m.level == "refused" for m in messages):
            self._before_drop[item_id] = item.status
        return messages

    def _moved_dates(self, item: RoadmapItem, wave: int | None) -> dict[str, Any]:
        """Moving an item to another wave moves its dates with it, by the weeks between the two waves."""
        if wave is None or item.wave is None or wave == item.wave or not (item.start or item.end):
            return {}
        calendar = self.roadmap.settings.calendar
        weeks = calendar.wave_window(wave)[0] - calendar.wave_window(item.wave)[0]
        shift = dt.timedelta(weeks=weeks)
        return {k: getattr(item, k) + shift for k in ("start", "end") if getattr(item, k) is not None}

    def _moved_by_start(self, item: RoadmapItem, start: dt.date | None) -> dict[str, Any]:
        """A new start keeps the item's length (its end moves by as much) and puts it in the wave it now starts in."""
        if start is None or item.start is None or start == item.start:
            return {}
        moved: dict[str, Any] = {}
        if item.end is not None:
            moved["end"] = item.end + (start - item.start)
        calendar = self.roadmap.settings.calendar
        if calendar.starts_on is not None and item.wave is not None:
            wave = calendar.wave_of_week(calendar.week_of(start))
            if wave != item.wave:
                moved["wave"] = wave
        return moved

    def _apply(self, item_id: str, key: str, changes: dict[str, Any]) -> list[Message]:
        """Keep the changes if the roadmap stays valid; otherwise refuse them with the reason."""
        edits, added = dict(self.edits), dict(self.added)
        if item_id in added:
            added[item_id] = dataclasses.replace(added[item_id], **changes)
        else:
            loaded = self.roadmap.item(item_id)
            for name, value in changes.items():
                if getattr(loaded, name) == value:
                    edits.pop((item_id, name), None)  # back to what the file says
                else:
                    edits[(item_id, name)] = value
        refusal = self._refusal(item_id, key, changes, self._trial(edits, added))
        if refusal:
            return refusal
        self.edits, self.added, self._candidate = edits, added, None
        for name in changes:
            self.clashes.pop((item_id, name), None)
        moved = [Message(item_id, name, f"moved with the {LABELS[key]} to {shown(value)}", "info")
                 for name, value in changes.items() if name != key]
        return moved + self.messages_for(item_id, key)

    def _refusal(self, item_id: str, key: str, changes: dict[str, Any], trial: dict[str, Any]) -> list[Message]:
        """Messages refusing a change that makes the roadmap invalid (nothing when it stays valid)."""
        before = {str(p) for p in self.problems()}
        new = [p for p in check_roadmap(trial, self.library, self.questionnaire, source=str(self.path))
               if str(p) not in before]
        if not new:
            return []
        texts: list[str] = []
        if len(changes) == 1:  # the CLI's words for this one field
            current = self._trial(self.edits, self.added)
            texts = [t for t in check_item_field(current, item_id, key, _yaml_value(key, changes[key]),
                                                 self.library, self.questionnaire)
                     if not t.startswith("no item ")]
        texts = texts or [self._problem_text(p, item_id) for p in new]
        return [Message(item_id, key, text, "refused") for text in texts]

    def _problem_text(self, problem: InputProblem, item_id: str = "") -> str:
        """A problem in the user's words: the item's title and the field, unless it is about ``item_id`` itself."""
        match = _PLACE.match(problem.place)
        if match and match["item"] == item_id:
            return problem.message
        if match:
            item = self._title(match["item"])
            return f"{item} · {LABELS.get(match['key'], match['key'])}: {problem.message}"
        return f"{problem.place}: {problem.message}" if problem.place else problem.message

    def _title(self, item_id: str) -> str:
        try:
            return self.item(item_id).title or item_id
        except KeyError:
            return item_id

    def drop(self, item_id: str) -> list[Message]:
        """Drop an item (status dropped): it keeps its place in the file and can be restored."""
        return self.set_value(item_id, "status", "dropped")

    def restore(self, item_id: str) -> list[Message]:
        """Undo a drop: the status it had before (or planned)."""
        item = self.item(item_id)
        if item.status != "dropped":
            return [Message(item_id, "status", "this item is not dropped", "refused")]
        loaded = None if item_id in self.added else self.roadmap.item(item_id).status
        status = self._before_drop.pop(item_id, None) or (loaded if loaded not in (None, "dropped") else "planned")
        return self.set_value(item_id, "status", status)

    def add_item(self, title: str, capability: str, effort: Any, duration: Any, prerequisites: Any = (),
                 wave: Any = None) -> tuple[str | None, list[Message]]:
        """Add an initiative of one's own; returns its id (None if refused) and the messages, keyed by field."""
        draft = RoadmapItem(id="", title="", origin="custom")
        values, refusals = {}, []
        for key, value in (("title", title), ("capability", capability), ("effort", effort),
                           ("duration", duration), ("prerequisites", prerequisites), ("wave", wave)):
            try:
                values[key] = self._parse(draft, key, value)
            except Refused as exc:
                refusals.append(Message("", key, str(exc), "refused"))
        if refusals:
            return None, refusals
        taken = {i.id for i in self.candidate().items} | (set(self.library.by_id) if self.library else set())
        base = item_id = f"own-{_slug(values['title'])}"
        number = 2
        while item_id in taken:
            item_id, number = f"{base}-{number}", number + 1
        item = RoadmapItem(id=item_id, origin="custom", status="planned", **values)
        added = {**self.added, item_id: item}
        refusal = self._refusal(item_id, "prerequisites", {"prerequisites": item.prerequisites},
                                self._trial(self.edits, added))
        if refusal:
            return None, [dataclasses.replace(m, item="") for m in refusal]
        self.added, self._candidate = added, None
        return item_id, self.messages_for(item_id, "")

    # ------------------------------------------------------------------ what to show next to each field
    def problems(self) -> list[InputProblem]:
        """What makes the roadmap as edited invalid (always empty: invalid edits are refused)."""
        return check_roadmap(self._trial(self.edits, self.added), self.library, self.questionnaire,
                             source=str(self.path))

    def messages(self) -> list[Message]:
        """Warnings of the roadmap as edited, by item and field: waves over capacity, starts before a prerequisite
        ends, values someone else changed too."""
        roadmap = self.candidate()
        out: list[Message] = []
        by_wave: dict[int, list[str]] = {}
        for item in roadmap.active_items:
            if item.wave is not None and item.status != "done":
                by_wave.setdefault(item.wave, []).append(item.id)
        for problem in capacity_warnings(roadmap):
            found = _WAVE.search(problem.place)
            for item_id in by_wave.get(int(found.group(1)), []) if found else []:
                out.append(Message(item_id, "wave", f"{problem.place.capitalize()}: {problem.message}", "warning"))
        for conflict in self.schedule().conflicts:
            if conflict.kind == "prerequisite":
                out.append(Message(conflict.item, "start", conflict.message, "warning"))
        for (item_id, key), clash in self.clashes.items():
            out.append(Message(item_id, key, f"someone else set this to {shown(clash.theirs)} after you loaded "
                                             f"the file; yours was {shown(clash.yours)} (use mine to keep yours)",
                               "clash"))
        return out

    def messages_for(self, item_id: str, key: str) -> list[Message]:
        """The warnings about one item (one field of it when ``key`` is given; a field that changes its
        wave's load also gets that wave's capacity warning)."""
        found = [m for m in self.messages() if m.item == item_id]
        if not key:
            return found
        mine = [m for m in found if m.key == key]
        if key in LOAD_FIELDS and key != "wave":
            mine += [dataclasses.replace(m, key=key) for m in found if m.key == "wave" and m.level == "warning"]
        return mine

    # ------------------------------------------------------------------ saving
    def save(self, by: str, now: dt.datetime | None = None) -> SaveOutcome:
        """Write the pending edits into roadmap.yaml if nobody changed it since it was loaded.

        Under the file's lock: re-read and compare with what was loaded (refused, with what differs, if it
        changed), set the edited values in place, add a history entry (version, on, by, edited), validate
        as the CLI does, keep the file as it was as roadmap.previous.yaml, and write atomically.
        """
        by = (by or "").strip()
        problem = control_character_problem(by, "your name")
        if not by or problem:
            return SaveOutcome(False, problem or "Not saved: type your name first (it goes into the file's history).")
        if not self.pending:
            return SaveOutcome(False, "Nothing to save: no edits since the file was loaded.")
        invalid = self.problems()
        if invalid:
            return SaveOutcome(False, "Not saved: " + "; ".join(self._problem_text(p) for p in invalid))
        now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        with locked(self.path):
            if not self.path.exists():
                return SaveOutcome(False, f"Not saved: {self.path} is no longer there; your edits are kept.",
                                   stale=True)
            disk = self._disk_bytes()
            if disk != self._bytes:
                differences = self.differences()
                listed = "; ".join(map(str, differences)) or "only comments or layout"
                return SaveOutcome(False, f"Not saved: {self.path.name} changed on disk since you loaded it "
                                          f"({listed}). Reload to see their version; your edits are kept and "
                                          "re-applied.", differences=tuple(differences), stale=True)
            edited = tuple(self.edited_names())
            version = self._write_into(self.document, by, now, edited)
            try:
                roadmap = self._validated(self.document)
                atomic_write_bytes(previous_path(self.path), disk)
                write_yaml(self.path, self.document)
            except InputErrors as exc:
                self._bytes, self.document, self.roadmap = self._read()  # back to what is on disk
                return SaveOutcome(False, "Not saved: " + exc.render())
            self._bytes = self._disk_bytes()
        self.previous = self.roadmap  # what roadmap.previous.yaml now holds
        self.roadmap, self.edits, self.added, self.clashes, self._candidate = roadmap, {}, {}, {}, None
        self._before_drop.clear()
        when = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return SaveOutcome(True, f"Saved version {version} of {self.path.name} at {when} by {by}: "
                                 f"{describe_edits(edited)}.", version=version, edited=edited)

    def _write_into(self, document: CommentedMap, by: str, now: dt.datetime, edited: tuple[str, ...]) -> int:
        """Set the pending values in place in the loaded document, append new items and the history entry."""
        nodes = document.get("items")
        if nodes is None:
            nodes = document["items"] = CommentedSeq()
        by_id = {str(node.get("id")): node for node in nodes if isinstance(node, dict)}
        for (item_id, key), value in self.edits.items():
            node = by_id[item_id]
            if key not in node and value in (None, "", False, ()):
                continue  # an absent key already means empty
            node[key] = _yaml_value(key, value)
        for item in self.added.values():
            nodes.append(CommentedMap(_new_node(item)))
        history = document.get("history")
        if history is None:
            history = document["history"] = CommentedSeq()
        version = max((int(h.get("version", 0)) for h in history
                       if isinstance(h, dict) and isinstance(h.get("version", 0), int)), default=0) + 1
        history.append(_flow({"version": version, "on": now, "by": by, "edited": list(edited)}))
        return version

    def differences(self) -> list[Difference]:
        """What is different on disk from what was loaded, item by item and field by field (theirs vs yours)."""
        try:
            theirs = parse_roadmap(read_yaml(self.path), self.path, self.questionnaire)
        except InputErrors as exc:
            return [Difference("", "", "", None, f"the file on disk is now invalid: {exc.render()}", None)]
        mine = self.candidate()
        loaded = {i.id: i for i in self.roadmap.items}
        out = []
        for item in theirs.items:
            before = loaded.pop(item.id, None)
            if before is None:
                out.append(Difference(item.id, item.title, "", None, "added by someone else", None))
                continue
            yours = mine.item(item.id)
            for key in ("title",) + COMMON_KEYS + ("capability", "prerequisites"):
                if getattr(item, key) != getattr(before, key):
                    out.append(Difference(item.id, item.title, key, getattr(before, key), getattr(item, key),
                                          getattr(yours, key)))
        for item in loaded.values():
            out.append(Difference(item.id, item.title, "", None, "removed by someone else", None))
        return out

    def reload(self) -> ReloadOutcome:
        """Load the file as it is on disk now and re-apply the pending edits (InputErrors if it is now invalid)."""
        data, document, roadmap = self._read()
        loaded = self.roadmap
        edits, added = self.edits, self.added
        self._bytes, self.document, self.roadmap = data, document, roadmap
        self.edits, self.added, self.clashes, self._candidate = {}, {}, {}, None
        reapplied, clashes, lost = [], [], []
        for (item_id, key), value in edits.items():
            name = f"{item_id}.{key}"
            try:
                now = roadmap.item(item_id)
            except KeyError:
                lost.append(f"{name} = {shown(value)} (the item is no longer in the file)")
                continue
            before, theirs = getattr(loaded.item(item_id), key), getattr(now, key)
            if theirs == value:
                continue  # they made the same change
            if theirs != before:
                clash = Difference(item_id, now.title, key, before, theirs, value)
                self.clashes[(item_id, key)] = clash
                clashes.append(clash)
                continue
            refused = [m for m in self._apply(item_id, key, {key: value}) if m.level == "refused"]
            if refused:
                lost.append(f"{name} = {shown(value)} ({refused[0].text})")
            else:
                reapplied.append(name)
        for item in added.values():
            new_id, refused = self.add_item(item.title, item.capability, item.effort, item.duration,
                                            item.prerequisites, item.wave)
            if new_id is None:
                lost.append(f"new item {item.title!r} ({refused[0].text})")
                continue
            for key in ("owner", "start", "end", "status", "pinned", "notes"):
                if getattr(item, key) != getattr(self.added[new_id], key):
                    self._apply(new_id, key, {key: getattr(item, key)})
            reapplied.append(f"added {new_id}")
        return ReloadOutcome(tuple(reapplied), tuple(clashes), tuple(lost))

    def use_mine(self, item_id: str, key: str) -> list[Message]:
        """Put your value back where someone else's was kept on reload."""
        clash = self.clashes.get((item_id, key))
        if clash is None:
            return [Message(item_id, key, "nothing to take back here", "refused")]
        messages = self.set_value(item_id, key, clash.yours)
        if not any(m.level == "refused" for m in messages):
            self.clashes.pop((item_id, key), None)
        return messages
