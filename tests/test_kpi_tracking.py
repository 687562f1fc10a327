"""KPIs over time: kpis.csv / actuals.csv read and checked, trends against targets, the ratio to date, the XLSX."""
from __future__ import annotations

import datetime as dt
import io
import math
import shutil

import pytest
from openpyxl import Workbook, load_workbook

from conftest import DATA
from pmo_assess.business_plan.export import write_plan_outputs
from pmo_assess.business_plan.kpi_tracking import load_kpi_tracking
from pmo_assess.business_plan.plan_file import load_plan
from pmo_assess.business_plan.xlsx_export import plan_to_xlsx
from pmo_assess.errors import InputErrors
from pmo_assess.io.kpis import parse_period, read_kpi_values

PLAN = DATA / "rounds" / "plan" / "plan.yaml"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def tracking():
    return load_kpi_tracking(load_plan(PLAN), today=TODAY)


def test_trends_by_level_with_a_missing_period(tracking):
    trends = tracking.trends.set_index("kpi")
    assert list(tracking.trends["measure_level"]) == [1, 2, 3, 4]
    # on-time (quarterly): 2025-Q1..2026-Q2 expected, 2025-Q3 has no value; latest 72, (72 − 55) / (75 − 55)
    assert trends.loc["on-time", "missing_periods"] == "2025-Q3"
    assert trends.loc["on-time", "progress"] == pytest.approx(17 / 20)
    assert trends.loc["on-time", "status"] == "moving towards target"
    series = tracking.series[tracking.series["kpi"] == "on-time"]
    assert list(series["period"]) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert math.isnan(series["value"].iloc[2])  # a gap, never filled in
    # benefits-tracked fell 30 → 28 in its latest quarter
    assert trends.loc["benefits-tracked", "status"] == "moving away from target"
    # time-to-market should go down: (200 − 280) / (180 − 280)
    assert trends.loc["time-to-market", "progress"] == pytest.approx(0.8)
    assert trends.loc["digital-share", "values"] == 1


def test_benefit_cost_ratio_to_date(tracking):
    money = tracking.benefit_cost
    assert (money.total_cost, money.total_benefit) == (45000 + 40000 + 42000, 0 + 30000 + 95000)
    assert money.ratio == pytest.approx(125000 / 127000)
    assert money.running["ratio_to_date"].round(4).tolist() == [0.0, round(30000 / 85000, 4),
                                                                 round(125000 / 127000, 4)]


def test_xlsx_shows_kpis_over_time(tracking):
    workbook = load_workbook(io.BytesIO(plan_to_xlsx(tracking.plan, tracking=tracking)))
    assert workbook.sheetnames == ["plan", "roadmap", "owners", "kpis"]
    rows = list(workbook["kpis"].iter_rows(values_only=True))
    assert rows[0][:6] == ("level of measure", "KPI id", "KPI", "period", "period end", "value")
    gap = next(r for r in rows if r[1] == "on-time" and r[3] == "2025-Q3")
    assert gap[5] is None
    plan_cells = [c for row in workbook["plan"].iter_rows(values_only=True) for c in row if c is not None]
    assert "KPIs over time" in plan_cells and "moving away from target" in plan_cells
    assert any(isinstance(c, str) and c.startswith("Benefit-cost ratio to date, from recorded actuals: 0.98")
               for c in plan_cells)


def bad(tmp_path, text: str, name: str = "kpis.csv") -> str:
    folder = tmp_path / "plan"
    shutil.copytree(PLAN.parent, folder)
    (folder / name).write_text(text)
    with pytest.raises(InputErrors) as caught:
        load_kpi_tracking(load_plan(folder / "plan.yaml"), today=TODAY)
    return caught.value.render()


def test_bad_kpi_values_are_named_by_file_and_row(tmp_path):
    text = bad(tmp_path, "kpi,period,value,note\non-time,2025-Q1,56,\nlead-time,2025-Q1,3,\non-time,2025-Q5,1,\n"
                         "on-time,2027-Q1,1,\non-time,2025-Q2,12%,\non-time,2025-Q1,57,again\n"
                         "on-time,2025,60,a year over the quarters\n")
    path = str(tmp_path / "plan" / "kpis.csv")
    assert f"{path}: row 3: unknown KPI id 'lead-time': the plan's KPIs are on-time, benefits-tracked" in text
    assert f"{path}: row 4: period '2025-Q5' is not a period" in text
    assert f"{path}: row 5: period 2027-Q1 has not begun yet (today is 2026-12-01)" in text
    assert f"{path}: row 6: value '12%' is not a number" in text
    assert f"{path}: row 7: on-time already has a value for 2025-Q1 (row 2), which is 2025-Q1" in text
    assert f"{path}: row 8: on-time already has a value for 2025-Q1 (row 2), which overlaps 2025" in text
    assert "header: missing column value" in bad(tmp_path / "b", "kpi,period\non-time,2025-Q1\n")


def test_bad_actuals_are_named(tmp_path):
    text = bad(tmp_path, "period,cost,benefit,note\n2025-H1,abc,0,\n2025-H1,10,-5,\n", "actuals.csv")
    assert "actuals.csv: row 2: cost 'abc' is not a number" in text
    assert "actuals.csv: row 3: 2025-H1 is already recorded (row 2)" in text
    assert "actuals.csv: row 3: cost and benefit are amounts of at least 0" in text


def test_bad_kpis_beside_the_plan_stop_the_export_and_nothing_is_written(tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(PLAN.parent, folder)
    (folder / "kpis.csv").write_text("kpi,period,value,note\non-time,2025-Q1,many,\n")
    out = tmp_path / "out"
    with pytest.raises(InputErrors, match="row 2: value 'many' is not a number"):
        write_plan_outputs(load_plan(folder / "plan.yaml"), None, out, ["md", "xlsx"])
    assert not out.exists() or not any(out.iterdir())


def test_kpis_from_xlsx_and_periods(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "kpis"
    sheet.append(["KPI id", "Period", "Value", "Note"])
    sheet.append(["on-time", "2025-07", 61.5, None])
    sheet.append(["on-time", "2025-08", 62, "after the tool change"])
    workbook.save(tmp_path / "kpis.xlsx")
    values = read_kpi_values(tmp_path / "kpis.xlsx", ["on-time"], today=TODAY)
    assert [(v.period.label, v.value, v.row) for v in values] == [("2025-07", 61.5, 2), ("2025-08", 62.0, 3)]
    sheet.append(["on-time", "2025-09", "=C3+1", None])  # a formula saved by a program has no value to read
    workbook.save(tmp_path / "kpis.xlsx")
    with pytest.raises(InputErrors, match="sheet 'kpis', cell C4: holds a formula with no saved result"):
        read_kpi_values(tmp_path / "kpis.xlsx", ["on-time"], today=TODAY)
    quarter = parse_period("2026-q3")
    assert (quarter.label, quarter.start, quarter.end) == ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert parse_period("2026-H2").end == dt.date(2026, 12, 31) and parse_period("2026-02").end.day == 28
    assert parse_period("Q3 2026") is None and parse_period("2026-13") is None


def test_every_plan_format_shows_kpis_over_time_when_kpis_csv_lies_beside_the_plan(tmp_path):
    from docx import Document

    written = write_plan_outputs(load_plan(PLAN), None, tmp_path, ["md", "html", "docx"])
    texts = {path.suffix: path for path in written}
    assert "KPIs over time" in texts[".md"].read_text(encoding="utf-8")
    assert "KPIs over time" in texts[".html"].read_text(encoding="utf-8")
    headings = [p.text for p in Document(str(texts[".docx"])).paragraphs if p.style.name.startswith("Heading")]
    assert "KPIs over time" in headings
    # the on-time KPI's row names its level of measure in the markdown table
    assert "Projects on schedule" in texts[".md"].read_text(encoding="utf-8")
