"""Plan outputs: HTML and Markdown escape user text; DOCX and XLSX open and hold the plan; no formula injection."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from docx import Document

from plan_fixtures import ANSWERS, INJECTION, LIBRARY, MINI, ROADMAP, TARGETS
from pmo_assess.business_plan.build import build_plan
from pmo_assess.business_plan.export import SHEETS, write_plan_outputs
from pmo_assess.business_plan.render import to_html, to_markdown


@pytest.fixture
def plan_run(tmp_path):
    """A drafted plan for Alpha whose PMO head wrote a formula-like KPI owner and a script in a risk."""
    path = tmp_path / "plan.yaml"
    build_plan(MINI, [ANSWERS], "Alpha", path, targets_path=TARGETS, roadmap_path=ROADMAP,
               library_path=LIBRARY, today=dt.date(2026, 11, 22), day_rate=1000)
    text = path.read_text()
    text = text.replace("    owner: ''\n    cadence: quarterly\n    initiatives: [BEN-1, BEN-2]",
                        f"    owner: \"{INJECTION}\"\n    cadence: quarterly\n    initiatives: [BEN-1, BEN-2]", 1)
    text = text.replace("risks:\n", "risks:\n  - {risk: \"<script>alert('x')</script> budget cut\", likelihood: low, "
                                    "impact: high, owner: Ana Silva}\n", 1)
    path.write_text(text)
    return build_plan(MINI, [ANSWERS], "Alpha", path, targets_path=TARGETS, roadmap_path=ROADMAP,
                      library_path=LIBRARY)


def test_html_and_markdown_escape_scripts(plan_run):
    html = to_html(plan_run.plan, plan_run.roadmap)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; budget cut" in html
    assert "Portfolio dashboard &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>Costs, benefits and payback</h2>" in html
    markdown = to_markdown(plan_run.plan, plan_run.roadmap)
    assert "<script>" not in markdown
    assert "| 1 | BEN-1 | Benefits register | benefits | 1→2 | 10 | Ana Silva | in-progress | benefits-tracked | =cmd\\|'/c calc'!A1 |" in markdown
    assert "## Still to fill in" in markdown and "- KPI on-time: baseline, target, owner" in markdown


def test_docx_holds_every_section_and_the_roadmap(plan_run, tmp_path):
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("docx",))
    document = Document(tmp_path / "plan.docx")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Purpose and mandate", "Objectives", "KPIs on the four levels of measures",
                        "Service catalogue", "Costs, benefits and payback", "Value proposition per stakeholder group",
                        "Change management", "Communication plan", "Risks", "Roadmap", "Re-assessment",
                        "Still to fill in"]
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Raise benefits from level 1 (ad hoc) to level 3 (operationalizing)", "Benefits register",
            "28 person-days × 1,000 EUR", INJECTION} <= cells


def test_xlsx_has_plan_roadmap_owners_and_inert_formulas(plan_run, tmp_path):
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("xlsx",))
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert tuple(workbook.sheetnames) == SHEETS
    roadmap = list(workbook["roadmap"].iter_rows(values_only=True))
    assert roadmap[0][:3] == ("wave", "id", "title")
    assert roadmap[1][:6] == (1, "BEN-1", "Benefits register", "benefits", "1→2", 10)
    note = workbook["roadmap"]["J2"]
    assert note.value == "'" + INJECTION and note.data_type == "s"
    owners = list(workbook["owners"].iter_rows(values_only=True))
    assert ("'" + INJECTION, "KPI", "Benefits tracked after go-live", "reviewed quarterly") in owners
    assert ("Ana Silva", "initiative", "BEN-1: Benefits register", "wave 1, in-progress") in owners
    formulas = [c.coordinate for sheet in workbook for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    plan_cells = [c.value for row in workbook["plan"].iter_rows() for c in row if c.value]
    assert "Objectives" in plan_cells and "Raise measures from level 1 (ad hoc) to level 3 (operationalizing)" in plan_cells


def test_an_edited_plan_renders_its_ratio_payback_and_choice(tmp_path):
    from plan_fixtures import PLAN_DATA
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.business_plan.plan_file import load_plan
    from pmo_assess.roadmap.roadmap_file import load_roadmap

    roadmap = load_roadmap(ROADMAP)
    plan = load_plan(PLAN_DATA / "plan.yaml", load_questionnaire(MINI), roadmap)
    money = plan.financials
    # costs: 60,000 a year + waves of 28 and 33 person-days at 1,000; benefits 150,000 a year from year 2
    assert money.yearly_costs == (121_000, 60_000, 60_000) and money.total_benefits == 300_000
    assert money.benefit_cost_ratio == 1.24 and money.payback_months == 29
    markdown = to_markdown(plan, roadmap)
    assert "Benefit-cost ratio 1.24. Payback after 29 months." in markdown
    assert "PMO type: supportive" in markdown and "The assessment recommended controlling" in markdown
    assert "| 2 | Benefits tracked after go-live | percent | higher | 10 | 80 | Ana Silva | quarterly | BEN-1, BEN-2 |" in markdown
    assert "| 3 | 60,000 EUR | 150,000 EUR | 90,000 EUR | 59,000 EUR |" in markdown
    todo = markdown.split("## Still to fill in")[1]
    assert "roadmap item LEA-2: owner" in todo and "KPI" not in todo


def test_notebook_pmo_type_line_escapes_the_reason_the_pmo_head_wrote(tmp_path):
    from pmo_assess.business_plan.render import pmo_type_html

    path = tmp_path / "plan.yaml"
    build_plan(MINI, [ANSWERS], "Alpha", path, targets_path=TARGETS, roadmap_path=ROADMAP, library_path=LIBRARY,
               today=dt.date(2026, 11, 22))
    text = path.read_text()
    start = text.index("  reason: ", text.index("pmo_type:"))
    end = text.index("\n", start)
    path.write_text(text[:start] + "  reason: \"<img src=x onerror=alert(1)> we need control\"" + text[end:])
    run = build_plan(MINI, [ANSWERS], "Alpha", path, targets_path=TARGETS, roadmap_path=ROADMAP, library_path=LIBRARY)
    shown = pmo_type_html(run.plan)
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt; we need control" in shown
    assert f"<strong>Chosen: {run.plan.pmo_type.chosen}</strong>" in shown
