"""Which build-only packages a migrated stage no longer needs (UA601).

On Alpine, pip compiles every requirement that has no musllinux wheel, so
the file installs compilers, headers and cargo. On Debian, pip takes the
manylinux wheel when one exists for the image's Python, glibc and
architecture. When every requirement of a stage installs from a wheel on
every asked architecture, the stage's build-only packages go; when some
still build from source, exactly what those sdists need (mappings/wheels.toml)
stays. Anything uncertain (an unreadable requirement, an index that was not
asked, a project nobody knows the build needs of, another compiler user in
the stage) keeps every build package, and says why.

This is a pure function of the gathered evidence and the rule context: the
requirement files and the index were read before the rules ran.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache

from migrator.apk_commands import APK_COMMANDS, parse_apk
from migrator.data_files import data_dir
from migrator.images import image_table
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Decision, Option
from migrator.records import Record
from migrator.wheels.compat import GLIBC, MUSL, Choice, Target, choose
from migrator.datacache import MISSING

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.context import RuleContext, Stage
    from migrator.wheels.evidence import Evidence
    from migrator.wheels.requirements import Requirement

ID = "UA601"


class Knowledge:
    """mappings/wheels.toml, read."""

    __slots__ = ("build", "provides", "needs", "pure", "build_tools")

    def __init__(self, build: frozenset[str], provides: dict[str, tuple[str, ...]], needs: dict[str, tuple[str, ...]],
                 pure: frozenset[str], build_tools: frozenset[str]):
        self.build = build
        self.provides = provides
        self.needs = needs  # project -> Debian build packages
        self.pure = pure
        self.build_tools = build_tools  # requirements that mean the image compiles code itself

    def plain(self) -> tuple:
        """Its fields, for datacache (marshal: plain data only)."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def is_build(self, names: set[str]) -> bool:
        return any(name in self.build or name.endswith("-dev") for name in names)


@cache
def knowledge() -> Knowledge:
    """The table, parsed once per install (datacache keeps it: tomllib costs ~3 ms to import)."""
    from migrator.datacache import cached

    path = os.path.join(data_dir(), "wheels.toml")
    return cached("wheels-knowledge", [path, __file__], lambda: _read_knowledge(path), Knowledge.plain,
                  lambda plain: Knowledge(*plain))


def _read_knowledge(path: str) -> Knowledge:
    import tomllib

    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    sdists = data.get("sdist", {})
    return Knowledge(
        build=frozenset(data["build"]),
        provides={name: tuple(names) for name, names in data.get("provides", {}).items()},
        needs={name: tuple(entry.get("needs", ())) for name, entry in sdists.items() if "needs" in entry},
        pure=frozenset(name for name, entry in sdists.items() if entry.get("pure")),
        build_tools=frozenset(data.get("build_tools", ())),
    )


class Verdict(Record):
    __slots__ = ("requirement", "specifier", "targets", "alpine", "missing", "pure_python")

    def __init__(self, requirement: Requirement, specifier: str, targets: dict[str, Choice], alpine: dict[str, Choice],
                 missing: str = "", pure_python: bool = False):
        self.requirement = requirement
        self.specifier = specifier  # with constraints applied
        self.targets = targets  # arch -> what pip takes on the Debian image
        self.alpine = alpine  # arch -> what pip took on the Alpine original
        self.missing = missing  # why it was not checked
        self.pure_python = pure_python  # no release ever had a platform-specific wheel, and some had py3-none-any ones

    @property
    def builds(self) -> list[str]:
        # choice.builds read as the field it tests: a fleet asks this ~40,000
        # times per run, and a property is a Python call per choice
        return [arch for arch, choice in self.targets.items() if choice.wheel is None]


class StagePlan(Record):
    __slots__ = ("stage", "line", "suite", "python", "arches", "verdicts", "build_packages", "drops", "keeps",
                 "blocked", "answer")

    def __init__(self, stage: int, line: int, suite: str, python: str, arches: list[str]):
        self.stage = stage  # index of the root stage
        self.line = line  # its FROM line
        self.suite = suite  # the Debian suite its new image is built on
        self.python = python  # "3.8"
        self.arches = arches
        self.verdicts: list[Verdict] = []
        self.build_packages: dict[str, int] = {}  # apk name -> line of its apk add
        self.drops: dict[str, str] = {}  # apk name -> reason it goes
        self.keeps: dict[str, str] = {}  # apk name -> which requirement needs it
        self.blocked: list[str] = []  # why nothing is removed
        self.answer = ""  # "slim" or "keep" when a question was asked

    def describe_target(self) -> str:
        glibc = ".".join(map(str, GLIBC[self.suite]))
        return f"CPython {self.python} on Debian {self.suite} (glibc {glibc}; {', '.join(self.arches)})"


class WheelPlan:
    def __init__(self, stages: dict[int, StagePlan], evidence: "Evidence | None"):
        self.stages = stages
        self.evidence = evidence
        # whether any stage removes packages (build answers every question before it makes the plan)
        self._slim = any(plan.answer == "slim" for plan in stages.values())

    def dropped(self, stage: "Stage", apk_name: str) -> str | None:
        """Why `apk_name`, installed in `stage`, goes; None when it stays."""
        if not self._slim:  # asked for every apk name of every file: spare the walk to the root stage
            return None
        plan = self.stages.get(stage.root.index)
        if plan is None or plan.answer != "slim":
            return None
        return plan.drops.get(apk_name)

    def removed(self) -> list[str]:
        return sorted({name for plan in self.stages.values() if plan.answer == "slim" for name in plan.drops})


def plan_of(ctx: "RuleContext") -> WheelPlan:
    """Which build-only packages the stages no longer need: built once per
    round (it may ask the UA601 question) and kept on the context."""
    if ctx.wheel_plan is None:
        ctx.wheel_plan = build(ctx, ctx.wheels)
    return ctx.wheel_plan


def build(ctx: "RuleContext", evidence: "Evidence | None") -> WheelPlan:
    if evidence is None:
        return WheelPlan({}, None)
    plans: dict[int, StagePlan] = {}
    for stage in ctx.stages:
        if stage.parent is not None or stage.kind is None:
            continue
        group = [s for s in ctx.stages if s.root is stage]
        indexes = {s.index for s in group}
        requirements = [r for r in (*evidence.found.requirements, *evidence.dependencies) if r.stage in indexes]
        unreadable = [u for u in evidence.found.unreadable if u.stage in indexes]
        projects = [p for p in evidence.found.projects if p.stage in indexes]
        if not requirements and not unreadable and not projects:
            continue
        suite = stage.suite or ctx.image_suite
        python = _python(stage, suite)
        if python is None or suite not in GLIBC:
            continue  # not a python image nor alpine:* (node, ...), or not a Debian suite: no known interpreter
        plan = StagePlan(stage.index, stage.instruction.line, suite, python, _arches(stage, evidence.arches))
        plans[stage.index] = plan
        _collect_build_packages(ctx, group, plan)
        _judge(ctx, stage, evidence, requirements, plan)
        for item in unreadable:
            plan.blocked.append(f"{item.what} (line {item.line}) cannot be read: {item.why}")
        for project in projects:
            if project.compiled:
                plan.blocked.append(f"the project in {project.path} is built from source and {project.compiled}")
        _decide(ctx, stage, group, plan, evidence)
    return WheelPlan(plans, evidence)


_PIN = LazyPattern(r"[=<>~@]")  # where a version pin starts in an apk word
_PYTHON_MINOR = LazyPattern(r"(\d+\.\d+(?:\.\d+)?)")



def _python(stage: "Stage", suite: str) -> str | None:
    """The CPython the stage's new image runs; None when unknown."""
    if stage.spec is None:  # alpine:* moved to debian:<suite>-slim: Debian's own python3
        return image_table().debian_python.get(suite) if stage.kind == "debian" else None
    if stage.spec.name != "python":
        return None
    match = _PYTHON_MINOR.match(stage.python_version or "")
    if match:
        return match.group(1)
    return _newest_minor(suite, stage.python_version or "")


@lru_cache(maxsize=64)
def _newest_minor(suite: str, prefix: str) -> str | None:
    """python:3-alpine, python:alpine: the newest minor with an image for the
    suite (once per process: a fleet has many such tags)."""
    from migrator.images import python_minors

    from packaging.version import Version

    minors = [m for m in python_minors(suite) if m.startswith(prefix)]
    return max(minors, key=Version) if minors else None


def _arches(stage: "Stage", default: list[str]) -> list[str]:
    flag = stage.instruction.flag("platform")
    if flag and flag.value and "$" not in flag.value:
        arches = [p.split("/", 1)[1] for p in flag.value.split(",") if p.startswith("linux/")]
        if arches:
            return arches
    return list(default)


def _applies(marker: str, python: str, arch: str, memo) -> bool:
    """_marker_applies, from the memo when an earlier run evaluated it."""
    if memo is None:
        return _marker_applies(marker, python, arch)
    key = ("marker", marker, python, arch)
    applies = memo.get("marker", key)
    if applies is MISSING:
        applies = _marker_applies(marker, python, arch)
        memo.put("marker", key, applies)
    return applies


@lru_cache(maxsize=256)
def _marker_applies(marker: str, python: str, arch: str) -> bool:
    """Whether a requirement with this marker installs on the image; an
    unreadable marker does not exclude it. Once per process: a fleet's
    files carry the same markers."""
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(marker).evaluate(_environment(python, arch))
    except InvalidMarker:
        return True


@lru_cache(maxsize=256)
def _target(python: str, libc: str, version: tuple[int, int], arch: str) -> Target:
    numbers = [int(n) for n in python.split(".")]
    patch = numbers[2] if len(numbers) > 2 else 99  # the image carries the newest patch release
    return Target((numbers[0], numbers[1], patch), libc, version, arch)


def _environment(python: str, arch: str) -> dict[str, str]:
    numbers = python.split(".")
    machine = _target(python, "glibc", (2, 36), arch).machine
    return {
        "python_version": ".".join(numbers[:2]), "python_full_version": ".".join(numbers) if len(numbers) > 2 else f"{python}.99",
        "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": machine,
        "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": "",
    }


def _judge(ctx: "RuleContext", stage: "Stage", evidence: "Evidence", requirements: list["Requirement"],
           plan: StagePlan) -> None:
    constraints = evidence.found.constraints
    all_no_binary = evidence.found.no_binary
    pages, skipped = evidence.pages, evidence.skipped
    python, suite, arches, kind = plan.python, plan.suite, tuple(plan.arches), stage.kind  # the image, for every key
    seen: set[tuple[str, str]] = set()
    for requirement in requirements:
        name = requirement.name
        specifier = requirement.specifier
        constraint = constraints.get(name) if constraints else None
        if constraint:
            specifier = f"{specifier},{constraint}" if specifier else constraint
        if (name, specifier) in seen:
            continue
        seen.add((name, specifier))
        if skipped:
            judged = _judged(requirement, specifier, plan, evidence, kind)
            if judged is not None:
                plan.verdicts.append(Verdict(requirement, specifier, {}, {}, skipped))
            continue
        page = pages.get(name, ...)
        no_binary = bool(all_no_binary) and (":all:" in all_no_binary or name in all_no_binary)
        # A fleet judges the same requirement on the same image file after
        # file: the choices are worked out once per run (the client hands
        # out one Page per project per run: its identity names its files).
        key = (name, requirement.marker, specifier, python, suite, arches, kind, no_binary, id(page))
        known = _JUDGED.get(key)
        if known is None or known[0] is not page:
            if len(_JUDGED) > 4096:
                _JUDGED.clear()
            known = _JUDGED[key] = (page, _judged(requirement, specifier, plan, evidence, kind, page, no_binary))
        judged = known[1]
        if judged is not None:
            targets, alpine, missing, pure = judged
            # each verdict its own dicts: callers may add to them
            plan.verdicts.append(Verdict(requirement, specifier, dict(targets), dict(alpine), missing, pure))


# (requirement, image, page) -> (the page, what _judged said): per run, by the page's identity (kept alive here)
_JUDGED: dict[tuple, tuple] = {}


def _judged(requirement: "Requirement", specifier: str, plan: StagePlan, evidence: "Evidence", kind: str | None,
            page=None, no_binary: bool = False) -> tuple | None:
    """(targets, alpine, missing, pure_python) of a Verdict; None when the
    requirement is not installed on this image (its marker)."""
    arches = plan.arches
    if requirement.marker:
        arches = [arch for arch in arches if _applies(requirement.marker, plan.python, arch, evidence.memo)]
        if not arches:
            return None  # not installed on this image
    if evidence.skipped:
        return {}, {}, evidence.skipped, False
    if page is ...:
        return {}, {}, "the index was not asked", False
    if page is None:
        return {}, {}, "not found on the index", False
    targets: dict[str, Choice] = {}
    alpine: dict[str, Choice] = {}
    for arch in arches:
        targets[arch] = choose(page, specifier, _target(plan.python, "glibc", GLIBC[plan.suite], arch), no_binary,
                               evidence.memo)
        if kind == "python":
            alpine[arch] = choose(page, specifier, _target(plan.python, "musl", MUSL, arch), memo=evidence.memo)
    return targets, alpine, "", page.pure


def _collect_build_packages(ctx: "RuleContext", group: list["Stage"], plan: StagePlan) -> None:
    """The build-only apk packages the stages of `group` add, and whether
    something other than pip there compiles."""
    from migrator.wheels.requirements import OTHER_BUILDS

    for stage in group:
        for instruction in stage.instructions:
            script = ctx.script(instruction)
            if script is None:
                continue
            for command in script.commands:
                name = command.name or ""
                if name in OTHER_BUILDS or name.rsplit("/", 1)[-1] in OTHER_BUILDS:
                    plan.blocked.append(f"line {instruction.line} runs {name}, which may need the build packages too")
                if name not in APK_COMMANDS:
                    continue
                call = parse_apk(command)
                # options may come before the subcommand: `apk --no-cache add gcc`
                if call.subcommand is None or call.subcommand.value != "add":
                    continue
                for word in call.operands:
                    apk = _PIN.split(word.value or "", 1)[0]
                    if apk and _is_build(ctx, stage, apk):
                        plan.build_packages.setdefault(apk, instruction.line)


_BUILD: dict[tuple, tuple[object, bool]] = {}  # by the table's identity, as compat.choose by the page's


def _is_build(ctx: "RuleContext", stage: "Stage", apk: str) -> bool:
    """Whether an apk name (or a Debian name it maps to) is a build-only
    package; once per process for a name, suite and image kind."""
    key = (id(ctx.table), apk, ctx.suite, stage.kind or "python")
    known = _BUILD.get(key)
    if known is not None and known[0] is ctx.table:
        return known[1]
    if len(_BUILD) > 4096:
        _BUILD.clear()
    build = knowledge().is_build(_names(ctx, stage, apk))
    _BUILD[key] = (ctx.table, build)
    return build


def _names(ctx: "RuleContext", stage: "Stage", apk: str) -> set[str]:
    """An apk name and the Debian names it maps to."""
    mapping = ctx.table.lookup(apk, ctx.suite, stage.kind or "python")
    names = {apk, *mapping.names}
    for choice in mapping.choices:
        names.update(choice.names)
    return names


def _decide(ctx: "RuleContext", stage: "Stage", group: list["Stage"], plan: StagePlan, evidence: "Evidence") -> None:
    known = knowledge()
    needed: dict[str, list[str]] = {}  # Debian build package -> requirements that need it
    for verdict in plan.verdicts:
        name = verdict.requirement.name
        if name in known.build_tools:
            plan.blocked.append(f"{verdict.requirement.text} is a build tool: this image compiles code with it")
            continue
        if verdict.missing:
            plan.blocked.append(f"{verdict.requirement.text}: {verdict.missing}")
            continue
        unmatched = [arch for arch, choice in verdict.targets.items() if choice.version is None]
        if unmatched and verdict.requirement.parent:
            continue  # read from the parent's newest release; the one this Python takes need not want it
        if unmatched:
            plan.blocked.append(f"{verdict.requirement.text}: {verdict.targets[unmatched[0]].why}")
            continue
        if name in known.pure:
            continue
        builds = verdict.builds
        if not builds:
            continue
        if name not in known.needs and verdict.pure_python:
            continue
        if name not in known.needs:
            plan.blocked.append(f"{verdict.requirement.text} builds from source ({verdict.targets[builds[0]].why}) "
                                "and unalpine does not know which packages its build needs")
            continue
        for package in known.needs[name]:
            needed.setdefault(package, []).append(name)
    if plan.blocked or not plan.build_packages:
        return
    for apk in plan.build_packages:
        names = _names(ctx, stage, apk)
        for name in list(names):
            names.update(known.provides.get(name, ()))
        users = sorted({user for name in names for user in needed.get(name, ())})
        if users:
            plan.keeps[apk] = f"{', '.join(users)} build{'s' if len(users) == 1 else ''} from source and need{'s' if len(users) == 1 else ''} them"
        else:
            plan.drops[apk] = ("build-only, and no requirement builds from source on " if not needed
                               else "build-only, and what still builds from source does not need it on ")
            plan.drops[apk] += plan.describe_target()
    if not plan.drops:
        return
    wheels = sum(1 for v in plan.verdicts if not v.builds)
    builds = [v.requirement.name for v in plan.verdicts
              if v.builds and v.requirement.name not in known.pure and not v.pure_python]
    pulled = sum(1 for v in plan.verdicts if v.requirement.parent)
    question = (f"{wheels} of {len(plan.verdicts)} requirement{'s' if len(plan.verdicts) != 1 else ''}"
                f"{f' ({pulled} of them dependencies)' if pulled else ''} install from wheels on {plan.describe_target()}")
    if builds:
        question += f"; {', '.join(builds)} still build{'s' if len(builds) == 1 else ''} from source"
    question += f". Remove the build-only packages {' '.join(plan.drops)}?"
    plan.answer = ctx.ask(Decision(
        key=f"{ID}:slim:{','.join(sorted(plan.drops))}",
        rule=ID,
        question=question,
        options=(
            Option("slim", "remove them: pip installs wheels and needs no compiler for them"),
            Option("keep", "keep them (something else in the image compiles code)"),
        ),
        recommended="slim",
        line=min(plan.build_packages[name] for name in plan.drops),
        context=ctx.instruction_text(stage.instruction),
    ))
