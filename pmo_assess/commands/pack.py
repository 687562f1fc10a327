"""``pmo-assess pack``: write one protected XLSX respondent pack per respondent (or a blank one)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pmo_assess.errors import InputErrors, InputProblem


class _AddRespondent(argparse.Action):
    """``--respondent R`` starts a new respondent; a following ``--role ROLE`` belongs to it."""

    def __call__(self, parser, namespace, values, option_string=None):
        people = list(getattr(namespace, "people", None) or [])
        if option_string == "--role":
            if not people or people[-1][1] is not None:
                parser.error("--role must follow the --respondent it belongs to (one role each)")
            people[-1] = (people[-1][0], values)
        else:
            people.append((values, None))
        namespace.people = people


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "pack", help="write XLSX respondent packs to send out",
        description="Write one XLSX pack per respondent (instructions, questions with their four anchors, "
                    "a dropdown answer cell and a comment cell; everything else protected). Without "
                    "--respondent, writes one blank pack the respondent names themself.")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--unit", "-u", required=True, metavar="UNIT", help="business unit the packs are for")
    parser.add_argument("--respondent", "-r", dest="people", action=_AddRespondent, metavar="NAME",
                        help="a respondent (repeat for several)")
    parser.add_argument("--role", dest="people", action=_AddRespondent, metavar="ROLE",
                        help="role id of the --respondent just before it (optional)")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="directory for the packs")
    parser.add_argument("--force", action="store_true", help="overwrite packs that already exist in DIR")
    parser.set_defaults(people=[])
    return parser


def _name_problems(args: argparse.Namespace) -> list[InputProblem]:
    """Names printed into every pack and its file name must be plain text on one line."""
    from pmo_assess.sanitize import control_character_problem

    named = [("--unit", "business unit", args.unit)]
    for name, role in args.people:
        named += [("--respondent", "respondent", name), ("--role", "role", role)]
    problems = []
    for option, field, value in named:
        message = control_character_problem(value, field) if value else None
        if message:
            problems.append(InputProblem("command line", option, message))
    return problems


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import require_files
    from pmo_assess.io.outputs import refuse_inputs_as_outputs
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.packs import PackRequest, pack_filename, write_packs

    require_files({"--questionnaire": args.questionnaire})
    problems = _name_problems(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        problems.append(InputProblem(str(out), "--out", "is a file, not a folder; give the folder for the packs"))
    if problems:
        raise InputErrors(problems)
    questionnaire = load_questionnaire(args.questionnaire)
    requests = [PackRequest(args.unit, name, role) for name, role in args.people] or [PackRequest(args.unit)]
    refuse_inputs_as_outputs([args.questionnaire], {f"--out ({pack_filename(r)})": out / pack_filename(r)
                                                for r in requests})
    for path in write_packs(questionnaire, requests, out, overwrite=args.force):
        print(path)
    print(f"wrote {len(requests)} pack(s) of {questionnaire.id} {questionnaire.version} for {args.unit}",
          file=sys.stderr)
    return 0
