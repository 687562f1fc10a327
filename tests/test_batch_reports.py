"""pmo-assess batch end to end with the bundled notebooks: reports without code, escaped text, portfolio."""
from __future__ import annotations

import csv
import json
import subprocess

from conftest import BANK, EXAMPLES


def test_batch_over_samples_writes_escaped_code_free_reports_and_the_portfolio(tmp_path):
    with (EXAMPLES / "answers" / "retail-banking.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hostile = tmp_path / "harbour.csv"
    with hostile.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for i, row in enumerate(rows):
            comment = '<script>alert("pwned")</script> =HYPERLINK("http://evil.example","click")' if i == 0 else ""
            writer.writerow({**row, "business_unit": "Harbour <Ops>", "comment": comment})
    out = tmp_path / "reports"

    result = subprocess.run(
        ["pmo-assess", "batch", str(EXAMPLES / "answers" / "group-technology.csv"), str(hostile),
         "--questionnaire", str(BANK), "--targets", str(EXAMPLES / "targets.yaml"), "--out", str(out),
         "--timeout", "300"],
        capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "3 succeeded, 0 failed" in result.stdout
    assert "[2/2] ok" in result.stderr  # plain progress lines when not on a terminal
    harbour = out / "units" / "harbour-ops"
    assert sorted(p.name for p in harbour.iterdir()) == ["assessment.ipynb", "report.html", "scores.json"]
    html = (harbour / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    # the comment is shown as inert text: tag and quotes escaped
    assert ('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; =HYPERLINK(&quot;http://evil.example&quot;,'
            '&quot;click&quot;)</td>') in html
    assert 'href="http://evil.example' not in html
    assert "<title>Harbour &lt;Ops&gt; — PMO maturity assessment</title>" in html
    assert "Level 2 — evolving" in html  # Retail Banking's answers: overall level 2
    assert "load_unit_report" not in html and "business_unit =" not in html  # no code, no parameters
    scores = json.loads((harbour / "scores.json").read_text(encoding="utf-8"))
    assert scores["units"][0]["business_unit"] == "Harbour <Ops>"
    assert scores["units"][0]["overall"]["level"] == 2
    executed = json.loads((out / "portfolio.ipynb").read_text(encoding="utf-8"))
    counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # its warmed-up kernel starts clean, at count 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["portfolio"]["profile"]["reused"] is True  # on a kernel a unit ran on (no kernel start)
    portfolio = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "2 business units" in portfolio and "Group Technology" in portfolio
    assert "Harbour &lt;Ops&gt;" in portfolio and "from pmo_assess" not in portfolio
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        summary = {r["unit"]: r["status"] for r in csv.DictReader(handle)}
    assert summary == {"Group Technology": "ok", "Harbour <Ops>": "ok", "portfolio": "ok"}
