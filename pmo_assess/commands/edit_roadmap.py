"""``pmo-assess edit-roadmap``: the roadmap notebook with its editor, served as a code-free Voilà page."""
from __future__ import annotations

import argparse

DEFAULT_PORT = 8867


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "edit-roadmap", help="serve one unit's roadmap editor and charts as a browser page (no code shown)",
        description="Serve notebooks/roadmap.ipynb for one unit with Voilà on 127.0.0.1: every item of the unit's "
                    "roadmap.yaml editable in place, checked at once, saved with your name in the file's history, "
                    "and the Gantt, capacity and projected-maturity charts redrawn after each save. The roadmap "
                    "file is created first if it does not exist yet.")
    parser.add_argument("answers", nargs="+", metavar="ANSWERS", help="answer files (CSV, XLSX or YAML)")
    parser.add_argument("--questionnaire", "-q", required=True, metavar="FILE", help="questionnaire YAML")
    parser.add_argument("--targets", "-t", required=True, metavar="FILE", help="targets YAML")
    parser.add_argument("--unit", "-u", required=True, metavar="NAME", help="the business unit whose roadmap to edit")
    parser.add_argument("--roadmap", "-r", metavar="FILE",
                        help="the unit's roadmap.yaml (default roadmaps/<unit>/roadmap.yaml, as pmo-assess roadmap writes)")
    parser.add_argument("--votes", metavar="FILE", help="dot-votes YAML; default votes.yaml beside the targets, if any")
    parser.add_argument("--library", metavar="FILE",
                        help="initiative library; default initiatives/<questionnaire id>.yaml beside the questionnaire")
    parser.add_argument("--baseline", nargs="+", metavar="ANSWERS", default=[],
                        help="an earlier assessment of the unit, for progress to date")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port, named in the address printed)")
    parser.add_argument("--token", help="access token in the page's address (default: a new random one)")
    return parser


def editor_parameters(args: argparse.Namespace) -> dict[str, object]:
    """The notebook's parameters from the command line, every path absolute (Voilà runs in a temporary folder)."""
    from pathlib import Path

    from pmo_assess.roadmap.workflow import ROADMAP_FILE, unit_slug

    def absolute(path: str | None) -> str:
        return str(Path(path).expanduser().resolve()) if path else ""

    roadmap = args.roadmap or str(Path("roadmaps") / unit_slug(args.unit) / ROADMAP_FILE)
    return {"answers": [absolute(a) for a in args.answers], "business_unit": args.unit.strip(),
            "questionnaire": absolute(args.questionnaire), "targets": absolute(args.targets),
            "votes": absolute(args.votes), "library": absolute(args.library), "roadmap": absolute(roadmap),
            "update_roadmap": False, "wave_weeks": None, "capacity": None, "waves": None,
            "baseline_answers": [absolute(a) for a in args.baseline] if args.baseline else ""}


def editor_notebook(parameters: dict[str, object]) -> object:
    """notebooks/roadmap.ipynb with these parameters injected (as papermill does), not executed."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from pmo_assess.report.paths import REPO_ROOT

    notebook = load_notebook_node(str(REPO_ROOT / "notebooks" / "roadmap.ipynb"))
    return parameterize_notebook(notebook, parameters)


def run(args: argparse.Namespace) -> int:
    import secrets

    from pmo_assess.roadmap.editor import RoadmapEditor
    from pmo_assess.roadmap.view import load_roadmap_view
    from pmo_assess.workshop.serve import HOST, check_port_free, serve_notebook

    parameters = editor_parameters(args)
    # every input problem (and an invalid roadmap file) is exit 2 here, before anything is served
    view = load_roadmap_view(**parameters)
    RoadmapEditor(view.roadmap.source, view.inputs.library, view.inputs.questionnaire)
    check_port_free(args.port)
    token = args.token or secrets.token_urlsafe(16)

    def started(port: int) -> None:
        print(f"Serving the {view.business_unit} roadmap editor at http://{HOST}:{port}/?token={token}\n"
              f"edits are saved to {view.roadmap.source}; press Ctrl-C to stop", flush=True)

    return serve_notebook(editor_notebook(parameters), "roadmap.ipynb", args.port, token, started)
