"""``pmo-assess batch``: one assessment report per business unit, in parallel, plus the portfolio view."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "batch", help="run the assessment notebook for every business unit, then the portfolio view",
        description="Run the assessment notebook (papermill) once per business unit found in the answer "
                    "files, in parallel, then the portfolio notebook across units. Writes OUT/units/<unit>/"
                    "{assessment.ipynb, report.html, scores.json}, OUT/portfolio.html, OUT/summary.csv and "
                    "OUT/manifest.json. A rerun redoes only units that failed or whose inputs changed. "
                    "Exit status: 0 all succeeded, 1 some unit failed (named in the summary), 2 bad input.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", type=Path,
                        help="answer files (CSV, XLSX or YAML); several units per file are fine")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", type=Path, help="questionnaire YAML")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", type=Path, help="output folder")
    parser.add_argument("--targets", "-t", metavar="FILE", type=Path, help="targets YAML (adds targets and gaps)")
    parser.add_argument("--workers", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="units run at once (default: the number of CPU cores)")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S",
                        help="seconds one unit's notebook may run before it is stopped and failed (default 600)")
    parser.add_argument("--rerun-all", action="store_true", help="rerun every unit, even those up to date")
    parser.add_argument("--notebook", type=Path, metavar="PATH",
                        help="your own per-unit notebook template; its parameters cell must define answers, "
                             "business_unit, questionnaire, targets and output_dir, and it must write "
                             "output_dir/scores.json (default: the bundled notebooks/assessment.ipynb)")
    return parser


def run(args: argparse.Namespace) -> int:
    # papermill validates notebooks through jsonschema, which builds an RFC 3987 grammar at import
    # (about 2 s) for IRI formats that the notebook schema never uses: skip it in this process.
    sys.modules.setdefault("rfc3987_syntax", None)
    # the summary names each unit's error; papermill's log lines would only interleave with the progress
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    from pmo_assess.batch.pipeline import NOTEBOOK, BatchConfig, run_batch

    config = BatchConfig(answers=args.answers, questionnaire=args.questionnaire, out=args.out,
                         targets=args.targets, workers=args.workers, timeout=args.timeout,
                         rerun_all=args.rerun_all, notebook=args.notebook or NOTEBOOK)
    return run_batch(config)
