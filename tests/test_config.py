"""[tool.unalpine] and .unalpine.toml: found from each file's folder upward to
the repository root, the nearest wins, the command line wins over both;
--show-config says what applies and from where. Real folders on disk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from migrator.config import ConfigFinder
from migrator.errors import InputError

ALPINE = 'FROM python:3.11-alpine\nRUN apk add --no-cache curl\nENTRYPOINT ["/sbin/tini", "--"]\n'


def unalpine(*args, cwd, check=None):
    proc = subprocess.run([sys.executable, "-m", "migrator", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def put(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path):
    """outer/ (not a repository) holds a .unalpine.toml that must never be
    read: repo/ is a git repository (its root stops the search)."""
    put(tmp_path / ".unalpine.toml", 'target = "stretch"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    put(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.unalpine]\ntarget = "bullseye"\narch = "amd64"\n')
    put(repo / "svc" / ".unalpine.toml", 'target = "bookworm"\nexclude = ["old/*", "*.alpine"]\nignore = ["ua301"]\n'
        'mappings = ["maps.toml"]\n')
    put(repo / "svc" / "maps.toml", "")
    put(repo / "svc" / "pyproject.toml", '[tool.unalpine]\ntarget = "trixie"\n')  # .unalpine.toml wins here
    put(repo / "plain" / "pyproject.toml", '[project]\nname = "unalpine-like"\n')  # no table: passed over
    put(repo / "norepo-config" / "deep" / "er" / "Dockerfile", ALPINE)
    for name in ("svc/Dockerfile", "svc/old/Dockerfile", "svc/Dockerfile.alpine", "plain/Dockerfile", "Dockerfile"):
        put(repo / name, ALPINE)
    return repo


def test_the_nearest_configuration_wins(tree):
    finder = ConfigFinder()
    svc = finder.for_path(str(tree / "svc" / "old" / "Dockerfile"))
    assert svc.source == str(tree / "svc" / ".unalpine.toml")
    assert svc.values == {"target": "bookworm", "exclude": ["old/*", "*.alpine"], "ignore": ["UA301"],
                          "mappings": [str(tree / "svc" / "maps.toml")]}
    assert svc.excludes(str(tree / "svc" / "old" / "Dockerfile"))
    assert svc.excludes(str(tree / "svc" / "Dockerfile.alpine")) and not svc.excludes(str(tree / "svc" / "Dockerfile"))
    top = finder.for_path(str(tree / "plain" / "Dockerfile"))
    assert top.source == str(tree / "pyproject.toml") and top.values == {"target": "bullseye", "arch": ["amd64"]}
    assert finder.for_path(str(tree / "norepo-config" / "deep" / "er")).source == str(tree / "pyproject.toml")
    # Outside the repository's root nothing above is read.
    put(tree.parent / "loose" / "Dockerfile", ALPINE)
    assert finder.for_path(str(tree.parent / "loose" / "Dockerfile")).source == str(tree.parent / ".unalpine.toml")


def test_a_run_applies_each_files_configuration(tree):
    proc = unalpine("--yes", "--diff", ".", cwd=tree, check=0)
    out = proc.stdout
    assert "+FROM python:3.11-slim-bookworm" in out.split("--- a/svc/Dockerfile")[1]
    assert "+FROM python:3.11-slim-bullseye" in out.split("--- a/plain/Dockerfile")[1]
    assert "svc/old/Dockerfile" not in out and "Dockerfile.alpine" not in out
    # svc ignores UA301: its tini path stays, and says so
    assert 'ENTRYPOINT ["/usr/bin/tini"' not in out.split("--- a/svc/Dockerfile")[1].split("--- a/")[0]
    assert "svc/Dockerfile:3: UA301 ignored:" in proc.stderr
    assert "2 excluded by configuration" in proc.stderr
    # A file named on the command line is not excluded; the command line wins over the file.
    proc = unalpine("--yes", "--diff", "--target", "trixie", "svc/old/Dockerfile", cwd=tree, check=0)
    assert "+FROM python:3.11-slim-trixie" in proc.stdout


def test_show_config_says_where_each_value_comes_from(tree):
    proc = unalpine("--show-config", "svc/Dockerfile", "--target", "trixie", cwd=tree, check=0)
    source = str(tree / "svc" / ".unalpine.toml")
    lines = proc.stdout.splitlines()
    assert lines[0] == f"# configuration for svc/Dockerfile: {source}"
    assert 'target = "trixie"  # command line' in lines
    assert f'ignore = ["UA301"]  # {source}' in lines
    assert "answers = (not set)  # default" in lines
    proc = unalpine("--show-config", "svc/old/Dockerfile", cwd=tree, check=0)
    assert proc.stdout.splitlines()[-1].endswith("is excluded by " + source + " when found by searching a folder")


@pytest.mark.parametrize("text, message", [
    ('target = "jessie"\n', "target: must be one of"),
    ('colour = "blue"\n', "unknown key 'colour'"),
    ("arch = 3\n", "arch: must be a string or a list of strings"),
    ("target = \n", "not valid TOML"),
    ('ignore = ["UA999"]\n', "ignore: UA999 is not a rule id"),
])
def test_a_bad_configuration_is_one_line_naming_the_file(tmp_path, text, message):
    (tmp_path / ".git").mkdir()
    put(tmp_path / ".unalpine.toml", text)
    put(tmp_path / "Dockerfile", ALPINE)
    proc = unalpine("--yes", "--write", ".", cwd=tmp_path, check=2)
    [line] = proc.stderr.splitlines()
    assert line.startswith(str(tmp_path / ".unalpine.toml")) and message in line
    assert (tmp_path / "Dockerfile").read_text() == ALPINE


def test_a_pyproject_without_a_table_is_never_parsed(tmp_path):
    put(tmp_path / "pyproject.toml", "this is [not toml at all\n")  # no mention of the tool: not read as TOML
    assert ConfigFinder().for_path(str(tmp_path / "Dockerfile")).source == ""
    put(tmp_path / "pyproject.toml", '[project]\nname = "unalpine"\n[')  # names it, but no table: not parsed
    assert ConfigFinder().for_path(str(tmp_path / "Dockerfile")).source == ""
    put(tmp_path / "pyproject.toml", "[tool.unalpine\n")
    with pytest.raises(InputError, match="not valid TOML"):
        ConfigFinder().for_path(str(tmp_path / "Dockerfile"))
    put(tmp_path / "pyproject.toml", '[tool]\nunalpine = {target = "bookworm"}\n')
    assert ConfigFinder().for_path(str(tmp_path / "Dockerfile")).values == {"target": "bookworm"}
