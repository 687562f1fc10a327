"""Responses a respondent did not finish, as each tool's export shows them.

- Qualtrics writes ``Finished`` (``False``/``0`` for an unfinished response) and ``Progress`` (percent).
- SurveyMonkey's CSV/XLSX export carries no completion status (it is in the web view and the API
  only), so it is guessed from where the blanks are: a response looks unfinished when it has no answer
  after some question N and that trailing blank run covers more than the last question group (matrix
  or single question): either the whole of the last two groups, or more than half of the questions.
  A blank left in the middle, or only the last grid left blank, is a finished response whose blanks
  count as "don't know" (unanswered); a response with no answer at all is unfinished too.
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


def _tail_run(groups: list[str]) -> int:
    """How many of the last columns belong to the last group (0 if there are none)."""
    run = 0
    while run < len(groups) and groups[-1 - run] == groups[-1]:
        run += 1
    return run


def _surveymonkey(table: SurveyTable, questions: dict[int, str]) -> dict[int, str]:
    columns = sorted(questions)
    if not columns:
        return {}
    groups = [table.contexts[c] or table.header[c] for c in columns]  # a matrix's sub-columns are adjacent
    last_group = _tail_run(groups)
    last_two = last_group + _tail_run(groups[:-last_group])
    found = {}
    for number, values in table.rows:
        answered = [i for i, c in enumerate(columns) if values[c]]
        if not answered:
            found[number] = "looks unfinished: no question answered"
            continue
        blank_tail = len(columns) - 1 - answered[-1]
        if blank_tail > last_group and (blank_tail >= last_two or 2 * blank_tail > len(columns)):
            found[number] = (f"looks unfinished: no answer after question {answered[-1] + 1} of {len(columns)} "
                             f"(in {groups[answered[-1]][:60]!r})")
    return found


def partial_responses(table: SurveyTable, questions: dict[int, str]) -> dict[int, str]:
    """Row number → why the response counts as unfinished, for the tools whose exports show it."""
    if table.tool == "qualtrics":
        return _qualtrics(table)
    if table.tool == "surveymonkey":
        return _surveymonkey(table, questions)
    return {}
