"""Names Debian does not ship at all (mappings/elsewhere.toml): the question
says so and offers what the upstream documents."""

import pytest

from migrator.alpine.elsewhere import elsewhere, names
from migrator.packages import SUITES, DebianIndex, PackageTable
from rulekit import messages, run


@pytest.mark.parametrize("name", names())
def test_no_debian_suite_ships_them(name):
    # the file's whole claim: if Debian packages one, it belongs in packages.toml
    for suite in SUITES:
        assert name not in DebianIndex.load(suite), (name, suite)
    assert name not in PackageTable.load().names()


def test_pip_is_offered_and_recommended_on_python_images_only():
    table = PackageTable.load()
    m = table.lookup("uv", "bookworm", "python")
    assert m.kind == "unknown" and m.recommended == "pip"
    pip = next(c for c in m.choices if c.value == "pip")
    assert pip.pip == ("uv",) and not pip.names
    assert m.why.startswith("uv is not in Debian (")
    assert "pip install uv" in m.why and "https://docs.astral.sh/uv/" in m.why
    # plain Debian's python3 refuses a system-wide pip install (PEP 668): keep, with the warning
    m = table.lookup("uv", "bookworm", "debian")
    assert m.recommended == "keep" and [c.value for c in m.choices] == ["keep", "drop"]


def test_release_binaries_are_said_and_the_name_kept_with_the_warning():
    result = run("FROM python:3.12-alpine3.20\nRUN apk add --no-cache supercronic\n")
    assert "supercronic" in result.text.split("\n")[1]
    question = next(d.question for d in result.seen if "supercronic" in d.question)
    assert question.startswith("supercronic is not in Debian")
    assert "https://github.com/aptible/supercronic/releases" in question
    assert "apt-get install will fail" in messages(result)


def test_npm_is_said_not_done():
    m = PackageTable.load().lookup("pnpm", "trixie", "python")
    assert m.recommended == "keep" and "npm install -g pnpm" in m.why
    assert all(not c.pip for c in m.choices)


def test_uv_is_not_libuv_any_more():
    # before: the name alone made it the libuv library
    m = PackageTable.load().lookup("uv", "trixie", "python")
    assert all("libuv" not in " ".join(c.names) for c in m.choices)


def test_explain_does_not_show_the_name_guesses():
    text = PackageTable.load().explain("uv", "trixie")
    assert "evidence in Debian: none; listed in mappings/elsewhere.toml" in text
    assert "libuv" not in text
