"""Responses a respondent did not finish, as each tool's export shows them.

- Qualtrics writes ``Finished`` (``False``/``0`` for an unfinished response) and ``Progress`` (percent).
- SurveyMonkey's CSV/XLSX export carries no completion status (it is in the web view and the API
  only); a respondent who left before the end shows as a response with no answer in the survey's
  last question or matrix. That is the sign read here.
- Google Forms and Microsoft Forms export submitted responses only.
"""
from __future__ import annotations

from pmo_assess.imports.records import normalize_text
from pmo_assess.imports.survey_table import SurveyTable


def _qualtrics(table: SurveyTable) -> dict[int, str]:
    ids = [normalize_text(i) for i in table.ids]
    if "finished" not in ids:
        return {}
    finished = ids.index("finished")
    progress = ids.index("progress") if "progress" in ids else None
    found = {}
    for number, values in table.rows:
        if normalize_text(values[finished]) in ("false", "0"):
            shown = f", Progress {values[progress]}%" if progress is not None and values[progress] else ""
            found[number] = f"Finished={values[finished]}{shown}"
    return found


def _surveymonkey(table: SurveyTable, questions: dict[int, str]) -> dict[int, str]:
    if not questions:
        return {}
    last = max(questions)
    group = table.contexts[last] or table.header[last]
    columns = [c for c in questions if (table.contexts[c] or table.header[c]) == group]
    return {number: f"no answer in the survey's last question {group!r}"
            for number, values in table.rows if not any(values[c] for c in columns)}


def partial_responses(table: SurveyTable, questions: dict[int, str]) -> dict[int, str]:
    """Row number → why the response counts as unfinished, for the tools whose exports show it."""
    if table.tool == "qualtrics":
        return _qualtrics(table)
    if table.tool == "surveymonkey":
        return _surveymonkey(table, questions)
    return {}
