"""Recommendations of a unit report: the next step per gap, with the roadmap's named initiatives for it,
quick wins first."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_assess.report.unit import UnitReport
from pmo_assess.roadmap.roadmap_file import Roadmap, RoadmapItem

#: Without targets, the recommendations cover this many weakest capabilities.
WITHOUT_TARGETS = 3
COLUMNS = ["capability", "now", "aim", "next step", "initiatives (roadmap)", "quick win"]


def next_step(report: UnitReport, capability: int) -> str:
    """What the capability's weakest question looks like one level up (its anchor), naming the question by text."""
    s, q = report.scores, report.questionnaire
    cap = q.capabilities[capability]
    level = s.capability_level[0, capability]
    to_level = 2 if np.isnan(level) else int(level) + 1
    if to_level > 4:
        return "At the top level: keep it there by re-assessing regularly."
    means = [s.question_mean[0, q.question_index[x.id]] for x in cap.questions]
    weakest = cap.questions[int(np.argmin([m if m == m else np.inf for m in means]))]
    anchor = weakest.anchors.get(to_level, "").rstrip(".")
    return f"Reach {q.level_name(to_level)} on “{weakest.text}” ({weakest.id}): {anchor}."


def _initiative(item: RoadmapItem) -> str:
    wave = f"wave {item.wave}" if item.wave is not None else "not scheduled"
    return f"{item.title} ({wave}{', quick win' if item.quick_win else ''})"


def _wanted(report: UnitReport) -> list[tuple[int, int | None]]:
    """(capability position, target level) of each capability to recommend on: below target, else the weakest."""
    s = report.scores
    if report.gaps is not None:
        gaps = report.gaps.capability_gap[0]
        return [(c, int(report.gaps.capability_target[0, c])) for c in range(len(gaps)) if gaps[c] > 0]
    scored = [c for c in np.argsort(s.capability_score[0], kind="stable") if not np.isnan(s.capability_score[0, c])]
    return [(int(c), None) for c in scored[:WITHOUT_TARGETS]]


def recommendations(report: UnitReport, roadmap: Roadmap | None = None) -> pd.DataFrame:
    """One row per gap: level now, the aim, the next step and the roadmap's initiatives; quick wins first,
    then the largest gap, then the lowest score."""
    s, q = report.scores, report.questionnaire
    rows = []
    for c, target in _wanted(report):
        cap = q.capabilities[c]
        items = [i for i in (roadmap.active_items if roadmap else ()) if i.capability == cap.id]
        items.sort(key=lambda i: (not i.quick_win, i.wave if i.wave is not None else 1_000))
        level = s.capability_level[0, c]
        rows.append({"capability": cap.name, "now": "no level" if np.isnan(level) else f"level {int(level)}",
                     "aim": f"level {target}" if target else f"level {2 if np.isnan(level) else int(level) + 1}",
                     "next step": next_step(report, c),
                     "initiatives (roadmap)": "; ".join(_initiative(i) for i in items),
                     "quick win": any(i.quick_win for i in items),
                     "_gap": 0 if target is None or np.isnan(level) else target - int(level),
                     "_score": s.capability_score[0, c]})
    frame = pd.DataFrame(rows, columns=COLUMNS + ["_gap", "_score"])
    frame = frame.sort_values(["quick win", "_gap", "_score"], ascending=[False, False, True], kind="stable")
    frame = frame.drop(columns=["_gap", "_score"]).reset_index(drop=True)
    if roadmap is None:
        frame = frame.drop(columns=["initiatives (roadmap)", "quick win"])
    return frame


def roadmap_waves(roadmap: Roadmap | None, report: UnitReport) -> pd.DataFrame:
    """The roadmap's active initiatives, quick wins first then by wave: what the unit has already planned."""
    columns = ["initiative", "capability", "wave", "effort (person-days)", "quick win", "status"]
    if roadmap is None:
        return pd.DataFrame(columns=columns)
    names = {c.id: c.name for c in report.questionnaire.capabilities}
    items = sorted(roadmap.active_items, key=lambda i: (not i.quick_win, i.wave if i.wave is not None else 1_000))
    return pd.DataFrame([{"initiative": i.title, "capability": names.get(i.capability, i.capability),
                          "wave": i.wave, "effort (person-days)": i.effort, "quick win": i.quick_win,
                          "status": i.status} for i in items], columns=columns)
