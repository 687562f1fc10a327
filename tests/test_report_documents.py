"""Report documents (issue 12): a unit's and the portfolio's executed notebooks rendered to HTML, PDF and PPTX.

The assessment notebook runs once for this module (Retail Banking, anonymised, with settings, a roadmap
and a previous round) and the portfolio notebook once; every test reads what those runs wrote.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pandas as pd
import papermill
import pytest
from pypdf import PdfReader

from conftest import BANK, DATA, EXAMPLES, ROOT
from pmo_assess.report.documents import FORMATS, ReportFormatError, parse_formats, write_report_files
from pmo_assess.report.unit import load_unit_report, write_unit_scores
from pmo_assess.rounds.round_info import RoundInfo

ANSWERS = EXAMPLES / "answers" / "retail-banking.csv"
MINI_BANK = DATA / "mini.yaml"
ROADMAP = DATA / "report" / "retail-banking-roadmap.yaml"
NAMES = sorted(set(pd.read_csv(ANSWERS)["respondent"]))  # Sarah Whitfield, Rajesh Iyer, ...


def _has_deck() -> bool:
    import importlib.util

    return importlib.util.find_spec("pmo_assess.report.deck") is not None  # helper B1's module


def _previous_round(folder: Path) -> Path:
    """Retail Banking a round earlier: every answer of 2 or more one lower (so every score is lower)."""
    frame = pd.read_csv(ANSWERS, dtype=str, keep_default_na=False)
    numbers = pd.to_numeric(frame["answer"], errors="coerce")
    frame.loc[numbers >= 2, "answer"] = (numbers[numbers >= 2] - 1).astype(int).astype(str)
    frame.to_csv(folder / "earlier.csv", index=False)
    report = load_unit_report([str(folder / "earlier.csv")], "Retail Banking", str(BANK), str(EXAMPLES / "targets.yaml"))
    return write_unit_scores(report, folder / "previous", RoundInfo("2025-Q4", dt.date(2025, 11, 3)))


@pytest.fixture(scope="module")
def unit_run(tmp_path_factory):
    """The assessment notebook run once, anonymised, and its documents written (pptx when the deck exists)."""
    root = tmp_path_factory.mktemp("unit")
    settings = root / "settings.yaml"
    settings.write_text("client: Northwind Bank\norganisation: Acme Advisory\nassessor: Dana Reyes\n", encoding="utf-8")
    previous = _previous_round(root)
    work = root / "work"
    work.mkdir()
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "assessment.ipynb"), str(work / "assessment.ipynb"), progress_bar=False,
        cwd=str(work), parameters={
            "answers": [str(ANSWERS)], "business_unit": "Retail Banking", "questionnaire": str(BANK),
            "targets": str(EXAMPLES / "targets.yaml"), "output_dir": str(work), "round_label": "2026-Q4",
            "assessed_on": "2026-11-30", "anonymise": True, "report_settings": str(settings),
            "roadmap": str(ROADMAP), "previous_scores": str(previous)})
    formats = ("html", "pdf", "pptx") if _has_deck() else ("html", "pdf")
    written = write_report_files(work / "assessment.ipynb", root / "out", "report", formats)
    return {"root": root, "work": work, "written": written, "previous": previous,
            "html": (root / "out" / "report.html").read_text(encoding="utf-8"),
            "pdf": PdfReader(root / "out" / "report.pdf")}


def _pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_unit_its_summary_and_overall_level_on_a4_pages(unit_run):
    reader = unit_run["pdf"]
    text = _pdf_text(reader)

    assert "Retail Banking" in text and "Executive summary" in text
    assert "Level 2 — evolving" in text  # overall 2.45 ≥ 1.75 and < 2.50 (contract thresholds) → level 2
    assert "Northwind Bank" in text and "Dana Reyes" in text and "2026-Q4" in text and "30 November 2026" in text
    box = reader.pages[1].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)  # A4 in mm
    assert "Page 2 of" in reader.pages[1].extract_text()
    assert re.search(r"Retail Banking ?· ?Northwind Bank", reader.pages[1].extract_text())  # running header
    assert reader.metadata.title == "Retail Banking — PMO maturity assessment"
    assert reader.metadata.author == "Dana Reyes"
    assert "/Metadata" not in reader.trailer["/Root"]  # no XMP packet that could say otherwise


def test_html_title_and_no_notebook_operational_text(unit_run):
    html = unit_run["html"]

    assert "<title>Retail Banking — PMO maturity assessment</title>" in html
    assert "Run it for another unit" not in html and "parameters" not in html.lower()
    assert str(unit_run["root"]) not in html and str(ROOT) not in html  # no absolute paths
    assert "Value-driven PMO maturity assessment (value-driven-pmo 1.0.0)" in html


def test_anonymised_outputs_hold_no_respondent_name(unit_run):
    out = unit_run["root"] / "out"
    reader = unit_run["pdf"]
    texts = {"html": unit_run["html"], "pdf": _pdf_text(reader), "pdf metadata": json.dumps(dict(reader.metadata)),
             "scores.json": (unit_run["work"] / "scores.json").read_text(encoding="utf-8")}
    if (out / "report.pptx").exists():
        from pptx import Presentation

        deck = Presentation(out / "report.pptx")
        texts["pptx"] = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                                  if shape.has_text_frame)
        texts["pptx tables"] = "\n".join(cell.text for slide in deck.slides for shape in slide.shapes
                                         if shape.has_table for row in shape.table.rows for cell in row.cells)
        core = deck.core_properties
        texts["pptx metadata"] = " ".join(str(x) for x in (core.author, core.title, core.last_modified_by))

    leaks = {where: [n for n in NAMES for part in n.split() if part in text] for where, text in texts.items()}
    assert leaks == {where: [] for where in texts}
    # six respondents in roles of 1 or 2 people: every role merged into "other" (fewer than 3 is identifiable)
    assert "6 respondents — other 6" in unit_run["html"]
    assert re.search(r'>Respondent \d</td><td style="text-align:left">other</td>', unit_run["html"])  # comments


def test_recommendations_name_the_roadmaps_initiatives_quick_wins_first(unit_run):
    html = unit_run["html"]
    section = html[html.index("<h2>Recommendations</h2>"):html.index("Initiatives on the roadmap")]
    body = section[section.index("<tbody>"):]
    first_row = body[:body.index("</tr>")]

    # the roadmap's only quick wins are Decision support's two wave-1 initiatives
    assert "Decision support" in first_row
    assert "Give the portfolio board a standard pack and minuted decisions (wave 1, quick win)" in first_row
    assert "Write the PMO charter and give the PMO its own budget line (wave 1)" in section


def test_the_previous_round_is_shown_beside_this_one(unit_run):
    html = unit_run["html"]
    before = json.loads(unit_run["previous"].read_text(encoding="utf-8"))["units"][0]
    written = json.loads((unit_run["work"] / "scores.json").read_text(encoding="utf-8"))
    now = written["units"][0]

    assert "<h2>Since 2025-Q4</h2>" in html
    old, new = before["overall"], now["overall"]
    assert old["score"] < new["score"]  # every answer was one lower a round earlier
    row = (f'<td style="text-align:left">Overall</td><td style="text-align:left">overall</td>'
           f'<td>{old["level"]}</td><td>{old["score"]:.2f}</td><td>{new["level"]}</td><td>{new["score"]:.2f}</td>'
           f'<td>{new["score"] - old["score"]:.2f}</td>')
    assert row in html
    assert written["round"] == {"label": "2026-Q4", "assessed_on": "2026-11-30"}


def test_html_report_screenshot_at_1280px(unit_run, tmp_path):
    """What a reader sees at a laptop width: saved as a test artifact (skipped without chromium)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM_ARGS

    shot = tmp_path / "report-1280.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((unit_run["root"] / "out" / "report.html").as_uri())
            assert page.title() == "Retail Banking — PMO maturity assessment"
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scrolling
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 50_000


@pytest.fixture(scope="module")
def portfolio_run(tmp_path_factory, unit_run):
    root = tmp_path_factory.mktemp("portfolio")
    settings = root / "settings.yaml"
    settings.write_text("client: Northwind Group\nassessor: Dana Reyes\n", encoding="utf-8")
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "portfolio.ipynb"), str(root / "portfolio.ipynb"), progress_bar=False,
        cwd=str(root), parameters={"answers": str(EXAMPLES / "answers" / "*.csv"), "questionnaire": str(BANK),
                                   "targets": str(EXAMPLES / "targets.yaml"), "report_settings": str(settings),
                                   "previous_scores_dir": str(unit_run["previous"].parent),
                                   "round_label": "2026-Q4"})
    write_report_files(root / "portfolio.ipynb", root, "portfolio", ("html", "pdf"))
    return root


def test_portfolio_documents_show_progress_from_level_1_and_the_previous_round(portfolio_run):
    html = (portfolio_run / "portfolio.html").read_text(encoding="utf-8")
    text = _pdf_text(PdfReader(portfolio_run / "portfolio.pdf"))

    assert "<title>Northwind Group — PMO maturity across business units</title>" in html
    assert "Executive summary" in text and "Progress to target" in text
    # Public Sector Programmes: targets 2 on 17 capabilities and 3 on benefits management; levels now 2 on
    # strategic alignment, PMO mandate and decision support, 1 elsewhere. From level 1: to climb 17×1 + 2 = 19,
    # climbed 3 → 3/19 = 16 % (the old 1 − Σgap/Σtarget = 1 − 16/37 showed 57 %).
    assert ('<td style="text-align:left">Public Sector Programmes</td><td>18</td><td>3</td><td>0</td>'
            '<td>19</td><td>3</td><td>16%</td>') in html
    assert "Since the previous round" in html and "previous mean score" in html


def test_parse_formats_names_the_option():
    from pmo_assess.errors import InputErrors

    assert parse_formats("pdf, HTML,pdf") == ("pdf", "html") and FORMATS == ("html", "pdf", "pptx")
    with pytest.raises(InputErrors, match="--formats: unknown format 'docx'; give one or more of html, pdf, pptx"):
        parse_formats("html,docx")


def test_no_browser_is_a_pdf_error_naming_what_to_install(unit_run, monkeypatch, tmp_path):
    from pmo_assess.report.pdf import BROWSER_VARIABLE, close_printer

    close_printer()  # the next PDF looks for a browser afresh
    monkeypatch.delenv(BROWSER_VARIABLE, raising=False)
    monkeypatch.setattr("pmo_assess.report.pdf.KNOWN_LOCATIONS", ())  # nor where Chrome installs itself
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no chromium, chrome or edge on PATH
    with pytest.raises(ReportFormatError) as caught:
        write_report_files(unit_run["work"] / "assessment.ipynb", tmp_path, "report", ("html", "pdf"))
    assert caught.value.format == "pdf"
    assert "no Chromium, Chrome or Edge browser found" in caught.value.message
    assert "apt-get install chromium" in caught.value.message and BROWSER_VARIABLE in caught.value.message
    assert not (tmp_path / "report.html").exists()  # all or none

    monkeypatch.setenv(BROWSER_VARIABLE, str(tmp_path / "no-such-browser"))
    with pytest.raises(ReportFormatError, match=f"{BROWSER_VARIABLE} names '.*no-such-browser', which is not a file"):
        write_report_files(unit_run["work"] / "assessment.ipynb", tmp_path, "report", ("pdf",))


def test_a_browser_that_cannot_start_fails_that_pdf_with_its_reason_and_the_next_one_starts_afresh(
        unit_run, monkeypatch, tmp_path):
    from pmo_assess.report.pdf import BROWSER_VARIABLE, close_printer, html_to_pdf

    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("#!/bin/sh\necho 'this is not a browser' >&2\nexit 3\n", encoding="utf-8")
    not_a_browser.chmod(0o755)
    close_printer()
    monkeypatch.setenv(BROWSER_VARIABLE, str(not_a_browser))
    with pytest.raises(ReportFormatError) as caught:
        write_report_files(unit_run["work"] / "assessment.ipynb", tmp_path, "report", ("html", "pdf"))
    assert caught.value.format == "pdf"
    assert f"the browser ({not_a_browser}) could not print the PDF" in caught.value.message
    assert list(tmp_path.glob("report.*")) == []

    monkeypatch.delenv(BROWSER_VARIABLE)
    close_printer()
    assert html_to_pdf("<p>Back again</p>", "t", "a").startswith(b"%PDF-")


def test_a_report_into_a_batch_folder_waits_for_no_batch_and_never_lands_during_one(unit_run, tmp_path, capsys):
    import subprocess

    from pmo_assess.cli import main

    batch = tmp_path / "reports"
    unit_folder = batch / "units" / "retail-banking"
    unit_folder.mkdir(parents=True)
    holder = subprocess.Popen(  # a batch running in this folder holds its lock
        [sys.executable, "-c", "from pmo_assess.io.locks import locked\n"
         f"with locked({str(batch / 'batch')!r}, wait=0):\n    print('held', flush=True)\n    input()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        args = ["report", "--executed", str(unit_run["work"] / "assessment.ipynb"), "--formats", "html",
                "--out", str(unit_folder)]
        assert main(args) == 2
        assert f"a pmo-assess batch is writing to {batch}" in capsys.readouterr().err
        assert list(unit_folder.iterdir()) == []
    finally:
        holder.communicate("\n", timeout=30)
    assert main(args) == 0 and (unit_folder / "Retail Banking.html").is_file()


def test_the_pdf_browser_runs_no_script_and_fetches_nothing(tmp_path):
    import http.server
    import threading

    from pmo_assess.report.pdf import html_to_pdf

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = (f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body><p>Plain words</p>'
                f'<img src="{base}/pixel.png"><iframe src="{base}/frame"></iframe>'
                "<script>document.body.append('SCRIPT RAN')</script></body></html>")
        pdf = html_to_pdf(page, "t", "a")
    finally:
        server.shutdown()
    text = "".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(pdf)).pages)
    assert "Plain words" in text and "SCRIPT RAN" not in text
    assert asked == []


def test_a_browser_that_crashes_between_reports_is_replaced_and_no_report_fails_for_it():
    import psutil

    from pmo_assess.report.pdf import html_to_pdf, start_pdf

    assert html_to_pdf("<p>First</p>", "t", "a").startswith(b"%PDF-")
    browsers = [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()]
    assert browsers
    for process in browsers:  # the browser crashes (killed) while no report is printing
        process.kill()
    psutil.wait_procs(browsers, timeout=15)
    waiting = [start_pdf(f"<p>Report {n}</p>", "t", "a") for n in (1, 2)]  # two reports queued at once
    texts = ["".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(finish())).pages)
             for finish in waiting]
    assert [t.strip() for t in texts] == ["Report 1", "Report 2"]


@pytest.mark.parametrize("ending", ["exits", "is killed"])
def test_no_pdf_browser_outlives_the_process_that_started_it(ending):
    import signal
    import subprocess

    import psutil

    code = ("from pmo_assess.report.pdf import html_to_pdf\n"
            "html_to_pdf('<p>x</p>', 't', 'a')\n"
            "print('printed', flush=True)\n"
            "input()\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "printed"
        browser = [p for p in psutil.Process(process.pid).children(recursive=True) if "chrom" in p.name().lower()]
        assert browser  # the PDF was printed by a browser this process started
        if ending == "exits":
            process.stdin.write("\n")
            process.stdin.flush()
        else:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        gone, alive = psutil.wait_procs(browser, timeout=15)
        assert alive == []
    finally:
        process.kill()


def test_report_command_bad_input_is_one_message_and_exit_2(tmp_path, capsys):
    from pmo_assess.cli import main

    common = [str(ANSWERS), "-q", str(BANK), "--out", str(tmp_path / "out")]
    assert main(["report", *common, "--unit", "Retail/Banking"]) == 2
    assert "the unit name 'Retail/Banking' holds '/', so it cannot name the report files" in capsys.readouterr().err
    broken = tmp_path / "settings.yaml"
    broken.write_text("client: [not, text]\n", encoding="utf-8")
    assert main(["report", *common, "--unit", "Retail Banking", "--settings", str(broken)]) == 2
    assert "settings.yaml: client (line 1): must be text" in capsys.readouterr().err
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert main(["report", str(ANSWERS), "-q", str(BANK), "--unit", "Retail Banking", "--out",
                 str(tmp_path / "a-file")]) == 2
    assert "a-file: --out: is a file, not a folder" in capsys.readouterr().err
    assert main(["report", *common, "--unit", "Retail Banking", "--formats", "html,odt"]) == 2
    assert "unknown format 'odt'" in capsys.readouterr().err


def test_report_command_finds_bad_answers_before_starting_a_kernel(tmp_path, capsys, monkeypatch):
    from pmo_assess.cli import main

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started for input that cannot be scored")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    common = [str(ANSWERS), "-q", str(BANK), "--out", str(tmp_path / "out")]
    assert main(["report", *common, "--unit", "Retail Bankin"]) == 2
    assert "Retail Bankin" in capsys.readouterr().err  # the unit is not in the answers: named
    bad_targets = tmp_path / "targets.yaml"
    bad_targets.write_text("no-such-capability: 3\n", encoding="utf-8")
    assert main(["report", *common, "--unit", "Retail Banking", "--targets", str(bad_targets)]) == 2
    assert "no-such-capability" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_report_command_rerenders_an_executed_notebook_without_a_kernel(unit_run, tmp_path):
    from pmo_assess.cli import main

    assert main(["report", "--executed", str(unit_run["work"] / "assessment.ipynb"), "--out", str(tmp_path)]) == 0
    html = (tmp_path / "Retail Banking.html").read_text(encoding="utf-8")
    assert html == unit_run["html"]  # the same document as the batch's, from the same executed notebook


def _copy_run(unit_run, folder: Path, *, scores_say_anonymised: bool = True, **parameters) -> Path:
    """The unit's executed notebook and scores.json copied into ``folder``, with papermill parameters changed."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(str(unit_run["work"] / "assessment.ipynb"), as_version=4)
    notebook.metadata.papermill.parameters.update(parameters)
    nbformat.write(notebook, str(folder / "assessment.ipynb"))
    scores = json.loads((unit_run["work"] / "scores.json").read_text(encoding="utf-8"))
    if not scores_say_anonymised:
        scores.pop("anonymised", None)
    (folder / "scores.json").write_text(json.dumps(scores), encoding="utf-8")
    return folder / "assessment.ipynb"


def test_anonymise_is_refused_for_a_notebook_that_ran_with_names(unit_run, tmp_path, capsys):
    from pmo_assess.cli import main

    assert json.loads((unit_run["work"] / "scores.json").read_text(encoding="utf-8"))["anonymised"] is True
    named = _copy_run(unit_run, tmp_path / "named", scores_say_anonymised=False, anonymise=False)
    out = tmp_path / "out"

    assert main(["report", "--executed", str(named), "--anonymise", "--formats", "html,pdf", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{named}: --anonymise: this notebook ran without anonymity, so names are in its outputs" in err
    assert "re-run the unit with --anonymise" in err
    assert list(out.iterdir()) == []
    # its settings file asking for anonymity now does not make the outputs anonymous either
    settings = tmp_path / "anonymous.yaml"
    settings.write_text("client: Northwind Bank\nanonymise: true\n", encoding="utf-8")
    named_by_file = _copy_run(unit_run, tmp_path / "by-file", scores_say_anonymised=False, anonymise=False,
                              report_settings=str(settings))
    assert main(["report", "--executed", str(named_by_file), "--out", str(out)]) == 2
    assert "report_settings: this notebook ran without anonymity" in capsys.readouterr().err
    assert list(out.iterdir()) == []
    # anonymised by its settings file at run time (the scores.json it wrote says so): re-rendered
    by_settings = _copy_run(unit_run, tmp_path / "by-settings", anonymise=False)
    assert main(["report", "--executed", str(by_settings), "--anonymise", "--out", str(out)]) == 0
    assert (out / "Retail Banking.html").read_text(encoding="utf-8") == unit_run["html"]


def test_options_an_executed_notebook_cannot_use_are_refused_not_ignored(unit_run, tmp_path, capsys):
    from pmo_assess.cli import main

    executed = str(unit_run["work"] / "assessment.ipynb")
    settings = tmp_path / "settings.yaml"
    settings.write_text("client: Contoso\n", encoding="utf-8")
    assert main(["report", "--executed", executed, "--round", "2027-Q1", "--targets", str(EXAMPLES / "targets.yaml"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "command line: --round: cannot change a notebook that already ran (--executed)" in err
    assert "command line: --targets: cannot change a notebook that already ran" in err
    # its cover (Northwind Bank) is in its outputs: other settings would only half apply
    assert main(["report", "--executed", executed, "--settings", str(settings), "--out", str(tmp_path / "out")]) == 2
    assert "--settings: with --executed it only stands in for a settings file the notebook ran with that no longer " \
           "exists" in capsys.readouterr().err
    assert main(["report", "--executed", executed, "-q", str(MINI_BANK), "--out", str(tmp_path / "out")]) == 2
    assert "--questionnaire: the notebook ran with" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


def test_settings_stand_in_for_a_settings_file_the_notebook_ran_with_that_is_gone(unit_run, tmp_path, capsys):
    from pmo_assess.cli import main

    gone = tmp_path / "worker-scratch" / "settings.yaml"
    moved = _copy_run(unit_run, tmp_path / "moved", report_settings=str(gone))
    out = tmp_path / "out"
    assert main(["report", "--executed", str(moved), "--out", str(out)]) == 2
    assert (f"{moved}: report_settings: the notebook ran with '{gone}', which no longer exists; pass the same "
            "settings with --settings") in capsys.readouterr().err
    settings = tmp_path / "settings.yaml"
    settings.write_text("client: Northwind Bank\norganisation: Acme Advisory\nassessor: Dana Reyes\n", encoding="utf-8")
    assert main(["report", "--executed", str(moved), "--settings", str(settings), "--formats", "html,pdf",
                 "--out", str(out)]) == 0
    assert (out / "Retail Banking.html").read_text(encoding="utf-8") == unit_run["html"]
    assert PdfReader(out / "Retail Banking.pdf").metadata.author == "Dana Reyes"


def test_a_notebook_that_stopped_with_an_error_is_not_rendered(unit_run, tmp_path, capsys):
    import nbformat
    from nbformat.v4 import new_output

    from pmo_assess.cli import main

    failed = _copy_run(unit_run, tmp_path / "failed")
    notebook = nbformat.read(str(failed), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code[5].outputs = [new_output("error", ename="ValueError", evalue="no answers", traceback=[])]
    for cell in code[6:]:
        cell.outputs = []
    notebook.metadata.papermill["exception"] = True
    nbformat.write(notebook, str(failed))

    assert main(["report", "--executed", str(failed), "--out", str(tmp_path / "out")]) == 2
    assert (f"{failed}: this notebook stopped with an error (ValueError: no answers), so its report would be cut "
            "short") in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []
    with pytest.raises(ReportFormatError, match="stopped with an error"):
        write_report_files(failed, tmp_path / "out", "report", ("html",))
    assert list((tmp_path / "out").iterdir()) == []


def test_a_file_that_is_not_an_executed_notebook_is_named(tmp_path, capsys):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from pmo_assess.cli import main

    text = tmp_path / "passwd"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    binary = tmp_path / "blob.ipynb"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    empty = tmp_path / "empty.ipynb"
    nbformat.write(new_notebook(), str(empty))
    no_bank = tmp_path / "no-bank.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell('business_unit = "X"', metadata={"tags": ["parameters"]})]),
                   str(no_bank))
    expected = {text: f"{text}: is not a notebook (.ipynb)", binary: f"{binary}: ",
                empty: f"{empty}: parameters: this notebook has no parameters",
                no_bank: f"{no_bank}: parameters: the notebook has no 'questionnaire' parameter"}
    for path, message in expected.items():
        assert main(["report", "--executed", str(path), "--formats", "html,pptx", "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and "KeyError" not in err


@pytest.mark.skipif(not _has_deck(), reason="the readout deck module is not installed")
def test_a_deck_from_a_notebook_whose_questionnaire_is_gone_needs_q(unit_run, tmp_path, capsys):
    from pmo_assess.cli import main

    moved = _copy_run(unit_run, tmp_path / "moved", questionnaire=str(tmp_path / "worker-scratch" / "bank.yaml"),
                      output_dir=str(tmp_path / "worker-scratch"))
    out = tmp_path / "out"
    assert main(["report", "--executed", str(moved), "--formats", "pptx", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "worker-scratch/bank.yaml', which no longer exists; pass the questionnaire with -q/--questionnaire" in err
    assert list(out.iterdir()) == []
    assert main(["report", "--executed", str(moved), "-q", str(BANK), "--formats", "pptx", "--out", str(out)]) == 0
    assert (out / "Retail Banking.pptx").stat().st_size > 10_000
