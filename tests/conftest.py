"""Shared fixtures: paths to bundled files, and an isolated Jupyter/Matplotlib home per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
BANK = ROOT / "questionnaires" / "value-driven-pmo.yaml"
PULSE = ROOT / "questionnaires" / "pmo-pulse.yaml"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point HOME and the Jupyter/IPython/Matplotlib config dirs at a temp dir for the whole run."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR",
                                            "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR", "MPLBACKEND")}
    os.environ.update({
        "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"), "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "mpl"), "MPLBACKEND": "Agg",
    })
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def mini_questionnaire_path() -> Path:
    return DATA / "mini.yaml"


@pytest.fixture(scope="session")
def fault_batches(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Issue 17's batch fault batches (tests/batch_fault_fixtures.py), those of the modules in this run, started at once."""
    from batch_fault_fixtures import FaultBatches

    modules = {item.module.__name__.rpartition(".")[2] for item in request.session.items}
    batches = FaultBatches(tmp_path_factory.mktemp("fault-batches"), modules)
    yield batches
    batches.stop()
