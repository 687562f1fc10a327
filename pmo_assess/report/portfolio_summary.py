"""The portfolio report's executive summary and its previous-round section."""
from __future__ import annotations

import pandas as pd

from pmo_assess.report import portfolio as views
from pmo_assess.report.display import table_html
from pmo_assess.report.portfolio import Portfolio
from pmo_assess.sanitize import escape_html


def _units_at(portfolio: Portfolio, extreme) -> list[str]:
    scored = [u for u in portfolio.units if (u.get("overall") or {}).get("score") is not None]
    if not scored:
        return []
    best = extreme(u["overall"]["score"] for u in scored)
    return [u["business_unit"] for u in scored if u["overall"]["score"] == best]


def portfolio_summary_html(portfolio: Portfolio, progress: pd.DataFrame) -> str:
    """Organisation level, highest and lowest units, weakest capabilities, disputes and progress, as escaped HTML."""
    rollup = views.organisation_rollup(portfolio).set_index("area")
    overall = rollup.loc["Overall"]
    level = f"Level {overall['level']} — {overall['level name']}" if overall["level"] else "No level"
    weakest = views.weakest_capabilities(portfolio, count=3)
    disputed = sum(1 for u in portfolio.units if any(c.get("disputed") for c in u["capabilities"]))
    known = progress["progress to target"].dropna()
    reach = f"{known.min():.0%} – {known.max():.0%}" if len(known) else "–"
    items = "".join(f"<li>{escape_html(r['capability'])} — mean score {r['mean score']:.2f}, "
                    f"{int(r['units at level 1'])} unit(s) at level 1</li>" for _, r in weakest.iterrows())
    return (f'<section class="summary"><div class="key-figures">'
            f'<div class="figure"><span class="value">{escape_html(level)}</span><span class="label">organisation '
            f"(mean of {len(portfolio.units)} units' scores: {overall['mean score']:.2f})</span></div>"
            f'<div class="figure"><span class="value">{reach}</span><span class="label">progress to target '
            f'(lowest – highest unit)</span></div><div class="figure"><span class="value">{disputed}</span>'
            f'<span class="label">units with disputed capabilities</span></div></div>'
            f"<p><strong>Highest overall:</strong> {escape_html(', '.join(_units_at(portfolio, max)))}. "
            f"<strong>Lowest overall:</strong> {escape_html(', '.join(_units_at(portfolio, min)))}.</p>"
            f"<h3>Weakest capabilities across the organisation</h3><ol>{items}</ol></section>")


def portfolio_previous_html(portfolio: Portfolio, previous: list[dict] | None) -> str:
    """The previous round beside this one per unit (overall) and for the organisation; "" without one."""
    if not previous:
        return ""
    rollup = views.organisation_rollup(portfolio, previous)
    return ("<h2>Since the previous round</h2><p>Each unit's overall level and score in the previous round beside "
            "this round's; units new in this round have no previous values.</p>"
            + table_html(views.previous_overall(portfolio, previous))
            + "<h3>Organisation, per dimension</h3>"
            + table_html(rollup[["area", "previous mean score", "previous level", "mean score", "level"]]))
