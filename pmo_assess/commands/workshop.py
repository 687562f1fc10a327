"""``pmo-assess workshop``: serve a unit's capture form to respondents' browsers (Voilà).

On 127.0.0.1 by default; ``--invite people.csv`` gives each person a personal link (and an
invitations sheet with QR codes); ``--host`` opens the server to the room's network, only with
invitations. ``--room`` serves the facilitator's live room view instead (this machine only).
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem

DEFAULT_BANK = Path("questionnaires") / "value-driven-pmo.yaml"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from pmo_assess.workshop.defaults import CULL_IDLE_SECONDS, DEFAULT_VALID_DAYS

    parser = subparsers.add_parser(
        "workshop", help="serve the live capture form to respondents' browsers",
        description="Serve one business unit's capture form with Voilà: respondents answer question by question "
                    "in a browser, without seeing code; every answer is saved at once. On 127.0.0.1 unless "
                    "--host opens it to the room's network, which needs --invite (personal links).")
    parser.add_argument("--unit", "-u", required=True, metavar="NAME", help="business unit being assessed")
    parser.add_argument("--port", "-p", type=int, default=8866,
                        help="port (default 8866; 0: any free port, named in the address printed)")
    parser.add_argument("--questionnaire", "-q", metavar="FILE",
                        help=f"questionnaire YAML (default {DEFAULT_BANK}, the bundled bank)")
    parser.add_argument("--answers", "-a", metavar="FILE",
                        help="the unit's answers CSV, created if missing (default workshop/<unit>.csv)")
    parser.add_argument("--token", metavar="TOKEN", help="server access token for the URL (default: a random one, "
                                                         "kept with the invitations when --invite is given)")
    parser.add_argument("--invite", metavar="PEOPLE_CSV",
                        help="CSV with columns name, role, email (optional): one personal link per person, printed "
                             "and written to an invitations sheet with QR codes beside the answers")
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                        help="address to listen on; 0.0.0.0 opens the form to the room's network (needs --invite)")
    parser.add_argument("--valid-days", type=int, default=DEFAULT_VALID_DAYS, metavar="DAYS",
                        help=f"personal links work for this many days from this run (default {DEFAULT_VALID_DAYS})")
    parser.add_argument("--room", action="store_true",
                        help="serve the facilitator's room view instead (live progress, levels, radar against "
                             "target, discussion list, consensus); on 127.0.0.1 only, as it shows everyone's answers")
    parser.add_argument("--targets", metavar="FILE",
                        help="targets YAML the room view reads and records into (default targets.yaml beside the "
                             "answers; dot votes go to votes.yaml beside it)")
    parser.add_argument("--cull-idle", type=int, default=CULL_IDLE_SECONDS, metavar="SECONDS",
                        help="shut down a page's kernel after this long with no browser connected "
                             f"(default {CULL_IDLE_SECONDS})")
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
    from pmo_assess.workshop.serve import Culling, serve, serve_room

    problems = []
    if not args.unit.strip():
        problems.append(InputProblem("--unit", "", "must name the business unit"))
    if args.valid_days < 1:
        problems.append(InputProblem("--valid-days", "", f"must be 1 or more, got {args.valid_days}"))
    if args.cull_idle < 1:
        problems.append(InputProblem("--cull-idle", "", f"must be 1 second or more, got {args.cull_idle}"))
    if args.room and (args.invite or args.host.strip() != "127.0.0.1"):
        problems.append(InputProblem("--room", "", "the room view shows everyone's answers: it is served on this "
                                     "machine only, without --invite or --host (serve the form separately)"))
    if args.targets and not args.room:
        problems.append(InputProblem("--targets", "", "is read by the room view: add --room"))
    if problems:
        raise InputErrors(problems)
    questionnaire = Path(args.questionnaire) if args.questionnaire else default_questionnaire()
    answers = Path(args.answers) if args.answers else default_answers_file(args.unit)
    culling = Culling(idle=args.cull_idle, interval=min(args.cull_idle, 60))
    if args.room:
        return serve_room(questionnaire, args.unit, answers, args.port, args.targets, args.token, culling=culling)
    return serve(questionnaire, args.unit, answers, args.port, args.token, host=args.host.strip(),
                 people_file=args.invite, valid_days=args.valid_days, culling=culling)
