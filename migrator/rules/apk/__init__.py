"""UA201 apk: apk add/del/update/upgrade → apt-get, word by word.

The author's layout stays: `apk` and the subcommand are replaced in place,
apk-only options are deleted (a continuation line that held nothing else goes
with them), each package word becomes its Debian name(s) where it stood, and
`rm -rf /var/lib/apt/lists/*` is added once at the end of the RUN (or an
existing `rm -rf /var/cache/apk/*` is pointed at apt's lists instead).

Package names are looked up in the mapping table; names the table cannot
settle alone become Decisions (UA202).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrator.apk_commands import APK_COMMANDS, parse_apk
from migrator.context import RuleContext, Stage
from migrator.document import Instruction
from migrator.installs import placements
from migrator.lazy_pattern import LazyPattern
from migrator.openrc_commands import removed_with_openrc
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import all_rules, rule
from migrator.rules.apk.exec_form import rewrite_exec
from migrator.rules.apk.plan import APT_LISTS, ID, INSTALL, PACKAGE_ID, Edits, FileState, RunState
from migrator.rules.apk.subcommands import rewrite_call
from migrator.rules.apk.variables import package_variables
from migrator.shell import Command, ShellScript

__all__ = ["ID", "PACKAGE_ID", "check"]

_APK_CACHE = LazyPattern(r"^/var/cache/apk(?:/\*?)?$")


@rule(ID, "apk", "Turn apk add/del/update/upgrade into apt-get, keeping the layout")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    all_rules()  # the rules that need packages register their providers when imported
    file = FileState(placements(ctx))
    yield from package_variables(ctx, file)
    for stage in ctx.migrated():
        for instruction in stage.instructions:
            if instruction.command == "RUN":
                yield from _rewrite_run(ctx, stage, instruction, file)
    newline = ctx.document.newline
    for offset, names in file.places.new_runs.items():
        yield Edit(offset, offset, f"RUN apt-get update && apt-get {INSTALL} {' '.join(names)} && rm -rf {APT_LISTS}{newline}", ID)


def _rewrite_run(ctx: RuleContext, stage: Stage, instruction: Instruction,
                 file: FileState) -> Iterator[Edit | Finding]:
    for flag in instruction.flags:
        if flag.name == "mount" and "/var/cache/apk" in (flag.value or ""):
            yield Finding(ID, instruction.line, "this cache mount keeps apk's cache; apt's is /var/cache/apt "
                          "(and Debian images delete it after each install unless /etc/apt/apt.conf.d/docker-clean is removed)")
    script = ctx.script(instruction)
    if script is None:
        if instruction.is_json and re.search(r'"(?:/sbin/)?apk"', instruction.args):
            yield from rewrite_exec(ctx, stage, instruction, file)
        elif instruction.is_json and re.search(r'(?<![\w./-])apk\s+(?:add|del|upgrade|update)\b', instruction.args):
            yield Finding(ID, instruction.line, "apk inside an exec-form RUN's shell string is not migrated: "
                          "write the RUN in shell form (RUN apk ...) and run unalpine again")
        return
    calls = [command for command in script.commands if command.name in APK_COMMANDS]
    cache_words = [
        word for command in script.commands if command.name == "rm"
        for word in command.words[1:] if word.value and _APK_CACHE.match(word.value)
    ]
    places = file.places
    start_names = places.in_run.get(instruction.start)
    # (most files place nothing into an install: no command's offset to look up)
    targets = [command for command in script.commands
               if script.file_span(command.start, command.end)[0] in places.by_command] if places.by_command else []
    services = [] if script.has_errors else removed_with_openrc(ctx, stage, script)
    config = [] if script.has_errors else _apk_config(script)
    if not calls and not cache_words and not start_names and not targets and not services and not config:
        return
    if script.has_errors:
        yield Finding(ID, instruction.line, "the shell in this RUN did not parse; apk left as is")
        return
    state = RunState()
    edits = Edits(ctx, instruction, script)
    for command in services:  # OpenRC's commands go with openrc, in this plan (UA303 says why)
        edits.remove(command)
    for command, removable in config:
        shown = script.text[command.start : command.end]
        if not removable:
            yield Finding(ID, edits.line(command.words[0]), f"`{shown}` works on Alpine's /etc/apk, which Debian "
                          "does not have: the build fails on it; remove it by hand")
            continue
        edits.remove(command)
        yield Finding(ID, edits.line(command.words[0]), f"removed `{shown}`: Debian has no /etc/apk (the build "
                      "would fail on it); a mirror for apt goes in /etc/apt/sources.list.d/debian.sources")
    for pairs in file.assignments.get(instruction.start, []):
        edits.write_names(pairs)
    for word in cache_words:
        edits.replace(word, APT_LISTS)
        state.lists_removed = True
    parsed = [parse_apk(command) for command in calls]
    installs_later = any(call.subcommand is not None and call.subcommand.value in ("add", "upgrade") for call in parsed)
    if start_names and installs_later:
        state.updated = state.installs = True  # the lists go at the end of the RUN, after every install
    for call in parsed:
        yield from rewrite_call(ctx, stage, call, state, edits, file)
    for command in targets:
        if command.name not in APK_COMMANDS:  # an apt-get install already there
            edits.append(command, " " + " ".join(places.by_command[edits.span(command)[0]]))
    if start_names:
        offset, names = start_names
        cleanup = "" if installs_later or state.lists_removed or _removes_lists(script) else f" && rm -rf {APT_LISTS}"
        edits.append_at(offset, f"apt-get update && apt-get {INSTALL} {' '.join(names)}{cleanup} && ")
    for update in state.updates:
        if state.installs:
            edits.replace(update.command.words[0], "apt-get")
            edits.drop_options(update)
        else:
            edits.remove(update.command)
            yield Finding(ID, edits.line(update.command.words[0]),
                          "removed apk update: each apt-get install runs its own apt-get update", Severity.INFO)
    if state.installs and not state.lists_removed and not _removes_lists(script):
        end = script.statement_end()
        offset = script.file_span(end - 1, end)[1] if end else 0
        edits.append_at(offset, f" && rm -rf {APT_LISTS}")
    yield from edits.render()


def _apk_config(script: ShellScript) -> list[tuple[Command, bool]]:
    """The commands (not apk's own) that read or write apk's configuration
    under /etc/apk (`sed -i 's/dl-cdn.../mirror/' /etc/apk/repositories`,
    `echo URL >> /etc/apk/repositories`), each with whether it can go alone
    (not inside a pipeline, no heredoc body of its own)."""
    found = []
    # A redirect's target is as written, so it can name /etc/apk only in a
    # script whose text does; most do not, and their commands' statements
    # (a walk up the tree each) are looked at only for a word that names it.
    redirected = "/etc/apk" in script.text
    for command in script.commands:
        if command.name in APK_COMMANDS:
            continue
        targets = [word.value or word.text for word in command.words[1:]]
        if not redirected and "/etc/apk" not in "\n".join(targets):
            continue  # (what _names_apk_config accepts holds /etc/apk: one search for the command's words)
        statement = command.node
        while statement.parent is not None and statement.parent.type in ("redirected_statement", "negated_command"):
            statement = statement.parent
        redirects = [child for child in statement.children if child.type in ("file_redirect", "heredoc_redirect")] \
            if statement is not command.node else []
        targets += [child.text.decode("utf-8", "replace") for child in redirects if child.type == "file_redirect"]
        if not any(_names_apk_config(target) for target in targets):
            continue
        removable = statement.parent is not None and statement.parent.type != "pipeline" and \
            not any(child.type == "heredoc_redirect" for child in redirects)
        found.append((command, removable))
    return found


def _names_apk_config(target: str) -> bool:
    return "/etc/apk/" in target or target.rstrip("/").endswith("/etc/apk")


def _removes_lists(script: ShellScript) -> bool:
    return any(
        command.name == "rm" and any((w.value or "").startswith("/var/lib/apt/lists") for w in command.words)
        for command in script.commands
    )
