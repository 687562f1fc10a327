"""The business plan as a document (sections of paragraphs and tables), rendered to HTML and Markdown.

The same :class:`Section` list feeds every output (HTML, Markdown, DOCX, XLSX), so they say the
same thing. Table cells keep their type (:class:`Money`, numbers, dates) so the workbook stores
numbers, not text. Every text from the plan or roadmap is escaped on the way out; in Markdown only
http(s) and relative links stay clickable.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence, Union

from pmo_assess.business_plan.catalogue import FUNDING_MODELS, MEASURE_LEVELS
from pmo_assess.business_plan.facts import PlanStatus
from pmo_assess.business_plan.financials import Financials, MoneyLine
from pmo_assess.business_plan.plan_file import BusinessPlan
from pmo_assess.business_plan.pmo_type import TYPE_MEANING
from pmo_assess.business_plan.render_type import pmo_type_section
from pmo_assess.roadmap.roadmap_file import Roadmap
from pmo_assess.sanitize import escape_html, neutralize_markdown_links

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Money:
    """An amount in the plan's currency: a number in the workbook, ``1,000 EUR`` in text."""

    amount: float
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:,.0f} {self.currency}".strip()


Cell = Union[str, int, float, Money, dt.date, None]


def cell_text(value: Cell) -> str:
    """How a cell reads in HTML, Markdown and Word."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Section:
    """A heading with its paragraphs, bullets and tables; ``charts`` names the figures that belong after it."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    bullets: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()


def _money(value: float, currency: str) -> str:
    return str(Money(value, currency))


def _level_text(level: int | None) -> str:
    names = {1: "ad hoc", 2: "evolving", 3: "operationalizing", 4: "optimizing"}
    return "not scored" if level is None else f"level {level} ({names.get(level, '')})"


def _financial_lines(plan: BusinessPlan, lines: tuple[MoneyLine, ...], kind: str) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for line in lines:
        amount: Cell
        if line.amount is not None:
            amount = Money(line.amount, plan.currency)
        elif line.person_days is not None and plan.day_rate is not None:
            amount = Money(line.person_days * plan.day_rate, plan.currency)
        else:
            amount = None
        if line.person_days is not None:
            how = f"{line.person_days:g} person-days" + (f" × {_money(plan.day_rate, plan.currency)}"
                                                         if plan.day_rate is not None else " (no day rate yet)")
        else:
            how = "" if line.amount is not None else "not estimated yet"
        rows.append((kind, line.item, line.recurrence, line.year, amount, "; ".join(t for t in (how, line.note) if t)))
    return rows


def _roadmap_cost_text(plan: BusinessPlan) -> str:
    costs = plan.roadmap_costs
    if costs is None:
        return "No roadmap was given, so the costs below are the PMO's own lines only."
    text = (f"The roadmap's {len(costs.items)} active initiatives take {costs.person_days:g} person-days "
            f"from {min((i.start for i in costs.items), default=costs.starts_on).isoformat()} to "
            f"{max((i.end for i in costs.items), default=costs.starts_on).isoformat()}")
    if costs.amount is not None:
        text += (f": {_money(costs.amount, plan.currency)} at {_money(plan.day_rate, plan.currency)} a day"
                 + (f", of which {_money(costs.non_labour, plan.currency)} non-labour (licences, fees and other "
                    "costs the initiative library names, counted in the month each initiative starts)"
                    if costs.non_labour else "")
                 + ", read from the roadmap on every run and counted in the months their dates fall in.")
    else:
        text += "; their cost is not known yet (see below)."
    return text


def _financial_summary(plan: BusinessPlan) -> list[str]:
    financials, currency = plan.financials, plan.currency
    model = (f"Plan year 1 starts on {plan.roadmap_costs.starts_on.isoformat()}. " if plan.roadmap_costs else "")
    model += ("One-off lines count at the start of their year; yearly lines every year from theirs to the end "
              f"of the {financials.horizon_years}-year horizon, spread evenly over the months; no discounting.")
    texts = [_roadmap_cost_text(plan), model]
    if financials.missing:
        return texts + ["The benefit-cost ratio and payback are not computed yet: "
                        + "; ".join(financials.missing) + "."]
    payback = (f"Payback after {financials.payback_months} months." if financials.payback_months
               else f"No payback within the {financials.horizon_years}-year horizon.")
    return texts + [f"Total costs {_money(financials.total_costs, currency)} (of which roadmap "
                    f"{_money(sum(financials.roadmap_yearly), currency)}), total benefits "
                    f"{_money(financials.total_benefits, currency)}, net {_money(financials.net, currency)}.",
                    f"Benefit-cost ratio {financials.benefit_cost_ratio:.2f}. {payback}"]


def _yearly_table(financials: Financials, currency: str) -> Table:
    rows, cumulative = [], 0.0
    roadmap = financials.roadmap_yearly or (0.0,) * financials.horizon_years
    for year, (cost, benefit, road) in enumerate(zip(financials.yearly_costs, financials.yearly_benefits, roadmap),
                                                 start=1):
        cumulative += benefit - cost
        rows.append((year, Money(cost - road, currency), Money(road, currency), Money(cost, currency),
                     Money(benefit, currency), Money(benefit - cost, currency), Money(cumulative, currency)))
    return Table(("year", "PMO costs", "roadmap costs", "all costs", "benefits", "net", "cumulative net"), tuple(rows))


def _waves_table(plan: BusinessPlan) -> Table:
    costs = plan.roadmap_costs
    rows = tuple((w.wave or "", w.label, w.first, w.last, w.initiatives, w.person_days,
                  Money(w.amount, plan.currency) if w.amount is not None else None,
                  "–".join(map(str, (w.years[0], w.years[-1]))) if len(w.years) > 1 else str(w.years[0]),
                  Money(w.non_labour, plan.currency))
                 for w in (costs.waves if costs else ()))
    return Table(("wave", "roadmap cost", "from", "to", "initiatives", "person-days", "cost", "plan year",
                  "of which non-labour"), rows)


def roadmap_cost_tables(plan: BusinessPlan) -> tuple[Table, Table]:
    """The roadmap's cost per wave (dates, person-days, cost, plan years) and every cost and benefit per year."""
    return _waves_table(plan), _yearly_table(plan.financials, plan.currency)


def table_frame(table: Table) -> pd.DataFrame:
    """A table as a DataFrame for the notebook: amounts as numbers, the rest as they are."""
    import pandas as pd

    return pd.DataFrame([[c.amount if isinstance(c, Money) else c for c in row] for row in table.rows],
                        columns=list(table.headers))


def still_to_fill(plan: BusinessPlan, roadmap: Roadmap | None = None) -> list[str]:
    """What the draft left for the PMO head: owners, baselines, targets, money."""
    todo = [f"objective {o.id}: {', '.join(n for n, v in zip(('baseline', 'target'), _objective_values(plan, o)) if v is None)}"
            for o in plan.objectives if None in _objective_values(plan, o)]
    todo += [f"KPI {k.id}: {', '.join(field for field, value in (('baseline', k.baseline), ('target', k.target), ('owner', k.owner)) if value in (None, ''))}"
             for k in plan.kpis if k.baseline is None or k.target is None or not k.owner]
    todo += [f"service '{s.name}': {', '.join(n for n, v in (('service level', s.service_level), ('owner', s.owner)) if not v)}"
             for s in plan.services if s.status != "retired" and (not s.service_level or not s.owner)]
    todo += [f"staffing '{r.role}': FTE" for r in plan.staffing if r.fte is None]
    if plan.funding.model and not plan.funding.budget_holder:
        todo.append("funding: budget holder")
    todo += [f"risk '{r.risk[:60]}': owner" for r in plan.risks if not r.owner]
    todo += [f"change action '{c.action[:60]}': owner" for c in plan.change_management if not c.owner]
    todo += [f"communication to {c.audience}: owner" for c in plan.communication if not c.owner]
    todo += [f"roadmap item {i.id}: owner" for i in (roadmap.active_items if roadmap else ()) if not i.owner]
    todo += list(plan.financials.missing)
    todo += [f"sign-off by {s.role}: pending" for s in plan.sign_off if s.decision == "pending"]
    return todo


def _objective_values(plan: BusinessPlan, objective) -> tuple[float | None, float | None]:
    """An objective's baseline and target: its own, else its headline KPI's."""
    kpi = next((k for k in plan.kpis if k.id == objective.measure), None)
    baseline = objective.baseline if objective.baseline is not None else (kpi.baseline if kpi else None)
    target = objective.target if objective.target is not None else (kpi.target if kpi else None)
    return baseline, target


def _objectives_section(plan: BusinessPlan) -> Section:
    kpis = {k.id: k for k in plan.kpis}
    rows = []
    for o in plan.objectives:
        kpi = kpis.get(o.measure)
        baseline, target = _objective_values(plan, o)
        unit = f" ({kpi.unit})" if kpi and kpi.unit else ""
        step = f"{o.levels[0]}→{o.levels[1]}" if o.levels else ""
        rows.append((o.id, o.objective, o.business_outcome, (kpi.name + unit) if kpi else ", ".join(o.measured_by),
                     baseline, target, o.due, step))
    return Section("Objectives", ("Each objective is a business outcome with a baseline, a target and a date; the "
                                  "maturity step it depends on is shown beside it.",),
                   (Table(("id", "objective", "business outcome", "measure", "baseline", "target", "due",
                           "maturity step"), tuple(rows)),))


def _staffing_section(plan: BusinessPlan) -> Section:
    sized = [r.fte for r in plan.staffing if r.fte is not None]
    unsized = [r.role for r in plan.staffing if r.fte is None]
    text = f"{sum(sized):g} FTE across {len(sized)} roles"
    text += f"; still to size: {', '.join(unsized)}." if unsized else "."
    return Section("Staffing", (text, "Roadmap roles are sized from the roadmap's effort: person-days of the "
                                      "initiatives not done yet ÷ working days between their first start and last "
                                      "end."),
                   (Table(("role", "FTE", "basis", "from"), tuple((r.role, r.fte, r.basis, r.starts)
                                                                  for r in plan.staffing)),))


def _scope_section(plan: BusinessPlan) -> list[Section]:
    scope = plan.scope
    if not (scope.served or scope.inside or scope.outside):
        return []
    return [Section("Scope", tuple(p for p in (f"Serves {scope.served}." if scope.served else "",
                                               "In scope: " + "; ".join(scope.inside) + "." if scope.inside else "")
                                   if p),
                    bullets=tuple(f"Out of scope: {o}" for o in scope.outside))]


def _funding_section(plan: BusinessPlan) -> list[Section]:
    funding = plan.funding
    if not funding.model:
        return []
    return [Section("Funding model", tuple(p for p in (
        f"{funding.model.capitalize()}: {FUNDING_MODELS[funding.model]}.", funding.reason,
        f"Budget holder: {funding.budget_holder}." if funding.budget_holder else "") if p))]


def _sign_off_text(plan: BusinessPlan) -> str:
    decided = [s for s in plan.sign_off if s.decision != "pending"]
    pending = [s.role for s in plan.sign_off if s.decision == "pending"]
    parts = [f"{s.decision.replace('-', ' ')} by {s.name} ({s.role}) on {s.on.isoformat() if s.on else 'an unknown date'}"
             for s in decided]
    text = ("Sign-off: " + "; ".join(parts) + "." if parts else "Not signed off yet.")
    return text + (f" Pending: {', '.join(pending)}." if pending else "")


def _record_section(plan: BusinessPlan) -> Section:
    return Section("Co-creation and sign-off", (
        "Who shaped this plan with the PMO, and who signed it off.", _sign_off_text(plan)), (
        Table(("who", "contribution", "when"), tuple((c.who, c.contribution, c.on) for c in plan.co_creation)),
        Table(("role", "name", "decision", "on", "note"), tuple((s.role, s.name, s.decision, s.on, s.note)
                                                                  for s in plan.sign_off))))


def _summary(plan: BusinessPlan, roadmap: Roadmap | None, status: PlanStatus | None) -> Section:
    """What a sponsor needs from the first page: where the PMO stands, what it will do, what it costs and returns."""
    money, currency = plan.financials, plan.currency
    texts = []
    if status is not None:
        facts = status.facts
        gaps = sum(1 for c, t in facts.targets.items() if (facts.capabilities.get(c) or 0) < t)
        texts.append(f"{plan.business_unit}'s PMO is at {_level_text(facts.overall)} overall today"
                     + (f", with {gaps} capabilities below their agreed target." if facts.targets else "."))
    chosen = plan.pmo_type.chosen
    if chosen:
        later = [f"{step.pmo_type} {step.when}" for step in plan.pmo_type.evolution[1:]]
        texts.append(f"It will work as a {chosen} PMO: it {TYPE_MEANING[chosen]}."
                     + (f" On the way to a {plan.pmo_type.aim} PMO it becomes {'; then '.join(later)}." if later else ""))
    sized = [r.fte for r in plan.staffing if r.fte is not None]
    if sized:
        texts.append(f"It needs {sum(sized):g} FTE in {len(sized)} sized roles"
                     + (f" ({sum(1 for r in plan.staffing if r.fte is None)} still to size)."
                        if len(sized) < len(plan.staffing) else "."))
    levels = len({k.measure_level for k in plan.kpis})
    texts.append(f"The plan has {len(plan.objectives)} objectives, measured by {len(plan.kpis)} KPIs on "
                 + ("all four levels" if levels == 4 else f"{levels} of the four levels") + " of measures, and offers "
                 f"{sum(1 for s in plan.services if s.status != 'retired')} services.")
    costs = plan.roadmap_costs
    if roadmap is not None and costs is not None and costs.items:
        waves = sum(1 for w in costs.waves if w.wave)
        text = (f"The roadmap runs {len(costs.items)} initiatives in {waves} waves from "
                f"{min(i.start for i in costs.items).isoformat()} to {max(i.end for i in costs.items).isoformat()}: "
                f"{costs.person_days:g} person-days")
        text += f", {_money(costs.amount, currency)}." if costs.amount is not None else "."
        texts.append(text)
    if money.missing:
        texts.append(f"Benefit-cost ratio: not computed yet ({len(money.missing)} "
                     f"{'figure' if len(money.missing) == 1 else 'figures'} to fill in, listed at the end).")
    else:
        payback = (f"pays back after {money.payback_months} months" if money.payback_months
                   else f"does not pay back within {money.horizon_years} years")
        texts.append(f"Over {money.horizon_years} years it costs {_money(money.total_costs, currency)} and returns "
                     f"{_money(money.total_benefits, currency)}: a benefit-cost ratio of "
                     f"{money.benefit_cost_ratio:.2f}; it {payback}.")
    if status is not None and status.stale:
        facts = sum(1 for c in status.changes if c.kind != "text")
        texts_stale = len(status.changes) - facts
        parts = []
        if facts:
            parts.append(f"the assessment or roadmap changed since this plan was drafted"
                         f"{' on ' + status.drafted_on.isoformat() if status.drafted_on else ''} "
                         f"({facts} {'change' if facts == 1 else 'changes'})")
        if texts_stale:
            parts.append(f"{texts_stale} {'text quotes' if texts_stale == 1 else 'texts quote'} levels the "
                         "assessment no longer shows")
        texts.append("Attention: " + " and ".join(parts) + "; see 'Changed since drafting' below.")
    if plan.sign_off:
        texts.append(_sign_off_text(plan))
    return Section("Executive summary", tuple(texts), bullets=plan.notices, charts=("financials",))


def _changes(status: PlanStatus | None) -> list[Section]:
    if status is None or (status.recorded and not status.changes):
        return []
    facts = [f"{c.kind.capitalize()} — {c.text}" for c in status.changes if c.kind != "text"]
    texts = [c.text for c in status.changes if c.kind == "text"]
    paragraphs = []
    if not status.recorded:
        paragraphs.append("This plan.yaml does not record the facts it was drafted from (an earlier pmo-assess "
                          "drafted it), so changes since cannot be listed; pmo-assess plan --refresh records them.")
    elif facts:
        paragraphs.append(f"Drafted on {status.drafted_on.isoformat() if status.drafted_on else 'an earlier date'}; "
                          f"since then the assessment or roadmap changed ({len(facts)}). Texts drafted from the old "
                          "facts are re-derived by pmo-assess plan --refresh unless you edited them.")
    if texts:
        paragraphs.append("Texts that quote levels the assessment no longer shows (rewrite them):")
    return [Section("Changed since drafting", tuple(paragraphs), bullets=tuple(facts + texts))]


def plan_document(plan: BusinessPlan, roadmap: Roadmap | None = None, status: PlanStatus | None = None,
                  kpi_trends: Sequence[Section] = ()) -> list[Section]:
    """Every section of the business plan, in reading order (executive summary first).

    ``kpi_trends`` (sections on KPIs over time, from :mod:`pmo_assess.business_plan.kpi_tracking`) go right
    after the KPIs.
    """
    choice = plan.pmo_type
    kind = (f"PMO type: {choice.chosen} — a {choice.chosen} PMO {TYPE_MEANING[choice.chosen]}."
            if choice.chosen else "PMO type: not chosen yet.")
    if choice.recommended and choice.recommended != choice.chosen:
        kind += f" (The assessment recommended {choice.recommended}; the PMO head chose otherwise.)"
    sections = [_summary(plan, roadmap, status), *_changes(status),
        Section("Purpose and mandate", tuple(p for p in (plan.purpose, plan.mandate, kind) if p)),
        pmo_type_section(plan, status.facts if status is not None else plan.drafted_from),
        *_scope_section(plan),
        _objectives_section(plan),
        Section("KPIs on the four levels of measures", tuple(
            f"Level {level}: {name}." for level, name in MEASURE_LEVELS.items()), (Table(
            ("level", "KPI", "unit", "better", "baseline", "target", "owner", "cadence", "moved by"), tuple(
                (k.measure_level, k.name, k.unit, "higher" if k.direction == "up" else "lower",
                 k.baseline, k.target, k.owner, k.cadence, ", ".join(k.initiatives))
                for k in sorted(plan.kpis, key=lambda k: k.measure_level))),), charts=("kpis",)),
        *kpi_trends,
        Section("Service catalogue", ("Each service names its customers, the service level it promises and the "
                                      "role that owns it.",), (Table(
            ("service", "what it does", "for", "service level", "owner", "status"), tuple(
                (s.name, s.description, ", ".join(s.customers), s.service_level, s.owner, s.status)
                for s in plan.services)),)),
        *((_staffing_section(plan),) if plan.staffing else ()),
        *_funding_section(plan),
        Section("Costs, benefits and payback", tuple(_financial_summary(plan)), (
            Table(("line", "item", "recurrence", "from year", "amount", "how"),
                  tuple(_financial_lines(plan, plan.costs, "cost") + _financial_lines(plan, plan.benefits, "benefit"))),
            *((_waves_table(plan),) if plan.roadmap_costs is not None else ()),
            _yearly_table(plan.financials, plan.currency))),
        Section("Value proposition per stakeholder group", tables=(Table(("stakeholder group", "what they get"), tuple(
            (v.name or v.stakeholder, v.proposition) for v in plan.value_propositions)),)),
        Section("Change management", tables=(Table(("action", "audience", "when", "owner"), tuple(
            (c.action, c.audience, c.when, c.owner) for c in plan.change_management)),)),
        Section("Communication plan", tables=(Table(("audience", "message", "channel", "cadence", "owner"), tuple(
            (c.audience, c.message, c.channel, c.cadence, c.owner) for c in plan.communication)),)),
        Section("Risks", tables=(Table(("risk", "likelihood", "impact", "mitigation", "owner"), tuple(
            (r.risk, r.likelihood, r.impact, r.mitigation, r.owner) for r in plan.risks)),)),
        *((_record_section(plan),) if plan.co_creation or plan.sign_off else ()),
    ]
    if roadmap is not None:
        sections.append(Section("Roadmap", (f"{len(roadmap.active_items)} active initiatives in "
                                            f"{len(roadmap.waves())} waves (reporting windows of "
                                            f"{roadmap.settings.wave_weeks:g} weeks).",),
                                (roadmap_table(roadmap, plan),), charts=("gantt",)))
    when = plan.reassessment_date.isoformat() if plan.reassessment_date else "not set"
    sections.append(Section("Re-assessment", tuple(p for p in (f"Next assessment: {when}.", plan.reassessment_scope) if p)))
    todo = still_to_fill(plan, roadmap)
    if todo:
        sections.append(Section("Still to fill in", bullets=tuple(todo)))
    return sections


ROADMAP_COLUMNS = ("wave", "id", "title", "capability", "step", "start", "end", "effort", "owner", "status", "kpis",
                   "notes")


def roadmap_table(roadmap: Roadmap, plan: BusinessPlan | None = None) -> Table:
    """Every roadmap item (dropped ones too, marked by status), by wave, with the dates it is costed at."""
    dates = {i.id: (i.start, i.end) for i in plan.roadmap_costs.items} if plan and plan.roadmap_costs else {}
    items = sorted(roadmap.items, key=lambda i: (i.wave is None, i.wave or 0, dates.get(i.id, (i.start,))[0] or dt.date.max))
    return Table(ROADMAP_COLUMNS, tuple(
        (i.wave, i.id, i.title, i.capability, f"{i.from_level}→{i.to_level}" if i.from_level and i.to_level else "",
         *dates.get(i.id, (i.start, i.end)), i.effort, i.owner, i.status, ", ".join(i.kpis), i.notes) for i in items))


def title_of(plan: BusinessPlan) -> str:
    return f"PMO business plan — {plan.business_unit}"


STYLE = ("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72em;margin:2em auto;padding:0 1em;"
         "line-height:1.45;color:#1d1d1f}h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:"
         "2px solid #dde;padding-bottom:.2em}.summary{background:#f4f6fb;border-left:4px solid #2b5fb4;padding:.4em 1.2em}"
         ".attention{background:#fff4e5;border-left:4px solid #d9822b;padding:.4em 1.2em}.scroll{overflow-x:auto}"
         "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #c8c8d0;padding:.3em .5em;"
         "text-align:left;vertical-align:top}th{background:#eef}td.num{text-align:right;white-space:nowrap}"
         "img{max-width:100%;height:auto}@media (max-width:600px){body{margin:.5em auto;font-size:15px}"
         "th,td{padding:.2em .3em}}")


def _html_cell(value: Cell) -> str:
    css = ' class="num"' if isinstance(value, (int, float, Money)) and not isinstance(value, bool) else ""
    return f"<td{css}>{escape_html(cell_text(value))}</td>"


def to_html(plan: BusinessPlan, roadmap: Roadmap | None = None, standalone: bool = True,
            status: PlanStatus | None = None, charts: dict[str, str] | None = None,
            kpi_trends: Sequence[Section] = ()) -> str:
    """An HTML page (or, not standalone, a fragment for a notebook); every text is escaped.

    ``charts`` maps a chart name (see :attr:`Section.charts`) to a PNG as base64, shown after its section;
    ``kpi_trends`` are sections shown after the KPIs (see :func:`plan_document`).
    """
    e = escape_html
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
           f"<title>{e(title_of(plan))}</title>", f"<style>{STYLE}</style></head><body>"] if standalone else []
    out.append(f"<h1>{e(title_of(plan))}</h1>")
    for section in plan_document(plan, roadmap, status, kpi_trends):
        out.append(f"<h2>{e(section.title)}</h2>")
        box = {"Executive summary": "summary", "Changed since drafting": "attention"}.get(section.title)
        if box:
            out.append(f'<div class="{box}">')
        out += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            out.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in section.bullets) + "</ul>")
        if box:
            out.append("</div>")
        for table in section.tables:
            if not table.rows:
                out.append("<p><em>none yet</em></p>")
                continue
            out.append('<div class="scroll"><table><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in table.headers)
                       + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in table.rows]
            out.append("</tbody></table></div>")
        for name in section.charts:
            if charts and name in charts:
                out.append(f'<p><img alt="{e(name)} chart" src="data:image/png;base64,{charts[name]}"></p>')
    if standalone:
        out.append("</body></html>")
    return "\n".join(out) + "\n"


def markdown_text(text: str) -> str:
    """Markdown-safe text: raw HTML escaped, only http(s) and relative links clickable, table pipes and newlines escaped."""
    return neutralize_markdown_links(html.escape(text, quote=False)).replace("|", "\\|").replace("\n", " ")


def to_markdown(plan: BusinessPlan, roadmap: Roadmap | None = None, status: PlanStatus | None = None,
                kpi_trends: Sequence[Section] = ()) -> str:
    """The plan as Markdown (GitHub tables), safe to render: raw HTML in user text is escaped."""
    md = markdown_text
    out = [f"# {md(title_of(plan))}", ""]
    for section in plan_document(plan, roadmap, status, kpi_trends):
        out += [f"## {md(section.title)}", ""]
        for p in section.paragraphs:
            out += [md(p), ""]
        if section.bullets:
            out += [f"- {md(b)}" for b in section.bullets] + [""]
        for table in section.tables:
            if not table.rows:
                out += ["*none yet*", ""]
                continue
            out.append("| " + " | ".join(md(h) for h in table.headers) + " |")
            out.append("|" + "".join("---:|" if isinstance(c, (int, float, Money)) else "---|" for c in table.rows[0]))
            out += ["| " + " | ".join(md(cell_text(c)) for c in row) + " |" for row in table.rows]
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
    aim = f", aim: {escape_html(choice.aim)}" if choice.aim else ""
    steps = "".join(f"<li>{escape_html(s.pmo_type)}: {escape_html(s.when)}</li>" for s in choice.evolution)
    return (f"<p><strong>Chosen: {escape_html(choice.chosen)}</strong> "
            f"(recommended: {escape_html(choice.recommended)}{aim})</p><p>{escape_html(choice.reason)}</p>"
            + (f"<ol>{steps}</ol>" if steps else ""))


def changes_html(status: PlanStatus) -> str:
    """For the notebook: what changed since drafting, or that nothing did, escaped."""
    sections = _changes(status)
    if not sections:
        return "<p>Nothing changed in the assessment or roadmap since this plan was drafted.</p>"
    section = sections[0]
    return ("".join(f"<p>{escape_html(p)}</p>" for p in section.paragraphs)
            + "<ul>" + "".join(f"<li>{escape_html(b)}</li>" for b in section.bullets) + "</ul>")
