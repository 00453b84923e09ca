"""Install a Debian package in a migrated stage before the line that needs it;
and what a stage surely installs already.

Rules that find something a stage uses and the Debian image lacks (a program
busybox gave, cron, adduser on trixie, python3-venv) do not write apt-get
commands themselves: they state the need, and the apk rule (UA201), which
already writes every install of a migrated stage, places it. One writer per
RUN is what keeps the edits from fighting.

How to call it, from a rule module::

    from migrator.installs import Need, provides

    @provides
    def _needs(ctx: RuleContext) -> Iterator[Need]:
        for stage in ctx.migrated():
            ...
            if ctx.ask(Decision(key=..., rule=ID, ...)) == "install":
                yield Need(stage, offset, "cron", ID)

A provider is called once per round, the first time any rule asks for the
needs (the apk rule runs first, by id), so it must not depend on other rules
having run; it may ask questions like a rule does. Its rule's own check
yields the Findings about it (call a memoised helper from both if they share
work). `offset` is the file offset of the use: the command word in a RUN,
the instruction's start for CMD/ENTRYPOINT/HEALTHCHECK. `why` is for the
report only.

Where the package goes (`placements`, which the apk rule calls):

1. into the last install of the stage that runs before the use and always
   runs (an `apk add` the rule rewrites, or an `apt-get install` already
   there; not one inside an `if`, a loop or after `||`): the name is
   appended after its last package word;
2. else, when the use is in a shell-form RUN, into that RUN: `apt-get update
   && apt-get install -y --no-install-recommends P && rm -rf
   /var/lib/apt/lists/* && ` before its first statement (the lists cleanup
   is left out when the RUN already removes them, or the apk rule adds it
   at the end);
3. else (CMD, ENTRYPOINT, HEALTHCHECK, exec-form RUN) a new RUN line of that
   install, before the use, or before the stage's first USER that comes
   before it (apt-get needs root).

Names already installed there are not written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from migrator.apk_commands import APK_COMMANDS, parse_apk
from migrator.context import RuleContext, Stage
from migrator.records import Record
from migrator.shell import Command, ShellScript


class Need(Record):
    """Package `package` must be installed in `stage` before file offset
    `offset`, asked for by rule `rule`."""

    __slots__ = ("stage", "offset", "package", "rule", "why")

    def __init__(self, stage: Stage, offset: int, package: str, rule: str, why: str = ""):
        self.stage = stage
        self.offset = offset
        self.package = package
        self.rule = rule
        self.why = why


_PROVIDERS: list[Callable[[RuleContext], Iterable[Need]]] = []


def provides(provider: Callable[[RuleContext], Iterable[Need]]) -> Callable[[RuleContext], Iterable[Need]]:
    """Register a function of the context that yields Needs."""
    _PROVIDERS.append(provider)
    return provider


_NEEDS = object()  # the key of this round's needs in RuleContext.memo
_BUSY = object()


def needs(ctx: RuleContext) -> list[Need]:
    """Every provider's needs for this round (worked out once per context).
    The providers register when their rule modules are imported: the caller
    (the apk rule) has them all imported first (migrator.rules.all_rules)."""
    found = ctx.memo.get(_NEEDS)
    if found is _BUSY:
        raise RuntimeError("an install provider asked for the needs while they were being worked out")
    if found is None:
        ctx.memo[_NEEDS] = _BUSY
        found = []
        try:
            for provider in _PROVIDERS:
                found.extend(provider(ctx))
        finally:
            ctx.memo[_NEEDS] = found
    return found


def installed(ctx: RuleContext, stage: Stage) -> set[str]:
    """Debian packages the stage and the stages it builds on install: the
    names the table maps their `apk add` words to, and `apt-get install`
    words already there."""
    names: set[str] = set()
    for stage, _, _, command in ctx.commands(stage.lineage()):
        if command.name in APK_COMMANDS:
            call = parse_apk(command)
            if call.subcommand is not None and call.subcommand.value == "add":
                for word in call.operands:
                    mapping = ctx.table.lookup(word.value, ctx.suite, stage.kind) if word.value else None
                    if mapping is not None and mapping.kind == "map":
                        names.update(mapping.names)
        elif command.name in ("apt-get", "apt"):
            names.update(word.value for word in command.words[1:] if word.value)
    return names


# -- where the apk rule writes them --------------------------------------------


class Placements(Record):
    """Where each needed package is written (see migrator.installs):
    after the package words of an install command (by the command's file
    offset), at the start of a RUN's script (by the RUN's offset: the
    insertion offset and names), or as a new RUN line (by file offset)."""

    __slots__ = ("by_command", "in_run", "new_runs")

    def __init__(self) -> None:
        self.by_command: dict[int, list[str]] = {}
        self.in_run: dict[int, tuple[int, list[str]]] = {}
        self.new_runs: dict[int, list[str]] = {}


# Shell nodes an install command may sit in and still always run before
# what follows it.
_UNCONDITIONAL = {"program", "list", "redirected_statement"}


def placements(ctx: RuleContext) -> Placements:
    """Where the packages other rules need go (migrator.installs
    says how it is decided)."""
    places = Placements()
    placed: dict[tuple[int, str], int] = {}  # (stage, package) -> the earliest offset it is installed at
    made_in: dict[int, list[tuple[int, list[str]]]] = {}  # stage -> installs added so far: (offset, their names)
    for need in needs(ctx):
        stage, offset = need.stage, need.offset
        use = next((i for i in stage.instructions if i.start <= offset < i.stop), None)
        key = (stage.index, need.package)
        if use is None or placed.get(key, offset) < offset:
            continue  # installed before this use already
        command = last_install(ctx, stage, offset)
        if command is not None:
            _add_name(places.by_command.setdefault(command, []), need.package)
            placed[key] = min(placed.get(key, command), command)
            continue
        made = [(at, names) for at, names in made_in.get(stage.index, []) if at < offset]
        if made:  # an install this plans before the use already: one more name there
            at, names = made[-1]
            _add_name(names, need.package)
            placed[key] = min(placed.get(key, at), at)
            continue
        script = ctx.script(use)
        if script is not None and not script.has_errors:
            first = _first_statement(script)
            if first is not None:
                at, names = places.in_run.setdefault(use.start, (first, []))
                _add_name(names, need.package)
                placed[key] = min(placed.get(key, at), at)
                made_in.setdefault(stage.index, []).append((at, names))
                continue
        at = use.start
        for instruction in stage.instructions:
            if instruction.start >= use.start:
                break
            if instruction.keyword == "USER":
                at = instruction.start
                break
        names = places.new_runs.setdefault(at, [])
        _add_name(names, need.package)
        placed[key] = min(placed.get(key, at), at)
        made_in.setdefault(stage.index, []).append((at, names))
    return places


def _add_name(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)


def last_install(ctx: RuleContext, stage: Stage, offset: int) -> int | None:
    """The file offset of the last install command of `stage` that starts
    before `offset` and always runs, or None."""
    found = None
    for _, instruction, script, command in ctx.commands([stage]):
        if instruction.start >= offset:
            break
        start = script.file_span(command.start, command.end)[0]
        if start < offset and _installs(command) and _always_runs(command):
            found = start if found is None or start > found else found
    return found


def _installs(command: Command) -> bool:
    if command.name in APK_COMMANDS:
        call = parse_apk(command)
        return (call.subcommand is not None and call.subcommand.value == "add"
                and not any((w.value or "").endswith(".apk") or (w.value or "").startswith(("./", "/")) for w in call.operands))
    return command.name in ("apt-get", "apt") and "install" in [word.value for word in command.words[1:]]


def _always_runs(command: Command) -> bool:
    """Not inside an `if`, a loop, a function, a subshell or a substitution,
    nor after `||`."""
    node = command.node
    while node.parent is not None:
        parent = node.parent
        if parent.type not in _UNCONDITIONAL:
            return False
        if parent.type == "list":
            children = parent.children
            index = next(i for i, child in enumerate(children) if child.id == node.id)
            if index > 0 and children[index - 1].type == "||":
                return False
        node = parent
    return True


def _first_statement(script: ShellScript) -> int | None:
    """File offset of the script's first statement."""
    statements = [child for child in script.tree.root_node.named_children if child.type != "comment"]
    if not statements:
        return None
    start = script.span(statements[0])[0]
    return script.file_span(start, start + 1)[0]
