import fnmatch
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrator.compose_names import PATTERNS, is_compose_name
from migrator.discover import NotFound, discover, is_dockerfile_name


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "dockerfile",
        "Dockerfile.prod",
        "Dockerfile.dev.arm64",
        "api.Dockerfile",
        "api.dockerfile",
        "Containerfile",
        "Containerfile.ci",
    ],
)
def test_names_we_take(name):
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "DOCKERFILE",
        "Dockerfile.bak",  # our own --backup output
        "Dockerfile.orig",
        "Dockerfile~",
        "Dockerfile.dockerignore",  # BuildKit per-Dockerfile ignore file
        "api.Dockerfile.dockerignore",
        ".dockerignore",
        "docker-compose.yml.bak",  # compose files are found (tests/test_compose.py), their backups not
        "Dockerfiles",
        "README.md",
        "containerfile",
    ],
)
def test_names_we_leave(name):
    assert not is_dockerfile_name(name)


def touch(path, text="FROM python:3.12-alpine\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_walk_finds_sorts_and_skips(tmp_path):
    for rel in [
        "Dockerfile",
        "svc/b/Dockerfile.prod",
        "svc/a/api.Dockerfile",
        ".devcontainer/Dockerfile",  # hidden but real: kept
        ".git/Dockerfile",
        "node_modules/pkg/Dockerfile",
        ".venv/lib/Dockerfile",
        "venv/Dockerfile",
        "__pycache__/Dockerfile",
        ".tox/py/Dockerfile",
        "pkg.egg-info/Dockerfile",
        "svc/a/Dockerfile.bak",
        "svc/a/notes.txt",
    ]:
        touch(tmp_path / rel)
    found = discover([str(tmp_path)])
    rel = [os.path.relpath(f.path, tmp_path) for f in found]
    assert rel == [
        ".devcontainer/Dockerfile",
        "Dockerfile",
        "svc/a/api.Dockerfile",
        "svc/b/Dockerfile.prod",
    ]


def test_symlinked_dirs_are_not_followed_and_loops_end(tmp_path):
    touch(tmp_path / "real/Dockerfile")
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    touch(outside / "Dockerfile")
    (tmp_path / "real/loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "out").symlink_to(outside, target_is_directory=True)
    found = discover([str(tmp_path)])
    assert [os.path.relpath(f.path, tmp_path) for f in found] == ["real/Dockerfile"]


def test_duplicates_collapse_explicit_files_kept_whatever_their_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "Dockerfile")
    touch(tmp_path / "build.txt")
    found = discover([".", "./Dockerfile", "Dockerfile", "build.txt"])
    assert [f.path for f in found] == ["Dockerfile", "build.txt"]


def test_symlinked_file_resolves_to_its_target_once(tmp_path):
    target = touch(tmp_path / "base/Dockerfile")
    (tmp_path / "Dockerfile").symlink_to(target)
    found = discover([str(tmp_path)])
    assert len(found) == 1
    assert found[0].real == os.path.realpath(target)


def test_missing_path_is_reported_before_anything_else(tmp_path):
    touch(tmp_path / "Dockerfile")
    with pytest.raises(NotFound) as info:
        discover([str(tmp_path), str(tmp_path / "nope")])
    assert str(info.value) == f"{tmp_path / 'nope'}: no such file or directory"


def test_dangling_symlink_given_explicitly_is_missing(tmp_path):
    (tmp_path / "Dockerfile").symlink_to(tmp_path / "gone")
    with pytest.raises(NotFound):
        discover([str(tmp_path / "Dockerfile")])
    assert discover([str(tmp_path)]) == []


# --- git work trees ------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True,
    )


def a_repository(root):
    """Tracked, untracked and ignored Dockerfiles, in a real repository."""
    git(root, "init", "-q")
    touch(root / ".gitignore", "build/\n*.generated.Dockerfile\n")
    touch(root / "Dockerfile")  # tracked
    touch(root / "svc/api/Dockerfile")  # tracked
    touch(root / "build/Dockerfile")  # ignored folder
    touch(root / "svc/tmp.generated.Dockerfile")  # ignored name
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    touch(root / "svc/worker/Dockerfile")  # untracked, not ignored: git shows it
    touch(root / "svc/gone/Dockerfile")
    git(root, "add", "svc/gone/Dockerfile")
    (root / "svc/gone/Dockerfile").unlink()  # still in the index, not on disk


@needs_git
def test_inside_a_git_work_tree_git_decides(tmp_path):
    a_repository(tmp_path)
    rel = [os.path.relpath(f.path, tmp_path) for f in discover([str(tmp_path)])]
    assert rel == ["Dockerfile", "svc/api/Dockerfile", "svc/worker/Dockerfile"]
    # A subfolder of the work tree: git's view of that subfolder.
    rel = [os.path.relpath(f.path, tmp_path) for f in discover([str(tmp_path / "svc")])]
    assert rel == ["svc/api/Dockerfile", "svc/worker/Dockerfile"]
    # Named explicitly, an ignored file is still taken.
    assert [f.path for f in discover([str(tmp_path / "build/Dockerfile")])] == [str(tmp_path / "build/Dockerfile")]


@needs_git
def test_the_command_follows_git_and_walks_without_it(tmp_path):
    a_repository(tmp_path)
    argv = [sys.executable, "-m", "migrator", "--diff", "."]
    out = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "b/build/Dockerfile" not in out and "generated" not in out
    assert "+++ b/svc/worker/Dockerfile" in out
    # No git on PATH: the folder is walked as anywhere else, ignored files included.
    env = {**os.environ, "PATH": str(tmp_path / "no-such-bin")}
    out = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=True, env=env).stdout
    assert "+++ b/build/Dockerfile" in out and "+++ b/svc/tmp.generated.Dockerfile" in out


def test_symlinks_never_lead_out_of_the_folder_given(tmp_path):
    root = tmp_path / "root"
    outside = touch(tmp_path / "elsewhere/Dockerfile")
    touch(root / "base/Dockerfile")
    (root / "svc").mkdir()
    (root / "svc/Dockerfile").symlink_to(outside)  # out of the tree: left out
    (root / "svc/api.Dockerfile").symlink_to(root / "base/Dockerfile")  # inside: the same file once
    found = discover([str(root)])
    assert [f.real for f in found] == [os.path.realpath(root / "base/Dockerfile")]
    # Named explicitly, the link is taken (and written through).
    assert [f.real for f in discover([str(root / "svc/Dockerfile")])] == [os.path.realpath(outside)]


@needs_git
def test_git_view_does_not_follow_symlinks_out_either(tmp_path):
    outside = touch(tmp_path / "elsewhere/Dockerfile")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    touch(root / "Dockerfile")
    (root / "linked.Dockerfile").symlink_to(outside)
    (root / "linked-dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert [os.path.relpath(f.path, root) for f in discover([str(root)])] == ["Dockerfile"]


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("docker-compose.yamlx*"), max_size=24)
       | st.sampled_from(["compose.", "docker-compose."]).flatmap(
           lambda prefix: st.text(st.sampled_from(".ymalx-"), max_size=8).map(lambda rest: prefix + rest)))
def test_compose_names_are_the_patterns(name):
    # is_compose_name tests prefixes and suffixes; the patterns are the spec.
    assert is_compose_name(name) == any(fnmatch.fnmatchcase(name, pattern) for pattern in PATTERNS)


def test_every_dockerfile_pattern_holds_a_word_the_quick_test_looks_for():
    # is_dockerfile_name answers "no" without fnmatch for a name that holds
    # none of these words: true only while every pattern holds one.
    from migrator import discover as module

    for pattern in module.PATTERNS:
        assert any(word in pattern for word in module._PATTERN_WORDS), pattern


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="DdCcockerfilntaspy._-~*", max_size=24))
def test_the_quick_test_agrees_with_the_patterns(name):
    from migrator import discover as module

    expected = not name.endswith(module.EXCLUDED_SUFFIXES) and (
        any(fnmatch.fnmatchcase(name, pattern) for pattern in module.PATTERNS) or is_compose_name(name))
    assert is_dockerfile_name(name) == expected
