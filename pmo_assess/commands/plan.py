"""``pmo-assess plan``: draft a unit's business plan (once), validate it, say what changed since, render and export it."""
from __future__ import annotations

import argparse
import sys

FORMATS = ("html", "md", "docx", "xlsx")


def formats(text: str) -> tuple[str, ...]:
    """Parse ``html,md,docx,xlsx`` (any subset, comma-separated)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"formats must be a comma-separated subset of {','.join(FORMATS)}, "
                                         f"got {text!r}")
    return chosen


def day_rate(text: str) -> float:
    """A cost per person-day: a finite number of 0 or more (a bad one would be written into the new draft)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a finite number of 0 or more, got {text}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plan", help="draft, validate and export a unit's PMO business plan",
        description="Draft OUT/plan.yaml from the assessment and roadmap if it does not exist (it is yours to edit; "
                    "only --refresh writes it again, keeping every edit), validate it, cost the roadmap from "
                    "roadmap.yaml, say what changed in the assessment or roadmap since drafting, and write "
                    "plan.html/.md/.docx/.xlsx to OUT (all of them or none).")
    parser.add_argument("--unit", "-u", required=True, help="business unit, as named in the answers")
    parser.add_argument("--answers", "-a", nargs="+", required=True, metavar="FILE", help="answer files")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", metavar="FILE", help="targets YAML (objectives need gaps)")
    parser.add_argument("--roadmap", "-r", metavar="FILE", help="the unit's roadmap.yaml")
    parser.add_argument("--library", "-l", metavar="FILE",
                        help="initiative library (default: initiatives/<questionnaire id>.yaml beside the questionnaire)")
    parser.add_argument("--context", "-c", metavar="FILE",
                        help="the plan's context answers (strategy_emphasis, culture, sponsor_expectation, size; "
                             "options in questionnaires/plan-context.yaml): used by a new draft, --redraft and "
                             "--refresh to recommend the PMO type")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="where plan.yaml and the outputs live")
    parser.add_argument("--plan", metavar="FILE", help="the plan file (default: OUT/plan.yaml)")
    parser.add_argument("--format", "-f", type=formats, default=FORMATS, metavar="LIST",
                        help="comma-separated: html,md,docx,xlsx (default: all)")
    parser.add_argument("--redraft", action="store_true",
                        help="also write a fresh draft to plan.draft.yaml beside the plan, to compare")
    parser.add_argument("--refresh", action="store_true",
                        help="re-derive the texts pmo-assess wrote and you never edited (levels, objectives, risks, "
                             "...) from today's assessment and roadmap; every edit of yours is kept")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper of plan.docx (default a4)")
    parser.add_argument("--currency", default="EUR", help="currency of a new draft (default EUR)")
    parser.add_argument("--day-rate", type=day_rate, metavar="AMOUNT", help="cost of one person-day, for a new draft")
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pmo_assess.business_plan.build import build_plan
    from pmo_assess.business_plan.export import write_plan_outputs

    plan_path = Path(args.plan) if args.plan else Path(args.out) / "plan.yaml"
    result = build_plan(args.questionnaire, args.answers, args.unit, plan_path, targets_path=args.targets,
                        roadmap_path=args.roadmap, library_path=args.library, redraft=args.redraft,
                        currency=args.currency, day_rate=args.day_rate, refresh=args.refresh,
                        context_path=args.context)
    if result.drafted:
        print(f"drafted {plan_path}: edit it, then run this command again", file=sys.stderr)
    elif result.refreshed is not None:
        lines = result.refreshed.lines()
        print(f"refreshed {plan_path}" + ("" if lines else ": nothing to re-derive"), file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
    else:
        print(f"using {plan_path} as you left it (valid)", file=sys.stderr)
    status = result.status
    if not status.recorded:
        print(f"{plan_path} does not record what it was drafted from (an earlier pmo-assess drafted it): "
              "run with --refresh once to record it", file=sys.stderr)
    facts = [c for c in status.changes if c.kind != "text"]
    if facts:
        print(f"changed since the plan was drafted on {status.drafted_on}: texts may quote old facts; "
              "--refresh re-derives the ones you never edited", file=sys.stderr)
        for change in facts:
            print(f"  {change.kind}: {change.text}", file=sys.stderr)
    for change in status.changes:
        if change.kind == "text":
            print(f"stale text: {change.text}", file=sys.stderr)
    for notice in result.plan.notices:
        print(f"note: {notice}", file=sys.stderr)
    if result.redraft_path:
        print(f"fresh draft for comparison: {result.redraft_path}", file=sys.stderr)
    inputs = [args.questionnaire, *args.answers,
              *(p for p in (args.targets, args.roadmap, args.library, args.context) if p)]
    for path in write_plan_outputs(result.plan, result.roadmap, args.out, args.format, status=status,
                                   questionnaire=result.questionnaire, paper=args.paper, inputs=inputs):
        print(f"wrote {path}", file=sys.stderr)
    choice = result.plan.pmo_type
    aim = f", heading for {choice.aim}" if choice.aim and choice.aim != choice.chosen else ""
    print(f"PMO type {choice.chosen}{aim}", file=sys.stderr)
    financials = result.plan.financials
    if financials.benefit_cost_ratio is not None:
        payback = f"{financials.payback_months} months" if financials.payback_months else "not within the horizon"
        print(f"benefit-cost ratio {financials.benefit_cost_ratio:.2f} (roadmap cost included), payback {payback}",
              file=sys.stderr)
    else:
        print(f"benefit-cost ratio not computed yet: {len(financials.missing)} line(s) to fill in", file=sys.stderr)
    return 0
