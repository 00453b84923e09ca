"""OpenRC's service commands (rc-update, rc-service, rc-status, openrc) and
the question whether they go with the openrc package. The apk rule (UA201)
takes them out in its own word plan when they go; UA303 (migrator.rules.openrc)
says what each removal means for the service."""

from __future__ import annotations

from migrator.context import RuleContext, Stage
from migrator.proposals import Decision, Option
from migrator.shell import Command, ShellScript

ID = "UA303"
KEY = f"{ID}:remove"
COMMANDS = {"rc-update", "rc-service", "rc-status", "openrc"}


def is_service_command(command: Command) -> bool:
    return (command.name or "").rsplit("/", 1)[-1] in COMMANDS


def applies(ctx: RuleContext, stage: Stage) -> bool:
    """Whether openrc is dropped for this stage (an overlay may map it to
    Debian's openrc package: then its commands stay)."""
    return ctx.table.lookup("openrc", ctx.suite, stage.kind).kind == "drop"


def removed_with_openrc(ctx: RuleContext, stage: Stage, script: ShellScript) -> list[Command]:
    """The commands of `script` the apk rule removes with openrc."""
    found = [command for command in script.commands if is_service_command(command)]
    if not found or not applies(ctx, stage) or answer(ctx, script, found[0]) != "remove":
        return []
    return found


def answer(ctx: RuleContext, script: ShellScript, command: Command) -> str:
    start = script.file_span(command.start, command.end)[0]
    return ctx.ask(Decision(
        key=KEY,
        rule=ID,
        question=(f"{command.name} is OpenRC's, and openrc is dropped: Debian images have no {command.name}, "
                  "and no service manager runs in a container. Remove OpenRC's commands?"),
        options=(
            Option("remove", "remove rc-update, rc-service, rc-status and openrc calls (each command alone)"),
            Option("keep", "leave them as they are (the build fails on them)"),
        ),
        recommended="remove",
        line=ctx.line_of(start),
        context=ctx.line_text(start),
    ))
