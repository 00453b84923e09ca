"""The Debian packages a migrated stage surely installs (for rules that
would otherwise ask migrator.rules.installs for one it has already)."""

from __future__ import annotations

from migrator.context import RuleContext, Stage


def installed(ctx: RuleContext, stage: Stage) -> set[str]:
    """Debian packages the stage and the stages it builds on install: the
    names the table maps their `apk add` words to, and `apt-get install`
    words already there."""
    from migrator.rules.apk import APK_COMMANDS, parse_apk

    names: set[str] = set()
    while stage is not None:
        for instruction in stage.instructions:
            script = ctx.script(instruction)
            for command in script.commands if script is not None and not script.has_errors else ():
                if command.name in APK_COMMANDS:
                    call = parse_apk(command)
                    if call.subcommand is not None and call.subcommand.value == "add":
                        for word in call.operands:
                            mapping = ctx.table.lookup(word.value, ctx.suite, stage.kind) if word.value else None
                            if mapping is not None and mapping.kind == "map":
                                names.update(mapping.names)
                elif command.name in ("apt-get", "apt"):
                    names.update(word.value for word in command.words[1:] if word.value)
        stage = stage.parent
    return names
