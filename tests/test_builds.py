"""The migrated fixtures, built for real with podman (marker `build`).

Every fixture's after-file whose base images can be made here (local
stand-ins, tests/podman_bases.py) is built in a context: the fixture's own
folder (its requirement files), plus empty stand-ins for what COPY/ADD name
and the fixture does not have. A test-only last step checks that the
program the image's ENTRYPOINT/CMD starts exists in it. A fixture whose
bases cannot be made is skipped, saying why; one that fails for a reason
the migration should have handled is a strict xfail naming the reason (the
day it is fixed, the test says so).

Left out of the default run (`pytest -m build`); .ci/run runs it after the
slow step. Needs root, podman, debootstrap and the Debian archive (and PyPI
for the fixtures that pip install); skips, saying why, without them.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
import time
from pathlib import Path

import dockerfile
import pytest

from migrator.build import build

from debian_roots import record
from podman_bases import BUILD_OPTIONS, make, why_not, why_not_makeable

pytestmark = pytest.mark.build

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted(Path(path).parent.name for path in glob.glob(str(REPO / "fixtures" / "*" / "after.Dockerfile")))

# Fixtures whose after-file fails to build for a reason the migration should
# have handled: {case: reason}. Strict: when the migration is fixed, the
# test fails until the entry goes.
MIGRATION_FAILURES: dict[str, str] = {}

# Fixtures that are not buildable files as written, whatever the base
# (their before-file fails the same way): {case: reason}. Skipped.
NOT_BUILDABLE = {
    "unknown_names_resolved": "a name-mapping case, not a buildable file: `make -C /src` with no make installed "
                              "and no /src in the context (the before-file has the same RUN)",
}

# A build that fails with one of these in its log failed for a reason of this
# machine or of the fixture's context, not of the migration: skipped, saying which.
NOT_HERE = (
    (re.compile(r"Could not resolve host: (\S+)"), "fetches {0} at build time; not reachable from here"),
    (re.compile(r"Temporary failure in name resolution"), "needs a host not reachable from here"),
    (re.compile(r"ERROR: Directory '(\S+)' is not installable"),
     "pip installs the project in {0}; the fixture's context has no project there (only empty stand-ins)"),
)


@pytest.fixture(scope="session")
def engine() -> str:
    reason = why_not()
    if reason:
        pytest.skip(reason)
    return "podman"


# -- reading an after-file (buildkit's own parser) -----------------------------------


def _arg_defaults(commands) -> dict[str, str]:
    """The global ARGs (before the first FROM) with their defaults."""
    values = {}
    for command in commands:
        if command.cmd.upper() == "FROM":
            break
        if command.cmd.upper() == "ARG":
            for word in command.value:
                name, _, default = word.partition("=")
                values[name] = default
    return values


def _expand(word: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        word = word.replace("${" + name + "}", value).replace("$" + name, value)
    return word


def stages(text: str) -> list[dict]:
    """Each stage: its base image (ARGs expanded), name, and its COPY/ADD
    sources and ENTRYPOINT/CMD (the last of each)."""
    commands = dockerfile.parse_string(text)
    values = _arg_defaults(commands)
    found: list[dict] = []
    for command in commands:
        keyword = command.cmd.upper()
        if keyword == "FROM":
            words = list(command.value)
            name = words[2].lower() if len(words) > 2 and words[1].upper() == "AS" else None
            found.append({"base": _expand(words[0], values), "name": name, "sources": [], "program": None,
                          "entrypoint": None, "cmd": None})
        elif not found:
            continue
        elif keyword in ("COPY", "ADD") and not any(flag.startswith("--from") for flag in command.flags):
            found[-1]["sources"] += [word for word in command.value[:-1] if not word.startswith("<<")]
        elif keyword in ("ENTRYPOINT", "CMD"):
            words = list(command.value) if command.json else shlex.split(command.value[0]) if command.value else []
            found[-1][keyword.lower()] = words
    return found


def final_program(all_stages: list[dict]) -> str | None:
    """The program the final image starts: its ENTRYPOINT's first word, else
    its CMD's, looked up through the stages it is built FROM (None: the base
    image's own)."""
    by_name = {stage["name"]: stage for stage in all_stages if stage["name"]}
    stage = all_stages[-1]
    while stage is not None:
        for key in ("entrypoint", "cmd"):
            if stage[key]:
                return stage[key][0]
        stage = by_name.get(stage["base"].lower())
    return None


def bases(all_stages: list[dict]) -> list[str]:
    names = {stage["name"] for stage in all_stages if stage["name"]}
    return [stage["base"] for stage in all_stages if stage["base"].lower() not in names]


def check_step(program: str | None, sources: list[str]) -> str:
    """The test-only last instruction: the program the image starts exists
    (a path the file copies in: that it is there; a name: on PATH)."""
    if program is None or program.startswith("$"):
        return ""
    if "/" in program:
        test = f"test -e {shlex.quote(program)}"
    else:
        test = f"command -v {shlex.quote(program)}"
    script = f"{test} || {{ echo 'unalpine build test: {program} is not in the image' >&2; exit 1; }}"
    return "\n# unalpine build test: the program the image starts exists\nRUN [\"/bin/sh\", \"-c\", " \
        + _json_string(script) + "]\n"


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)


def make_context(case: str, all_stages: list[dict], into: Path) -> list[str]:
    """The fixture's folder copied to `into`, plus an empty stand-in for each
    COPY/ADD source it lacks; returns the stand-ins made."""
    shutil.copytree(REPO / "fixtures" / case, into, ignore=shutil.ignore_patterns("*.Dockerfile", "args", "*.yml"))
    made = []
    for stage in all_stages:
        for source in stage["sources"]:
            if "://" in source or source in (".", "./"):
                continue
            if any(ch in source for ch in "*?["):
                if glob.glob(str(into / source)):
                    continue
                source = source.replace("*", "stand-in").replace("?", "x")
            target = into / source.lstrip("/")
            if target.exists():
                continue
            if source.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.touch()
            made.append(source)
    return made


def why_not_buildable(case: str) -> str | None:
    all_stages = stages((REPO / "fixtures" / case / "after.Dockerfile").read_text("utf-8-sig"))
    if not all_stages:
        return "no FROM"
    reasons = [reason for base in bases(all_stages) if (reason := why_not_makeable(base))]
    return "; ".join(reasons) or None


def _case_param(case: str):
    marks = []
    reason = why_not_buildable(case)
    if case in NOT_BUILDABLE:
        marks.append(pytest.mark.skip(reason=NOT_BUILDABLE[case]))
    elif reason:
        marks.append(pytest.mark.skip(reason=f"bases not makeable here: {reason}"))
    elif case in MIGRATION_FAILURES:
        marks.append(pytest.mark.xfail(strict=True, reason=MIGRATION_FAILURES[case]))
    return pytest.param(case, marks=marks, id=case)


@pytest.mark.parametrize("case", [_case_param(case) for case in FIXTURES])
def test_fixture_after_file_builds(engine, case, tmp_path):
    after = REPO / "fixtures" / case / "after.Dockerfile"
    text = after.read_text("utf-8")
    all_stages = stages(text.lstrip("\ufeff"))
    for base in bases(all_stages):
        make(base)
    made = make_context(case, all_stages, tmp_path / "context")
    program = final_program(all_stages)
    if not text.endswith("\n"):
        text += "\n"
    text += check_step(program, [s for stage in all_stages for s in stage["sources"]])
    started = time.monotonic()
    built = build(engine, text, str(after), str(tmp_path / "context"), "fixture", BUILD_OPTIONS)
    record("fixture-build", case=case, ok=built.ok, seconds=round(time.monotonic() - started, 1),
           megabytes=round((built.size or 0) / 1e6), layers=built.layers, stand_ins=made)
    skip_if_not_here(built)
    assert built.ok, f"{case}: podman build exit {built.returncode}\n{built.log_tail}"


def skip_if_not_here(built) -> None:
    if built.ok:
        return
    for pattern, reason in NOT_HERE:
        if match := pattern.search(built.log_tail):
            pytest.skip(f"build failed for a reason of this machine or context: {reason.format(*match.groups())}")


SEED = "seed_cryptography_built"
SEED_CHECKS = """
# unalpine build test: the pins installed from wheels, with no compiler in the image
RUN python -c "import cryptography, django; print(cryptography.__version__, django.get_version())"
RUN for tool in gcc cc cargo rustc; do if command -v "$tool"; then echo "$tool is in the image" >&2; exit 1; fi; done
"""


def test_seed_case_builds_without_a_compiler(engine, tmp_path):
    """fixtures/seed_cryptography_built: on python:3.11-alpine it needed gcc,
    musl-dev, python3-dev, libffi-dev, openssl-dev and cargo to build
    cryptography 3.4.7; migrated, the wheel check dropped them all, and the
    image builds with no compiler and imports cryptography and Django."""
    after = REPO / "fixtures" / SEED / "after.Dockerfile"
    text = after.read_text("utf-8")
    assert "apt-get" not in text and "apk" not in text
    all_stages = stages(text)
    for base in bases(all_stages):
        make(base)
    make_context(SEED, all_stages, tmp_path / "context")
    built = build(engine, text + SEED_CHECKS, str(after), str(tmp_path / "context"), "seed", BUILD_OPTIONS)
    record("seed-build", ok=built.ok, seconds=round(built.seconds, 1), megabytes=round((built.size or 0) / 1e6))
    assert built.ok, built.log_tail
