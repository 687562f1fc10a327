"""Make text safe where pmo-assess writes it (HTML, spreadsheets, Markdown) and keep names plain text."""
from __future__ import annotations

import html
import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(text: str) -> str:
    """Prefix text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``=cmd|...``) with a quote."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def escape_html(text: str) -> str:
    """Escape text for HTML so ``<script>`` shows as text instead of running."""
    return html.escape("" if text is None else str(text), quote=True)


#: Line and paragraph separators break lines like a newline does, so they count as control characters.
_LINE_BREAKERS = {"\u2028", "\u2029"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _LINE_BREAKERS


def control_character_problem(value: str, field: str) -> str | None:
    """The message for a name holding a control character (tab, newline, NUL, ESC, ...), or None if clean."""
    text = "" if value is None else str(value)
    for position, char in enumerate(text, start=1):
        if _is_control(char):
            return (f"{field} {text!r} contains control character U+{ord(char):04X} at position {position}; "
                    "names must be plain text on one line")
    return None


def refuse_control_characters(value: str, field: str, file: str = "", place: str = "") -> str:
    """Return ``value`` unchanged, or raise InputErrors (exit 2) naming the file, place and field."""
    message = control_character_problem(value, field)
    if message is None:
        return value
    from pmo_assess.errors import InputErrors, InputProblem

    raise InputErrors([InputProblem(file or field, place, message)])


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_SAFE_SCHEMES = {"http", "https"}


def is_safe_link(url: str) -> bool:
    """True for http(s) and relative links only; javascript:, data:, file:, ``//host`` and the like are not."""
    text = "" if url is None else str(url)
    if not text.strip() or any(_is_control(c) or c.isspace() for c in text):
        return False  # browsers drop tabs and newlines inside a scheme: "java\tscript:" runs
    if text.startswith(("//", "\\\\", "/\\", "\\/")):
        return False  # protocol-relative: points at another host
    match = _SCHEME.match(text)
    if match:
        return match.group(1).lower() in _SAFE_SCHEMES
    return ":" not in text.split("/", 1)[0] or text.startswith(("#", "?", "./", "../", "/"))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown punctuation so free text shows as typed (no links, emphasis or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def _inert(url: str) -> str:
    """A URL shown as code, never clickable (backticks inside it cannot close the span)."""
    clean = "".join(" " if _is_control(c) else c for c in str(url))
    fence = "``" if "`" in clean else "`"
    return f"{fence} {clean} {fence}" if fence == "``" else f"`{clean}`"


def safe_markdown_link(text: str, url: str) -> str:
    """``[text](url)`` when the link is http(s) or relative; otherwise the text and the URL as inert code."""
    label = escape_markdown(text)
    target = "" if url is None else str(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if is_safe_link(target):
        return f"[{label}]({target})"
    return f"{label} ({_inert(url)})"


# [label](destination "title") and ![alt](...) with one level of nested brackets and parentheses.
_INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(((?:[^()]|\([^()]*\))*)\)")
_LINK_OPEN = re.compile(r"\]\(((?:[^()]|\([^()]*\))*)\)?")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*)>")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(\S+)(.*)$", re.MULTILINE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_HTML_ACTIVE = re.compile(r"^</?\s*(script|iframe|object|embed|style|form|meta|link|base|svg|math)\b|\son\w+\s*=",
                          re.IGNORECASE)
_HTML_LINK = re.compile(r"\b(?:href|src|action|formaction|xlink:href)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)",
                        re.IGNORECASE)


def neutralize_markdown_links(markdown: str) -> str:
    """Keep only http(s) and relative links clickable in a Markdown text (inline, reference, autolink and
    raw HTML ``href``/``src``); the others, and raw HTML that runs script (``<script>``, ``onerror=``), become
    inert text."""
    def inline(match: re.Match) -> str:
        label, inside = match.group(2), match.group(3).strip()
        return match.group(0) if _destination_safe(inside) else f"{label} ({_inert(inside)})"

    def leftover(match: re.Match) -> str:  # "](" a lenient renderer might still read as a link: "[]](js:...)"
        return match.group(0) if _destination_safe(match.group(1).strip()) else "]\\(" + match.group(0)[2:]

    def autolink(match: re.Match) -> str:
        url = match.group(1)
        return match.group(0) if is_safe_link(url) else _inert(url)

    def reference(match: re.Match) -> str:
        squeezed = re.sub(r"\s", "", (match.group(2) + match.group(3)).lstrip("<"))
        if is_safe_link(match.group(2).strip("<>")) and is_safe_link(squeezed):
            return match.group(0)
        label = match.group(1).replace("[", "\\[", 1).replace("]", "\\]", 1)  # no longer a definition
        return f"{label}{_inert(match.group(2))}{match.group(3)}"

    def html_tag(match: re.Match) -> str:  # raw HTML passes through Markdown: <a href="javascript:...">
        tag = match.group(0)
        urls = [html.unescape(u.strip("\"'")) for u in _HTML_LINK.findall(tag)]
        return tag if all(is_safe_link(u) for u in urls) and not _HTML_ACTIVE.search(tag) else escape_html(tag)

    text = "" if markdown is None else str(markdown)
    text = _HTML_TAG.sub(html_tag, text)
    text = _REFERENCE.sub(reference, _AUTOLINK.sub(autolink, _INLINE_LINK.sub(inline, text)))
    return _LINK_OPEN.sub(leftover, text)


def _destination_safe(inside: str) -> bool:
    """Is what stands between ``](`` and ``)`` a safe link, however a renderer splits it into URL and title?"""
    if not inside:
        return True
    destination = inside[1:inside.find(">")] if inside.startswith("<") and ">" in inside else inside.split()[0]
    squeezed = re.sub(r"\s", "", inside.lstrip("<"))  # lenient renderers drop blanks: "java\tscript:"
    return is_safe_link(destination) and is_safe_link(squeezed)
