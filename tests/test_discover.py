import os

import pytest

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
        "docker-compose.yml",
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
