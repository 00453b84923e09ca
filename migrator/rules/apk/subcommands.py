"""One apk command of a RUN as apt-get: add → apt-get install, del → apt-mark
auto and autoremove, update (kept only before an install), upgrade, cache
clean, --print-arch; the package words through migrator.rules.apk.names."""

from __future__ import annotations

from collections.abc import Iterator

from migrator.apk_commands import ApkCall
from migrator.context import RuleContext, Stage
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules.apk.names import Resolved, package, resolve, unpinned, variable_pinned
from migrator.rules.apk.plan import ID, INSTALL, Edits, FileState, RunState, pip_install
from migrator.shell import Word

def rewrite_call(ctx: RuleContext, stage: Stage, call: ApkCall, state: RunState,
                  edits: Edits, file: FileState) -> Iterator[Edit | Finding]:
    command = call.command
    sub = call.subcommand.value if call.subcommand else None
    # (the line is found only where something is said: apk update says nothing)
    if sub == "add":
        yield from _add(ctx, stage, call, state, edits, file, edits.line(command.words[0]))
    elif sub in ("del", "delete"):
        yield from _delete(ctx, stage, call, edits, file, edits.line(command.words[0]))
    elif sub == "update":
        # Kept as apt-get update only if this RUN ends up installing
        # something (decided once the whole RUN is done).
        state.updates.append(call)
        state.updated = True
    elif sub == "upgrade":
        prefix = "" if state.updated else "apt-get update && "
        edits.replace(command.words[0], prefix + "apt-get")
        edits.replace(call.subcommand, "upgrade -y")
        edits.drop_options(call)
        if call.operands:
            yield Finding(ID, edits.line(command.words[0]), "apk upgrade of named packages became a full apt-get upgrade")
            for word in call.operands:
                edits.delete(word)
        state.updated = state.installs = True
    elif sub == "cache":
        edits.replace(command.words[0], "apt-get")
        edits.replace(call.subcommand, "clean")
        edits.drop_options(call)
        for word in call.operands:
            edits.delete(word)
    elif sub is None and call.option("--print-arch"):
        edits.replace(command, "dpkg --print-architecture")
        yield Finding(ID, edits.line(command.words[0]), "dpkg --print-architecture prints Debian names (amd64, arm64), not apk's (x86_64, aarch64)")
    else:
        what = f"apk {sub}" if sub else "this apk command"
        yield Finding(ID, edits.line(command.words[0]), f"{what} has no apt-get equivalent; left as is")


def _add(ctx: RuleContext, stage: Stage, call: ApkCall, state: RunState, edits: Edits,
         file: FileState, line: int) -> Iterator[Edit | Finding]:
    repository = call.option_value("-X", "--repository")
    if repository is not None:
        answer = ctx.ask(Decision(
            key=f"{ID}:repository:{repository}",
            rule=ID,
            question=f"apk add uses the Alpine repository {repository}; Debian cannot use it",
            options=(
                Option("debian", f"install the packages from Debian {ctx.suite} instead"),
                Option("keep", "leave this command as is (fix it by hand)"),
            ),
            recommended="debian",
            line=line,
            context=edits.context(call.command),
        ))
        if answer == "keep":
            yield Finding(ID, line, f"apk add -X {repository} left as is: it will not run on Debian")
            return
        yield Finding(ID, line, f"dropped the Alpine repository {repository}; packages now come from Debian {ctx.suite}")
    local = [word for word in call.operands if word.value and (word.value.endswith(".apk") or word.value.startswith(("./", "/")))]
    if local:
        yield Finding(ID, line, f"apk add of the local file {local[0].text} cannot be migrated; left as is")
        return
    resolved: list[tuple[Word, Resolved | None]] = []
    group: list[str] = []  # every Debian name, in the order of the operands
    context = edits.context(call.command)  # the line(s) a question shows, once per command
    for word in call.operands:
        pinned = variable_pinned(word)
        if pinned is not None:
            result = yield from package(ctx, stage, pinned, line, context)
            resolved.append((word, result))
            group.extend(result.names)
            continue
        if word.value is None:
            held = file.held(edits.instruction, word)
            if held is not None:
                group.extend(held)
            else:
                yield Finding(ID, line, f"package list {word.text} is kept as is: its Alpine names are not migrated")
            resolved.append((word, None))
            continue
        result = yield from package(ctx, stage, word.value, line, context)
        resolved.append((word, result))
        group.extend(result.names)
    names: list[str] = []
    pip: list[str] = []
    kept = False  # a word left as written ($VAR)
    for _, result in resolved:
        if result is None:
            kept = True
        else:
            names += result.names
            pip += result.pip
    virtual = call.option_value("-t", "--virtual")
    needed = [name for name in file.places.by_command.get(edits.span(call.command)[0], ()) if name not in names]
    if virtual is not None:
        file.groups[virtual] = list(dict.fromkeys(group))  # not what is needed later: `apk del` keeps that
    else:
        file.add_to_world(stage, group + needed)
    if not names and not kept and not needed:
        if pip:
            edits.replace(call.command, pip_install(pip))
        else:
            edits.remove(call.command)
            yield Finding(ID, line, "apk add installed nothing Debian needs; command removed", Severity.INFO)
        return
    prefix = "" if state.updated else "apt-get update && "
    edits.replace(call.command.words[0], prefix + "apt-get")
    edits.replace(call.subcommand, INSTALL)
    edits.drop_options(call)
    written = edits.write_names([(word, result.names) for word, result in resolved if result is not None])
    needed = [name for name in needed if name not in written]
    if needed:
        edits.append(call.command, " " + " ".join(needed))
    if pip:
        edits.append(call.command, " && " + pip_install(pip))
    state.updated = state.installs = True


def _delete(ctx: RuleContext, stage: Stage, call: ApkCall, edits: Edits,
            file: FileState, line: int) -> Iterator[Edit | Finding]:
    targets: list[tuple[Word, list[str]]] = []
    kept = False
    for word in call.operands:
        pinned = variable_pinned(word)
        value = word.value if pinned is None else unpinned(pinned)
        if value is None:
            kept = True
            if file.held(edits.instruction, word) is None:
                yield Finding(ID, line, f"{word.text} is kept as is: its Alpine names are not migrated")
        elif value in file.groups:
            targets.append((word, file.group_leaves(stage, file.groups[value])))
        elif value.startswith("."):
            yield Finding(ID, line, f"apk del {value}: no apk add --virtual {value} was found; removed")
            targets.append((word, []))
        else:
            result, findings = resolve(ctx, stage, value, line, edits.context(call.command))
            yield from findings
            targets.append((word, result.names))
    names = edits.write_names(targets)
    if not names and not kept:
        edits.remove(call.command)
        return
    # apk del of a group only drops the group's claim: packages something
    # else still needs stay. apt-get purge would remove those dependents
    # (build-essential with gcc); marking the names auto and autoremoving
    # keeps the apk meaning.
    edits.replace(call.command.words[0], "apt-mark")
    edits.replace(call.subcommand, "auto")
    edits.drop_options(call)
    edits.append(call.command, " && apt-get autoremove -y --purge")
