"""Write the survey-tool export fixtures of this folder from one canonical answer set (run once, commit).

    python tests/data/surveys/make_tool_exports.py

The answers of five respondents of Claims Operations to the pulse bank are written as the canonical long
table (``tool-pulse.expected.csv``) and as the exports Google Forms, SurveyMonkey, Qualtrics and
Microsoft Forms give for a form with one grid (matrix, Likert) per dimension and a role question. A
sixth respondent, Finn Keller, stops half-way: he is in the SurveyMonkey and Qualtrics exports (tools
that export unfinished responses) but not in the canonical table. Nothing here uses the importer.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from openpyxl import Workbook

from pmo_assess.io.questionnaire import load_questionnaire

HERE = Path(__file__).resolve().parent
PULSE = load_questionnaire(HERE.parents[2] / "questionnaires" / "pmo-pulse.yaml")
UNIT = "Claims Operations"
PEOPLE = [  # name, e-mail, role name as the form offers it
    ("Ana Souza", "ana.souza@example.com", "Executive sponsor"),
    ("Ben Okafor", "ben.okafor@example.com", "PMO staff"),
    ("Chloé Martin", "chloe.martin@example.com", "Project or programme manager"),
    ("Dev Patel", "dev.patel@example.com", "Project team member"),
    ("Eva Novak", "eva.novak@example.com", "Business stakeholder (customer of the PMO)"),
]
UNFINISHED = ("Finn Keller", "finn.keller@example.com", "PMO staff")
ROLE_IDS = {r.name: r.id for r in PULSE.roles}
GRID = {"people": "People maturity", "process": "Process maturity", "technology": "Technology maturity",
        "governance": "Governance maturity"}
LABELS = {  # the grid's column labels per answer, as each form shows them
    "numbered": {"1": "1 - Ad hoc", "2": "2 - Evolving", "3": "3 - Operationalizing", "4": "4 - Optimizing",
                 "na": "Not applicable", "dk": "Don't know", "": ""},
    "named": {"1": "Ad hoc", "2": "Evolving", "3": "Operationalizing", "4": "Optimizing", "na": "Not applicable",
              "dk": "Don't know", "": ""},
    "german": {"1": "Ad hoc", "2": "In Entwicklung", "3": "Operationalisiert", "4": "Optimierend",
               "na": "Nicht zutreffend", "dk": "Weiß nicht", "": ""},
    "recode": {"1": "1", "2": "2", "3": "3", "4": "4", "na": "5", "dk": "6", "": ""},
}


def grid_questions():
    """(dimension id, question) in questionnaire order."""
    return [(d.id, q) for d in PULSE.dimensions for c in d.capabilities for q in c.questions]


def answer_sets() -> list[dict[str, str]]:
    """Each respondent's answer per question id: 1-4, na, dk or "" (skipped), seeded."""
    rng = random.Random(16)
    choices = ["1", "2", "2", "3", "3", "3", "4", "4", "na", "dk", ""]
    return [{q.id: rng.choice(choices) for _, q in grid_questions()} for _ in PEOPLE]


def unfinished_answers() -> dict[str, str]:
    """Finn answered the people and process grids, then left."""
    return {q.id: ("2" if dim in ("people", "process") else "") for dim, q in grid_questions()}


def write_expected(answers: list[dict[str, str]]) -> None:
    with open(HERE / "tool-pulse.expected.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for (name, _, role), given in zip(PEOPLE, answers):
            for _, question in grid_questions():
                if given[question.id]:
                    writer.writerow([UNIT, name, ROLE_IDS[role], question.id, given[question.id], ""])


def write_csv(path: Path, rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def write_xlsx(path: Path, rows: list[list], sheet: str) -> None:
    workbook = Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append([None if value == "" else value for value in row])
    workbook.save(path)


def google_forms(answers) -> list[list]:
    """Google Forms CSV: Timestamp, Email Address (collected), a name and a role question, one grid per dimension."""
    header = ["Timestamp", "Email Address", "Your name", "What is your role?"]
    header += [f"{GRID[dim]} [{q.text}]" for dim, q in grid_questions()]
    rows = [header]
    for n, ((name, email, role), given) in enumerate(zip(PEOPLE, answers)):
        rows.append([f"2026/03/0{n + 2} 9:1{n}:07 AM GMT", email, name, role]
                    + [LABELS["numbered"][given[q.id]] for _, q in grid_questions()])
    return rows


def surveymonkey(answers) -> list[list]:
    """SurveyMonkey "expanded" export: matrix title over its rows in row 1, row texts in row 2."""
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1"]
    first, second = meta + ["What is your role?"], [""] * len(meta) + ["Response"]
    previous = ""
    for dim, q in grid_questions():
        first.append(GRID[dim] if dim != previous else "")  # a matrix title spans its rows' columns
        second.append(q.text)
        previous = dim
    rows = [first, second]
    people = [*zip(PEOPLE, answers), (UNFINISHED, unfinished_answers())]
    for n, ((name, email, role), given) in enumerate(people):
        given_name, family = name.split(" ", 1)
        rows.append([114829374651 + 17 * n, 431998765, f"03/0{n + 2}/2026 10:01:12 AM", f"03/0{n + 2}/2026 10:09:40 AM",
                     f"203.0.113.{10 + n}", email, given_name, family, "", role]
                    + [LABELS["named"][given[q.id]] for _, q in grid_questions()])
    return rows


QUALTRICS_META = [("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
                  ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
                  ("Status", "Response Type", '{"ImportId":"status"}'),
                  ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
                  ("Progress", "Progress", '{"ImportId":"progress"}'),
                  ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
                  ("Finished", "Finished", '{"ImportId":"finished"}'),
                  ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/London"}'),
                  ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
                  ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
                  ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
                  ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
                  ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
                  ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
                  ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}')]


def qualtrics(answers, numeric: bool) -> list[list]:
    """Qualtrics export: column ids, question texts (``Matrix - row``), ImportIds; choice text or recodes."""
    ids, texts, imports = ([m[i] for m in QUALTRICS_META] for i in range(3))
    ids.append("Q1")
    texts.append("What is your role?")
    imports.append('{"ImportId":"QID1"}')
    for block, dim in enumerate(GRID, start=2):
        rows_of = [q for d, q in grid_questions() if d == dim]
        for n, q in enumerate(rows_of, start=1):
            ids.append(f"Q{block}_{n}")
            texts.append(f"{GRID[dim]} - {q.text}")
            imports.append(json.dumps({"ImportId": f"QID{block}_{n}"}, separators=(",", ":")))
    rows = [ids, texts, imports]
    labels = LABELS["recode" if numeric else "numbered"]
    role_codes = {name: str(i) for i, name in enumerate(ROLE_IDS, start=1)}
    people = [*zip(PEOPLE, answers), (UNFINISHED, unfinished_answers())]
    for n, ((name, email, role), given) in enumerate(people):
        done = (name, email, role) != UNFINISHED
        given_name, family = name.split(" ", 1)
        status = "0" if numeric else "IP Address"
        finished = ("1" if done else "0") if numeric else ("True" if done else "False")
        rows.append([f"2026-03-0{n + 2} 10:01:12", f"2026-03-0{n + 2} 10:09:40", status, f"198.51.100.{20 + n}",
                     "100" if done else "47", str(508 + 31 * n), finished, f"2026-03-0{n + 2} 10:09:41",
                     f"R_{'3qXgb2jvWPRPbR7mN4sKx'[n:n + 15]}", family, given_name, email, "", "email", "EN-GB",
                     role_codes[role] if numeric else role]
                    + [labels[given[q.id]] for _, q in grid_questions()])
    return rows


MS_HEADERS = {"en": ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"],
              "de": ["ID", "Startzeit", "Abschlusszeit", "E-Mail", "Name", "Uhrzeit der letzten Änderung"]}


def microsoft_forms(answers, language: str) -> list[list]:
    """Microsoft Forms workbook: a Likert per dimension exports one column per statement, its text alone."""
    header = MS_HEADERS[language] + ["What is your role?"] + [q.text for _, q in grid_questions()]
    rows = [header]
    labels = LABELS["named" if language == "en" else "german"]
    for n, ((name, email, role), given) in enumerate(zip(PEOPLE, answers), start=1):
        rows.append([n, f"3/{n + 1}/26 9:10:05", f"3/{n + 1}/26 9:18:44", email, name, "", role]
                    + [labels[given[q.id]] for _, q in grid_questions()])
    return rows


def main() -> None:
    answers = answer_sets()
    write_expected(answers)
    write_csv(HERE / "google-forms-grid-pulse.csv", google_forms(answers))
    write_csv(HERE / "surveymonkey-pulse.csv", surveymonkey(answers))
    write_xlsx(HERE / "surveymonkey-pulse.xlsx", surveymonkey(answers), "Sheet")
    write_csv(HERE / "qualtrics-pulse.csv", qualtrics(answers, numeric=False))
    write_xlsx(HERE / "qualtrics-pulse.xlsx", qualtrics(answers, numeric=False), "Sheet0")
    write_csv(HERE / "qualtrics-pulse-numeric.csv", qualtrics(answers, numeric=True))
    write_xlsx(HERE / "ms-forms-likert-pulse.xlsx", microsoft_forms(answers, "en"), "Sheet1")
    write_xlsx(HERE / "ms-forms-likert-pulse-de.xlsx", microsoft_forms(answers, "de"), "Sheet1")


if __name__ == "__main__":
    main()
