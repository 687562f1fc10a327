"""The ``pmo-assess`` command: argument parsing and exit codes only.

Each subcommand lives in ``pmo_assess.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``; those modules import heavy libraries inside ``run`` so start-up stays quick.
Exit status: 0 success, 1 some work failed (named in the output), 2 bad input or usage.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from pmo_assess import __version__
from pmo_assess.errors import InputErrors

#: Subcommand modules under pmo_assess.commands, in the order ``--help`` lists them.
COMMANDS = ("validate", "score", "pack", "import_answers", "workshop", "batch", "report", "compare", "roadmap",
            "edit_roadmap", "plan")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmo-assess",
        description="Assess PMO maturity from questionnaire answers and plan the move to a value-driven PMO.")
    parser.add_argument("--version", action="version", version=f"pmo-assess {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"pmo_assess.commands.{name}")
        command = module.add_parser(subparsers)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None, *, console: bool = False) -> int:
    """Run the command line; returns the exit status instead of raising on bad input.

    ``console``: this process runs the one command and ends (the ``pmo-assess`` script), so the command may
    tune the process for itself (``args.console``); never when another program calls main().
    """
    args = build_parser().parse_args(argv)
    args.console = console
    try:
        return args.run(args)
    except InputErrors as exc:
        print(f"pmo-assess {args.command}: input problems:", file=sys.stderr)
        print(exc.render(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry_point() -> None:
    sys.exit(main(console=True))


if __name__ == "__main__":
    entry_point()
