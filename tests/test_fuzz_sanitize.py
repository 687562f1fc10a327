"""Fuzzing the output-safety helpers: no unsafe link survives, no control character passes as a name."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_inputs import DERANDOMIZE, examples
from pmo_assess.sanitize import (control_character_problem, is_safe_link, neutralize_formula,
                                 neutralize_markdown_links, safe_markdown_link)

pytestmark = pytest.mark.timeout(60)
SETTINGS = settings(max_examples=examples(150), deadline=None, derandomize=DERANDOMIZE)

SCHEMES = ["javascript:", "JaVaScRiPt:", "java\tscript:", "data:", "vbscript:", "file:", "http:", "https:", "", "//"]
pieces = st.one_of(
    st.text(max_size=12),
    st.builds(lambda s, b: f"[{b}]({s}alert(1))", st.sampled_from(SCHEMES), st.text(max_size=5)),
    st.builds(lambda s: f"<{s}x>", st.sampled_from(SCHEMES)),
    st.builds(lambda s: f'<a href="{s}x">', st.sampled_from(SCHEMES)),
    st.builds(lambda s: f"[r]: {s}x\n", st.sampled_from(SCHEMES)),
    st.sampled_from(["(", ")", "[", "]", "<", ">", "!", "\n", "`", "\\"]),
)
UNSAFE = re.compile(r"\]\(\s*<?\s*(?:java\s*script|data|vbscript|file):|href=\"(?:java\s*script|data|vbscript|file):|"
                    r"^\s{0,3}\[[^\]]+\]:\s*(?:java\s*script|data|vbscript|file):", re.IGNORECASE | re.MULTILINE)


@SETTINGS
@given(st.lists(pieces, max_size=8).map("".join))
def test_no_unsafe_link_survives_neutralisation(text):
    assert not UNSAFE.search(neutralize_markdown_links(text))


@SETTINGS
@given(st.text(max_size=20), st.one_of(st.text(max_size=20), st.builds("".join, st.lists(st.sampled_from(
    SCHEMES + ["x", "/", "a b", "(", ")"]), max_size=4))))
def test_safe_markdown_link_is_clickable_only_for_safe_urls(label, url):
    made = safe_markdown_link(label, url)
    if made.startswith("[") and "](" in made and made.endswith(")") and not is_safe_link(url.replace(" ", "%20")
                                                                                        .replace("(", "%28")
                                                                                        .replace(")", "%29")):
        pytest.fail(f"unsafe url made clickable: {made!r}")


@SETTINGS
@given(st.text(max_size=20))
def test_is_safe_link_accepts_only_http_https_or_relative(url):
    if is_safe_link(url):
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", url)
        assert scheme is None or scheme.group(1).lower() in ("http", "https")
        assert not url.startswith("//")


@SETTINGS
@given(st.text(max_size=30))
def test_control_characters_are_always_found(name):
    has_control = any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in name)
    assert (control_character_problem(name, "respondent") is not None) == has_control


@SETTINGS
@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text):
    assert not neutralize_formula(text).startswith(("=", "+", "-", "@", "\t", "\r"))
