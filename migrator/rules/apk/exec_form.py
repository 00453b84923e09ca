"""`RUN ["apk", "add", ...]`: an exec-form apk command becomes a shell-form
RUN of apt-get."""

from __future__ import annotations

from collections.abc import Iterator

from migrator.apk_commands import APK_COMMANDS, ApkCall, read_apk
from migrator.context import RuleContext, Stage
from migrator.document import Instruction
from migrator.proposals import Edit, Finding, Severity
from migrator.rules.apk.names import package, resolve
from migrator.rules.apk.plan import APT_LISTS, ID, INSTALL, Edits, FileState, pip_install
from migrator.shell import Word

def rewrite_exec(ctx: RuleContext, stage: Stage, instruction: Instruction,
                  file: FileState) -> Iterator[Edit | Finding]:
    """`RUN ["apk", "add", ...]`: exec form has no `&&`, which apt's idiom
    needs (update, install, remove the lists), so the RUN becomes shell form
    with the same meaning. An array that runs a shell (`["sh", "-c", ...]`)
    or apk among other words is left with a warning."""
    array = instruction.json_args or []
    line = instruction.line
    if not array or array[0] not in APK_COMMANDS:
        yield Finding(ID, line, "apk inside an exec-form RUN that runs something else is not migrated; rewrite it by hand")
        return
    # the array's words, read as apk reads them (offsets: the index in the array)
    subcommand, options, operands = read_apk(tuple(Word(i, i, value, value) for i, value in enumerate(array)))
    call = ApkCall(None, subcommand, list(options), list(operands))
    sub = subcommand.value if subcommand else None
    context = ctx.instruction_text(instruction)
    local = [w.value for w in operands if w.value.endswith(".apk") or w.value.startswith(("./", "/"))]
    if sub not in ("add", "del", "delete", "update", "upgrade") or local or call.option("-X", "--repository"):
        yield Finding(ID, line, "this exec-form apk command has no plain apt-get equivalent; left as is")
        return
    shell: list[str] = []
    if sub == "add":
        names: list[str] = []
        pip: list[str] = []
        for word in operands:
            result = yield from package(ctx, stage, word.value, line, context)
            names.extend(name for name in result.names if name not in names)
            pip.extend(result.pip)
        virtual = call.option_value("-t", "--virtual")
        if virtual is not None:
            file.groups[virtual] = list(names)
        else:
            file.add_to_world(stage, names)
        if names:
            shell.append(f"apt-get update && apt-get {INSTALL} {' '.join(names)}")
        if pip:
            shell.append(pip_install(pip))
        if names:
            shell.append(f"rm -rf {APT_LISTS}")
    elif sub in ("del", "delete"):
        names = []
        for word in operands:
            if word.value in file.groups:
                found = file.group_leaves(stage, file.groups[word.value])
            elif word.value.startswith("."):
                found = []
            else:
                result, findings = resolve(ctx, stage, word.value, line, context)
                yield from findings
                found = result.names
            names.extend(name for name in found if name not in names)
        if names:
            shell.append(f"apt-mark auto {' '.join(names)} && apt-get autoremove -y --purge")
    elif sub == "upgrade":
        shell.append(f"apt-get update && apt-get upgrade -y && rm -rf {APT_LISTS}")
    if not shell:
        yield Edits(ctx, instruction, instruction.logical)._remove_instruction()
        yield Finding(ID, line, f"exec-form apk {sub} leaves nothing for Debian to do; RUN removed", Severity.INFO)
        return
    args = instruction.args
    start = instruction.args_start
    yield Edit(*instruction.file_span(start, start + len(args.rstrip())), " && ".join(shell), ID)
    yield Finding(ID, line, "exec-form RUN of apk became shell form: apt-get's update, install and cleanup are chained with &&",
                  Severity.INFO)
