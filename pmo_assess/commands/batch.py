"""``pmo-assess batch``: one assessment report per business unit, in parallel (or on a Dask cluster), plus the portfolio."""
from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "batch", help="run the assessment notebook for every business unit, then the portfolio view",
        description="Run the assessment notebook (papermill) once per business unit found in the answer "
                    "files, in parallel on this machine or as tasks on a Dask cluster (--scheduler), then the "
                    "portfolio notebook across units. Writes OUT/units/<unit>/{assessment.ipynb, scores.json, "
                    "report.<format>}, OUT/portfolio.<format>, OUT/summary.csv, OUT/manifest.json and "
                    "OUT/round.json; with --round LABEL all of it goes to OUT/rounds/LABEL/ instead, and "
                    "each unit's report is compared with its previous round there. A rerun redoes only units "
                    "that failed or whose inputs or options changed. Exit status: 0 all succeeded, 1 some unit "
                    "failed (named in the summary), 2 bad input.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", type=Path,
                        help="answer files (CSV, XLSX or YAML); several units per file are fine")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", type=Path, help="questionnaire YAML")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", type=Path, help="output folder")
    parser.add_argument("--targets", "-t", metavar="FILE", type=Path, help="targets YAML (adds targets and gaps)")
    parser.add_argument("--formats", default="html", metavar="LIST",
                        help="report formats, comma-separated: html, pdf, pptx (the readout deck); default html. "
                             "A format that fails for a unit fails that unit only")
    parser.add_argument("--settings", metavar="FILE", type=Path,
                        help="report settings YAML: client, organisation, assessor, anonymise, pptx_template "
                             "(the client's slide template)")
    parser.add_argument("--anonymise", action="store_true",
                        help="show respondents as 'Respondent 3 (sponsor)' in every output; roles with fewer "
                             "than 3 respondents are merged into 'other'")
    parser.add_argument("--roadmaps", metavar="DIR", type=Path,
                        help="folder of roadmaps, DIR/<unit>/roadmap.yaml (as `pmo-assess roadmap` writes them): "
                             "a unit's report recommends its named initiatives")
    parser.add_argument("--round", metavar="LABEL", dest="round_label",
                        help="the assessment round, e.g. 2026-Q4: outputs go to OUT/rounds/LABEL/ and never "
                             "touch another round's")
    parser.add_argument("--assessed-on", metavar="DATE",
                        help="when the answers were given, YYYY-MM-DD (default: today for a new round, the "
                             "recorded date when rerunning one)")
    parser.add_argument("--workers", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="units run at once on this machine (default: the number of CPU cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the units as tasks on a Dask cluster: a scheduler address (tcp://host:8786, "
                             "started with `dask scheduler`, workers with `dask worker`) or local:N for a local "
                             "cluster of N worker processes. Reports come back and are written here. Needs "
                             "pip install -e \".[dask]\" here and pmo-assess of the same version on every worker")
    parser.add_argument("--shared-inputs", action="store_true",
                        help="with --scheduler: the workers read the input files at the same paths as this "
                             "machine (a shared file system) instead of receiving them with each task")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S",
                        help="seconds one unit's notebook may run before it is stopped and failed (default 600)")
    parser.add_argument("--rerun-all", action="store_true", help="rerun every unit, even those up to date")
    parser.add_argument("--notebook", type=Path, metavar="PATH",
                        help="your own per-unit notebook template; its parameters cell must define answers, "
                             "business_unit, questionnaire, targets and output_dir (and round_label, assessed_on, "
                             "anonymise, report_settings, roadmap for the options above), and it must write "
                             "output_dir/scores.json (default: the bundled notebooks/assessment.ipynb). Units "
                             "of your notebook each get a fresh kernel; the bundled one reuses a warm kernel "
                             "per worker, with a fresh namespace per unit")
    return parser


def run(args: argparse.Namespace) -> int:
    from pmo_assess.io.notebook_schema import skip_iri_grammar

    skip_iri_grammar()  # papermill validates notebooks through jsonschema: ~2 s saved
    # the summary names each unit's error; papermill's log lines would only interleave with the progress
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    from pmo_assess.batch.pipeline import NOTEBOOK, BatchConfig, run_batch
    from pmo_assess.report.documents import parse_formats

    config = BatchConfig(answers=args.answers, questionnaire=args.questionnaire, out=args.out,
                         targets=args.targets, workers=args.workers, timeout=args.timeout,
                         rerun_all=args.rerun_all, notebook=args.notebook or NOTEBOOK,
                         formats=parse_formats(args.formats), settings=args.settings, anonymise=args.anonymise,
                         roadmaps=args.roadmaps, round_label=args.round_label, assessed_on=args.assessed_on,
                         scheduler=args.scheduler, shared_inputs=args.shared_inputs)
    return run_batch(config)
