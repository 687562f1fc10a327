"""The output-safety helpers other modules call: formulas, HTML, Markdown links, control characters."""
from __future__ import annotations

import pytest

from pmo_assess.errors import InputErrors
from pmo_assess.sanitize import (control_character_problem, escape_html, escape_markdown, is_safe_link,
                                 neutralize_formula, neutralize_markdown_links, refuse_control_characters,
                                 safe_markdown_link)


@pytest.mark.parametrize("url", ["https://example.org/a?b=c", "http://x", "HTTPS://X.ORG", "docs/plan.html",
                                 "../roadmap.md", "#risks", "/reports/unit.html", "?tab=2"])
def test_http_and_relative_links_are_safe(url):
    assert is_safe_link(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox", "file:///etc/passwd",
                                 "mailto:a@b", "//evil.example", "\\\\server\\share", " javascript:x", ""])
def test_other_links_are_not(url):
    assert not is_safe_link(url)


def test_safe_markdown_link_keeps_only_safe_links_clickable():
    assert safe_markdown_link("Plan", "https://x.org/p") == "[Plan](https://x.org/p)"
    assert safe_markdown_link("Plan [v2]", "plan v2.md") == "[Plan \\[v2\\]](plan%20v2.md)"
    assert safe_markdown_link("x", "javascript:alert(1)") == "x (`javascript:alert(1)`)"


def test_neutralize_markdown_links_in_a_whole_document():
    text = ("See [x](javascript:alert(1)), ![img](data:image/png;base64,AAA) and [ok](https://a.org/b).\n"
            "<javascript:alert(2)> <https://c.org>\n[ref]: javascript:alert(3)\n[good]: ./a.md\n")
    assert neutralize_markdown_links(text) == (
        "See x (`javascript:alert(1)`), img (`data:image/png;base64,AAA`) and [ok](https://a.org/b).\n"
        "`javascript:alert(2)` <https://c.org>\n\\[ref\\]: `javascript:alert(3)`\n[good]: ./a.md\n")


def test_inert_urls_with_backticks_cannot_close_their_code_span():
    assert safe_markdown_link("x", "javascript:`alert`") == "x (`` javascript:`alert` ``)"


def test_escape_markdown_shows_text_as_typed():
    assert escape_markdown("[a](b) *c* <d>") == "\\[a\\]\\(b\\) \\*c\\* \\<d\\>"


def test_formula_and_html_helpers():
    assert neutralize_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralize_formula("Plan") == "Plan"
    assert escape_html("<b>\"x\"</b>") == "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"


@pytest.mark.parametrize("value,code", [("A\x00", "0000"), ("A\nB", "000A"), ("A\x7f", "007F"),
                                        ("A\x85", "0085"), ("A\u2028", "2028"), ("\x1b[2J", "001B")])
def test_control_characters_are_named(value, code):
    assert f"U+{code}" in control_character_problem(value, "business unit")


def test_plain_names_pass_and_refusal_names_file_place_and_field():
    assert control_character_problem("Retail Banking — Zürich 🏦", "business unit") is None
    assert refuse_control_characters("Ops", "business unit") == "Ops"
    with pytest.raises(InputErrors) as caught:
        refuse_control_characters("O\tps", "business unit", "answers.csv", "row 4")
    assert str(caught.value) == ("answers.csv: row 4: business unit 'O\\tps' contains control character "
                                 "U+0009 at position 2; names must be plain text on one line")


def test_raw_html_that_links_or_runs_script_is_made_inert():
    text = ('<a href="javascript:alert(1)">x</a> <a href="https://ok.org">ok</a> <img src=x onerror=alert(1)> '
            "<script>alert(1)</script> <b>bold</b>")
    assert neutralize_markdown_links(text) == (
        '&lt;a href=&quot;javascript:alert(1)&quot;&gt;x</a> <a href="https://ok.org">ok</a> '
        "&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b>")
