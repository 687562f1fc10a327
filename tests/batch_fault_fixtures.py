"""Issue 17's batch fault batches: ``pmo-assess batch`` run as a user runs it, three at once, each isolated.

Three batches back three test modules (tests/test_batch_timeout.py, test_batch_startup_retry.py and
test_batch_notebook_faults.py). They spend most of their time waiting (sleeping cells, kernels that die,
a kernel waiting to be killed), so the session fixture ``fault_batches`` (tests/conftest.py) starts every
batch whose module is in the run at once, and each module waits for its own: the three cost about as
much wall time as the longest.

Each batch is a child process (its stable interface is the command line and OUT/summary.csv) with its own
HOME and Jupyter/IPython folders; its kernels inherit that environment, so a batch can add a kernelspec
(JUPYTER_PATH) or an IPython start-up file (IPYTHONDIR) that no other kernel sees.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from conftest import DATA

MINI = DATA / "mini.yaml"
QUESTIONS = ("P-T-1", "P-T-2", "P-L-1", "G-B-1", "G-B-2", "G-M-1", "G-M-2")
PARAMETERS = 'answers = []\nbusiness_unit = ""\nquestionnaire = ""\ntargets = ""\noutput_dir = ""'
#: The last cell of a test notebook: score the unit and write scores.json, as the bundled notebook does.
WRITE_SCORES = ("from pmo_assess.report.unit import load_unit_report, write_unit_scores\n"
                "write_unit_scores(load_unit_report(answers, business_unit, questionnaire, targets), output_dir)")
#: A dying kernel's "process": note the launch in the file given, then exit before opening any socket.
DIES_AT_ONCE = "import sys; open(sys.argv[1], 'a').write('launched\\n'); sys.exit(3)"


@dataclass
class FaultBatch:
    """One running (then finished) batch: its folder, OUT, child process and, once done, its outcome."""

    root: Path
    out: Path
    process: subprocess.Popen
    files: dict[str, Path] = field(default_factory=dict)
    status: int | None = None
    output: str = ""
    rows: dict[str, dict] = field(default_factory=dict)

    def finish(self, seconds: float = 300) -> FaultBatch:
        """Wait for the batch (once); read its summary.csv."""
        if self.status is None:
            stdout, stderr = self.process.communicate(timeout=seconds)
            self.status, self.output = self.process.returncode, stdout + stderr
            if (self.out / "summary.csv").exists():
                with (self.out / "summary.csv").open(encoding="utf-8") as handle:
                    self.rows = {row["unit"]: row for row in csv.DictReader(handle)}
        return self

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with HOME and the Jupyter/IPython/Matplotlib folders under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
                "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"), "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
                "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl"), "MPLBACKEND": "Agg"})
    env.update(extra)
    return env


def write_unit_answers(path: Path, units: dict[str, list[tuple[str, str, str]]] | list[str]) -> Path:
    """A CSV of mini answers. Per unit, (respondent, role, base) triples: question i gets (base + i) % 4 + 1
    (a non-digit base is the answer itself); a plain list of units gets Ann (sponsor, 3) and Bob (pm, 2)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["business_unit", "respondent", "role", "question", "answer", "comment"])
        for unit in units:
            people = units[unit] if isinstance(units, dict) else [("Ann", "sponsor", "3"), ("Bob", "pm", "2")]
            for person, role, base in people:
                for i, question in enumerate(QUESTIONS):
                    answer = base if not base.isdigit() else str((int(base) + i) % 4 + 1)
                    writer.writerow([unit, person, role, question, answer, ""])
    return path


def write_notebook(path: Path, cells: list[str], kernel: str = "python3") -> Path:
    """A unit notebook: the parameters cell (tagged), then ``cells``, run on kernelspec ``kernel``."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


def dying_kernelspec(root: Path, name: str, launches: Path) -> str:
    """A kernelspec ``name`` under ``root``/kernels whose process exits at once, logging each launch; ``root``."""
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-c", DIES_AT_ONCE, str(launches), "{connection_file}"],
            "display_name": "dies at start", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return str(root)


def start_batch(root: Path, arguments: list[str], env: dict[str, str], **files: Path) -> FaultBatch:
    """``pmo-assess batch ARGS -o root/out`` started as a child process in ``root``."""
    out = root / "out"
    process = subprocess.Popen([sys.executable, "-m", "pmo_assess", "batch", *arguments, "-o", str(out)], cwd=root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL)
    return FaultBatch(root, out, process, files)


def start_timeout_batch(root: Path) -> FaultBatch:
    """One unit whose notebook has two 4-second cells, under --timeout 6 (see tests/test_batch_timeout.py)."""
    notebook = write_notebook(root / "two_cells.ipynb", ["import time\ntime.sleep(4)", "time.sleep(4)",
                                                         WRITE_SCORES])
    answers = write_unit_answers(root / "answers.csv", ["Two Cells"])
    # --workers 2 for one unit: the batch warms the portfolio's kernel up beside the unit, not after it
    return start_batch(root, [str(answers), "-q", str(MINI), "--notebook", str(notebook), "--timeout", "6",
                              "--workers", "2"], isolated_env(root / "home"))


def start_dying_kernel_batch(root: Path) -> FaultBatch:
    """One unit whose notebook's kernel dies as it starts (see tests/test_batch_startup_retry.py)."""
    launches = root / "launches.txt"
    jupyter_path = dying_kernelspec(root / "jupyter", "dies-at-start", launches)
    notebook = write_notebook(root / "dying.ipynb", [WRITE_SCORES], kernel="dies-at-start")
    answers = write_unit_answers(root / "answers.csv", ["Dies At Start"])
    return start_batch(root, [str(answers), "-q", str(MINI), "--notebook", str(notebook), "--workers", "2",
                              "--timeout", "120"], isolated_env(root / "home", JUPYTER_PATH=jupyter_path),
                       launches=launches)


#: Runs in every kernel of the real-notebook batch at start-up (an IPython profile start-up file). When the
#: first cell after the injected parameters is about to run: Edited's answers file gets an invalid answer
#: (P-T-1 = 7, as a user editing it mid-run would); Doomed's kernel writes its process id and waits to be killed.
FAULTS_STARTUP = r'''
def _pmo_fault(*_args):
    # no module-level names: the notebook's namespace is not this file's
    import os, time

    ip = get_ipython()
    unit, folder = ip.user_ns.get("business_unit"), os.environ.get("PMO_TEST_FAULTS")
    done = f"PMO_TEST_FAULT_DONE_{unit}"
    if not folder or unit not in ("Doomed", "Edited") or os.environ.get(done):
        return
    os.environ[done] = "1"
    if unit == "Edited":
        path = ip.user_ns["answers"][0]
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines(keepends=True)
        lines[1] = lines[1].replace(",P-T-1,4,", ",P-T-1,7,")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        return
    pid_file = os.path.join(folder, "doomed.pid")
    with open(pid_file + ".tmp", "w") as handle:
        handle.write(str(os.getpid()))
    os.replace(pid_file + ".tmp", pid_file)
    time.sleep(600)  # until the test kills this kernel


get_ipython().events.register("pre_run_cell", _pmo_fault)
'''


def start_real_notebook_batch(root: Path) -> FaultBatch:
    """Four units through notebooks/assessment.ipynb, two of them faulted (see tests/test_batch_notebook_faults.py)."""
    home, faults = root / "home", root / "faults"
    faults.mkdir()
    startup = home / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-pmo-faults.py").write_text(FAULTS_STARTUP, encoding="utf-8")
    # Ann answers (3 + i) % 4 + 1 → P-T-1 = 4 (the row Edited's fault rewrites); Bob (2 + i) % 4 + 1
    files = {
        "main": write_unit_answers(root / "answers.csv", ["Alpha", "Doomed"]),
        "edited": write_unit_answers(root / "edited.csv", ["Edited"]),
        "room": write_unit_answers(root / "room.csv", {"Room Only": [("consensus", "", "3")]}),
    }
    return start_batch(root, [*map(str, files.values()), "-q", str(MINI), "--workers", "2", "--timeout", "300"],
                       isolated_env(home, PMO_TEST_FAULTS=str(faults)), pid_file=faults / "doomed.pid", **files)


#: Test module → the batch it needs.
STARTERS = {"test_batch_timeout": start_timeout_batch, "test_batch_startup_retry": start_dying_kernel_batch,
            "test_batch_notebook_faults": start_real_notebook_batch}


class FaultBatches:
    """The batches of the modules in this run, all started at once; each test module waits for its own."""

    def __init__(self, root: Path, modules: set[str]) -> None:
        self.batches = {}
        for name in modules & STARTERS.keys():
            (root / name).mkdir()
            self.batches[name] = STARTERS[name](root / name)

    def __getitem__(self, module: str) -> FaultBatch:
        return self.batches[module]

    def stop(self) -> None:
        for batch in self.batches.values():
            batch.stop()
