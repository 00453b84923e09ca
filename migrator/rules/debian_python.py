"""Debian's own python3 is not Alpine's (alpine:* bases only).

UA501 system-pip: pip into Debian's own python3 (PEP 668).

On an `alpine:*` base that becomes `debian:<suite>-slim`, Python is
Debian's python3. From bookworm on, Debian marks it externally managed
(PEP 668), so `pip install` outside a virtual environment stops with
"externally-managed-environment" -- Alpine did the same only from 3.19. The
question offers `--break-system-packages` (what the file did on older
Alpine) or leaving the command for a venv by hand. `python3 -m ensurepip`
is disabled in Debian altogether: UA504 installs python3-pip instead.

UA502 python-version: a python3.X that the suite does not ship.

python:* images are not affected: their own Python in /usr/local is not
managed by Debian.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.lazy_pattern import LazyPattern
from migrator.pip_commands import SYSTEM_PIP, SYSTEM_PYTHON, pip_subcommand
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules import rule
from migrator.shell import Command
from migrator.word_edits import RunPlan

ID = "UA501"
FLAG = "--break-system-packages"
# Signs that pip runs in a virtual environment or is already told to go ahead.
_VENV_ENV = LazyPattern(r"VIRTUAL_ENV|PIP_BREAK_SYSTEM_PACKAGES|PATH=\S*(?:venv|/opt/)", re.I)
MANAGED_SUITES = {"bookworm", "trixie"}


@rule(ID, "system-pip", "pip into Debian's externally managed python3 needs a venv or --break-system-packages")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    if ctx.suite not in MANAGED_SUITES:
        return
    for stage in ctx.migrated():
        if stage.kind != "debian":
            continue
        yield from _stage(ctx, stage)



def _stage(ctx: RuleContext, stage: Stage) -> Iterator[Edit | Finding]:
    """Walk the stage (after the stages it builds on, which may have made a
    venv) in build order; only this stage's own commands are checked."""
    for instruction, script, command in _outside_venv(ctx, stage):
        yield from _check_command(ctx, instruction, script, command)


def _check_command(ctx: RuleContext, instruction, script, command: Command) -> Iterator[Edit | Finding]:
    if _is_ensurepip(command):
        return  # UA504 installs python3-pip in its place
    install = _pip_install_word(command) or _get_pip_word(command)
    if install is None or any(word.value == FLAG for word in command.words):
        return
    line = ctx.line_of(script.file_span(command.start, command.end)[0])  # (only now: most commands are not pip's)
    if ctx.suite in UPGRADE_FAILS and _pip_upgrade_fails(command) and _upgrade_answer(ctx, script, command) == "drop" and _only_pip(command):
        return  # UA503 removes the command
    answer = ctx.ask(Decision(
        key=f"{ID}:break-system-packages",
        rule=ID,
        question=(f"Debian {ctx.suite}'s python3 is externally managed (PEP 668): "
                  "pip install outside a venv fails. What should pip do?"),
        options=(
            Option("flag", f"add {FLAG} (installs into Debian's python3, as on older Alpine)"),
            Option("keep", "leave the command as is (I will use a venv)"),
        ),
        recommended="flag",
        line=line,
        context=ctx.instruction_text(instruction),
    ))
    if answer == "flag":
        end = script.file_span(install.start, install.end)[1]
        yield Edit(end, end, f" {FLAG}", ID)
    else:
        yield Finding(ID, line, "pip install into Debian's python3 left as is: it fails without a venv")


UPGRADE_ID = "UA503"
# What Debian's python3-pip brings along and pip cannot uninstall either (no RECORD file).
_DEBIAN_PIP = {"pip", "setuptools", "wheel"}
# Where Debian's pip stops on it: bookworm's pip 23.0 (and bullseye's) leave
# the Debian copy alone and install over it ("Not uninstalling pip at
# /usr/lib/python3/dist-packages, outside environment /usr"); trixie's
# 25.1 stops. Tried in debootstrap roots (tests/test_debian_roots.py).
UPGRADE_FAILS = {"trixie"}
_REQUIREMENT_NAME = LazyPattern(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
# pip options that put the install elsewhere: nothing of Debian's is uninstalled then.
_ELSEWHERE = {"--user", "--target", "-t", "--prefix", "--root", "--ignore-installed", "-I"}


@rule(UPGRADE_ID, "pip-upgrade", "pip install --upgrade pip over Debian's python3-pip: --ignore-installed, or drop it")
def check_pip_upgrade(ctx: RuleContext) -> Iterator[Edit | Finding]:
    """Debian's python3-pip has no RECORD file, so pip cannot uninstall it:
    `pip install --upgrade pip` stops with "Cannot uninstall pip ... no
    RECORD file" (Alpine's py3-pip could be upgraded). On trixie, pip
    outside a venv on Debian's python3."""
    if ctx.suite not in UPGRADE_FAILS:
        return
    for stage in ctx.migrated():
        if stage.kind != "debian":
            continue
        for instruction, script, command in _outside_venv(ctx, stage):
            if _pip_upgrade_fails(command):
                yield from _pip_upgrade(ctx, instruction, script, command)


def _outside_venv(ctx: RuleContext, stage: Stage):
    """(instruction, script, command) of this stage's commands that run
    outside a venv, in build order (the stages it builds on may make one)."""
    lineage = stage.lineage()[::-1]
    # an ENV that points at a venv: every command after it runs in one (a
    # stage is built on an earlier one, so file order is build order)
    venv_env = next((instruction.start for ancestor in lineage for instruction in ancestor.instructions
                     if instruction.keyword == "ENV" and _VENV_ENV.search(instruction.args)), None)
    in_venv = False
    for ancestor, instruction, script, command in ctx.commands(lineage):
        if venv_env is not None and venv_env < instruction.start:
            in_venv = True
        if _is_venv(command):
            in_venv = True
        elif ancestor is stage and not in_venv:
            yield instruction, script, command


def _pip_words(command: Command) -> list:
    """The words naming pip, setuptools or wheel after `pip install`."""
    install = _pip_install_word(command)
    if install is None:
        return []
    after = command.words[command.words.index(install) + 1 :]
    found = []
    for word in after:
        name = _REQUIREMENT_NAME.match(word.value or "")
        if name and not (word.value or "").startswith("-") and name.group(1).lower() in _DEBIAN_PIP:
            found.append(word)
    return found


def _pip_upgrade_fails(command: Command) -> bool:
    """A pip install of pip itself, over Debian's (not --user, --target, ...)."""
    elsewhere = tuple(f"{option}=" for option in _ELSEWHERE if option.startswith("--"))
    return any(_REQUIREMENT_NAME.match(word.value).group(1).lower() == "pip" for word in _pip_words(command)) \
        and not any(word.value in _ELSEWHERE or (word.value or "").startswith(elsewhere) for word in command.words)


def _only_pip(command: Command) -> bool:
    """Whether the command installs nothing but pip, setuptools and wheel."""
    install = _pip_install_word(command)
    after = command.words[command.words.index(install) + 1 :]
    named = [word for word in after if not (word.value or "-").startswith("-")]
    return len(named) == len(_pip_words(command))


def _upgrade_answer(ctx: RuleContext, script, command: Command) -> str:
    start = script.file_span(command.start, command.end)[0]
    return ctx.ask(Decision(
        key=f"{UPGRADE_ID}:pip-upgrade",
        rule=UPGRADE_ID,
        question=("Debian's python3-pip cannot be upgraded in place (pip stops: \"Cannot uninstall pip: no RECORD "
                  "file\", the package was installed by Debian). What should this pip upgrade do?"),
        options=(
            Option("ignore-installed", "add --ignore-installed: the new pip goes to /usr/local and is the pip on PATH"),
            Option("drop", "drop the upgrade: Debian's own pip is used"),
            Option("keep", "leave it as is (the build fails on it)"),
        ),
        recommended="ignore-installed",
        line=ctx.line_of(start),
        context=ctx.line_text(start),
    ))


def _pip_upgrade(ctx: RuleContext, instruction, script, command: Command) -> Iterator[Edit | Finding]:
    line = ctx.line_of(script.file_span(command.start, command.end)[0])
    answer = _upgrade_answer(ctx, script, command)
    if answer == "ignore-installed":
        end = script.file_span(*(lambda w: (w.start, w.end))(_pip_install_word(command)))[1]
        yield Edit(end, end, " --ignore-installed", UPGRADE_ID)
        yield Finding(UPGRADE_ID, line, "pip upgrade over Debian's python3-pip: --ignore-installed puts the new pip in "
                      "/usr/local (Debian's cannot be uninstalled)", Severity.INFO)
    elif answer == "drop":
        plan = RunPlan(ctx.document, instruction, script, UPGRADE_ID)
        if _only_pip(command):
            plan.remove(command)
        else:
            for word in _pip_words(command):
                plan.delete(word)
        yield from plan.render()
        yield Finding(UPGRADE_ID, line, "pip upgrade dropped: Debian's python3-pip cannot be upgraded in place; its own pip is used",
                      Severity.INFO)
    else:
        yield Finding(UPGRADE_ID, line, "pip upgrade left as is: it fails over Debian's python3-pip (no RECORD file)")


def _values(command: Command) -> list[str]:
    return [word.value or "" for word in command.words]


def _is_venv(command: Command) -> bool:
    values = _values(command)
    return (bool(values) and SYSTEM_PYTHON.match(values[0]) is not None and "-m" in values
            and values[values.index("-m") + 1 : values.index("-m") + 2] in (["venv"], ["virtualenv"])) \
        or (bool(values) and values[0] in ("virtualenv", "python3-virtualenv"))


def _is_ensurepip(command: Command) -> bool:
    values = _values(command)
    return bool(values) and SYSTEM_PYTHON.match(values[0]) is not None and values[1:3] == ["-m", "ensurepip"]


def _pip_install_word(command: Command):
    """The `install` word of `pip install` / `python3 -m pip install`."""
    index = pip_subcommand(_values(command), ("install",), pip=SYSTEM_PIP, python=SYSTEM_PYTHON, uv=False)
    return None if index is None else command.words[index]


def _get_pip_word(command: Command):
    """The script word of `python3 [options] .../get-pip.py [pip options]`:
    get-pip.py hands its arguments to the `pip install` it runs, which stops
    on an externally managed python3 as any pip install does."""
    values = _values(command)
    if not values or SYSTEM_PYTHON.match(values[0]) is None:
        return None
    for index, value in enumerate(values[1:], 1):
        if value.startswith("-"):
            if value in ("-m", "-c") or value.startswith(("-m", "-c")):
                return None  # a module or a program text, not a script
            continue
        # the word as written: `${SRC_DIR}/get-pip.py` has no plain value
        script = value or command.words[index].text.strip("'\"")
        return command.words[index] if script.rsplit("/", 1)[-1] == "get-pip.py" else None
    return None


VERSION_ID = "UA502"
_VERSIONED = LazyPattern(r"(?<![\w.])(?:/usr/(?:local/)?(?:bin|lib|include)/)?python(3\.\d+)(?![\d])")


@rule(VERSION_ID, "python-version", "Warn where an alpine:* file names a python3.X that the Debian suite does not ship")
def check_versions(ctx: RuleContext) -> Iterator[Finding]:
    """alpine:3.18 had Python 3.11, trixie has 3.13: `python3.11 -m venv` or
    /usr/lib/python3.11/site-packages no longer exist after the move."""
    have = ctx.images.debian_python.get(ctx.suite)
    stages = [stage for stage in ctx.migrated() if stage.kind == "debian"]
    if have is None or not stages:
        return
    yield from _version_args(ctx, stages, have)
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.command not in ("RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "COPY", "ADD", "WORKDIR"):
                continue
            if "python3." not in instruction.logical.text:
                continue  # (what _VERSIONED matches always holds it: most instructions are not searched)
            for match in _VERSIONED.finditer(instruction.logical.text):
                if match.group(1) != have:
                    offset = instruction.logical.file_offset(match.start())
                    yield Finding(VERSION_ID, ctx.line_of(offset),
                                  f"{match.group(0)}: Debian {ctx.suite} ships python {have}; "
                                  f"use python3 (or --target a suite with {match.group(1)})")
                    break


def _version_args(ctx: RuleContext, stages: list[Stage], have: str) -> Iterator[Finding]:
    """`ARG PYTHON_VERSION=3.11` used as python${PYTHON_VERSION} in a stage
    that Debian's python3 now runs."""
    for arg in ctx.global_args.values():
        if not re.fullmatch(r"3\.\d+", arg.value) or arg.value == have:
            continue
        used = re.compile(r"python\$\{?" + re.escape(arg.name) + r"\b")
        if any(used.search(instruction.logical.text) for stage in stages for instruction in stage.instructions):
            yield Finding(VERSION_ID, arg.instruction.line,
                          f"ARG {arg.name}={arg.value} names the Python of python${{{arg.name}}}; "
                          f"Debian {ctx.suite} ships python {have}: set it to {have}")
