"""UA302 busybox-applets: programs Alpine gave that the Debian image lacks get installed.

On Alpine, busybox gives ~300 programs (wget, nc, ping, ps, xxd, less,
unzip, ...) without any package. Debian's slim images have few of them, so
a RUN, a HEALTHCHECK or a CMD that runs one fails, at build or at run time.
(Tools an Alpine package carried that Debian packages apart, like old
libcap's setcap, are the package mapping's: it names libcap2-bin too.)

For every program a migrated stage runs (migrator.programs reads RUN, CMD,
ENTRYPOINT and HEALTHCHECK), counting what the stages it is built on
installed: when Alpine had it and the Debian image will not (its base
programs, migrator.debian.commands, plus what the stage's installs ship),
the Debian package that ships it (Debian's Contents index, the package apt
ranks first) is installed before the use, through migrator.installs.
It is a question with that fix recommended (--yes takes it); refused, a
warning stays.

`busybox wget ...` (and `["busybox", "wget", ...]`) becomes the real
program, installed where needed; where Debian has no such program, Debian's
busybox package is installed instead and the command kept.

Programs other rules rewrite are left to them: ash (UA301), adduser and
friends (UA401), crond and crontab (UA304).
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.debian.commands import CommandIndex, busybox_applets, image_programs, python_image_program
from migrator.installs import Need, provides
from migrator.lazy_pattern import LazyPattern
from migrator.programs import BUILTINS, Use, uses
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules import rule
from migrator.apk_commands import APK_COMMANDS, parse_apk

ID = "UA302"

# Programs whose Debian form is a rewrite another rule makes, not an install.
OWNED = {"ash": "UA301", "adduser": "UA401", "addgroup": "UA401", "deluser": "UA401", "delgroup": "UA401",
         "crond": "UA304", "crontab": "UA304"}
_NOT_TWINS = {"busybox", "busybox-static"}
_EXEC_BUSYBOX = LazyPattern(r'"(?:/bin/)?busybox"\s*,\s*')
# The instructions programs.uses reads; only RUN installs (apk add).
_RUNS_SOMETHING = frozenset(("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"))


class _Plan:
    def __init__(self) -> None:
        self.needs: list[Need] = []
        self.items: list[Edit | Finding] = []


_PLAN = object()  # the key of this context's plan in RuleContext.memo


@provides
def _needs(ctx: RuleContext) -> list[Need]:
    return _plan(ctx).needs


@rule(ID, "busybox-applets", "Install the Debian package of each program busybox (or an Alpine package) gave")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    yield from _plan(ctx).items


def _plan(ctx: RuleContext) -> _Plan:
    plan = ctx.memo.get(_PLAN)
    if plan is None:
        plan = ctx.memo[_PLAN] = _Plan()
        for stage in ctx.migrated():
            _stage(ctx, stage, plan)
    return plan


class _Seen:
    """What a stage chain has installed so far, on each side."""

    def __init__(self, ctx: RuleContext, stage: Stage):
        self.ctx = ctx
        self.stage = stage
        self.alpine: list[str] = []  # apk names, in order
        self.debian: set[str] = set()  # Debian names they become
        root = stage.root
        self.base = "python" if stage.kind == "python" else "debian"
        self.have = image_programs(ctx.suite, self.base)
        self.image = _image_name(ctx, root)

    @property
    def index(self) -> CommandIndex:
        # Loaded only for a program the base image lacks: most files never need it.
        return CommandIndex.load(self.ctx.suite)

    def add(self, apk_name: str) -> None:
        self.alpine.append(apk_name)
        self.debian.update(_debian_names(self.ctx, self.stage, apk_name))

    def has(self, program: str) -> bool:
        if program in self.have or (self.base == "python" and python_image_program(program)):
            return True
        # The index lists every package that ships the program: the stage has
        # it when it installs any of them.
        return bool(self.debian) and any(package in self.debian for package in self.index.packages(program))


def _stage(ctx: RuleContext, stage: Stage, plan: _Plan) -> None:
    seen = _Seen(ctx, stage)
    chain = stage.lineage()[:0:-1]  # the stages it is built on, the first first
    for _, _, script, command in ctx.commands(chain):  # what the stages it is built on install, all of it
        for _, name in _apk_added(script, command):
            seen.add(name)
    decided: dict[str, str] = {}  # program -> the package (or "") chosen in this stage
    for instruction in stage.instructions:
        if instruction.command not in _RUNS_SOMETHING:
            continue  # (most instructions: neither uses nor installs a program)
        script = ctx.script(instruction)
        found = uses(instruction, ctx.text, script)
        adds = _apk_adds(script)
        for use in found:
            while adds and adds[0][0] < use.offset:
                seen.add(adds.pop(0)[1])
            _use(ctx, stage, seen, use, decided, plan)
        for _, name in adds:
            seen.add(name)


def _use(ctx: RuleContext, stage: Stage, seen: _Seen, use: Use, decided: dict[str, str], plan: _Plan) -> None:
    program = use.program
    if program in OWNED or program in BUILTINS or program in APK_COMMANDS:
        return
    through_busybox = use.busybox is not None
    if seen.has(program) and not through_busybox:
        return
    evidence = _alpine_had(ctx, seen, program)
    if evidence is None and not through_busybox:
        return  # Alpine did not have it either, or it is not Debian's to give (--verify may say)
    line = ctx.line_of(use.offset)  # (only now: most uses end above)
    twins = [p for p in seen.index.packages(program) if p not in _NOT_TWINS or program == "busybox"]
    package = "" if seen.has(program) else (_installed_twin(seen, twins) or (twins[0] if twins else ""))
    if through_busybox:
        _busybox(ctx, stage, seen, use, package, twins, plan, line)
        return
    if not twins:
        how = (f"run it as `busybox {program}` with Debian's busybox package, or replace it"
               if program in busybox_applets() else "install it another way, or replace it")
        plan.items.append(Finding(ID, line, f"{program} {evidence}; no Debian {ctx.suite} package ships "
                                            f"a program of that name: {how}"))
        return
    if program in decided:
        if decided[program]:
            plan.needs.append(Need(stage, use.offset, decided[program], ID, program))
        return
    answer = ctx.ask(Decision(
        key=f"{ID}:install:{program}:{stage.instruction.line}",
        rule=ID,
        question=(f"{program} (line {line}) {evidence}; {seen.image} has no {program}: Debian {ctx.suite}'s "
                  f"{package} ships it (Contents index). Install {package} before line {line}?"),
        options=(
            Option("install", f"install {package} in this stage before line {line}"),
            Option("leave", f"leave it out ({program} will be missing where line {line} runs it)"),
        ),
        recommended="install",
        line=line,
        context=ctx.line_text(use.offset),
    ))
    if answer != "install":
        decided[program] = ""
        plan.items.append(Finding(ID, line, f"{program} {evidence}; {seen.image} has no {program}: install {package} "
                                            "(left out, as answered)"))
        return
    decided[program] = package
    plan.needs.append(Need(stage, use.offset, package, ID, program))
    plan.items.append(Finding(ID, line, f"{program} {evidence}; {seen.image} has none: installs {package}", Severity.INFO))


def _busybox(ctx: RuleContext, stage: Stage, seen: _Seen, use: Use, package: str, twins: list[str],
             plan: _Plan, line: int) -> None:
    """`busybox PROGRAM ...`: the real program where Debian has one, else
    Debian's busybox package."""
    program = use.program
    # Only what Alpine's busybox itself ran has a twin worth the name (httpd
    # is busybox-extras', and Debian's httpd packages are other servers).
    real = (seen.has(program) or bool(twins)) and program in busybox_applets()
    package = package if real else ""
    options = []
    if real:
        what = f"install {package} and " if package else ""
        options.append(Option("real", f"{what}run {program} itself (drop `busybox`)"))
    options.append(Option("busybox", "install Debian's busybox package and keep the command"))
    options.append(Option("keep", "leave it as is (busybox is not in the Debian image)"))
    answer = ctx.ask(Decision(
        key=f"{ID}:busybox:{program}:{line}",
        rule=ID,
        question=(f"line {line} runs {program} through busybox, which {seen.image} does not have"
                  + (f"; Debian's {package} ships {program}" if package else f"; {program} is in the image" if real
                     else f"; Debian has no {program} that busybox's stands for")),
        options=tuple(options),
        recommended=options[0].value,
        line=line,
        context=ctx.line_text(use.offset),
    ))
    if answer == "real" and real:
        span = _busybox_span(ctx, use)
        if span is None:
            answer = "busybox"
        else:
            plan.items.append(Edit(span[0], span[1], "", ID))
            if package:
                plan.needs.append(Need(stage, use.offset, package, ID, program))
            plan.items.append(Finding(ID, line, f"busybox {program} became {program}"
                                                + (f" (installs {package})" if package else ""), Severity.INFO))
            return
    if answer == "busybox":
        plan.needs.append(Need(stage, use.offset, "busybox", ID, "busybox"))
        plan.items.append(Finding(ID, line, f"installs Debian's busybox package for `busybox {program}`", Severity.INFO))
        return
    plan.items.append(Finding(ID, line, f"busybox {program} left as is: {seen.image} has no busybox"))


def _busybox_span(ctx: RuleContext, use: Use) -> tuple[int, int] | None:
    """The file span of the `busybox` word and the blanks after it."""
    if not use.exec_form:
        return use.busybox
    instruction = use.instruction
    start = instruction.command_start or 0
    found = _EXEC_BUSYBOX.search(instruction.logical.text, start)
    if found is None:
        return None
    return instruction.file_span(found.start(), found.end())


def _alpine_had(ctx: RuleContext, seen: _Seen, program: str) -> str | None:
    """Why the Alpine image had `program`, or None if it did not."""
    if program in busybox_applets() or program == "busybox":
        return "came with busybox on Alpine"
    if program in seen.alpine and program not in seen.debian:  # (Debian's package of that name brings it)
        return f"came with Alpine's {program} package"
    return None


def _installed_twin(seen: _Seen, twins: list[str]) -> str:
    return next((p for p in twins if p in seen.debian), "")


def _debian_names(ctx: RuleContext, stage: Stage, apk_name: str) -> list[str]:
    """The Debian names an apk package becomes (the recommended answer
    where there is a question)."""
    if ctx.wheels is not None:
        plan = ctx.wheel_plan  # built by the first ask of the round (an import statement costs, once per name)
        if plan is None:
            from migrator.wheels.plan import plan_of  # (only for a file the wheel check gathered for)

            plan = plan_of(ctx)
        if plan.dropped(stage, apk_name):
            return []
    mapping = ctx.table.lookup(apk_name, ctx.suite, stage.kind)
    if mapping.kind == "map":
        return list(mapping.names)
    for choice in mapping.choices:
        if choice.value == mapping.recommended:
            return list(choice.names)
    return []


def _apk_adds(script) -> list[tuple[int, str]]:
    """The apk names a RUN's `apk add`s install: (offset, name) pairs in order."""
    found = []
    for command in script.commands if script is not None and not script.has_errors else ():
        found.extend(_apk_added(script, command))
    found.sort(key=lambda pair: pair[0])
    return found


def _apk_added(script, command) -> list[tuple[int, str]]:
    """The apk names one command installs, if it is an `apk add`: (its file
    offset, name) pairs."""
    if command.name not in APK_COMMANDS:
        return []
    call = parse_apk(command)
    if call.subcommand is None or call.subcommand.value != "add":
        return []
    offset = script.file_span(command.start, command.end)[0]
    found = []
    for word in call.operands:
        value = word.value
        if value and not value.startswith(("/", "./")) and not value.endswith(".apk"):
            name = _UNPINNED.get(value)
            if name is None:
                name = _UNPINNED[value] = value.split("=")[0].split(">")[0].split("<")[0].split("~")[0].split("@")[0]
            found.append((offset, name))
    return found


# An apk word -> its name without version or repository pin. Kept per process:
# the answer depends only on the word, and a fleet writes the same few
# hundred words (gcc, musl-dev) file after file.
_UNPINNED: dict[str, str] = {}


def _image_name(ctx: RuleContext, root: Stage) -> str:
    suite = root.suite or ctx.image_suite
    if root.new_image:
        return root.new_image
    if root.spec is None:
        return f"debian:{suite}-slim"
    return f"{root.spec.name}:{root.spec.tag(root.version, suite)}"
