"""``pmo-assess workshop``: serve a unit's capture form to respondents' browsers (Voilà, 127.0.0.1)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem

DEFAULT_BANK = Path("questionnaires") / "value-driven-pmo.yaml"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "workshop", help="serve the live capture form to respondents' browsers",
        description="Serve one business unit's capture form with Voilà on 127.0.0.1: respondents answer "
                    "question by question in a browser, without seeing code; every answer is saved at once.")
    parser.add_argument("--unit", "-u", required=True, metavar="NAME", help="business unit being assessed")
    parser.add_argument("--port", "-p", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    parser.add_argument("--questionnaire", "-q", metavar="FILE",
                        help=f"questionnaire YAML (default {DEFAULT_BANK}, the bundled bank)")
    parser.add_argument("--answers", "-a", metavar="FILE",
                        help="the unit's answers CSV, created if missing (default workshop/<unit>.csv)")
    parser.add_argument("--token", metavar="TOKEN", help="access token for the URL (default: a random one)")
    return parser


def default_answers_file(unit: str) -> Path:
    """``workshop/retail-banking.csv`` for unit 'Retail Banking'."""
    return Path("workshop") / (re.sub(r"[^a-z0-9]+", "-", unit.lower()).strip("-") + ".csv")


def default_questionnaire() -> Path:
    """The bundled bank: here, or beside the installed package (editable install)."""
    for candidate in (DEFAULT_BANK, Path(__file__).resolve().parents[2] / DEFAULT_BANK):
        if candidate.exists():
            return candidate
    raise InputErrors([InputProblem("--questionnaire", "", f"not given, and {DEFAULT_BANK} is not here; "
                                    "pass --questionnaire FILE")])


def run(args: argparse.Namespace) -> int:
    from pmo_assess.workshop.serve import serve

    if not args.unit.strip():
        raise InputErrors([InputProblem("--unit", "", "must name the business unit")])
    questionnaire = Path(args.questionnaire) if args.questionnaire else default_questionnaire()
    answers = Path(args.answers) if args.answers else default_answers_file(args.unit)
    return serve(questionnaire, args.unit, answers, args.port, args.token)
