"""Anonymity in reports: respondents become "Respondent 3 (sponsor)", and small roles become "other".

Names are replaced in the answer rows before anything is scored or shown, so no view (heatmap rows,
disputed items, comments' authors, the cover) can reach them; a role with fewer than
:data:`MIN_ROLE_SIZE` respondents would point at a person, so it is shown as :data:`MERGED_ROLE`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: A role needs at least this many respondents to be named in an anonymised report.
MIN_ROLE_SIZE = 3
#: What smaller roles are shown as.
MERGED_ROLE = "other"


def respondent_aliases(frame: pd.DataFrame) -> dict[str, str]:
    """Each respondent's name → "Respondent N", numbered in order of first appearance in the rows."""
    names = pd.unique(frame["respondent"].astype(str).to_numpy())
    return {name: f"Respondent {i}" for i, name in enumerate(names, start=1)}


def shown_roles(frame: pd.DataFrame) -> dict[str, str]:
    """Each role label → itself, or "other" when fewer than MIN_ROLE_SIZE respondents hold it."""
    people = frame[["respondent", "role"]].astype(str).drop_duplicates("respondent")
    sizes = people["role"].value_counts()
    return {role: (role if size >= MIN_ROLE_SIZE else MERGED_ROLE) for role, size in sizes.items()}


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
