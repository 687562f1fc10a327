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
                      library_path=LIBRARY, today=dt.date(2026, 11, 22))


def test_html_and_markdown_escape_scripts(plan_run):
    html = to_html(plan_run.plan, plan_run.roadmap)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; budget cut" in html
    assert "Portfolio dashboard &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>Costs, benefits and payback</h2>" in html
    markdown = to_markdown(plan_run.plan, plan_run.roadmap)
    assert "<script>" not in markdown
    assert ("| 1 | BEN-1 | Benefits register | benefits | 1→2 | 2027-01-04 | 2027-01-31 | 10 | Ana Silva | in-progress "
            "| benefits-tracked | =cmd\\|'/c calc'!A1 |") in markdown
    assert "## Still to fill in" in markdown and "- KPI on-time: baseline, target, owner" in markdown


def test_docx_holds_every_section_and_the_roadmap(plan_run, tmp_path):
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("docx",))
    document = Document(tmp_path / "plan.docx")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Executive summary", "Purpose and mandate", "PMO type and how it was chosen", "Scope",
                        "Objectives", "KPIs on the four levels of measures", "Service catalogue", "Staffing",
                        "Funding model", "Costs, benefits and payback", "Value proposition per stakeholder group",
                        "Change management", "Communication plan", "Risks", "Co-creation and sign-off", "Roadmap",
                        "Re-assessment", "Still to fill in"]
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Increase margin uplift from the portfolio by 2027-06-20", "Benefits register",
            "Roadmap wave 1 initiatives", "28,000 EUR", INJECTION} <= cells


def test_xlsx_has_plan_roadmap_owners_and_inert_formulas(plan_run, tmp_path):
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("xlsx",))
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert tuple(workbook.sheetnames) == SHEETS
    roadmap = list(workbook["roadmap"].iter_rows(values_only=True))
    assert roadmap[0][:3] == ("wave", "id", "title")
    assert roadmap[1][:8] == (1, "BEN-1", "Benefits register", "benefits", "1→2", dt.datetime(2027, 1, 4),
                              dt.datetime(2027, 1, 31), 10)
    note = workbook["roadmap"]["L2"]
    assert note.value == "'" + INJECTION and note.data_type == "s"
    owners = list(workbook["owners"].iter_rows(values_only=True))
    assert ("'" + INJECTION, "KPI", "Benefits tracked after go-live", "reviewed quarterly") in owners
    assert ("Ana Silva", "initiative", "BEN-1: Benefits register", "wave 1, in-progress") in owners
    formulas = [c.coordinate for sheet in workbook for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    plan_cells = [c.value for row in workbook["plan"].iter_rows() for c in row if c.value]
    assert "Objectives" in plan_cells and "Increase projects on schedule by 2027-06-20" in plan_cells


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
    assert "| 3 | 60,000 EUR | 0 EUR | 60,000 EUR | 150,000 EUR | 90,000 EUR | 59,000 EUR |" in markdown
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


# --- numbers, paper, header and footer, charts, all or nothing (issues 9 and 11) ----------------------------

def test_xlsx_amounts_are_numbers_with_a_currency_format_and_text_stays_inert(plan_run, tmp_path):
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("xlsx",))
    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx")["plan"]
    rows = [[c for c in row] for row in sheet.iter_rows()]
    yearly = next(i for i, row in enumerate(rows) if row[0].value == "year" and row[1].value == "PMO costs")
    year1 = rows[yearly + 1]
    assert [c.value for c in year1[:4]] == [1, 0, 28_000 + 33_000, 61_000]
    for cell in year1[1:7]:
        assert cell.data_type == "n" and isinstance(cell.value, (int, float))
        assert cell.number_format == '#,##0 "EUR";-#,##0 "EUR"'
    waves = next(i for i, row in enumerate(rows) if row[0].value == "wave" and row[1].value == "roadmap cost")
    assert [c.value for c in rows[waves + 1][:2]] + [rows[waves + 1][6].value] == [1, "Roadmap wave 1 initiatives", 28_000]
    assert rows[waves + 1][2].value == dt.datetime(2027, 1, 4) and rows[waves + 1][2].number_format == "yyyy-mm-dd"
    texts = [c.value for row in rows for c in row if isinstance(c.value, str)]
    assert not any(t.endswith(" EUR") and t[0].isdigit() for t in texts)  # no amount stored as text
    assert not any(t.startswith("=") for t in texts)


def test_docx_is_a4_with_header_footer_page_numbers_summary_and_charts(plan_run, tmp_path):
    from docx.shared import Mm

    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("docx",), status=plan_run.status,
                       questionnaire=plan_run.questionnaire)
    document = Document(tmp_path / "plan.docx")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.header.paragraphs[0].text == "PMO business plan — Alpha"
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Alpha · page ")
    instructions = [t.text.strip() for t in footer._p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Executive summary"
    summary = document.paragraphs[[p.text for p in document.paragraphs].index("Executive summary") + 1].text
    assert summary == "Alpha's PMO is at level 1 (ad hoc) overall today, with 3 capabilities below their agreed target."
    assert len(document.inline_shapes) == 3  # costs and benefits, KPIs per measure level, the roadmap Gantt
    assert all(shape.width <= Mm(171) for shape in list(document.inline_shapes)[:2])
    # the roadmap's wide table and Gantt are on landscape A4 pages between portrait ones, same header
    sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections]
    assert sizes == [(210, 297), (297, 210), (210, 297)]
    assert all(s.header.is_linked_to_previous for s in document.sections[1:])
    assert Mm(171) < document.inline_shapes[2].width <= Mm(257.1)
    header_row = document.tables[0].rows[0]._tr  # repeats on every page a long table runs over
    assert header_row.xpath("./w:trPr/w:tblHeader")
    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("docx",), paper="letter")
    letter = Document(tmp_path / "plan.docx").sections[0]
    assert (round(letter.page_width.inches, 1), round(letter.page_height.inches, 1)) == (8.5, 11.0)


def test_cli_paper_option_and_html_shows_the_charts(tmp_path, capsys):
    from pmo_assess.cli import main
    from plan_fixtures import plan_args

    assert main(plan_args(tmp_path, "--format", "docx,html", "--paper", "letter", "--day-rate", "1000")) == 0
    assert round(Document(tmp_path / "plan.docx").sections[0].page_width.inches, 1) == 8.5
    page = (tmp_path / "plan.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3
    assert page.index("<h2>Executive summary</h2>") < page.index("<h2>Purpose and mandate</h2>")


def _published(tmp_path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in tmp_path.glob("plan.*") if p.suffix != ".yaml"}


def test_a_failure_in_one_format_leaves_every_output_unchanged(plan_run, tmp_path, monkeypatch):
    from pmo_assess.business_plan import export

    write_plan_outputs(plan_run.plan, plan_run.roadmap, tmp_path, ("html", "md", "docx", "xlsx"))
    before = _published(tmp_path)
    assert sorted(before) == ["plan.docx", "plan.html", "plan.md", "plan.xlsx"]

    def broken(*args, **kwargs):
        raise ValueError("the workbook cannot be built")

    monkeypatch.setattr(export, "plan_to_xlsx", broken)
    changed = plan_run.plan.__class__(**{**plan_run.plan.__dict__, "purpose": "A different purpose."})
    with pytest.raises(ValueError):
        write_plan_outputs(changed, plan_run.roadmap, tmp_path, ("html", "md", "docx", "xlsx"))
    assert _published(tmp_path) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_unwritable_output_leaves_the_others_unchanged(plan_run, tmp_path, capsys):
    from pmo_assess.cli import main
    from plan_fixtures import plan_args

    (tmp_path / "plan.docx").mkdir()
    assert main(plan_args(tmp_path, "--format", "html,md,docx")) == 2
    assert "plan.docx: cannot be written: is a folder, not a file" in capsys.readouterr().err
    assert not (tmp_path / "plan.html").exists() and not (tmp_path / "plan.md").exists()


def test_a_control_character_in_a_roadmap_note_is_refused_before_anything_is_written(tmp_path, capsys):
    from pmo_assess.cli import main
    from plan_fixtures import plan_args

    assert main(plan_args(tmp_path)) == 0
    before = _published(tmp_path)
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(ROADMAP.read_text().replace('notes: "=cmd|\'/c calc\'!A1"', 'notes: "bell\\a and \\x0b tab"'))
    args = plan_args(tmp_path)
    args[args.index(str(ROADMAP))] = str(roadmap)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{roadmap}: items[0].notes: item 'BEN-1' contains control character(s) U+0007, U+000B" in err
    assert "Traceback" not in err and _published(tmp_path) == before


def test_an_output_that_is_an_input_is_refused(tmp_path, capsys):
    import shutil

    from pmo_assess.cli import main
    from plan_fixtures import PLAN_DATA, plan_args

    shutil.copy(PLAN_DATA / "plan.yaml", tmp_path / "plan.md")  # the plan file named like an output
    assert main(plan_args(tmp_path, "--plan", str(tmp_path / "plan.md"), "--format", "md")) == 2
    assert "is this command's input" in capsys.readouterr().err
    assert (tmp_path / "plan.md").read_text() == (PLAN_DATA / "plan.yaml").read_text()


def test_markdown_keeps_only_http_and_relative_links_clickable(plan_run, tmp_path):
    from pmo_assess.business_plan.plan_file import load_plan
    from pmo_assess.io.questionnaire import load_questionnaire

    text = plan_run.plan_path.read_text().replace(
        "risks:\n", "risks:\n  - {risk: \"[click](javascript:alert(1)) or [docs](https://example.org/risk) or "
                    "[local](notes/risks.md) or <data:text/html,x>\", likelihood: low, impact: low, owner: Ana}\n", 1)
    plan_run.plan_path.write_text(text)
    plan = load_plan(plan_run.plan_path, load_questionnaire(MINI), plan_run.roadmap)
    markdown = to_markdown(plan, plan_run.roadmap)
    assert "](javascript:" not in markdown and "<data:" not in markdown
    assert "[docs](https://example.org/risk)" in markdown and "[local](notes/risks.md)" in markdown
    assert "click (`javascript:alert(1)`)" in markdown
