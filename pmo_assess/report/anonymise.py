"""Anonymity in reports: respondents become "Respondent 3 (sponsor)", and small roles become "other".

Names are replaced in the answer rows before anything is scored or shown, so no view (heatmap rows,
disputed items, comments' authors, the cover) can reach them; a role with fewer than
:data:`MIN_ROLE_SIZE` respondents would point at a person, so it is shown as :data:`MERGED_ROLE`.
When "other" would itself hold only one or two people (a single sponsor, say), the smallest named
roles are merged into it until it holds at least :data:`MIN_ROLE_SIZE`; with fewer respondents than
that in all, every role is "other". "Respondent N" follows a hash of the names, not the rows' order.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

#: A role needs at least this many respondents to be named in an anonymised report.
MIN_ROLE_SIZE = 3
#: What smaller roles are shown as.
MERGED_ROLE = "other"


def respondent_aliases(frame: pd.DataFrame) -> dict[str, str]:
    """Each respondent's name → "Respondent N", numbered in the order of a hash of the names (not the rows' order,
    so "Respondent 1" is not whoever comes first in the file)."""
    names = pd.unique(frame["respondent"].astype(str).to_numpy())
    ordered = sorted(names, key=lambda name: (hashlib.sha256(name.encode("utf-8")).hexdigest(), name))
    return {name: f"Respondent {i}" for i, name in enumerate(ordered, start=1)}


def shown_roles(frame: pd.DataFrame) -> dict[str, str]:
    """Each role label → itself, or "other" when fewer than MIN_ROLE_SIZE respondents hold it.

    "other" must not point at one or two people either: while it holds 1 or 2 respondents, the smallest
    named role is merged into it too (so with fewer than MIN_ROLE_SIZE respondents in all, every role is "other").
    """
    people = frame[["respondent", "role"]].astype(str).drop_duplicates("respondent")
    sizes = people["role"].value_counts()
    shown = {role: (role if size >= MIN_ROLE_SIZE else MERGED_ROLE) for role, size in sizes.items()}
    merged = sum(int(size) for role, size in sizes.items() if shown[role] == MERGED_ROLE)
    named = sorted((int(size), role) for role, size in sizes.items() if shown[role] != MERGED_ROLE)
    while 0 < merged < MIN_ROLE_SIZE and named:
        size, role = named.pop(0)
        shown[role] = MERGED_ROLE
        merged += size
    return shown


def anonymise_answers(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows with respondents renamed "Respondent N", and the role → shown role map for the views.

    Roles themselves stay in the rows (role weights still apply to the scores); views show them through the map.
    """
    aliases = respondent_aliases(frame)
    roles = shown_roles(frame)
    renamed = frame.copy()
    column = frame["respondent"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in column.cat.categories]
        spare = (f"(unused {i})" for i in range(len(categories)))  # categories no row uses: never shown
        new = [aliases.get(c) or next(spare) for c in categories]
        renamed["respondent"] = column.cat.rename_categories(new)
    else:
        renamed["respondent"] = column.astype(str).map(aliases)
    renamed.attrs.update(frame.attrs)
    return renamed, roles


def respondent_label(name: str, role: str) -> str:
    """How a respondent is named in a view: "Name (role)", or the name alone without a role."""
    return f"{name} ({role})" if role else str(name)


def role_counts(roles: np.ndarray | list[str], shown: dict[str, str]) -> dict[str, int]:
    """How many respondents each shown role has (in order of first appearance); empty roles as "(no role)"."""
    counts: dict[str, int] = {}
    for role in roles:
        label = shown.get(str(role), str(role)) or "(no role)"
        counts[label] = counts.get(label, 0) + 1
    return counts
