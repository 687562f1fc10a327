"""HTML of the live tables, made to be read on a projector: levels, the discussion list, respondents' progress.

Every table has a fixed layout at 100 % width, so long names and question texts wrap instead of
pushing columns off screen. The discussion list groups each question's answers by level
("3: Ana, Ben"), so it stays one screen wide however many respondents there are.
"""
from __future__ import annotations

from typing import Iterable

from pmo_assess.io.answers import COUNTED, classify_answer
from pmo_assess.model import Question, Questionnaire
from pmo_assess.sanitize import escape_html
from pmo_assess.workshop.live import LiveView

ANSWER_NAMES = {"na": "n/a", "dk": "don't know", "": "no answer"}


def level_text(value: float, questionnaire: Questionnaire) -> str:
    """'3 operationalizing' (the name smaller, so it fits a narrow column), or '–' for an undefined level."""
    if value != value:
        return "–"
    return f"<b>{int(value)}</b> <span class='pmo-level-name'>{escape_html(questionnaire.level_name(int(value)))}</span>"


def number(value: float) -> str:
    """A score with two decimals, or '–'."""
    return "–" if value != value else f"{value:.2f}"


def records(frame: object) -> list[dict]:
    """A small DataFrame's rows as dicts, without pandas' slow ``to_dict('records')`` (a few µs, not ms)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


def evidence_html(question: Question) -> str:
    """The question's evidence (what to ask for or look at), small under the question; "" when it has none."""
    evidence = getattr(question, "evidence", "")
    if not evidence:
        return ""
    return ("<div class='pmo-evidence' style='font-size:15px;color:#475467;margin:0 0 10px 0;line-height:1.4'>"
            f"<b>Evidence to look at:</b> {escape_html(evidence)}</div>")


def _colgroup(widths: Iterable[str]) -> str:
    return "<colgroup>" + "".join(f"<col style='width:{w}'>" for w in widths) + "</colgroup>"


def levels_html(view: LiveView, questionnaire: Questionnaire) -> str:
    """Overall level, then each dimension and its capabilities: score, level, target, the room's consensus."""
    rows = ["<tr><th>Dimension / capability</th><th class='pmo-num'>score</th><th>level</th><th>target</th>"
            "<th>consensus</th></tr>"]
    capabilities = records(view.capabilities)
    for dim in records(view.dimensions):
        rows.append(f"<tr class='pmo-dimension-row'><td>{escape_html(dim['name'])}</td>"
                    f"<td class='pmo-num'>{number(dim['score'])}</td><td>{level_text(dim['level'], questionnaire)}"
                    f"</td><td>{level_text(dim['target'], questionnaire)}</td><td></td></tr>")
        for cap in (c for c in capabilities if c["dimension"] == dim["dimension"]):
            flag = " <span class='pmo-disputed'>⚠ disputed</span>" if cap["disputed"] else ""
            rows.append(f"<tr><td>{escape_html(cap['name'])}{flag}</td><td class='pmo-num'>{number(cap['score'])}</td>"
                        f"<td>{level_text(cap['level'], questionnaire)}</td>"
                        f"<td>{level_text(cap['target'], questionnaire)}</td>"
                        f"<td>{level_text(cap['consensus_level'], questionnaire)}</td></tr>")
    return (f"<div class='pmo-overall'><b>Overall: {level_text(view.overall_level, questionnaire)}</b> "
            f"({len(view.respondents)} respondent(s))</div>"
            f"<table class='pmo-table pmo-levels-table'>{_colgroup(['34%', '9%', '19%', '19%', '19%'])}"
            f"{''.join(rows)}</table>")


def _answer_chips(answers: dict[str, str]) -> str:
    """Respondents grouped by the answer they gave: '1 Ana, Ben · 3 Cara · n/a Dan'."""
    groups: dict[str, list[str]] = {}
    for name, answer in answers.items():
        groups.setdefault(answer, []).append(name)

    def order(answer: str) -> tuple[int, str]:
        kind, value = classify_answer(answer)[:2]
        return (0, f"{value:g}") if kind == COUNTED else (1, answer)

    chips = []
    for answer in sorted(groups, key=order):
        label = ANSWER_NAMES.get(answer, answer)
        css = f" pmo-a{answer}" if answer in ("1", "2", "3", "4") else ""
        names = ", ".join(escape_html(n) for n in groups[answer])
        chips.append(f"<span class='pmo-chip{css}'><b>{escape_html(label)}</b> {names}</span>")
    return " ".join(chips)


def discussion_html(view: LiveView, questionnaire: Questionnaire) -> str:
    """The discussion list: question text (wrapping), answers grouped by level, spread, consensus, dissent note."""
    if not len(view.discussion):
        return "<div class='pmo-discussion-empty'><b>Discussion list:</b> no disputed items yet.</div>"
    names = {c.id: c.name for c in questionnaire.capabilities}
    rows = []
    for item in records(view.discussion):
        answers = {p: item[p] for p in view.respondents if p in item and str(item[p]).strip()}
        consensus = item["consensus"]
        agreed = ANSWER_NAMES.get(consensus, consensus) if consensus else "–"
        rows.append(
            f"<tr data-question='{escape_html(item['question'])}'><td><div class='pmo-discussion-text'>"
            f"{escape_html(item['text'])}</div><div class='pmo-qid'>{escape_html(item['question'])} · "
            f"{escape_html(names.get(item['capability'], item['capability']))}</div></td>"
            f"<td>{_answer_chips(answers)}</td><td class='pmo-num'>{item['spread']:.0f}</td>"
            f"<td><b>{escape_html(agreed)}</b></td><td>{escape_html(item['dissent_note'])}</td></tr>")
    return (f"<div class='pmo-caption'><b>Discussion list</b> ({len(view.discussion)} item(s), most disputed first)"
            f"</div>"
            f"<table class='pmo-table pmo-discussion-table'>{_colgroup(['36%', '34%', '7%', '9%', '14%'])}"
            f"<tr><th>Question</th><th>Answers (level: who)</th><th class='pmo-num'>spread</th><th>consensus</th>"
            f"<th>dissent note</th></tr>{''.join(rows)}</table>")


def progress_html(rows: list[tuple[str, str, int, int, list[tuple[str, int, int]]]]) -> str:
    """Per respondent: name, role, a progress bar (per-dimension counts on hover) and answered / total."""
    if not rows:
        return "<div class='pmo-progress-empty'>No answers yet: respondents appear here with their first answer.</div>"
    body = []
    for name, role, answered, total, dims in rows:
        share = 100 * answered / total if total else 0
        detail = " · ".join(f"{dim} {done}/{all_}" for dim, done, all_ in dims)
        body.append(f"<tr><td class='pmo-one-line' title='{escape_html(name)}'>{escape_html(name)}</td>"
                    f"<td class='pmo-one-line' title='{escape_html(role)}'>{escape_html(role)}</td>"
                    f"<td title='{escape_html(detail)}'><span class='pmo-bar-track'>"
                    f"<span class='pmo-bar' style='width:{share:.0f}%'></span></span></td>"
                    f"<td class='pmo-num'>{answered}/{total}</td></tr>")
    return (f"<table class='pmo-table pmo-progress-table'>{_colgroup(['34%', '32%', '20%', '14%'])}"
            f"<tr><th>Respondent</th><th>Role</th><th>Progress</th><th class='pmo-num'>Done</th></tr>"
            f"{''.join(body)}</table>")
