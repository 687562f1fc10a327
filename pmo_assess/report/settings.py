"""Report settings: who the report is for and by whom, and how it is dressed (a small YAML file).

Format::

    client: Northwind Bank            # the organisation assessed (cover, running header)
    organisation: Acme Advisory       # the assessor's organisation
    assessor: Dana Reyes              # the consultant who ran the assessment
    anonymise: true                   # respondents shown as "Respondent 3 (sponsor)" everywhere
    pptx_template: client-theme.pptx  # the client's own slide template; relative to this file

Every key is optional. ``--anonymise`` on the command line turns anonymity on whatever the file says.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmo_assess.errors import ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.sanitize import control_character_problem

#: The keys a settings file may hold, and what each is for (the messages name them).
KEYS = {
    "client": "the organisation assessed",
    "organisation": "the assessor's organisation",
    "assessor": "who ran the assessment",
    "anonymise": "true to show respondents as 'Respondent N (role)'",
    "pptx_template": "a .pptx whose theme and layouts the readout deck uses",
}
#: The longest text a settings value may hold: a cover line, not a document.
MAX_TEXT = 200


@dataclass(frozen=True)
class ReportSettings:
    """Cover and dress of the report documents; empty texts when not given."""

    client: str = ""
    organisation: str = ""
    assessor: str = ""
    anonymise: bool = False
    pptx_template: Path | None = None

    def with_anonymise(self, anonymise: bool) -> "ReportSettings":
        """These settings with anonymity on if either they or the command line ask for it."""
        if self.anonymise or not anonymise:
            return self
        return ReportSettings(self.client, self.organisation, self.assessor, True, self.pptx_template)


def load_report_settings(path: str | Path | None) -> ReportSettings:
    """Read and check a settings file (None or "" gives the defaults); every problem → InputErrors (exit 2)."""
    if path is None or str(path) == "":
        return ReportSettings()
    path = Path(path)
    problems = ProblemCollector(path)
    if not path.is_file():
        problems.add("", "no such file" if not path.exists() else "is not a file")
        problems.raise_if_any()
    data = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add("", "must be a mapping of settings (client:, organisation:, assessor:, anonymise:, "
                         "pptx_template:)")
        problems.raise_if_any()

    def place(key: str) -> str:
        line = line_of(data, key)
        return f"{key} (line {line})" if line else key

    for key in data:
        if key not in KEYS:
            known = ", ".join(KEYS)
            problems.add(place(str(key)), f"unknown setting; the settings are {known}")
    texts = {}
    for key in ("client", "organisation", "assessor"):
        value = data.get(key, "")
        value = "" if value is None else value
        if not isinstance(value, str):
            problems.add(place(key), f"must be text ({KEYS[key]}), got {value!r}")
            continue
        value = value.strip()
        bad = control_character_problem(value, key)
        if bad:
            problems.add(place(key), bad)
        elif len(value) > MAX_TEXT:
            problems.add(place(key), f"is {len(value)} characters long; at most {MAX_TEXT}")
        texts[key] = value
    anonymise = data.get("anonymise", False)
    if not isinstance(anonymise, bool):
        problems.add(place("anonymise"), f"must be true or false, got {anonymise!r}")
    template = _template(path, data, problems, place)
    problems.raise_if_any()
    return ReportSettings(texts.get("client", ""), texts.get("organisation", ""), texts.get("assessor", ""),
                          bool(anonymise), template)


def _template(path: Path, data: dict, problems: ProblemCollector, place) -> Path | None:
    """The slide template as a path (relative to the settings file), checked to exist and be a .pptx."""
    value = data.get("pptx_template")
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        problems.add(place("pptx_template"), f"must be the path of a .pptx file, got {value!r}")
        return None
    template = (path.parent / value).resolve() if not Path(value).is_absolute() else Path(value)
    if template.suffix.lower() != ".pptx":
        problems.add(place("pptx_template"), f"{value!r} is not a .pptx file (a PowerPoint template or deck)")
    elif not template.is_file():
        problems.add(place("pptx_template"), f"{value!r}: no such file (looked for {template})")
    return template
