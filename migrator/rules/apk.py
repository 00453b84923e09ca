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

from migrator.apk_commands import APK_COMMANDS, ApkCall, parse_apk, read_apk
from migrator.context import RuleContext, Stage
from migrator.debian.name_index import DebianIndex
from migrator.document import Instruction, LogicalLine
from migrator.errors import InputError
from migrator.installs import Placements, placements
from migrator.lazy_pattern import LazyPattern
from migrator.openrc_commands import removed_with_openrc
from migrator.package_variables import Definition, build_definitions, reference, references, shell_definitions
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.records import Record
from migrator.rules import all_rules, rule
from migrator.shell import Command, ShellScript, Word
from migrator.word_edits import RunPlan

ID = "UA201"
PACKAGE_ID = "UA202"
APT_LISTS = "/var/lib/apt/lists/*"
INSTALL = "install -y --no-install-recommends"

# A version constraint on a package word: pkg=1.2-r0, pkg>=1.2, pkg~1.2, pkg<2, pkg@edge.
_PIN = LazyPattern(r"^([^=<>~@]+)([=<>~@].*)$")
# `name=$VERSION`, `"name>=${V}"`: a literal package name with a pin that
# expands a variable. The name is what apk installs; only a word whose *name*
# is a variable (`$PACKAGES`) is a package list.
_VARIABLE_PIN = LazyPattern(r'^("?)([A-Za-z0-9][A-Za-z0-9._+-]*)([=<>~][^"\s]*\$[^"\s]*)\1$')
_APK_CACHE = LazyPattern(r"^/var/cache/apk(?:/\*?)?$")


class Resolved(Record):
    __slots__ = ("names", "pip")

    def __init__(self, names: list[str] | None = None, pip: list[str] | None = None):
        self.names = [] if names is None else names
        self.pip = [] if pip is None else pip


class RunState(Record):
    """What one RUN has done so far, in script order."""

    __slots__ = ("updated", "installs", "lists_removed", "updates")

    def __init__(self) -> None:
        self.updated = False  # an apt-get update already runs before this point
        self.installs = False  # something is installed: the lists must go at the end
        self.lists_removed = False  # the author's own cleanup now removes apt's lists
        self.updates: list[ApkCall] = []  # apk update calls


class FileState(Record):
    """What the whole file has shown so far."""

    __slots__ = ("groups", "variables", "assignments", "places")

    def __init__(self, places: Placements | None = None) -> None:
        self.places = Placements() if places is None else places  # where needed packages go (installs.py)
        self.groups: dict[str, list[str]] = {}  # --virtual name -> Debian names, in file order
        # Package variables rewritten where they are defined: (RUN offset for a
        # shell variable, None for ENV/ARG; name) -> the Debian names they hold.
        self.variables: dict[tuple[int | None, str], list[str]] = {}
        # Shell definitions to rewrite with their RUN: RUN offset -> per definition, words and names.
        self.assignments: dict[int, list[list[tuple[Word, list[str]]]]] = {}

    def held(self, run: Instruction, word: Word) -> list[str] | None:
        """The Debian names a `$VAR` operand holds, if its variable was migrated."""
        name = reference(word.text)
        if name is None:
            return None
        found = self.variables.get((run.start, name))
        return found if found is not None else self.variables.get((None, name))


@rule(ID, "apk", "Turn apk add/del/update/upgrade into apt-get, keeping the layout")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    all_rules()  # the rules that need packages register their providers when imported
    file = FileState(placements(ctx))
    yield from _package_variables(ctx, file)
    for stage in ctx.migrated():
        for instruction in stage.instructions:
            if instruction.command == "RUN":
                yield from _rewrite_run(ctx, stage, instruction, file)
    newline = ctx.document.newline
    for offset, names in file.places.new_runs.items():
        yield Edit(offset, offset, f"RUN apt-get update && apt-get {INSTALL} {' '.join(names)} && rm -rf {APT_LISTS}{newline}", ID)


def _rewrite_run(ctx: RuleContext, stage: Stage, instruction: Instruction,
                 file: "FileState") -> Iterator[Edit | Finding]:
    for flag in instruction.flags:
        if flag.name == "mount" and "/var/cache/apk" in (flag.value or ""):
            yield Finding(ID, instruction.line, "this cache mount keeps apk's cache; apt's is /var/cache/apt "
                          "(and Debian images delete it after each install unless /etc/apt/apt.conf.d/docker-clean is removed)")
    script = ctx.script(instruction)
    if script is None:
        if instruction.is_json and re.search(r'"(?:/sbin/)?apk"', instruction.args):
            yield from _rewrite_exec(ctx, stage, instruction, file)
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
    targets = [command for command in script.commands if script.file_span(command.start, command.end)[0] in places.by_command]
    services = [] if script.has_errors else removed_with_openrc(ctx, stage, script)
    if not calls and not cache_words and not start_names and not targets and not services:
        return
    if script.has_errors:
        yield Finding(ID, instruction.line, "the shell in this RUN did not parse; apk left as is")
        return
    state = RunState()
    edits = Edits(ctx, instruction, script)
    for command in services:  # OpenRC's commands go with openrc, in this plan (UA303 says why)
        edits.remove(command)
    for pairs in file.assignments.get(instruction.start, []):
        edits.write_names(pairs)
    for word in cache_words:
        edits.replace(word, APT_LISTS)
        state.lists_removed = True
    installs_later = any(parse_apk(command).subcommand is not None and parse_apk(command).subcommand.value in ("add", "upgrade")
                         for command in calls)
    if start_names and installs_later:
        state.updated = state.installs = True  # the lists go at the end of the RUN, after every install
    for command in calls:
        call = parse_apk(command)
        yield from _rewrite_call(ctx, stage, call, state, edits, file)
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


def _rewrite_exec(ctx: RuleContext, stage: Stage, instruction: Instruction,
                  file: "FileState") -> Iterator[Edit | Finding]:
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
            result = yield from _package(ctx, stage, word.value, line, context)
            names.extend(name for name in result.names if name not in names)
            pip.extend(result.pip)
        virtual = call.option_value("-t", "--virtual")
        if virtual is not None:
            file.groups[virtual] = list(names)
        if names:
            shell.append(f"apt-get update && apt-get {INSTALL} {' '.join(names)}")
        if pip:
            shell.append(_pip_install(pip))
        if names:
            shell.append(f"rm -rf {APT_LISTS}")
    elif sub in ("del", "delete"):
        names = []
        for word in operands:
            if word.value in file.groups:
                found = file.groups[word.value]
            elif word.value.startswith("."):
                found = []
            else:
                result, findings = _resolve(ctx, stage, word.value, line, context)
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


def _package_variables(ctx: RuleContext, file: FileState) -> Iterator[Edit | Finding]:
    """Variables that hold apk's package lists: rewritten where they are
    defined when apk is all that reads them, else a question."""
    uses: dict[tuple[int | None, str], list[tuple[Stage, Instruction, tuple[int, int]]]] = {}
    in_run: dict[tuple[int, str], list[Definition]] = {}  # (RUN offset, name) -> its shell definitions
    for stage, instruction, script, command in ctx.commands():
        call = parse_apk(command) if command.name in APK_COMMANDS else None
        if call is None or not call.subcommand or call.subcommand.value not in ("add", "del", "delete"):
            continue
        for word in call.operands:
            name = reference(word.text) if word.value is None else None
            if name is None:
                continue
            local = (instruction.start, name)
            if local not in in_run:
                in_run[local] = shell_definitions(script, instruction, ctx.document, name)
            scope = local if in_run[local] else (None, name)
            uses.setdefault(scope, []).append((stage, instruction, script.file_span(word.start, word.end)))
    local_names = {(start, name) for start, name in uses if start is not None}
    for (start, name), apk_uses in uses.items():
        if start is not None:
            run = apk_uses[0][1]  # the RUN the variable belongs to
            definitions = in_run[(start, name)]
            seen = references(ctx.text, name, run.start, run.stop)
        else:
            definitions = build_definitions(ctx.document, name)
            shadowed = [uses[key][0][1] for key in local_names if key[1] == name]
            seen = [offset for offset in references(ctx.text, name)
                    if not any(r.start <= offset < r.stop for r in shadowed)]
        if not definitions:
            continue
        others = [offset for offset in seen if not any(a <= offset < b for _, _, (a, b) in apk_uses)]
        first = definitions[0]
        apk_line = ctx.line_of(apk_uses[0][2][0])
        if others:
            other_line = ctx.line_of(others[0])
            stays_alpine = any(not _stage_of(ctx, offset) for offset in others)
            answer = ctx.ask(Decision(
                key=f"{ID}:variable:{name}",
                rule=ID,
                question=(f"{name} (line {first.line}) lists packages for apk on line {apk_line}, and is also used "
                          f"on line {other_line}: rewrite its Alpine names to Debian ones where it is defined?"),
                options=(
                    Option("map", f"rewrite the names where {name} is defined (line {other_line} sees them too)"),
                    Option("keep", f"keep the Alpine names (apt-get fails on them; fix {name} by hand)"),
                ),
                recommended="keep" if stays_alpine else "map",
                line=first.line,
                context=ctx.line_text(apk_uses[0][2][0]),
            ))
            if answer == "keep":
                yield Finding(ID, first.line, f"{name} (line {first.line}) feeds apk on line {apk_line} and is also used "
                              f"on line {other_line}: its Alpine names are kept, apt-get will fail on them")
                continue
            yield Finding(ID, first.line, f"{name} (line {first.line}) feeds apk on line {apk_line} and is also used "
                          f"on line {other_line}: its names are now Debian's there too")
        stage = _stage_of(ctx, first.instruction.start) or apk_uses[0][0]
        held: list[str] = []
        for definition in definitions:
            pairs = []
            for word in definition.words:
                names = yield from _variable_word(ctx, stage, name, word.value, definition.line)
                pairs.append((word, names))
            held.extend(n for _, names in pairs for n in names if n not in held)
            pairs = [_quoted_if_unquoted(definition, word, names) for word, names in pairs]
            if start is not None:
                file.assignments.setdefault(start, []).append(pairs)
            else:
                plan = Edits(ctx, definition.instruction, definition.source)
                plan.write_names(pairs)
                yield from plan.render()
        file.variables[(start, name)] = held
        if not others:
            yield Finding(ID, first.line, f"{name} holds packages for apk (line {apk_line}): its names are now Debian's",
                          Severity.INFO)


def _quoted_if_unquoted(definition: Definition, word: Word, names: list[str]) -> tuple[Word, list[str]]:
    """`X=libxslt` written without quotes holds one word: two Debian names
    there (`libxslt1.1 xsltproc`) need quotes, or ENV reads a second pair
    and the shell a command."""
    text = definition.source.text
    quoted = word.start > 0 and text[word.start - 1] in "\"' \t" or _inside_quotes(text, word.start)
    if quoted or len(dict.fromkeys(names)) < 2:
        return word, names
    return word, ['"' + " ".join(dict.fromkeys(names)) + '"']


def _inside_quotes(text: str, end: int) -> bool:
    """Whether text[end] lies inside a quote opened before it (a value whose
    closing quote is missing runs on into the next words)."""
    quote = ""
    index = 0
    while index < end:
        char = text[index]
        if quote != "'" and char == "\\":
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "\"'":
            quote = char
        index += 1
    return bool(quote)


def _variable_word(ctx: RuleContext, stage: Stage, variable: str, value: str, line: int):
    """The Debian names for one name in a package variable (a generator:
    findings are yielded, the names returned)."""
    result = yield from _package(ctx, stage, value, line, ctx.document.lines[line - 1].content(ctx.text))
    if result.pip:
        yield Finding(ID, line, f"{_unpinned(value)} in {variable} stands for pip install {' '.join(result.pip)}, which a package "
                      "list cannot say: removed from it, install that with pip")
    return result.names


def _stage_of(ctx: RuleContext, offset: int) -> Stage | None:
    """The migrated stage an offset lies in, if any."""
    for stage in ctx.migrated():
        if any(i.start <= offset < i.stop for i in [stage.instruction, *stage.instructions]):
            return stage
    return None


def _removes_lists(script: ShellScript) -> bool:
    return any(
        command.name == "rm" and any((w.value or "").startswith("/var/lib/apt/lists") for w in command.words)
        for command in script.commands
    )


def _rewrite_call(ctx: RuleContext, stage: Stage, call: ApkCall, state: RunState,
                  edits: "Edits", file: "FileState") -> Iterator[Edit | Finding]:
    command = call.command
    line = edits.line(command.words[0])
    sub = call.subcommand.value if call.subcommand else None
    if sub == "add":
        yield from _add(ctx, stage, call, state, edits, file, line)
    elif sub in ("del", "delete"):
        yield from _delete(ctx, stage, call, edits, file, line)
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
            yield Finding(ID, line, "apk upgrade of named packages became a full apt-get upgrade")
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
        yield Finding(ID, line, "dpkg --print-architecture prints Debian names (amd64, arm64), not apk's (x86_64, aarch64)")
    else:
        what = f"apk {sub}" if sub else "this apk command"
        yield Finding(ID, line, f"{what} has no apt-get equivalent; left as is")


def _add(ctx: RuleContext, stage: Stage, call: ApkCall, state: RunState, edits: "Edits",
         file: "FileState", line: int) -> Iterator[Edit | Finding]:
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
    local = [word for word in call.operands if (word.value or "").endswith(".apk") or (word.value or "").startswith(("./", "/"))]
    if local:
        yield Finding(ID, line, f"apk add of the local file {local[0].text} cannot be migrated; left as is")
        return
    resolved: list[tuple[Word, Resolved | None]] = []
    group: list[str] = []  # every Debian name, in the order of the operands
    context = edits.context(call.command)  # the line(s) a question shows, once per command
    for word in call.operands:
        pinned = variable_pinned(word)
        if pinned is not None:
            result = yield from _package(ctx, stage, pinned, line, context)
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
        result = yield from _package(ctx, stage, word.value, line, context)
        resolved.append((word, result))
        group.extend(result.names)
    names = [n for _, result in resolved if result for n in result.names]
    pip = [p for _, result in resolved if result for p in result.pip]
    kept = any(result is None for _, result in resolved)
    virtual = call.option_value("-t", "--virtual")
    if virtual is not None:
        file.groups[virtual] = list(dict.fromkeys(group))  # not what is needed later: `apk del` keeps that
    needed = [name for name in file.places.by_command.get(edits.span(call.command)[0], ()) if name not in names]
    if not names and not kept and not needed:
        if pip:
            edits.replace(call.command, _pip_install(pip))
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
        edits.append(call.command, " && " + _pip_install(pip))
    state.updated = state.installs = True


def _pip_install(projects: list[str]) -> str:
    return "pip install --no-cache-dir " + " ".join(projects)


def _delete(ctx: RuleContext, stage: Stage, call: ApkCall, edits: "Edits",
            file: "FileState", line: int) -> Iterator[Edit | Finding]:
    targets: list[tuple[Word, list[str]]] = []
    kept = False
    for word in call.operands:
        pinned = variable_pinned(word)
        value = word.value if pinned is None else _unpinned(pinned)
        if value is None:
            kept = True
            if file.held(edits.instruction, word) is None:
                yield Finding(ID, line, f"{word.text} is kept as is: its Alpine names are not migrated")
        elif value in file.groups:
            targets.append((word, file.groups[value]))
        elif value.startswith("."):
            yield Finding(ID, line, f"apk del {value}: no apk add --virtual {value} was found; removed")
            targets.append((word, []))
        else:
            result, findings = _resolve(ctx, stage, value, line, edits.context(call.command))
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


def _package(ctx: RuleContext, stage: Stage, value: str, line: int, context: str):
    """Debian names (or PyPI projects) for one package word as written, its
    version pin removed (a generator: findings are yielded, the names returned)."""
    name = _unpinned(value)
    if name != value:
        yield Finding(ID, line, f"version pin {value} removed: Alpine versions mean nothing to Debian")
    result, findings = _resolve(ctx, stage, name, line, context)
    yield from findings
    return result


def variable_pinned(word: Word) -> str | None:
    """`name=$V` as written (quotes removed) when the word is a literal name
    pinned to a version that expands a variable; None otherwise."""
    if word.value is not None:
        return None
    match = _VARIABLE_PIN.match(word.text)
    return match.group(2) + match.group(3) if match else None


def _unpinned(value: str) -> str:
    pin = _PIN.match(value)
    return pin.group(1) if pin else value


def _resolve(ctx: RuleContext, stage: Stage, name: str, line: int, context: str) -> tuple[Resolved, list[Finding]]:
    """Debian names (or PyPI projects) for one Alpine package name."""
    if ctx.wheels is not None and _wheel_plan(ctx).dropped(stage, name):
        return Resolved(), []  # build-only, and wheels made it unnecessary: UA601 says why
    base = stage.kind
    mapping = ctx.table.lookup(name, ctx.suite, base)
    findings: list[Finding] = []
    if mapping.kind == "map":
        result = Resolved(list(mapping.names))
        if mapping.source != "builtin":
            findings.extend(_missing(ctx, result.names, line, f"from {mapping.source}"))
        return result, findings
    if mapping.kind == "drop":
        findings.append(Finding(PACKAGE_ID, line, f"dropped {name}: {mapping.why}", Severity.INFO))
        return Resolved(), findings
    if mapping.kind == "unknown" and ctx.strict:
        raise InputError(f"unknown Alpine package '{name}' (--strict); add it with --mappings", line=line)
    options = [Option(choice.value, choice.label) for choice in mapping.choices]
    question = f"{name}: {mapping.why}" if mapping.why else f"What should {name} become?"
    if mapping.kind == "unknown":
        options.append(Option("other", "type the Debian name(s) yourself", free_text=True))
        question = mapping.why if mapping.why.startswith(name) else f"{name} is not in the mapping table. {mapping.why}".strip()
    answer = ctx.ask(Decision(
        key=f"{PACKAGE_ID}:{name}:{base}:{ctx.suite}",
        rule=PACKAGE_ID,
        question=question,
        options=tuple(options),
        recommended=mapping.recommended or "keep",
        line=line,
        context=context,
    ))
    if answer == "keep":
        findings.append(_kept(ctx, name, line))
        return Resolved([name]), findings
    choice = next((c for c in mapping.choices if c.value == answer), None)
    if choice is not None:
        if not choice.names and not choice.pip:
            findings.append(Finding(PACKAGE_ID, line, f"dropped {name}: {choice.why or choice.label}", Severity.INFO))
        return Resolved(list(choice.names), list(choice.pip)), findings
    # free text typed for "other" ("other" itself, with nothing typed, installs nothing)
    typed = [] if answer == "other" else answer.split()
    findings.extend(_missing(ctx, typed, line, "typed"))
    return Resolved(typed), findings


def _wheel_plan(ctx: RuleContext):
    """The wheel check's plan (imported only for a file the check gathered for)."""
    from migrator.wheels.plan import plan_of

    return plan_of(ctx)


def _kept(ctx: RuleContext, name: str, line: int) -> Finding:
    if name in DebianIndex.load(ctx.suite):
        return Finding(PACKAGE_ID, line, f"kept the Alpine name {name}: Debian {ctx.suite} has a package of that name, check it is the same thing")
    return Finding(PACKAGE_ID, line, f"kept the Alpine name {name}, which is not a package in Debian {ctx.suite}: "
                                     "apt-get install will fail until it is mapped (--mappings) or answered")


def _missing(ctx: RuleContext, names: list[str], line: int, where: str) -> list[Finding]:
    index = DebianIndex.load(ctx.suite)
    return [
        Finding(PACKAGE_ID, line, f"{name} ({where}) is not a package in Debian {ctx.suite}")
        for name in names if name not in index
    ]


class Edits(RunPlan):
    """The planned changes of one RUN, with apk's helpers; `render` turns
    them into edits that cannot overlap."""

    def __init__(self, ctx: RuleContext, instruction: Instruction, script: ShellScript | LogicalLine):
        super().__init__(ctx.document, instruction, script, ID)
        self.ctx = ctx

    def line(self, word: Word) -> int:
        return self.ctx.line_of(self.span(word)[0])

    def context(self, command: Command) -> str:
        start, end = self.span(command)
        first = self.text.rfind("\n", 0, start) + 1
        last = self.text.find("\n", end)
        return self.text[first : len(self.text) if last < 0 else last].rstrip("\r")

    def write_names(self, words: list[tuple[Word, list[str]]]) -> list[str]:
        """Each package word becomes its Debian names, each name written once
        per command (curl and ca-certificates may both bring one); a word
        left with no name goes. Returns the names written."""
        written: list[str] = []
        for word, names in words:
            fresh = [name for name in dict.fromkeys(names) if name not in written]
            written.extend(fresh)
            if fresh == [word.value]:
                continue  # kept as written, quotes and escapes included
            if fresh:
                self.replace(word, " ".join(fresh))
            else:
                self.delete(word)
        return written

    def drop_options(self, call: ApkCall) -> None:
        for word, value in call.options:
            self.delete(word)
            if value is not None:
                self.delete(value)
