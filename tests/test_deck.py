"""Readout decks (PPTX): the slides a workshop readout needs, with the unit's numbers, a client template, no names."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation

from pmo_assess.errors import InputErrors
from pmo_assess.export.scores import scores_to_dict
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.report.deck import write_portfolio_deck, write_unit_deck
from pmo_assess.report.settings import ReportSettings
from pmo_assess.roadmap.roadmap_file import load_roadmap
from pmo_assess.rounds.round_info import RoundInfo
from pmo_assess.scoring import compute_gaps, score_answers
from conftest import BANK, EXAMPLES
from roadmap_fixtures import roadmap_copy

SAMPLES = sorted((EXAMPLES / "answers").glob("*.csv"))
SETTINGS = ReportSettings(client="Northwind Bank", organisation="Acme Advisory", assessor="Dana Reyes")


@pytest.fixture(scope="module")
def bank():
    return load_questionnaire(BANK)


@pytest.fixture(scope="module")
def document(bank):
    """scores@1 of the five sample units, with targets and a round."""
    scores = score_answers(read_answers(SAMPLES, bank), bank)
    gaps = compute_gaps(scores, load_targets(EXAMPLES / "targets.yaml", bank))
    return scores_to_dict(scores, gaps, round_info=RoundInfo("2026-Q4", dt.date(2026, 11, 20)))


def unit_of(document, name):
    return next(u for u in document["units"] if u["business_unit"] == name)


@pytest.fixture(scope="module")
def retail_deck(document, bank, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    roadmap = load_roadmap(roadmap_copy(folder), bank)
    path = write_unit_deck(unit_of(document, "Retail Banking"), bank, folder / "retail.pptx", SETTINGS,
                           roadmap=roadmap, round_info=document["round"])
    return Presentation(str(path)), path


def slide_texts(slide) -> list[str]:
    """Every text on a slide: text frames and table cells."""
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def slide_by_title(deck, title):
    return next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text.startswith(title))


def table_rows(slide) -> list[list[str]]:
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_unit_deck_has_the_readout_slides_in_order(retail_deck):
    deck, _ = retail_deck
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == ["Retail Banking", "Overall: level 2 evolving", "Dimensions: current level against target",
                      "Capabilities: score, level and target", "Top gaps to target", "Disputed items for discussion",
                      "Roadmap waves", "Next steps"]
    cover = " ".join(slide_texts(deck.slides[0]))
    for said in ("Northwind Bank", "Assessed 20 November 2026 · round 2026-Q4", "Dana Reyes, Acme Advisory",
                 "value-driven-pmo 1.0.0"):
        assert said in cover
    # the radar is a picture; everything else editable text or tables (the capability heatmap is a coloured table)
    pictures = [shape for s in deck.slides for shape in s.shapes if shape.shape_type == 13]
    assert len(pictures) == 1
    assert [s.shapes.title.text for s in deck.slides if any(p in s.shapes for p in pictures)] == [
        "Dimensions: current level against target"]


def test_a_long_capability_list_shrinks_its_text_to_stay_on_the_slide(document, bank, tmp_path):
    unit = unit_of(document, "Retail Banking")
    many = {**unit, "capabilities": unit["capabilities"] * 2}  # 36 rows: too many for 11 pt text and margins
    deck = Presentation(str(write_unit_deck(many, bank, tmp_path / "long.pptx", ReportSettings())))
    slide = slide_by_title(deck, "Capabilities")
    heat = next(shape for shape in slide.shapes if shape.has_table)
    assert len(heat.table.rows) == 37
    assert max(shape.top + shape.height for shape in slide.shapes) <= deck.slide_height
    sizes = {run.font.size.pt for row in heat.table.rows for cell in row.cells
             for paragraph in cell.text_frame.paragraphs for run in paragraph.runs}
    row_points = heat.height / len(heat.table.rows) / 12700
    margins = {cell.margin_top + cell.margin_bottom for row in heat.table.rows for cell in row.cells}
    # a line of text is about 1.2 × its size; with the cell's margins it must fit the row's height
    assert len(sizes) == len(margins) == 1
    size = sizes.pop()
    assert 6 <= size < 11 and size * 1.2 + margins.pop() / 12700 <= row_points


def test_a_questionnaire_edited_between_decks_is_read_again(tmp_path):
    # decks of a batch share one parsed questionnaire; an edited file must never be served from that cache
    from pmo_assess.report.readout_inputs import _questionnaire_at

    copy = tmp_path / "bank.yaml"
    text = BANK.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    first = _questionnaire_at(copy)
    assert _questionnaire_at(copy) is first  # unchanged: parsed once
    copy.write_text(text.replace("name: Customer orientation", "name: Client focus"), encoding="utf-8")
    assert _questionnaire_at(copy).capability("customer-orientation").name == "Client focus"


@pytest.fixture(scope="module")
def portfolio_deck(document, bank, tmp_path_factory):
    path = write_portfolio_deck(document["units"], bank, tmp_path_factory.mktemp("portfolio") / "portfolio.pptx",
                                SETTINGS, round_info=document["round"])
    return Presentation(str(path)), path


def test_chart_pictures_are_crisp_where_they_are_shown(retail_deck, portfolio_deck):
    # at least 150 pixels per inch of the picture's size on the slide, in the unit's and the portfolio's deck
    portfolio, _ = portfolio_deck
    pictures = [shape for deck in (retail_deck[0], portfolio) for s in deck.slides for shape in s.shapes
                if shape.shape_type == 13]
    assert len(pictures) == 2  # the unit's radar and the portfolio's capability scores
    for picture in pictures:
        with Image.open(io.BytesIO(picture.image.blob)) as image:
            assert image.width / (picture.width / 914400) >= 150 and image.height / (picture.height / 914400) >= 150
        assert picture.left >= 0 and picture.left + picture.width <= portfolio.slide_width
        assert picture.top + picture.height <= portfolio.slide_height


def fill_of(cell) -> str:
    return str(cell.fill.fore_color.rgb)


def test_capability_heatmap_is_a_table_coloured_on_the_level_scale(retail_deck, document, bank):
    deck, _ = retail_deck
    unit = unit_of(document, "Retail Banking")
    slide = slide_by_title(deck, "Capabilities")
    tables = [shape for shape in slide.shapes if shape.has_table]
    heat, key = tables[0].table, tables[1].table
    rows = [[cell.text for cell in row.cells] for row in heat.rows]
    assert rows[0] == ["Capability", "Score", "Level", "Target"]
    names = {c.id: c.name for c in bank.capabilities}
    assert rows[1:] == [[names[c["id"]], f"{c['score']:.2f}", f"{c['level']} {c['level_name']}",
                         f"{c['target']} {bank.level_name(c['target'])}"] for c in unit["capabilities"]]
    # RdYlGn at the ends of the 1-4 scale: level 1 is its first colour (165, 0, 38), level 4 its last (0, 104, 55)
    ends = [(r, cap["level"]) for r, cap in enumerate(unit["capabilities"], start=1) if cap["level"] in (1, 4)]
    assert {level for _, level in ends} == {1, 4}  # Retail Banking has capabilities at both ends
    for r, level in ends:
        assert fill_of(heat.cell(r, 2)) == {1: "A50026", 4: "006837"}[level]
    assert [cell.text for cell in key.rows[0].cells] == ["Colour: score / level (1-4)", "1 ad hoc", "2 evolving",
                                                         "3 operationalizing", "4 optimizing"]
    assert (fill_of(key.cell(0, 1)), fill_of(key.cell(0, 4))) == ("A50026", "006837")
    bottom = max(shape.top + shape.height for shape in tables)
    assert bottom <= deck.slide_height  # 18 capabilities and the key fit on the slide


def test_headline_slide_holds_the_units_numbers_and_what_holds_the_level(retail_deck, document, bank):
    deck, _ = retail_deck
    unit = unit_of(document, "Retail Banking")
    slide = slide_by_title(deck, "Overall")
    text = " ".join(slide_texts(slide))
    assert f"Overall score {unit['overall']['score']:.2f} from {unit['respondents']} respondents." in text
    assert "Governance must reach evolving first" in text  # governance at level 1 holds the overall at 2
    rows = table_rows(slide)
    assert rows[0][:5] == ["Dimension", "Score", "Level", "Target", "Gap"]
    names = {d.id: d.name for d in bank.dimensions}
    expected = [[names[d["id"]], f"{d['score']:.2f}", f"{d['level']} {d['level_name']}", str(d["target"]),
                 str(d["gap"])] for d in unit["dimensions"]]
    assert [r[:5] for r in rows[1:]] == expected


def test_the_previous_round_shows_beside_this_one(document, bank, tmp_path):
    unit = unit_of(document, "Retail Banking")
    previous = {"overall": {"score": 2.01, "level": 2, "level_name": "evolving"},
                "dimensions": [{**d, "level": 1, "level_name": "ad hoc"} for d in unit["dimensions"]]}
    deck = Presentation(str(write_unit_deck(unit, bank, tmp_path / "rb.pptx", ReportSettings(), previous=previous)))
    slide = slide_by_title(deck, "Overall")
    assert "Previous round: level 2 evolving, score 2.01." in " ".join(slide_texts(slide))
    rows = table_rows(slide)
    assert rows[0][3] == "Previous level" and {r[3] for r in rows[1:]} == {"1 ad hoc"}


def test_top_gaps_are_the_largest_gaps_first(retail_deck, document, bank):
    deck, _ = retail_deck
    unit = unit_of(document, "Retail Banking")
    rows = table_rows(slide_by_title(deck, "Top gaps"))[1:]
    names = {c.id: c.name for c in bank.capabilities}
    below = [c for c in unit["capabilities"] if c["gap"] and c["gap"] > 0]
    # Retail Banking: benefits management and performance measures have gap 3 (level 1, target 4)
    three = sorted(names[c["id"]] for c in below if c["gap"] == 3)
    assert three == ["Benefits management", "Performance measures"]
    assert sorted(r[0] for r in rows[:2]) == three and {r[5] for r in rows[:2]} == {"3"}
    assert [int(r[5]) for r in rows] == sorted((int(r[5]) for r in rows), reverse=True)
    assert len(rows) == min(10, len(below))
    first = next(c for c in below if names[c["id"]] == rows[0][0])
    assert rows[0][2] == f"{first['score']:.2f}" and rows[0][4] == str(first["target"])


def test_roadmap_waves_and_next_steps(retail_deck, bank):
    deck, _ = retail_deck
    rows = table_rows(slide_by_title(deck, "Roadmap waves"))
    assert rows[0] == ["Wave", "Dates", "Initiatives (quick wins first)"]
    assert rows[1][0] == "Wave 1" and rows[1][1] == "04 Jan 2027 – 28 Mar 2027"  # the fixture starts 2027-01-04
    assert "(quick win)" in rows[1][2].splitlines()[0]
    steps = " ".join(slide_texts(slide_by_title(deck, "Next steps")))
    assert "Lift Governance to evolving first" in steps and "Start wave 1 of the roadmap" in steps


def test_disputed_items_list_the_spread(document, bank, tmp_path):
    # Group Technology: automation is the one disputed capability (max − min of respondent scores ≥ 1.5)
    unit = unit_of(document, "Group Technology")
    automation = next(c for c in unit["capabilities"] if c["id"] == "automation")
    assert automation["disputed"] is True
    deck = Presentation(str(write_unit_deck(unit, bank, tmp_path / "gt.pptx", ReportSettings())))
    rows = table_rows(slide_by_title(deck, "Disputed items"))
    assert rows[0][:2] == ["Capability", "Spread (max−min)"]
    assert rows[1][:2] == ["Automation", f"{automation['spread']:.2f}"]
    assert len(rows) == 2
    assert "Roadmap waves" not in [s.shapes.title.text for s in deck.slides]  # no roadmap given


def test_no_respondent_name_in_the_deck_or_its_properties(retail_deck):
    deck, path = retail_deck
    with open(EXAMPLES / "answers" / "retail-banking.csv", newline="", encoding="utf-8") as handle:
        names = {row["respondent"] for row in csv.DictReader(handle)}
    props = deck.core_properties
    assert props.author == props.last_modified_by == "Dana Reyes"
    fields = " ".join(str(getattr(props, f)) for f in ("author", "last_modified_by", "title", "subject",
                                                       "keywords", "comments", "category"))
    with zipfile.ZipFile(path) as package:
        raw = b" ".join(package.read(n) for n in package.namelist() if n.endswith(".xml")).decode("utf-8")
    for name in names:
        assert name not in fields and name not in raw


def test_a_client_template_lends_its_layouts_and_loses_its_slides(document, bank, tmp_path):
    template = Presentation()  # 4:3, unlike the 16:9 neutral deck
    sample = template.slides.add_slide(template.slide_layouts[1])
    sample.shapes.title.text = "CLIENT SAMPLE SLIDE"
    template.core_properties.author = "Template Person"
    template_path = tmp_path / "client.pptx"
    template.save(str(template_path))
    settings = ReportSettings(client="Northwind Bank", pptx_template=template_path)
    deck = Presentation(str(write_unit_deck(unit_of(document, "Insurance Claims"), bank, tmp_path / "ic.pptx",
                                            settings)))
    assert (deck.slide_width, deck.slide_height) == (template.slide_width, template.slide_height)
    assert all("CLIENT SAMPLE SLIDE" not in " ".join(slide_texts(s)) for s in deck.slides)
    assert deck.slides[0].shapes.title.text == "Insurance Claims"
    assert deck.core_properties.author == "pmo-assess"  # no assessor given; never the template's author
    with pytest.raises(InputErrors, match="would replace it"):  # the template is an input: never written over
        write_unit_deck(unit_of(document, "Insurance Claims"), bank, template_path, settings)
    assert b"CLIENT SAMPLE SLIDE" in zipfile.ZipFile(template_path).read("ppt/slides/slide1.xml")


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken"])
def test_a_broken_template_is_an_input_error_naming_the_file(document, bank, tmp_path, content):
    broken = tmp_path / "broken.pptx"
    broken.write_bytes(content)
    with pytest.raises(InputErrors) as caught:
        write_unit_deck(unit_of(document, "Retail Banking"), bank, tmp_path / "out.pptx",
                        ReportSettings(pptx_template=broken))
    assert str(broken) in caught.value.render() and "pptx_template" in caught.value.render()
    assert not (tmp_path / "out.pptx").exists()


def test_portfolio_deck_lists_every_unit_with_its_level(portfolio_deck, document, bank):
    deck, path = portfolio_deck
    assert deck.slides[0].shapes.title.text == "Northwind Bank"
    rows = table_rows(slide_by_title(deck, "5 business units"))
    expected = [[u["business_unit"], str(u["respondents"]), f"{u['overall']['score']:.2f}",
                 f"{u['overall']['level']} {u['overall']['level_name']}"] for u in document["units"]]
    assert [r[:4] for r in rows[1:]] == expected
    # weakest capability across units: the lowest mean of the five units' scores, computed here
    means = {}
    for u in document["units"]:
        for c in u["capabilities"]:
            if c["score"] is not None:
                means.setdefault(c["id"], []).append(c["score"])
    lowest = min(means, key=lambda k: sum(means[k]) / len(means[k]))
    weakest = table_rows(slide_by_title(deck, "Weakest capabilities"))[1]
    assert weakest[0] == bank.capability(lowest).name
    assert weakest[1] == f"{sum(means[lowest]) / len(means[lowest]):.2f}"
    assert Path(path).stat().st_size > 0 and deck.core_properties.author == "Dana Reyes"


def test_portfolio_levels_are_a_table_coloured_on_the_level_scale(portfolio_deck, document, bank):
    deck, _ = portfolio_deck
    slide = slide_by_title(deck, "Levels per dimension")
    heat = next(shape.table for shape in slide.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in heat.rows]
    assert rows[0] == ["Business unit", *(d.name for d in bank.dimensions), "Overall"]
    assert rows[1:] == [[u["business_unit"], *(str(d["level"]) for d in u["dimensions"]), str(u["overall"]["level"])]
                        for u in document["units"]]
    public = next(r for r, row in enumerate(rows) if row[0] == "Public Sector Programmes")
    assert {fill_of(heat.cell(public, c)) for c in range(1, len(rows[0]))} == {"A50026"}  # level 1 everywhere


def test_a_portfolio_of_many_units_keeps_its_levels_table_on_the_slide(document, bank, tmp_path):
    units = [{**unit, "business_unit": f"Unit {i:02d}"} for i in range(60) for unit in document["units"][:1]]
    deck = Presentation(str(write_portfolio_deck(units, bank, tmp_path / "many.pptx", SETTINGS)))
    slide = slide_by_title(deck, "Levels per dimension")
    heat = next(shape for shape in slide.shapes if shape.has_table)
    assert len(heat.table.rows) == 1 + 40  # header + the first 40 units
    assert any(shape.has_text_frame and shape.text_frame.text == "… and 20 more in the report."
               for shape in slide.shapes)
    assert heat.top + heat.height <= deck.slide_height

