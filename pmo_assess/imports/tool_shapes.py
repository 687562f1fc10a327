"""Which survey tool wrote an export, recognised by its shape, and its header rows folded into one.

- Google Forms: one header row; ``Timestamp`` first; a grid's columns are titled ``Grid title [row text]``.
- SurveyMonkey ("expanded", CSV or XLSX): two header rows; row 1 holds the question or matrix title over
  its sub-columns (empty cells continue it), row 2 the matrix row text or ``Response`` /
  ``Open-Ended Response``; ``Respondent ID`` and ``Collector ID`` among the metadata columns.
- Qualtrics (CSV or XLSX): three header rows: column ids (``Q1_1``), the question text (``Matrix title -
  row text``) and ``{"ImportId":"QID1_1"}``; ``ResponseId``, ``Finished``, ``Progress``... as metadata.
- Microsoft Forms (XLSX, any language): one header row starting ``ID``, start and completion time; a
  Likert question gives one column per statement, titled by the statement alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pmo_assess.imports.records import normalize_text
from pmo_assess.imports.survey_table import SurveyTable


@dataclass(frozen=True)
class ToolShape:
    """What is known about one tool's export: its metadata columns and which of them say who answered."""

    key: str
    name: str
    metadata: frozenset[str]        # normalised titles (Qualtrics: column ids) of columns carrying no answer
    first_name: frozenset[str] = frozenset()
    last_name: frozenset[str] = frozenset()
    full_name: frozenset[str] = frozenset()
    email: frozenset[str] = frozenset()
    response_id: frozenset[str] = frozenset()


def _words(*titles: str) -> frozenset[str]:
    return frozenset(normalize_text(t) for t in titles)


#: Microsoft Forms column titles in the languages it exports in (en, de, fr, es, nl, pt).
MS_ID = _words("ID", "Id", "Id.")
MS_START = _words("Start time", "Startzeit", "Heure de début", "Hora de inicio", "Begintijd", "Hora de início")
MS_DONE = _words("Completion time", "Abschlusszeit", "Fertigstellungszeit", "Heure de fin", "Heure de fin de saisie",
                 "Hora de finalización", "Tijdstip van voltooiing", "Voltooiingstijd", "Hora de conclusão")
MS_EMAIL = _words("Email", "E-Mail", "E-mail", "Adresse de messagerie", "Courrier", "Correo electrónico",
                  "E-mailadres")
MS_NAME = _words("Name", "Nom", "Nombre", "Naam", "Nome")
MS_MODIFIED = _words("Last modified time", "Uhrzeit der letzten Änderung", "Heure de dernière modification",
                     "Hora de la última modificación", "Tijdstip van laatste wijziging", "Hora da última modificação")
GOOGLE_TIMESTAMP = _words("Timestamp", "Zeitstempel", "Horodateur", "Marca temporal", "Tijdstempel",
                          "Carimbo de data/hora")
GOOGLE_EMAIL = _words("Email Address", "E-Mail-Adresse", "Adresse e-mail", "Dirección de correo electrónico",
                      "E-mailadres", "Endereço de e-mail")

SHAPES = {
    "google-forms": ToolShape("google-forms", "Google Forms", GOOGLE_TIMESTAMP | GOOGLE_EMAIL | _words("Score"),
                              email=GOOGLE_EMAIL),
    "surveymonkey": ToolShape(
        "surveymonkey", "SurveyMonkey",
        _words("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
               "First Name", "Last Name", *(f"Custom Data {n}" for n in range(1, 10))),
        first_name=_words("First Name"), last_name=_words("Last Name"), email=_words("Email Address"),
        response_id=_words("Respondent ID")),
    "qualtrics": ToolShape(
        "qualtrics", "Qualtrics",
        _words("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
               "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
               "ExternalReference", "ExternalDataReference", "LocationLatitude", "LocationLongitude",
               "DistributionChannel", "UserLanguage", "Q_RecaptchaScore", "Q_RelevantIDDuplicate",
               "Q_BallotBoxStuffing", "Q_TotalDuration"),
        first_name=_words("RecipientFirstName"), last_name=_words("RecipientLastName"),
        email=_words("RecipientEmail"), response_id=_words("ResponseId")),
    "microsoft-forms": ToolShape(
        "microsoft-forms", "Microsoft Forms",
        MS_ID | MS_START | MS_DONE | MS_EMAIL | MS_NAME | MS_MODIFIED | _words("Total points", "Quiz feedback"),
        full_name=MS_NAME, email=MS_EMAIL, response_id=MS_ID),
}
#: How each tool's name is written in a mapping file's ``tool:`` key.
TOOL_KEYS = (*SHAPES, "wide")
_GRID = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]$")
_SM_PLAIN = {"response", "open-ended response", ""}


def detect_tool(table: SurveyTable) -> str:
    """The key of the tool whose export shape ``table`` has, or "" for a plain wide table."""
    titles = [normalize_text(h) for h in table.header]
    present = set(titles)
    if {"responseid", "finished"} & present and {"startdate", "enddate"} <= present:
        return "qualtrics"
    if {"respondent id", "collector id"} <= present:
        return "surveymonkey"
    if titles and titles[0] in MS_ID and present & MS_START and present & MS_DONE:
        return "microsoft-forms"
    if titles and titles[0] in GOOGLE_TIMESTAMP:
        return "google-forms"
    return ""


def _spans(row: list[str]) -> list[str]:
    """Row 1 of a SurveyMonkey export with each title carried over the empty cells that continue it."""
    carried, out = "", []
    for text in row:
        carried = text or carried
        out.append(carried)
    return out


def _fold_surveymonkey(table: SurveyTable) -> SurveyTable:
    if not table.rows:
        return replace(table, tool="surveymonkey")
    titles, subs = _spans(table.header), table.rows[0][1]
    header, row_texts, contexts = [], [], []
    for title, sub in zip(titles, subs):
        if normalize_text(sub) in _SM_PLAIN or normalize_text(title) in SHAPES["surveymonkey"].metadata:
            header.append(title)
            row_texts.append(title)
            contexts.append("")
        else:
            header.append(f"{title} [{sub}]")
            row_texts.append(sub)
            contexts.append(title)
    return replace(table, header=header, rows=table.rows[1:], tool="surveymonkey", row_texts=row_texts,
                   contexts=contexts)


def _matrix_title(labels: list[str]) -> str:
    """The title shared by a Qualtrics matrix's columns (``Title - row``), or "" when they share none."""
    if len(labels) < 2:
        return ""
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind(" - ")
    return prefix[:cut] if cut > 0 else ""


def _fold_qualtrics(table: SurveyTable) -> SurveyTable:
    if not table.rows:
        return replace(table, tool="qualtrics", ids=list(table.header))
    labels = [re.sub(r"\s+-\s+Selected Choice$", "", text) for text in table.rows[0][1]]
    skip = 2 if len(table.rows) > 1 and all(not c or c.lstrip().startswith("{") for c in table.rows[1][1]) \
        and any(c for c in table.rows[1][1]) else 1
    groups: dict[str, list[int]] = {}
    for column, column_id in enumerate(table.header):
        groups.setdefault(re.sub(r"_\d+$", "", column_id), []).append(column)
    row_texts, contexts = list(labels), [""] * len(labels)
    for columns in groups.values():
        title = _matrix_title([labels[c] for c in columns])
        for column in columns if title else ():
            contexts[column] = title
            row_texts[column] = labels[column][len(title) + 3:]
    header = [label or column_id for label, column_id in zip(labels, table.header)]
    return replace(table, header=header, rows=table.rows[skip:], tool="qualtrics", row_texts=row_texts,
                   contexts=contexts, ids=list(table.header))


def _fold_one_row(table: SurveyTable, tool: str) -> SurveyTable:
    row_texts, contexts = [], []
    for title in table.header:
        grid = _GRID.match(title) if tool != "microsoft-forms" else None
        row_texts.append(grid.group(2).strip() if grid else title)
        contexts.append(grid.group(1).strip() if grid else "")
    return replace(table, tool=tool, row_texts=row_texts, contexts=contexts)


def fold_export(table: SurveyTable, tool: str = "") -> SurveyTable:
    """The export with its header rows folded into one, data rows only, each column's row text and grid title.

    ``tool`` forces a shape (a mapping file's ``tool:``); by default the shape is recognised.
    """
    tool = detect_tool(table) if tool in ("", None) else ("" if tool == "wide" else tool)
    if tool == "surveymonkey":
        return _fold_surveymonkey(table)
    if tool == "qualtrics":
        return _fold_qualtrics(table)
    return _fold_one_row(table, tool)

