"""The business plan as a document (sections of paragraphs and tables), rendered to HTML and Markdown.

The same :class:`Section` list feeds every output (HTML, Markdown, DOCX, XLSX), so they say the
same thing. Every text from the plan or roadmap is escaped on the way out.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.catalogue import MEASURE_LEVELS
from pmo_assess.business_plan.financials import Financials
from pmo_assess.business_plan.pmo_type import TYPE_MEANING
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.sanitize import escape_html


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    bullets: tuple[str, ...] = ()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}".strip()


def _financial_lines(plan: BusinessPlan, lines: tuple, kind: str) -> list[tuple[str, ...]]:
    rows = []
    for line in lines:
        if line.amount is not None:
            amount = _money(line.amount, plan.currency)
        elif line.person_days is not None:
            rate = f" × {_money(plan.day_rate, plan.currency)}" if plan.day_rate is not None else " (no day rate yet)"
            amount = f"{line.person_days:g} person-days{rate}"
        else:
            amount = "not estimated yet"
        source = f"roadmap wave {line.roadmap_wave}" if line.roadmap_wave is not None else line.note
        rows.append((kind, line.item, line.recurrence, str(line.year), amount, source))
    return rows


def _financial_summary(financials: Financials, currency: str) -> list[str]:
    model = ("One-off lines count at the start of their year; yearly lines every year from theirs to the end "
             f"of the {financials.horizon_years}-year horizon, spread evenly over the months; no discounting.")
    if financials.missing:
        return [model, "The benefit-cost ratio and payback are not computed yet: "
                + "; ".join(financials.missing) + "."]
    payback = (f"Payback after {financials.payback_months} months." if financials.payback_months
               else f"No payback within the {financials.horizon_years}-year horizon.")
    return [model, f"Total costs {_money(financials.total_costs, currency)}, total benefits "
                   f"{_money(financials.total_benefits, currency)}, net {_money(financials.net, currency)}.",
            f"Benefit-cost ratio {financials.benefit_cost_ratio:.2f}. {payback}"]


def _yearly_table(financials: Financials, currency: str) -> Table:
    rows, cumulative = [], 0.0
    for year, (cost, benefit) in enumerate(zip(financials.yearly_costs, financials.yearly_benefits), start=1):
        cumulative += benefit - cost
        rows.append((str(year), _money(cost, currency), _money(benefit, currency),
                     _money(benefit - cost, currency), _money(cumulative, currency)))
    return Table(("year", "costs", "benefits", "net", "cumulative net"), tuple(rows))


def still_to_fill(plan: BusinessPlan, roadmap: Roadmap | None = None) -> list[str]:
    """What the draft left for the PMO head: owners, baselines, targets, money."""
    todo = [f"KPI {k.id}: {', '.join(field for field, value in (('baseline', k.baseline), ('target', k.target), ('owner', k.owner)) if value in (None, ''))}"
            for k in plan.kpis if k.baseline is None or k.target is None or not k.owner]
    todo += [f"risk '{r.risk[:60]}': owner" for r in plan.risks if not r.owner]
    todo += [f"change action '{c.action[:60]}': owner" for c in plan.change_management if not c.owner]
    todo += [f"communication to {c.audience}: owner" for c in plan.communication if not c.owner]
    todo += [f"roadmap item {i.id}: owner" for i in (roadmap.active_items if roadmap else ()) if not i.owner]
    todo += list(plan.financials.missing)
    return todo


def plan_document(plan: BusinessPlan, roadmap: Roadmap | None = None) -> list[Section]:
    """Every section of the business plan, in reading order."""
    choice = plan.pmo_type
    kind = (f"PMO type: {choice.chosen} — a {choice.chosen} PMO {TYPE_MEANING[choice.chosen]}."
            if choice.chosen else "PMO type: not chosen yet.")
    if choice.recommended and choice.recommended != choice.chosen:
        kind += f" (The assessment recommended {choice.recommended}; the PMO head chose otherwise.)"
    sections = [
        Section("Purpose and mandate", tuple(p for p in (plan.purpose, plan.mandate, kind, choice.reason) if p)),
        Section("Objectives", tables=(Table(("id", "objective", "business outcome", "measured by", "due"), tuple(
            (o.id, o.objective, o.business_outcome, ", ".join(o.measured_by), o.due.isoformat() if o.due else "")
            for o in plan.objectives)),)),
        Section("KPIs on the four levels of measures", tuple(
            f"Level {level}: {name}." for level, name in MEASURE_LEVELS.items()), (Table(
            ("level", "KPI", "unit", "better", "baseline", "target", "owner", "cadence", "moved by"), tuple(
                (str(k.measure_level), k.name, k.unit, "higher" if k.direction == "up" else "lower",
                 _number(k.baseline), _number(k.target), k.owner, k.cadence, ", ".join(k.initiatives))
                for k in sorted(plan.kpis, key=lambda k: k.measure_level))),)),
        Section("Service catalogue", tables=(Table(("service", "what it does", "for", "status"), tuple(
            (s.name, s.description, ", ".join(s.customers), s.status) for s in plan.services)),)),
        Section("Costs, benefits and payback", tuple(_financial_summary(plan.financials, plan.currency)), (
            Table(("line", "item", "recurrence", "from year", "amount", "source"),
                  tuple(_financial_lines(plan, plan.costs, "cost") + _financial_lines(plan, plan.benefits, "benefit"))),
            _yearly_table(plan.financials, plan.currency))),
        Section("Value proposition per stakeholder group", tables=(Table(("stakeholder group", "what they get"), tuple(
            (v.name or v.stakeholder, v.proposition) for v in plan.value_propositions)),)),
        Section("Change management", tables=(Table(("action", "audience", "when", "owner"), tuple(
            (c.action, c.audience, c.when, c.owner) for c in plan.change_management)),)),
        Section("Communication plan", tables=(Table(("audience", "message", "channel", "cadence", "owner"), tuple(
            (c.audience, c.message, c.channel, c.cadence, c.owner) for c in plan.communication)),)),
        Section("Risks", tables=(Table(("risk", "likelihood", "impact", "mitigation", "owner"), tuple(
            (r.risk, r.likelihood, r.impact, r.mitigation, r.owner) for r in plan.risks)),)),
    ]
    if roadmap is not None:
        sections.append(Section("Roadmap", (f"{len(roadmap.active_items)} active initiatives in "
                                            f"{len(roadmap.waves())} waves of {roadmap.settings.wave_weeks:g} weeks.",),
                                (roadmap_table(roadmap),)))
    when = plan.reassessment_date.isoformat() if plan.reassessment_date else "not set"
    sections.append(Section("Re-assessment", tuple(p for p in (f"Next assessment: {when}.", plan.reassessment_scope) if p)))
    todo = still_to_fill(plan, roadmap)
    if todo:
        sections.append(Section("Still to fill in", bullets=tuple(todo)))
    return sections


ROADMAP_COLUMNS = ("wave", "id", "title", "capability", "step", "effort", "owner", "status", "kpis", "notes")


def roadmap_table(roadmap: Roadmap) -> Table:
    """Every roadmap item (dropped ones too, marked by status), by wave."""
    items = sorted(roadmap.items, key=lambda i: (i.wave is None, i.wave or 0))
    return Table(ROADMAP_COLUMNS, tuple(
        ("" if i.wave is None else str(i.wave), i.id, i.title, i.capability,
         f"{i.from_level}→{i.to_level}" if i.from_level and i.to_level else "", _number(i.effort),
         i.owner, i.status, ", ".join(i.kpis), i.notes) for i in items))


def _title(plan: BusinessPlan) -> str:
    return f"PMO business plan — {plan.business_unit}"


def to_html(plan: BusinessPlan, roadmap: Roadmap | None = None, standalone: bool = True) -> str:
    """An HTML page (or, not standalone, a fragment for a notebook); every text is escaped."""
    e = escape_html
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>{e(_title(plan))}</title>",
           "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;line-height:1.4}"
           "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #bbb;padding:.3em .5em;"
           "text-align:left;vertical-align:top}th{background:#eef}</style></head><body>"] if standalone else []
    out.append(f"<h1>{e(_title(plan))}</h1>")
    for section in plan_document(plan, roadmap):
        out.append(f"<h2>{e(section.title)}</h2>")
        out += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            out.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in section.bullets) + "</ul>")
        for table in section.tables:
            if not table.rows:
                out.append("<p><em>none yet</em></p>")
                continue
            out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in table.rows]
            out.append("</tbody></table>")
    if standalone:
        out.append("</body></html>")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Markdown-safe text: HTML escaped (Markdown passes raw HTML through), table pipes and newlines escaped."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def to_markdown(plan: BusinessPlan, roadmap: Roadmap | None = None) -> str:
    """The plan as Markdown (GitHub tables), safe to render: raw HTML in user text is escaped."""
    out = [f"# {_md(_title(plan))}", ""]
    for section in plan_document(plan, roadmap):
        out += [f"## {_md(section.title)}", ""]
        for p in section.paragraphs:
            out += [_md(p), ""]
        if section.bullets:
            out += [f"- {_md(b)}" for b in section.bullets] + [""]
        for table in section.tables:
            if not table.rows:
                out += ["*none yet*", ""]
                continue
            out.append("| " + " | ".join(_md(h) for h in table.headers) + " |")
            out.append("|" + "---|" * len(table.headers))
            out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table.rows]
            out.append("")
    return "\n".join(out)


NO_OWNER = "(no owner yet)"


def owners_table(plan: BusinessPlan, roadmap: Roadmap | None = None) -> Table:
    """Who owns what across the plan and roadmap: KPIs, initiatives, risks, change and communication actions."""
    rows = [(k.owner, "KPI", k.name, f"reviewed {k.cadence}" if k.cadence else "") for k in plan.kpis]
    rows += [(i.owner, "initiative", f"{i.id}: {i.title}", f"wave {i.wave}, {i.status}" if i.wave else i.status)
             for i in (roadmap.active_items if roadmap else ())]
    rows += [(r.owner, "risk", r.risk, f"likelihood {r.likelihood}, impact {r.impact}") for r in plan.risks]
    rows += [(c.owner, "change action", c.action, c.when) for c in plan.change_management]
    rows += [(c.owner, "communication", f"to {c.audience}", c.cadence) for c in plan.communication]
    rows.sort(key=lambda row: (not row[0], row[0].lower()))
    return Table(("owner", "kind", "item", "when"), tuple((owner or NO_OWNER, *rest) for owner, *rest in rows))


def pmo_type_html(plan: BusinessPlan) -> str:
    """The chosen and recommended PMO type with the reason, escaped (the reason is the PMO head's text)."""
    choice = plan.pmo_type
    return (f"<p><strong>Chosen: {escape_html(choice.chosen)}</strong> "
            f"(recommended: {escape_html(choice.recommended)})</p><p>{escape_html(choice.reason)}</p>")
