"""The import contracts of pyproject.toml ([tool.importlinter]), checked by
the real `lint-imports` in a subprocess: on the package as it is, and on a
copy of it with one forbidden import added, which must fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports run in `root` (its pyproject.toml, its migrator/ first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_import_contracts():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(REPO / "migrator", tmp_path / "migrator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def add_line(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def test_the_copy_is_what_lint_imports_reads(copy):
    # the check below is only worth something if the copy, not the installed
    # package, is what gets analysed
    assert lint_imports(copy).returncode == 0
    (copy / "migrator" / "records.py").unlink()
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "migrator.records" in result.stdout + result.stderr


@pytest.mark.parametrize(("module", "added", "names"), [
    # an upward import hidden inside a function: the util layer reaching the engine
    ("records.py", "\n\ndef _upward():\n    from migrator.engine import migrate\n    return migrate\n",
     "migrator.records -> migrator.engine"),
    # the context calling into the wheel check, at the top of the module
    ("context.py", "\nfrom migrator.wheels import plan  # noqa\n", "migrator.context -> migrator.wheels.plan"),
    # the document model reaching the rules, under `if TYPE_CHECKING:`
    ("document.py", "\nif TYPE_CHECKING:\n    from migrator.rules import apk  # noqa\n",
     "migrator.document -> migrator.rules.apk"),
    # one rule reading another (independence contract)
    ("rules/paths.py", "\nfrom migrator.rules import apk  # noqa\n", "migrator.rules.paths -> migrator.rules.apk"),
    # the evidence reaching back to the gathering step (the wheel check's own layers)
    ("wheels/evidence.py", "\ndef _back():\n    from migrator.wheels.gather import WheelCheck\n    return WheelCheck\n",
     "migrator.wheels.evidence -> migrator.wheels.gather"),
])
def test_an_upward_import_breaks_the_contract(copy, module, added, names):
    add_line(copy / "migrator" / module, added)
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert names in result.stdout


def test_a_module_in_no_layer_breaks_the_contract(copy):
    # the layers contract is exhaustive: a new module must be given its place
    (copy / "migrator" / "newcomer.py").write_text('"""A module nobody placed."""\n')
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "migrator.newcomer" in result.stdout


def test_every_rule_module_is_in_the_independence_contract():
    # import-linter has no exhaustive independence contracts: every module
    # (or package) of migrator/rules must be listed by hand, or a new rule
    # could import another unseen
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    listed = next(contract["modules"] for contract in contracts if contract["id"] == "rules-independent")
    folder = REPO / "migrator" / "rules"
    present = sorted(
        f"migrator.rules.{path.stem}" for path in folder.iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py") or (path / "__init__.py").is_file()
    )
    assert sorted(listed) == present
