"""--verify: golden cases over a small hand-written trixie index placed in the
XDG cache (so they run offline), the real CLI as a subprocess. The same cases
against the live archive are in tests/test_debian_roots.py (slow)."""

import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.document import parse
from migrator.shell import script_of
from migrator.verify import verify
from migrator.verify.apt import apt_installs

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = REPO / "tests" / "verify_cases"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if (path / "Dockerfile").is_file())
MINI = Path(__file__).parent / "data" / "trixie-mini.Packages"
# Nothing listens here: a download attempt fails at once instead of reaching the archive.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def cache(tmp_path):
    """An XDG cache holding a fresh trixie index (hand-written), as if
    downloaded a minute ago."""
    folder = tmp_path / "cache" / "unalpine" / "packages"
    folder.mkdir(parents=True)
    for dist, text in (("trixie", MINI.read_bytes()), ("trixie-updates", b""), ("trixie-security", b"")):
        (folder / f"{dist}_main_amd64_Packages.xz").write_bytes(lzma.compress(text))
    return tmp_path / "cache"


def run_cli(args, cache, cwd=REPO):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), UNALPINE_DEBIAN_MIRROR=NOWHERE,
               UNALPINE_DEBIAN_SECURITY_MIRROR=NOWHERE)
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


@pytest.mark.parametrize("case", CASES)
def test_golden(case, cache):
    expected = (CASES_DIR / case / "expected.txt").read_text()
    code, _, stderr = expected.partition("\n")
    process = run_cli(["--verify", f"tests/verify_cases/{case}/Dockerfile"], cache)
    assert process.stdout == ""
    assert process.stderr == stderr
    assert process.returncode == int(code.removeprefix("exit "))


def test_cases_cover_the_issue():
    assert {"good", "missing_name", "virtual_only", "bad_tag"} <= set(CASES)
    assert {"program_missing", "program_from_install", "program_builtin", "program_pip_script"} <= set(CASES)


def test_verify_with_write_keeps_a_failing_file(tmp_path, cache):
    good = tmp_path / "good.Dockerfile"
    bad = tmp_path / "bad.Dockerfile"
    good.write_text("FROM alpine:3.20\nRUN apk add --no-cache tini\n")
    bad.write_text("FROM alpine:3.20\nRUN apk add --no-cache tini gcc\nRUN echo $((1 +\n")
    process = run_cli(["--yes", "--write", "--verify", str(good), str(bad)], cache)
    assert process.returncode == 4, process.stderr
    assert good.read_text() == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n"
    )
    assert bad.read_text().startswith("FROM alpine:3.20")  # not written
    assert f"{bad}:3: UA902 error: bash -n:" in process.stderr
    assert f"{bad}: not written: --verify found problems" in process.stderr
    assert f"{good}:2: UA904 this RUN installs 1 package, 799 kB on trixie: tini" in process.stderr


def test_json_report_has_the_installs(cache):
    process = run_cli(["--verify", "--json", "tests/verify_cases/good/Dockerfile"], cache)
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)["files"][0]["verify"]
    assert report["ok"] and report["problems"] == []
    first = report["installs"][0]
    assert (first["line"], first["stage"], first["suite"], first["requested"]) == (3, "build", "trixie", ["gcc", "libc6-dev"])
    assert [p["name"] for p in first["packages"]] == ["gcc", "libc6-dev", "cpp", "cpp-14", "gcc-14"]
    assert first["installed_size_kib"] == 50 + 30 + 31000 + 61000 + 13500
    assert first["summary"] == "this RUN installs 5 packages, 108 MB on trixie: gcc, libc6-dev and 3 dependencies"


def test_offline_without_cache_checks_names_only(tmp_path):
    process = run_cli(["--verify", "tests/verify_cases/missing_name/Dockerfile"], tmp_path / "empty-cache")
    assert process.returncode == 4
    lines = process.stderr.splitlines()
    assert "tests/verify_cases/missing_name/Dockerfile:4: UA904 error: libyaml-devel: libyaml-devel is not a package of trixie" in lines
    assert any("verify warning: dependencies not resolved (cannot download http://127.0.0.1:9/" in line for line in lines)


def installs_of(text):
    document = parse(text)
    return [apt_installs(script_of(i, text)) for i in document.instructions if i.command == "RUN"]


def test_apt_install_words():
    (calls,) = installs_of(
        "FROM debian:trixie-slim\n"
        "RUN apt-get -o Dpkg::Options::=--force-confnew -t trixie-backports install -y --no-install-recommends "
        "foo $EXTRA bar=1.2 && apt install -y baz && apt-get update && apt-get remove qux\n"
    )
    (first, no_rec1), (second, no_rec2) = calls
    assert [value for _, value in first] == ["foo", None, "bar=1.2"]
    assert no_rec1 and not no_rec2
    assert [value for _, value in second] == ["baz"]


def test_stages_inherit_what_earlier_stages_installed(cache, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    from migrator.debian import packages_index

    monkeypatch.setattr(packages_index, "_LOADED", {})
    result = verify(
        "FROM debian:trixie-slim AS base\nRUN apt-get install -y gcc\n"
        "FROM base\nRUN apt-get install -y gcc tini\n"
        "FROM debian:trixie-slim\nRUN apt-get install -y gcc\n"
    )
    assert result.ok, result.problems
    assert [len(install.packages) for install in result.installs] == [4, 1, 4]
    # no --no-install-recommends: said, since Recommends are not counted
    assert [line for line, text in result.notes if "without --no-install-recommends" in text] == [2, 4, 6]


@pytest.mark.parametrize("image, problem", [
    ("python:3.12-slim-trixie", None),
    ("python:3.12-slim", None),
    ("debian:bookworm-20250317-slim", None),
    ("debian:12", None),
    ("node:20-bookworm-slim", None),
    ("python:3.5-slim-trixie", "python:3.5-slim-trixie: no such tag was published"),
    ("python:3.12-slim-buster", "python 3.12 has tags for bullseye, bookworm, trixie"),
    ("debian:potato-slim", "debian has no tag potato-slim"),
])
def test_from_tags(image, problem):
    result = verify(f"FROM {image}\nCMD [\"true\"]\n")
    messages = [p.message for p in result.problems if p.check == "UA903"]
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0]


def test_savings_of_the_wheel_check(cache, monkeypatch):
    """What removed build packages would have added, on top of what the stage
    still installs: packages the stage keeps are not counted as saved."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    from migrator.debian import packages_index

    monkeypatch.setattr(packages_index, "_LOADED", {})
    text = "FROM python:3.12-slim-trixie\nRUN apt-get install -y --no-install-recommends tini\n"
    (saving,) = verify(text, removed={1: ["gcc", "libc6-dev"]}).savings
    assert (saving.line, saving.suite, saving.removed) == (1, "trixie", ["gcc", "libc6-dev"])
    assert [name for name, _, _ in saving.packages] == ["gcc", "libc6-dev", "cpp", "cpp-14", "gcc-14"]
    assert saving.size_kib == 50 + 30 + 31000 + 61000 + 13500
    kept_gcc = "FROM python:3.12-slim-trixie\nRUN apt-get install -y --no-install-recommends gcc\n"
    (saving,) = verify(kept_gcc, removed={1: ["libc6-dev"]}).savings
    assert [name for name, _, _ in saving.packages] == ["libc6-dev"]


def test_removed_apk_names_become_debian_names():
    from migrator.packages import PackageTable
    from migrator.verify import removed_by_wheels

    report = {"stages": [{"line": 1, "suite": "trixie", "removed": ["gcc", "musl-dev", "openssl-dev", "python3-dev"]},
                         {"line": 9, "suite": "trixie", "removed": []}]}
    # python3-dev maps to nothing on a python image: nothing to save there
    assert removed_by_wheels(report, PackageTable.load()) == {1: ["gcc", "libc6-dev", "libssl-dev"]}
    assert removed_by_wheels(None, PackageTable.load()) == {}


def test_archived_suite_answered_by_the_index_that_stands_for_it():
    """buster and stretch have no shipped index: the mapping table, the name
    index and the images agree that bullseye's answers for them (one
    decision, migrator.debian.suites.index_suite), and a suite nobody knows is
    still an error."""
    from migrator.images import image_table
    from migrator.debian.name_index import DebianIndex
    from migrator.debian.suites import index_suite
    from migrator.packages import PackageTable
    from migrator.verify import removed_by_wheels

    table = PackageTable.load()
    for archived in image_table().archived:
        assert index_suite(archived) == image_table().index_suite(archived) == "bullseye"
        assert table.lookup("openssl-dev", archived, "python") == table.lookup("openssl-dev", "bullseye", "python")
        assert DebianIndex.load(archived) is DebianIndex.load("bullseye")
    report = {"stages": [{"line": 1, "suite": "buster", "removed": ["gcc", "musl-dev", "openssl-dev"]}]}
    assert removed_by_wheels(report, table) == {1: ["gcc", "libc6-dev", "libssl-dev"]}
    with pytest.raises(ValueError, match="unknown Debian suite 'hamm'"):
        index_suite("hamm")


def test_archived_stage_with_build_packages_removed_verifies_in_a_batch(tmp_path, cache):
    """Regression: a stage moved to buster whose build packages the wheel
    check removed ended --verify in a traceback (ValueError: unknown Debian
    suite 'buster'), and a batch reported no file at all."""
    archived = tmp_path / "legacy" / "Dockerfile"
    other = tmp_path / "tool" / "Dockerfile"
    archived.parent.mkdir()
    other.parent.mkdir()
    archived.write_text("FROM python:3.5-alpine\nRUN apk add --no-cache gcc musl-dev libffi-dev\n"
                        "RUN pip install six==1.16.0\nCMD [\"python\"]\n")
    other.write_text("FROM alpine:3.20\nRUN apk add --no-cache tini\n")
    process = run_cli(["--yes", "--verify", str(archived), str(other)], cache)
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr and "internal error" not in process.stderr
    assert f"{archived}:2: UA601 removed gcc musl-dev libffi-dev: build-only" in process.stderr
    assert f"{other}:2: UA904 this RUN installs 1 package" in process.stderr
    assert "unalpine: --verify: 2 of 2 files passed" in process.stderr


def test_markdown_report_has_the_sizes_and_problems(tmp_path, cache):
    good = tmp_path / "good.Dockerfile"
    bad = tmp_path / "bad.Dockerfile"
    good.write_text("FROM alpine:3.20\nRUN apk add --no-cache tini\n")
    bad.write_text("FROM alpine:3.20\nRUN apk add --no-cache tini\nRUN echo $((1 +\n")
    process = run_cli(["--yes", "--verify", "--report", str(tmp_path / "run.md"), str(good), str(bad)], cache)
    assert process.returncode == 4, process.stderr
    report = (tmp_path / "run.md").read_text()
    assert f"### `{good}`\n" in report and f"### `{bad}`\n" in report
    good_part = report.split(f"### `{good}`")[1].split("### ")[0]
    assert "**Verify**\n\n- line 2: this RUN installs 1 package, 799 kB on trixie: tini\n" in good_part
    assert "- line 3: UA902 error: bash -n:" in report.split(f"### `{bad}`")[1]


# -- UA905: every program is in the image ----------------------------------------


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """verify() with no package index to download: installs count by name."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("UNALPINE_DEBIAN_MIRROR", NOWHERE)
    monkeypatch.setenv("UNALPINE_DEBIAN_SECURITY_MIRROR", NOWHERE)


def ua905(text):
    from migrator.verify import verify

    return [(p.line, p.package, p.message) for p in verify(text).problems if p.check == "UA905"]


def test_a_program_is_checked_where_it_runs(offline):
    text = ("FROM debian:bookworm-slim\n"
            "RUN wget -q https://example.invalid/a\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*\n"
            "RUN wget -q https://example.invalid/b\n")
    assert ua905(text) == [(2, "wget", "not in debian:bookworm-slim; package wget has it")]


def test_what_the_base_image_has(offline):
    assert ua905("FROM debian:bookworm-slim\nRUN adduser --system app && useradd x && tar xf a && awk 1 f\n") == []
    assert ua905("FROM debian:trixie-slim\nRUN adduser --system app\n") == [
        (2, "adduser", "not in debian:trixie-slim; package adduser has it")]
    python = "FROM python:3.12-slim-bookworm\nRUN pip3.12 install x && python -V && update-ca-certificates\n"
    assert ua905(python) == []


def test_busybox_commands_run_busybox(offline):
    text = 'FROM python:3.12-slim-trixie\nCMD ["busybox", "httpd", "-f"]\n'
    assert ua905(text) == [(2, "busybox", "not in python:3.12-slim-trixie; package busybox has it")]


def test_not_checked(offline):
    text = ("FROM python:3.12-slim-trixie\n"
            "RUN curl -o /usr/local/bin/kubectl https://example.invalid/kubectl\n"
            "CMD kubectl apply -f x && ./run.sh && myproject-serve && gunicorn app\n")
    # curl is checked (nothing installs it); kubectl a path names; the rest no Debian package ships, or pip can
    assert [p[1] for p in ua905(text)] == ["curl"]
    other = "FROM node:20-bookworm-slim\nCMD wget -q x\n"  # an image whose own programs unalpine does not list
    assert ua905(other) == []
    pip = "FROM python:3.12-slim-trixie\nRUN pip install uwsgi\nCMD uwsgi --ini app.ini && ps aux\n"
    assert [p[1] for p in ua905(pip)] == ["ps"]  # a pip stage: only busybox's programs are checked
    copied = "FROM python:3.12-slim-trixie\nCOPY --from=build /venv /venv\nCMD uwsgi --ini app.ini && curl x && ps\n"
    assert [p[1] for p in ua905(copied)] == ["ps"]  # files came in: the same


def test_after_yes_no_fixture_lacks_a_program_busybox_gave(offline):
    from migrator.debian.commands import busybox_applets

    applets = busybox_applets()
    for after in sorted((REPO / "fixtures").glob("*/after.Dockerfile")):
        missing = [p for p in ua905(after.read_text(encoding="utf-8-sig")) if p[1] in applets or p[1] == "busybox"]
        assert missing == [], after
