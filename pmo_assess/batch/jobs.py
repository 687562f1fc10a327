"""What each notebook of a batch runs with: its parameters, its outputs, and the key that says if it is current.

The options of a run (formats, settings, anonymity, roadmaps, round, the previous round) become
notebook parameters only where the notebook declares them, and always become part of the manifest
key, so a rerun with other options redoes the unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmo_assess.batch.discover import PORTFOLIO_OPTIONAL, UNIT_OPTIONAL, declared_only
from pmo_assess.batch.manifest import file_hash, optional_file_hash, portfolio_key
from pmo_assess.batch.round_folder import EarlierRound, previous_scores, previous_units_folder
from pmo_assess.batch.run import NotebookJob
from pmo_assess.rounds.round_info import RoundInfo


@dataclass(frozen=True)
class RunOptions:
    """The report options of one batch, as every notebook of it receives them."""

    formats: tuple[str, ...]
    anonymise: bool
    settings: Path | None
    template: Path | None
    roadmaps: Path | None
    round_info: RoundInfo
    earlier: tuple[EarlierRound, ...] = ()

    def common_values(self) -> dict:
        """Parameter values every notebook of the batch gets (where declared)."""
        return {"round_label": self.round_info.label or "", "assessed_on": self.round_info.assessed_on.isoformat(),
                "anonymise": self.anonymise, "report_settings": str(self.settings.resolve()) if self.settings else ""}

    def common_key(self) -> dict:
        """What in the options changes every report: formats, anonymity, the settings and template bytes, round."""
        return {"formats": list(self.formats), "anonymise": self.anonymise,
                "settings": optional_file_hash(self.settings), "template": optional_file_hash(self.template),
                "round": self.round_info.to_json()}

    def roadmap(self, unit: str) -> Path | None:
        """The unit's roadmap: ROADMAPS/<unit's roadmap folder>/roadmap.yaml, when it exists."""
        if self.roadmaps is None:
            return None
        from pmo_assess.roadmap.workflow import unit_slug

        path = self.roadmaps / unit_slug(unit) / "roadmap.yaml"
        return path.resolve() if path.is_file() else None


def report_files(stem: str, formats: tuple[str, ...]) -> tuple[str, ...]:
    """The report file names of ``formats`` (``report.html``, ``report.pdf`` ...)."""
    return tuple(f"{stem}.{fmt}" for fmt in formats)


def unit_job(unit: str, slug: str, sources: list[str], notebook: Path, questionnaire: Path,
             targets: Path | None, folder: Path, options: RunOptions, declared: set[str]) -> tuple[NotebookJob, dict]:
    """One unit's job and the options part of its manifest key."""
    unit_folder = folder / "units" / slug
    roadmap = options.roadmap(unit)
    previous = previous_scores(list(options.earlier), unit, slug)
    optional = {**options.common_values(), "roadmap": str(roadmap or ""), "previous_scores": str(previous or "")}
    parameters = {"answers": sources, "business_unit": unit, "questionnaire": str(questionnaire.resolve()),
                  "targets": str(targets.resolve()) if targets else "", "output_dir": "",
                  **declared_only({k: v for k, v in optional.items() if k in UNIT_OPTIONAL}, declared)}
    files = ("assessment.ipynb", "scores.json", *report_files("report", options.formats))
    job = NotebookJob(name=unit, notebook=notebook.resolve(), parameters=parameters,
                      executed_name="assessment.ipynb", html_name="report.html",
                      outputs={name: unit_folder / name for name in files}, failed_dir=folder / "failed" / slug,
                      publish_dir=unit_folder, required=("scores.json",), formats=options.formats)
    key = {**options.common_key(), "roadmap": optional_file_hash(roadmap), "previous": optional_file_hash(previous)}
    return job, key


def portfolio_job(notebook: Path, questionnaire: Path, folder: Path, options: RunOptions,
                  declared: set[str]) -> NotebookJob:
    """The portfolio's job: every unit's scores in ``folder/units``, and the previous round's when there is one."""
    previous = previous_units_folder(list(options.earlier))
    optional = {**options.common_values(), "previous_scores_dir": str(previous or "")}
    parameters = {"scores_dir": str((folder / "units").resolve()), "questionnaire": str(questionnaire.resolve()),
                  **declared_only({k: v for k, v in optional.items() if k in PORTFOLIO_OPTIONAL}, declared)}
    files = ("portfolio.ipynb", *report_files("portfolio", options.formats))
    return NotebookJob(name="portfolio", notebook=notebook.resolve(), parameters=parameters,
                       executed_name="portfolio.ipynb", html_name="portfolio.html",
                       outputs={name: folder / name for name in files}, failed_dir=folder / "failed" / "portfolio",
                       formats=options.formats)


def portfolio_job_key(job: NotebookJob, score_files: list[Path], questionnaire_hash: str,
                      options: RunOptions) -> str:
    """The portfolio's manifest key: the units' scores, questionnaire, notebook, options and previous round."""
    previous = job.parameters.get("previous_scores_dir") or ""
    earlier = sorted(Path(previous).glob("*/scores.json")) if previous else []
    return portfolio_key(score_files, questionnaire_hash, file_hash(job.notebook),
                         {**options.common_key(), "previous": [file_hash(p) for p in earlier]})
