"""Debian's own python3 is not Alpine's (alpine:* bases only).

UA501 system-pip: pip into Debian's own python3 (PEP 668).

On an `alpine:*` base that becomes `debian:<suite>-slim`, Python is
Debian's python3. From bookworm on, Debian marks it externally managed
(PEP 668), so `pip install` outside a virtual environment stops with
"externally-managed-environment" -- Alpine did the same only from 3.19. The
question offers `--break-system-packages` (what the file did on older
Alpine) or leaving the command for a venv by hand. `python3 -m ensurepip`
is disabled in Debian altogether: that gets a warning.

UA502 python-version: a python3.X that the suite does not ship.

python:* images are not affected: their own Python in /usr/local is not
managed by Debian.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Decision, Edit, Finding, Option
from migrator.rules import rule
from migrator.shell import Command

ID = "UA501"
FLAG = "--break-system-packages"
_PIP = LazyPattern(r"^(?:/usr/bin/)?pip3?(?:\.\d+)?$")
_PYTHON = LazyPattern(r"^(?:/usr/bin/)?python3?(?:\.\d+)?$")
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


def _lineage(stage: Stage) -> list[Stage]:
    chain = []
    while stage is not None:
        chain.append(stage)
        stage = stage.parent
    return chain


def _stage(ctx: RuleContext, stage: Stage) -> Iterator[Edit | Finding]:
    """Walk the stage (after the stages it builds on, which may have made a
    venv) in build order; only this stage's own commands are checked."""
    in_venv = False
    for ancestor in reversed(_lineage(stage)):
        for instruction in ancestor.instructions:
            if instruction.keyword == "ENV" and _VENV_ENV.search(instruction.args):
                in_venv = True
            script = ctx.script(instruction)
            if script is None or script.has_errors:
                continue
            for command in script.commands:
                if _is_venv(command):
                    in_venv = True
                elif ancestor is stage and not in_venv:
                    yield from _check_command(ctx, instruction, script, command)


def _check_command(ctx: RuleContext, instruction, script, command: Command) -> Iterator[Edit | Finding]:
    line = ctx.line_of(script.file_span(command.start, command.end)[0])
    if _is_ensurepip(command):
        yield Finding(ID, line, "Debian disables ensurepip for its python3: install python3-pip instead")
        return
    install = _pip_install_word(command)
    if install is None or any(word.value == FLAG for word in command.words):
        return
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


def _values(command: Command) -> list[str]:
    return [word.value or "" for word in command.words]


def _is_venv(command: Command) -> bool:
    values = _values(command)
    return (bool(values) and _PYTHON.match(values[0]) is not None and "-m" in values
            and values[values.index("-m") + 1 : values.index("-m") + 2] in (["venv"], ["virtualenv"])) \
        or (bool(values) and values[0] in ("virtualenv", "python3-virtualenv"))


def _is_ensurepip(command: Command) -> bool:
    values = _values(command)
    return bool(values) and _PYTHON.match(values[0]) is not None and values[1:3] == ["-m", "ensurepip"]


def _pip_install_word(command: Command):
    """The `install` word of `pip install` / `python3 -m pip install`."""
    values = _values(command)
    if not values:
        return None
    if _PIP.match(values[0]):
        rest = 1
    elif _PYTHON.match(values[0]) and values[1:3] == ["-m", "pip"]:
        rest = 3
    else:
        return None
    for index in range(rest, len(values)):
        if values[index] == "install":
            return command.words[index]
        if not values[index].startswith("-"):
            return None
    return None


VERSION_ID = "UA502"
# The python3 each suite ships (Debian's, on debian:<suite>-slim).
DEBIAN_PYTHON = {"stretch": "3.5", "buster": "3.7", "bullseye": "3.9", "bookworm": "3.11", "trixie": "3.13"}
_VERSIONED = LazyPattern(r"(?<![\w.])(?:/usr/(?:local/)?(?:bin|lib|include)/)?python(3\.\d+)(?![\d])")


@rule(VERSION_ID, "python-version", "Warn where an alpine:* file names a python3.X that the Debian suite does not ship")
def check_versions(ctx: RuleContext) -> Iterator[Finding]:
    """alpine:3.18 had Python 3.11, trixie has 3.13: `python3.11 -m venv` or
    /usr/lib/python3.11/site-packages no longer exist after the move."""
    have = DEBIAN_PYTHON.get(ctx.suite)
    stages = [stage for stage in ctx.migrated() if stage.kind == "debian"]
    if have is None or not stages:
        return
    yield from _version_args(ctx, stages, have)
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.command not in ("RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "COPY", "ADD", "WORKDIR"):
                continue
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
