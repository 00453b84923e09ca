"""The pre-commit hooks: the manifest pre-commit reads, its file pattern, the
commands it runs, and (with the network) pre-commit's own try-repo."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.discover import is_dockerfile_name
from test_cli import BASE_ONLY, PLAIN, UNKNOWN, write

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"

clientlib = pytest.importorskip("pre_commit.clientlib")


def hooks():
    return {hook["id"]: hook for hook in clientlib.load_manifest(str(MANIFEST))}


def test_the_manifest_is_valid_for_pre_commit():
    found = hooks()  # pre-commit's own schema check
    assert set(found) == {"unalpine", "unalpine-fix"}
    assert found["unalpine"]["entry"] == "unalpine --check --diff"
    assert found["unalpine-fix"]["entry"] == "unalpine --yes --write"
    assert all(hook["language"] == "python" for hook in found.values())


NAMES = [
    "Dockerfile", "dockerfile", "Dockerfile.prod", "Dockerfile.dev.arm64", "api.Dockerfile",
    "api.dockerfile", ".Dockerfile", "Containerfile", "Containerfile.ci", "DOCKERFILE",
    "Dockerfile.bak", "Dockerfile.orig", "Dockerfile.rej", "Dockerfile.swp", "Dockerfile~",
    "Dockerfile.dockerignore", "api.Dockerfile.dockerignore", ".dockerignore", "docker-compose.yml",
    "Dockerfiles", "README.md", "containerfile", "Containerfile.tmp", "xDockerfile", "Dockerfile.",
    "compose.yaml", "compose.yml", "docker-compose.prod.yml", "compose.override.yaml", "my-compose.yml",
    "docker-compose.json", "docker-compose.yml.bak",
]


@pytest.mark.parametrize("hook_id", ["unalpine", "unalpine-fix"])
def test_the_hooks_pick_the_files_a_folder_search_picks(hook_id):
    hook = hooks()[hook_id]
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for name in NAMES:
        for path in (name, f"svc/api/{name}", f"Dockerfile.d/{name}"):
            # pre-commit: re.search on the path relative to the repository
            taken = bool(files.search(path)) and not exclude.search(path)
            assert taken == is_dockerfile_name(name), path


def run_entry(hook_id, cwd, *files):
    """What pre-commit runs: the entry's words, then the file names."""
    entry = shlex.split(hooks()[hook_id]["entry"])
    assert entry[0] == "unalpine"
    return subprocess.run(
        [sys.executable, "-m", "migrator", *entry[1:], *files], cwd=cwd, capture_output=True, text=True
    )


def test_the_entries_gate_then_fix(tmp_path):
    write(tmp_path / "Dockerfile", UNKNOWN)  # has a question
    write(tmp_path / "svc/Dockerfile.prod", BASE_ONLY)
    write(tmp_path / "svc/plain.Dockerfile", PLAIN)
    names = ["Dockerfile", "svc/Dockerfile.prod", "svc/plain.Dockerfile"]
    gate = run_entry("unalpine", tmp_path, *names)
    assert gate.returncode == 1, gate.stderr
    assert "+++ b/svc/Dockerfile.prod" in gate.stdout and "would choose" in gate.stderr
    fix = run_entry("unalpine-fix", tmp_path, *names)
    assert fix.returncode == 0, fix.stderr
    assert (tmp_path / "svc/plain.Dockerfile").read_text() == PLAIN
    assert (tmp_path / "Dockerfile").read_text() != UNKNOWN
    again = run_entry("unalpine", tmp_path, *names)
    assert again.returncode == 0 and again.stdout == ""


@pytest.mark.network
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_try_repo(tmp_path):
    """pre-commit installs this repository into a fresh environment (from the
    package index) and runs both hooks."""
    project = tmp_path / "project"
    write(project / "Dockerfile", BASE_ONLY)
    write(project / "notes.txt", "FROM python:3.12-alpine\n")  # not a Dockerfile: not passed
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_CONFIG_NOSYSTEM": "1"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)

    def try_repo(hook_id):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook_id, "--all-files"],
            cwd=project, env=env, capture_output=True, text=True, timeout=900,
        )

    gate = try_repo("unalpine")
    if gate.returncode == 3 and "Installing environment" in gate.stdout:
        pytest.skip("pre-commit could not build the hook's environment (package index unreachable?)")
    assert gate.returncode == 1, gate.stdout
    assert "+++ b/Dockerfile" in gate.stdout and "notes.txt" not in gate.stdout
    fix = try_repo("unalpine-fix")
    # pre-commit fails a hook that changed files, so that the change is reviewed
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix.stdout
    assert (project / "Dockerfile").read_text() != BASE_ONLY
    assert (project / "notes.txt").read_text() == "FROM python:3.12-alpine\n"
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    assert try_repo("unalpine").returncode == 0
