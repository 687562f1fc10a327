"""What changed between two versions of a roadmap file: items added or removed, and edited fields."""
from __future__ import annotations

import pandas as pd

from pmo_assess.roadmap.roadmap_file import Roadmap

#: The fields of an item compared between versions, in the order they are listed.
COMPARED = ("status", "wave", "owner", "start", "end", "effort", "pinned", "title", "notes", "priority")


def roadmap_changes(previous: Roadmap, current: Roadmap) -> pd.DataFrame:
    """One row per change: item, title, change (added/removed/edited), field, before, after."""
    before = {item.id: item for item in previous.items}
    rows = []
    for item in current.items:
        old = before.pop(item.id, None)
        if old is None:
            rows.append((item.id, item.title, "added", "", "", f"wave {item.wave}" if item.wave else ""))
            continue
        for name in COMPARED:
            was, now = getattr(old, name), getattr(item, name)
            if was != now:
                rows.append((item.id, item.title, "edited", name, "" if was is None else str(was),
                             "" if now is None else str(now)))
    for item in before.values():
        rows.append((item.id, item.title, "removed", "", f"wave {item.wave}" if item.wave else "", ""))
    return pd.DataFrame(rows, columns=["item", "title", "change", "field", "before", "after"])
