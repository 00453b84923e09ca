"""--commit and --report on real `git init` repositories: clean, dirty,
unchanged, nested, a branch that exists already."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALPINE = "FROM python:3.11-alpine\nRUN apk add --no-cache curl bash\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV}).stdout


def unalpine(*args, cwd, check=None):
    proc = subprocess.run([sys.executable, "-m", "migrator", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}, timeout=120)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def repository(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "start")
    return path


def state(repo) -> tuple[str, str, str]:
    """(current branch, last commit, work tree status)"""
    return (git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip(), git(repo, "rev-parse", "HEAD").strip(),
            git(repo, "status", "--porcelain"))


@pytest.fixture
def fleet(tmp_path):
    clean = repository(tmp_path / "clean", {"Dockerfile": ALPINE, "README": "hello\n"})
    dirty = repository(tmp_path / "dirty", {"Dockerfile": ALPINE})
    (dirty / "notes.txt").write_text("work in progress\n")
    same = repository(tmp_path / "same", {"Dockerfile": "FROM debian:bookworm-slim\n"})
    nested = repository(clean / "vendor" / "inner", {"app/Dockerfile": "FROM python:3.12-alpine\n"})
    return tmp_path, clean, dirty, same, nested


def test_commit_in_clean_repositories_only(fleet):
    root, clean, dirty, same, nested = fleet
    before = {repo: state(repo) for repo in (dirty, same)}
    proc = unalpine("--yes", "--write", "--commit", ".", cwd=root, check=0)
    # clean and the repository nested in it: a new branch each, one commit of the migrated file
    for repo, name in ((clean, "Dockerfile"), (nested, "app/Dockerfile")):
        branch, _, status = state(repo)
        assert branch == "unalpine/debian-trixie"
        assert status == ("?? vendor/\n" if repo == clean else "")  # only the nested clone, as before
        assert git(repo, "rev-list", "--count", "main..HEAD").strip() == "1"
        assert git(repo, "diff", "--name-only", "main", "HEAD").split() == [name]
        assert f"{repo}: committed 1 file on branch unalpine/debian-trixie" in proc.stderr
        assert git(repo, "branch", "--list", "main").strip()  # main is where it was
    message = git(clean, "log", "-1", "--format=%B")
    assert message.startswith("Move Dockerfile from Alpine to Debian slim (trixie)\n\n")
    assert "python:3.11-alpine -> python:3.11-slim-trixie" in message
    assert "apk curl, bash -> apt-get curl" in message
    assert "dropped bash: bash is Essential in Debian" in message
    # dirty: says so, nothing written or committed; same: nothing changed, never touched
    assert f"{dirty}: not committed, files left as they are: the work tree has other changes (notes.txt)" in proc.stderr
    assert (dirty / "Dockerfile").read_text() == ALPINE
    assert {repo: state(repo) for repo in (dirty, same)} == before
    assert git(root / "clean", "remote").strip() == ""  # and nothing is pushed anywhere


def test_answers_and_the_wheel_check_are_in_the_message(tmp_path):
    case = FIXTURES / "wheels_virtual_psycopg2"
    repo = repository(tmp_path / "app", {"Dockerfile": (case / "before.Dockerfile").read_text(),
                                          "requirements.txt": (case / "requirements.txt").read_text()})
    unalpine("--yes", "--write", "--commit", "--branch", "debian", ".", cwd=repo, check=0)
    message = git(repo, "log", "-1", "--format=%B")
    assert "Wheel check:" in message and "kept gcc (psycopg2 builds from source and needs them)" in message
    assert "Questions answered:" in message and "= slim (by --yes (the recommended answer))" in message
    assert state(repo)[0] == "debian"


def test_an_existing_branch_is_never_reused(tmp_path):
    repo = repository(tmp_path / "r", {"Dockerfile": ALPINE})
    git(repo, "branch", "unalpine/debian-bookworm")
    before = state(repo)
    proc = unalpine("--yes", "--write", "--commit", "--target", "bookworm", ".", cwd=repo, check=0)
    assert "a branch unalpine/debian-bookworm exists already" in proc.stderr
    assert state(repo) == before and (repo / "Dockerfile").read_text() == ALPINE


def test_commit_needs_write(tmp_path):
    proc = unalpine("--yes", "--commit", ".", cwd=tmp_path, check=2)
    assert "--commit needs --write" in proc.stderr


def test_markdown_report_per_repository_and_file(fleet):
    root, clean, dirty, same, nested = fleet
    (root / "loose").mkdir()
    (root / "loose" / "Dockerfile").write_text("FROM python:3.12-alpine\nRUN apk add --no-cache zzzunknown-dev\n")
    unalpine("--write", "--commit", "--report", "run.md", ".", cwd=root, check=3)  # an open question: nothing written
    report = (root / "run.md").read_text()
    assert report.startswith("# unalpine: Alpine to Debian slim\n\n5 files: 3 would be migrated, 1 unchanged, "
                             "1 with open questions (unalpine ")
    for heading in ("## clean\n", "## clean/vendor/inner\n", "## same\n", "## Not in a git repository\n"):
        assert heading in report
    assert "| `same/Dockerfile` | unchanged | 0 | 0 |" in report
    assert "| `loose/Dockerfile` | open questions | 0 | 1 |" in report
    assert "**Open questions**\n\n- line 2: UA202" in report
    assert git(clean, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"  # exit 3: nothing committed
    proc = unalpine("--yes", "--write", "--commit", "--report", "run.md", ".", cwd=root, check=0)
    report = (root / "run.md").read_text()
    assert "| `clean/Dockerfile` | migrated | 0 | 0 |" in report
    assert "| `dirty/Dockerfile` | not written: the work tree has other changes (notes.txt) | 0 | 0 |" in report
    assert "**Base images**\n\n- python:3.11-alpine -> python:3.11-slim-trixie" in report
    assert proc.stderr.count("committed 1 file") == 2
