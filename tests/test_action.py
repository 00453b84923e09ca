"""action.yml, the composite GitHub Action: its steps' commands run here as
the runner would run them (bash --noprofile --norc -eo pipefail SCRIPT, the
step's env, `${{ inputs.X }}` and `${{ github.action_path }}` substituted),
with unalpine first on PATH: this environment's, or (marked `network`) the
one the action's own install step makes from PyPI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def substitute(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "github.action_path":
            return str(ROOT)
        assert name.startswith("inputs."), f"an expression the test does not know: {name}"
        return inputs[name.removeprefix("inputs.")]

    return EXPRESSION.sub(value, text)


def with_defaults(**given: str) -> dict[str, str]:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    assert set(given) <= set(inputs), set(given) - set(inputs)
    return {**inputs, **given}


def run_step(name: str, inputs: dict[str, str], cwd: Path, bin_dir: Path, tmp_path: Path,
             environ: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    step = next(step for step in ACTION["runs"]["steps"] if step.get("name") == name)
    assert step["shell"] == "bash"
    script = tmp_path / f"{name.replace(' ', '-')}.sh"
    script.write_text(substitute(step["run"], inputs))
    environ = os.environ if environ is None else environ
    env = dict(environ, PATH=f"{bin_dir}{os.pathsep}{environ['PATH']}")
    env.update({key: substitute(str(value), inputs) for key, value in step.get("env", {}).items()})
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "svc" / "Dockerfile").write_text("FROM python:3.11-alpine\nRUN adduser -D app\nUSER app\n")
    (repo / "done").mkdir()
    (repo / "done" / "Dockerfile").write_text("FROM python:3.11-slim-bookworm\nRUN useradd app\n")
    return repo


def test_the_action_is_composite_and_every_expression_is_an_input_or_its_path():
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach the script through env, never pasted into it (no injection)
            assert "${{" not in step["run"], step["run"]
        for text in [step.get("run", ""), *map(str, step.get("env", {}).values()), *map(str, step.get("with", {}).values())]:
            for expression in EXPRESSION.findall(text):
                assert expression == "github.action_path" or expression.removeprefix("inputs.") in ACTION["inputs"]


def test_the_check_step_fails_on_alpine_files_with_annotations_and_passes_on_migrated_ones(tmp_path):
    repo, bin_dir = repository(tmp_path), Path(sys.executable).parent
    failing = run_step("Check", with_defaults(), repo, bin_dir, tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert "::notice file=svc/Dockerfile,line=2,title=unalpine UA401::" in failing.stdout
    assert "done/Dockerfile" not in failing.stdout
    passing = run_step("Check", with_defaults(paths="done", args="--target bookworm"), repo, bin_dir, tmp_path)
    assert (passing.returncode, passing.stdout) == (0, ""), passing.stderr
    # two paths, and an option the step passes on
    both = run_step("Check", with_defaults(paths="done svc", args="--target bookworm --quiet"), repo, bin_dir, tmp_path)
    assert both.returncode == 1 and "file=svc/Dockerfile" in both.stdout and both.stderr == ""


def test_inputs_are_data_not_shell(tmp_path):
    repo = repository(tmp_path)
    evil = run_step("Check", with_defaults(paths="done $(touch pwned) `touch pwned2`"), repo,
                    Path(sys.executable).parent, tmp_path)
    assert evil.returncode != 0  # unalpine was given paths that do not exist
    assert not (repo / "pwned").exists() and not (repo / "pwned2").exists()


@pytest.mark.network
def test_the_install_step_then_the_check_step_from_pypi(tmp_path):
    """setup-python's part is played by a fresh venv first on PATH; the
    install step pip-installs the action's own checkout (deps from PyPI)."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    # pip of a runner: PyPI, not the suite's loopback index (conftest.py) of stub wheels
    runner = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    install = run_step("Install unalpine", with_defaults(), tmp_path, bin_dir, tmp_path, runner)
    if install.returncode != 0 and ("Could not find" in install.stderr or "connection" in install.stderr.lower()):
        pytest.skip(f"PyPI unreachable: {install.stderr[-300:]}")
    assert install.returncode == 0, install.stderr
    assert (bin_dir / "unalpine").exists()
    repo = repository(tmp_path)
    failing = run_step("Check", with_defaults(), repo, bin_dir, tmp_path)
    assert failing.returncode == 1 and "::notice file=svc/Dockerfile,line=2,title=unalpine UA401::" in failing.stdout
