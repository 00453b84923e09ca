"""migrator.pip_commands: one recogniser of pip commands for the wheel check and UA501/UA503."""

from __future__ import annotations

import pytest

from migrator.lazy_pattern import LazyPattern
from migrator.pip_commands import pip_subcommand

INSTALLS = ("install", "wheel", "download")


@pytest.mark.parametrize(("words", "index"), [
    ("pip install x", 1),
    ("pip3.12 --no-cache-dir install -r r.txt", 2),
    ("/opt/venv/bin/pip install x", 1),
    ("python3 -m pip wheel x", 3),
    ("/usr/local/bin/python3.11 -m pip --quiet download x", 4),
    ("uv pip install x", 2),
    ("pip freeze", None),
    ("pip --version", None),
    ("pipx install x", None),
    ("python3 -m venv /v", None),
    ("uv sync", None),
    ("", None),
])
def test_pip_subcommand_finds_the_subcommand_word(words, index):
    assert pip_subcommand(words.split(), INSTALLS) == index


def test_a_word_that_is_not_literal_is_not_a_subcommand():
    assert pip_subcommand([None, "install"], INSTALLS) is None
    assert pip_subcommand(["pip", None, "install"], INSTALLS) is None


def test_callers_narrow_the_programs():
    system_pip = LazyPattern(r"^(?:/usr/bin/)?pip3?(?:\.\d+)?$")
    system_python = LazyPattern(r"^(?:/usr/bin/)?python3?(?:\.\d+)?$")
    narrowed = {"pip": system_pip, "python": system_python, "uv": False}
    assert pip_subcommand("/usr/bin/pip3 install x".split(), ("install",), **narrowed) == 1
    assert pip_subcommand("/opt/venv/bin/pip install x".split(), ("install",), **narrowed) is None
    assert pip_subcommand("uv pip install x".split(), ("install",), **narrowed) is None
    assert pip_subcommand("pip wheel x".split(), ("install",), **narrowed) is None
