"""The business plan out to files: plan.html, plan.md, plan.docx, plan.xlsx, all or none.

Every format is rendered in memory first; only when all of them rendered are they published
together (:func:`pmo_assess.io.outputs.publish_all`), so a failure in one leaves every earlier
output as it was. An output path that is one of the plan's inputs is refused (exit 2).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from pmo_assess.business_plan.charts import plan_charts, png
from pmo_assess.business_plan.docx_export import PAPER, plan_to_docx
from pmo_assess.business_plan.facts import PlanStatus
from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.render import Section, to_html, to_markdown
from pmo_assess.business_plan.xlsx_export import SHEETS, plan_to_xlsx
from pmo_assess.io.outputs import publish_all, refuse_inputs_as_outputs
from pmo_assess.model import Questionnaire
from pmo_assess.roadmap.roadmap_file import Roadmap

__all__ = ["PAPER", "SHEETS", "render_plan_outputs", "write_plan_outputs"]


def render_plan_outputs(plan: BusinessPlan, roadmap: Roadmap | None, formats: Iterable[str],
                        status: PlanStatus | None = None, questionnaire: Questionnaire | None = None,
                        paper: str = "a4", kpi_trends: Sequence[Section] = ()) -> dict[str, bytes]:
    """Every format asked for, rendered to bytes (format → content); nothing is written.

    ``kpi_trends``: sections on KPIs over time, placed after the KPIs in HTML, Markdown and DOCX; when none
    are given, kpis.csv / actuals.csv beside plan.yaml supply them (a bad one stops every format: InputErrors).
    """
    import base64

    from pmo_assess.business_plan.kpi_tracking import load_kpi_tracking, tracking_section

    tracking = load_kpi_tracking(plan)
    kpi_trends = list(kpi_trends) or ([tracking_section(tracking)] if tracking else [])
    formats = tuple(formats)
    charts = {}
    if "html" in formats or "docx" in formats:
        charts = {name: png(figure) for name, figure in plan_charts(plan, roadmap, questionnaire).items()}
    makers = {
        "html": lambda: to_html(plan, roadmap, status=status, charts={
            name: base64.b64encode(data).decode("ascii") for name, data in charts.items()},
            kpi_trends=kpi_trends).encode("utf-8"),
        "md": lambda: to_markdown(plan, roadmap, status, kpi_trends).encode("utf-8"),
        "docx": lambda: plan_to_docx(plan, roadmap, status, charts, paper, kpi_trends),
        "xlsx": lambda: plan_to_xlsx(plan, roadmap, status, tracking),
    }
    return {fmt: makers[fmt]() for fmt in formats}


def write_plan_outputs(plan: BusinessPlan, roadmap: Roadmap | None, out_dir: str | Path, formats: Iterable[str],
                       status: PlanStatus | None = None, questionnaire: Questionnaire | None = None,
                       paper: str = "a4", inputs: Iterable[str | Path] = (),
                       kpi_trends: Sequence[Section] = ()) -> list[Path]:
    """Render every format, then write OUT/plan.<format> for all of them or none; returns the paths.

    ``inputs`` are the files the plan was made from: an output that is one of them is refused.
    """
    targets = {fmt: Path(out_dir) / f"plan.{fmt}" for fmt in formats}
    refuse_inputs_as_outputs(list(inputs) + ([plan.source] if plan.source else []),
                             {f"--out (plan.{fmt})": path for fmt, path in targets.items()})
    rendered = render_plan_outputs(plan, roadmap, targets, status, questionnaire, paper, kpi_trends)
    return publish_all({targets[fmt]: data for fmt, data in rendered.items()})
