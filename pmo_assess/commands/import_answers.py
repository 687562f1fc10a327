"""``pmo-assess import``: filled packs, answer files and survey exports → the canonical answers CSV."""
from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import", help="import filled packs and survey exports into an answers CSV",
        description="Read filled packs (.xlsx), canonical answer files (.csv/.xlsx/.yaml) and wide survey "
                    "exports (Google Forms, SurveyMonkey, Qualtrics, Microsoft Forms, or any table with one row "
                    "per respondent and one column per question; the tool is recognised by the export's "
                    "shape) and merge them into the canonical answers CSV. Every file is checked first: "
                    "on any problem nothing is written. Rows already in --out are kept once; a different "
                    "answer for the same respondent and question is refused unless --replace.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="packs, answer files, survey exports")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--out", "-o", metavar="ANSWERS.csv",
                        help="canonical answers CSV to write (merged with it if it exists); required unless "
                             "--print-mapping")
    parser.add_argument("--mapping", "-m", metavar="FILE",
                        help="YAML mapping of survey columns, roles and answer words the import can't match")
    parser.add_argument("--unit", "-u", metavar="UNIT", help="business unit of survey exports without a unit column")
    parser.add_argument("--replace", action="store_true",
                        help="imported respondents replace all their rows already in --out")
    parser.add_argument("--ignore-unmatched", action="store_true",
                        help="leave out survey columns that match no question (listed) instead of stopping; "
                             "questions left without a column are listed too")
    parser.add_argument("--include-partial", action="store_true",
                        help="import unfinished responses (Qualtrics Finished=False; SurveyMonkey responses with no "
                             "answer after some question, blank from there over the last two question groups or "
                             "more than half the questions) instead of listing and leaving them out")
    parser.add_argument("--print-mapping", action="store_true",
                        help="print the mapping inferred for the one survey export FILE (tool, columns → question "
                             "ids, answer labels → levels) as YAML to edit and pass back with --mapping; "
                             "imports nothing")
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    return parser


def run(args: argparse.Namespace) -> int:
    from pmo_assess.commands.paths import require_files
    from pmo_assess.imports.mapping import load_mapping
    from pmo_assess.io.outputs import refuse_inputs_as_outputs
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.survey_import import import_answers

    if args.print_mapping:
        return _print_mapping(args)
    if not args.out:
        raise InputErrors([InputProblem("pmo-assess import", "--out", "is required: the canonical answers CSV to "
                                        "write (or pass --print-mapping to see how an export would be read)")])
    require_files({"--questionnaire": args.questionnaire, "--mapping": args.mapping, "FILE": args.files,
                   "--out": args.out})
    # --out is merged with what it holds, but is never read as one of the files imported into it
    inputs = [args.questionnaire, *args.files] + ([args.mapping] if args.mapping else [])
    refuse_inputs_as_outputs(inputs, {"--out": args.out})
    questionnaire = load_questionnaire(args.questionnaire)
    mapping = load_mapping(args.mapping, questionnaire) if args.mapping else None
    report = import_answers(args.files, questionnaire, args.out, mapping, default_unit=args.unit or "",
                            replace=args.replace, ignore_unmatched=args.ignore_unmatched, dry_run=args.dry_run,
                            include_partial=args.include_partial)
    kinds: dict[str, list] = {}
    for file in report.files:
        kinds.setdefault(file.kind, []).append(file)
    for kind, files in kinds.items():
        print(f"{len(files)} {kind} file(s): {sum(f.respondents for f in files)} respondent(s), "
              f"{sum(f.rows for f in files)} answer row(s)")
    for file in report.files:
        for note in file.notes:
            print(f"  {file.path}: {note}")
    merge = report.merge
    verb = "wrote" if report.written else "dry run, would write"
    print(f"{verb} {report.out}: {len(merge.rows)} row(s); {merge.added} added, {merge.kept} already there, "
          f"{merge.replaced} replaced")
    return 0


def _print_mapping(args: argparse.Namespace) -> int:
    """``--print-mapping``: the inferred mapping of one export on standard output, nothing written."""
    from pmo_assess.commands.paths import require_files
    from pmo_assess.errors import InputErrors, InputProblem
    from pmo_assess.imports.mapping import Mapping, load_mapping
    from pmo_assess.io.questionnaire import load_questionnaire
    from pmo_assess.survey_import import print_mapping

    if len(args.files) != 1:
        raise InputErrors([InputProblem("pmo-assess import", "--print-mapping",
                                        f"prints the mapping of one survey export; {len(args.files)} files given")])
    require_files({"--questionnaire": args.questionnaire, "--mapping": args.mapping, "FILE": args.files})
    questionnaire = load_questionnaire(args.questionnaire)
    mapping = load_mapping(args.mapping, questionnaire) if args.mapping else Mapping()
    print(print_mapping(args.files[0], questionnaire, mapping, args.unit or ""), end="")
    return 0
