"""UA504 python-modules: Python's own modules that Debian packages apart.

On an `alpine:*` base moved to debian:<suite>-slim the stage runs Debian's
python3, which ships some of the standard library in other packages than
python3 (migrator.debian.python_modules, from Debian's Contents index):
`python3 -m venv` needs python3-venv (its ensurepip), `python3 -m lib2to3`
python3-lib2to3, and so on; Alpine's python3 carried them. Each module a
stage runs with `-m` gets its package installed before the use (a question,
recommended; migrator.installs places it), unless the stage installs
it already. tkinter and idlelib are left out: Alpine packs them apart too
(python3-tkinter), and the apk rule maps that.

`python3 -m ensurepip` cannot work at all on Debian ("ensurepip is disabled
in Debian/Ubuntu for the system python", python3-venv installed or not):
it becomes an install of python3-pip in its place (or goes, when the stage
installs python3-pip already). pip then installs into Debian's python3:
UA501 asks about that.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.debian.python_modules import apart
from migrator.installs import Need, installed, last_install, provides
from migrator.pip_commands import SYSTEM_PYTHON
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules import rule
from migrator.shell import Command, ShellScript
from migrator.word_edits import RunPlan

ID = "UA504"
# Alpine's python3 package leaves these out too (its APKBUILD moves them to python3-tkinter).
ALPINE_APART = {"tkinter", "_tkinter", "idlelib", "turtledemo"}
PIP = "python3-pip"
INSTALL_PIP = f"apt-get update && apt-get install -y --no-install-recommends {PIP} && rm -rf /var/lib/apt/lists/*"


def _module(command: Command) -> str | None:
    """The module of `python3 -m MODULE ...`."""
    values = [word.value or "" for word in command.words]
    if not values or SYSTEM_PYTHON.match(values[0]) is None:
        return None
    for index, value in enumerate(values[1:], 1):
        if value == "-m":
            return values[index + 1] if index + 1 < len(values) else None
        if value.startswith("-m") and len(value) > 2:
            return value[2:]
        if not value.startswith("-") or value in ("-c",):
            return None
    return None


def _finds(ctx: RuleContext) -> Iterator[tuple]:
    modules = None  # read only for a file that runs python -m (tomllib costs a small file's start)
    # python:* images run their own CPython, which has everything
    debian = [stage for stage in ctx.migrated() if stage.kind == "debian"]
    for stage, instruction, script, command in ctx.commands(debian):
        module = _module(command)
        if module is None:
            continue
        top = module.split(".")[0]
        if top == "venv":
            if any(word.value == "--without-pip" for word in command.words):
                continue
            top = "ensurepip"  # venv installs pip with ensurepip
        elif top == "ensurepip":
            yield stage, instruction, script, command, "ensurepip", PIP
            continue
        if modules is None:
            modules = apart(ctx.suite)
        package = modules.get(top)
        if package is None or top in ALPINE_APART:
            continue
        yield stage, instruction, script, command, module, package


def _answer(ctx: RuleContext, script: ShellScript, command: Command, module: str, package: str) -> str:
    start = script.file_span(command.start, command.end)[0]
    if module == "ensurepip":
        question = (f"Debian disables ensurepip for its python3 (\"ensurepip is disabled in Debian/Ubuntu for the "
                    f"system python\"): install {PIP} instead?")
        install = f"install {PIP} in place of python3 -m ensurepip"
    else:
        question = (f"Debian {ctx.suite}'s python3 has no {module.split('.')[0]} until {package} is installed "
                    f"(Alpine's python3 carried it): install {package}?")
        install = f"install {package} before this line"
    return ctx.ask(Decision(
        key=f"{ID}:{module.split('.')[0]}",
        rule=ID,
        question=question,
        options=(Option("install", install), Option("keep", "leave it (the command fails on Debian)")),
        recommended="install",
        line=ctx.line_of(start),
        context=ctx.line_text(start),
    ))


def _earlier_install(ctx: RuleContext, stage: Stage, offset: int) -> bool:
    """Whether migrator.installs will put a package into an install
    that runs before `offset` (else into the use's own RUN)."""
    return last_install(ctx, stage, offset) is not None  # the placement's own test


@provides
def _needs(ctx: RuleContext) -> Iterator[Need]:
    for stage, instruction, script, command, module, package in _finds(ctx):
        offset = script.file_span(command.start, command.end)[0]
        if package in installed(ctx, stage) or (module == "ensurepip" and not _earlier_install(ctx, stage, offset)):
            continue  # (ensurepip with no install before it: the command becomes the install)
        if _answer(ctx, script, command, module, package) == "install":
            yield Need(stage, offset, package, ID, f"python3 -m {module} on Debian's python3")


@rule(ID, "python-modules", "Install the package of a Python module Debian ships apart (venv, lib2to3, ...); ensurepip → python3-pip")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    for stage, instruction, script, command, module, package in _finds(ctx):
        line = ctx.line_of(script.file_span(command.start, command.end)[0])
        if module != "ensurepip" and package in installed(ctx, stage):
            continue
        answer = _answer(ctx, script, command, module, package)
        if answer != "install":
            yield Finding(ID, line, f"python3 -m {module} left as is: Debian's python3 has no {module.split('.')[0]} "
                          f"without {package}")
            continue
        if module != "ensurepip":
            yield Finding(ID, line, f"{package} installed for python3 -m {module} (Debian's python3 ships it apart)",
                          Severity.INFO)
            continue
        yield from _ensurepip(ctx, stage, instruction, script, command, line)


def _ensurepip(ctx: RuleContext, stage: Stage, instruction, script: ShellScript, command: Command,
               line: int) -> Iterator[Edit | Finding]:
    plan = RunPlan(ctx.document, instruction, script, ID)
    offset = script.file_span(command.start, command.end)[0]
    if PIP in installed(ctx, stage) or _earlier_install(ctx, stage, offset):
        plan.remove(command)
        yield from plan.render()
        yield Finding(ID, line, f"python3 -m ensurepip removed: Debian disables it; {PIP} is installed before it instead",
                      Severity.INFO)
        return
    whole = command._replace(start=command.words[0].start, end=command.words[-1].end)
    plan.replace(whole, INSTALL_PIP)
    yield from plan.render()
    yield Finding(ID, line, f"python3 -m ensurepip → apt-get install {PIP}: Debian disables ensurepip for its python3",
                  Severity.INFO)
