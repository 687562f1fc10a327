"""Set-up stays true: environment.yml matches pyproject, CI runs the README's test command."""
from __future__ import annotations

import re
import tomllib

from ruamel.yaml import YAML

from conftest import ROOT


def requirement_names(requirements):
    return {re.split(r"[<>=!\[ ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_environment_yml_lists_what_pyproject_requires():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    wanted = requirement_names(project["dependencies"] + project["optional-dependencies"]["test"])
    assert requirement_names(conda) - {"python", "pip"} == wanted
    assert "-e ." in pip
    assert "conda-forge" in env["channels"]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    assert test_command in ci.splitlines()


def test_readme_main_command_uses_bundled_samples():
    readme = (ROOT / "README.md").read_text()
    assert "examples/answers" in readme and "questionnaires/value-driven-pmo.yaml" in readme
