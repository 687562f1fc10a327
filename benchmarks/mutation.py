"""Mutation testing for the modules users' numbers and files depend on: do the tests notice a wrong change?

Each mutant is one small wrong change (a comparison, a constant, a skipped step) made in a private copy of
the repository, never in the working tree; the tests that target the module then run against the copy
(PYTHONPATH first, so the copy's package is the one imported, kernels included). A mutant the tests let
through ("survived") is a gap: add a test that fails on it, or argue in the issue why it is equivalent.

Two kinds of mutants:
- curated (``CURATED``): the changes issue 17 found that every test let through, and a few more per module;
  a curated mutant whose code is no longer in the module is reported as "stale" (update the list).
- generated (``--generated``): every comparison operator swapped (< ↔ <=, > ↔ >=, == ↔ !=) and every numeric
  constant changed, in scoring, model, explain and io/files, each against that module's fast tests.

    python benchmarks/mutation.py                 # curated mutants (about 5 min on 2 cores)
    python benchmarks/mutation.py --generated     # also the generated ones (about 20-30 min more)
    python benchmarks/mutation.py --only explain  # one module's mutants
    python benchmarks/mutation.py --list          # what would run

Prints one line per mutant (killed / survived / stale) and a per-module tally; exit status 1 if any survived.
Not run in CI: run it before resolving an issue that touches these modules, and note the result there.
"""
from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The tests that target each module (fast ones first; pytest stops at the first failure).
TESTS = {
    "pmo_assess/scoring.py": ["tests/test_scoring_thresholds.py", "tests/test_scoring.py",
                              "tests/test_scoring_properties.py"],
    "pmo_assess/model.py": ["tests/test_scoring_thresholds.py", "tests/test_scoring.py", "tests/test_questionnaire.py",
                            "tests/test_explain.py"],
    "pmo_assess/explain.py": ["tests/test_explain_margin.py", "tests/test_explain.py"],
    "pmo_assess/io/files.py": ["tests/test_atomic_writes.py", "tests/test_files.py", "tests/test_yaml_write_style.py",
                               "tests/test_bad_input.py", "tests/test_questionnaire.py"],
    "pmo_assess/business_plan/financials.py": ["tests/test_payback.py", "tests/test_business_plan.py"],
    "pmo_assess/batch/kernels.py": ["tests/test_batch_startup_retry.py", "tests/test_batch_parts.py"],
    "pmo_assess/batch/run.py": ["tests/test_batch_parts.py", "tests/test_batch_timeout.py",
                                "tests/test_batch_startup_retry.py", "tests/test_batch_notebook_faults.py"],
}
#: Modules whose comparisons and constants are mutated by --generated (their tests take seconds, not minutes).
GENERATED_MODULES = ("pmo_assess/scoring.py", "pmo_assess/model.py", "pmo_assess/explain.py", "pmo_assess/io/files.py")
#: A mutant whose tests have not finished after this long counts as killed (it hangs: the user would notice).
TEST_TIMEOUT = 900


@dataclass(frozen=True)
class Mutant:
    """One wrong change: in ``module``, each ``find`` text (which must occur exactly once) becomes its ``replace``."""

    module: str
    name: str
    edits: tuple[tuple[str, str], ...]


def _curated() -> list[Mutant]:
    m = Mutant
    return [
        # issue 17's gaps
        m("pmo_assess/model.py", "levels_of without the 6-decimal rounding",
          (("rounded = np.round(scores, 6)", "rounded = scores"),)),
        m("pmo_assess/scoring.py", "an unlisted or empty role weighs 3, not 1",
          (("role_weights.get(r, 1.0)", "role_weights.get(r, 3.0)"),)),
        m("pmo_assess/explain.py", "borderline margin 0.2", (("BORDERLINE_MARGIN = 0.1", "BORDERLINE_MARGIN = 0.2"),)),
        m("pmo_assess/explain.py", "borderline margin 0.05", (("BORDERLINE_MARGIN = 0.1", "BORDERLINE_MARGIN = 0.05"),)),
        m("pmo_assess/io/files.py", "atomic write replaced by an in-place write", (
            ('fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)\n'
             '        os.chmod(tmp, mode_for(path))\n        with os.fdopen(fd, "wb") as handle:',
             'with open(path, "wb") as handle:'),
            ("        os.replace(tmp, path)\n", ""))),
        m("pmo_assess/batch/run.py", "the whole-run timer is never started", (("timer.start()", "pass"),)),
        m("pmo_assess/business_plan/financials.py", "payback only once benefits pass the costs (>= → >)",
          (("cum_benefit >= cum_cost - 1e-9", "cum_benefit > cum_cost - 1e-9"),)),
        m("pmo_assess/business_plan/financials.py", "payback without the float tolerance",
          (("cum_benefit >= cum_cost - 1e-9", "cum_benefit >= cum_cost"),)),
        m("pmo_assess/business_plan/financials.py", "payback counted before anything is earned",
          (("cum_benefit > 0 and", "cum_benefit >= 0 and"),)),
        m("pmo_assess/batch/kernels.py", "only the manager's own start-up errors count as start-up failures",
          (("return watch.startup_failed or any(", "return watch.startup_failed and any("),)),
        m("pmo_assess/batch/run.py", "no retry after a start-up failure",
          (("if attempts <= STARTUP_RETRIES[kernel_transport()] and", "if attempts <= 0 and"),)),
        m("pmo_assess/batch/run.py", "a dead kernel is not named as such",
          (('if name == "DeadKernelError":', 'if name == "DeadKernel":'),)),
        # more of the same kind, per module
        m("pmo_assess/model.py", "a score equal to a threshold stays below it",
          (('rounded, side="right") + 1.0', 'rounded, side="left") + 1.0'),)),
        m("pmo_assess/scoring.py", "disputed only above the dispute range, not at it",
          (("np.round(spread, 6) >= q.scoring.dispute_range", "np.round(spread, 6) > q.scoring.dispute_range"),)),
        m("pmo_assess/scoring.py", "staged caps at the weakest part's level, not one above",
          (("floor = lowest[np.arange(n_rows), weakest] + 1", "floor = lowest[np.arange(n_rows), weakest] + 0"),)),
        m("pmo_assess/scoring.py", "question weights ignored", (("w = q_weight[rows_q]", "w = np.ones(len(rows_q))"),)),
        m("pmo_assess/explain.py", "the nearest threshold is the farther one",
          (("distance < abs(score - best)", "distance > abs(score - best)"),)),
        m("pmo_assess/io/files.py", "a new file's mode ignores the umask",
          (("return 0o666 & ~UMASK", "return 0o666"),)),
        m("pmo_assess/io/files.py", "an existing file's mode is not kept",
          (("return path.stat().st_mode & 0o7777", "return 0o666 & ~UMASK"),)),
    ]


CURATED = _curated()

_SWAPS = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=", ast.NotEq: "=="}
_TOKENS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset in the source of an ast (line, UTF-8 byte column) position."""
    return sum(len(text) for text in lines[:line - 1]) + len(lines[line - 1].encode()[:column].decode())


def generated_mutants(module: str, source: str) -> list[tuple[str, str]]:
    """(description, mutated source) for each comparison swap and numeric-constant change in ``source``."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    out = []

    def splice(start: int, end: int, text: str) -> str:
        return source[:start] + text + source[end:]

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                if type(op) not in _SWAPS:
                    continue
                left, right = operands[i], operands[i + 1]
                start = _offset(lines, left.end_lineno, left.end_col_offset)
                end = _offset(lines, right.lineno, right.col_offset)
                gap = source[start:end]
                token = _TOKENS[type(op)]
                where = gap.find(token)
                if where < 0:
                    continue
                mutated = splice(start + where, start + where + len(token), _SWAPS[type(op)])
                out.append((f"line {node.lineno}: {token} → {_SWAPS[type(op)]}", mutated))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
              and not isinstance(node.value, bool)):
            start = _offset(lines, node.lineno, node.col_offset)
            end = _offset(lines, node.end_lineno, node.end_col_offset)
            value = node.value
            new = value + 1 if isinstance(value, int) else (value * 2 if value else 1.0)
            out.append((f"line {node.lineno}: {source[start:end]} → {new!r}", splice(start, end, repr(new))))
    return out


def private_copy() -> Path:
    """The repository's package, tests, notebooks and data, copied to a new temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="pmo-mutation-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".git", ".pytest_cache", "*.pyc")
    for name in ("pmo_assess", "tests", "notebooks", "questionnaires", "examples", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, folder / name)
    return folder


def run_tests(copy: Path, tests: list[str]) -> tuple[bool, float, str]:
    """Run ``tests`` in the copy with its package first on the path; (all passed, seconds, first failing test)."""
    env = dict(os.environ, PYTHONPATH=str(copy) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider", *tests]
    try:
        result = subprocess.run(command, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=TEST_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started, f"(no result within {TEST_TIMEOUT} s)"
    failed = [line.split(" ", 1)[1].split(" - ")[0] for line in result.stdout.splitlines()
              if line.startswith(("FAILED tests/", "ERROR tests/"))]
    return result.returncode == 0, time.monotonic() - started, failed[0] if failed else ""


def apply(copy: Path, mutant: Mutant) -> str | None:
    """The module's original text after writing the mutant into the copy; None if the mutant is stale."""
    path = copy / mutant.module
    original = path.read_text(encoding="utf-8")
    text = original
    for find, replace in mutant.edits:
        if text.count(find) != 1:
            return None
        text = text.replace(find, replace)
    path.write_text(text, encoding="utf-8")
    return original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", action="store_true", help="also the generated operator/constant mutants")
    parser.add_argument("--only", metavar="TEXT", help="only mutants of modules whose path contains TEXT")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)

    copy = private_copy()
    try:
        plan: list[tuple[Mutant, str | None]] = [(m, None) for m in CURATED]
        if args.generated:
            for module in GENERATED_MODULES:
                source = (copy / module).read_text(encoding="utf-8")
                plan += [(Mutant(module, name, ()), text) for name, text in generated_mutants(module, source)]
        if args.only:
            plan = [(m, text) for m, text in plan if args.only in m.module]
        if args.list:
            for mutant, _ in plan:
                print(f"{mutant.module}: {mutant.name}")
            return 0
        passed, seconds, failed = run_tests(copy, sorted({t for m, _ in plan for t in TESTS[m.module]}))
        print(f"unmutated copy: tests {'pass' if passed else 'FAIL'} ({seconds:.0f} s)", flush=True)
        if not passed:
            print(f"the tests fail without any mutant ({failed}): fix them first", file=sys.stderr)
            return 2
        tally: dict[str, dict[str, int]] = {}
        survivors = []
        started = time.monotonic()
        for mutant, text in plan:
            path = copy / mutant.module
            if text is None:
                original = apply(copy, mutant)
            else:
                original = path.read_text(encoding="utf-8")
                path.write_text(text, encoding="utf-8")
            if original is None:
                outcome, seconds, failed = "stale", 0.0, ""
            else:
                try:
                    passed, seconds, failed = run_tests(copy, TESTS[mutant.module])
                finally:
                    path.write_text(original, encoding="utf-8")
                outcome = "SURVIVED" if passed else "killed"
            tally.setdefault(mutant.module, {"killed": 0, "SURVIVED": 0, "stale": 0})[outcome] += 1
            if outcome == "SURVIVED":
                survivors.append(mutant)
            print(f"{outcome:8} {seconds:5.0f} s  {mutant.module}: {mutant.name}" + (f"  [by {failed}]" if failed else ""),
                  flush=True)
        print(f"\n{len(plan)} mutants in {time.monotonic() - started:.0f} s")
        for module, counts in tally.items():
            print(f"  {module}: {counts['killed']} killed, {counts['SURVIVED']} survived, {counts['stale']} stale")
        for mutant in survivors:
            print(f"  survivor: {mutant.module}: {mutant.name}")
        return 1 if survivors else 0
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
