"""Helpers to build small answer tables in tests (canonical long form)."""
from __future__ import annotations

import pandas as pd

from pmo_assess.io.answers import COLUMNS


def answers_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (unit, respondent, role, question, answer[, comment]) as a canonical answer table."""
    padded = [tuple(r) + ("",) * (len(COLUMNS) - len(r)) for r in rows]
    frame = pd.DataFrame(padded, columns=list(COLUMNS))
    return frame.astype({c: "category" for c in COLUMNS})
