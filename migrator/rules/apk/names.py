"""The Debian names (or PyPI projects) for Alpine package words: the
mapping table's answer, a question (UA202) where it cannot settle one, a
version pin removed, and what the wheel check made unnecessary."""

from __future__ import annotations

from migrator.context import RuleContext, Stage
from migrator.debian.name_index import DebianIndex
from migrator.errors import InputError
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Decision, Finding, Option, Severity
from migrator.records import Record
from migrator.rules.apk.plan import ID, PACKAGE_ID
from migrator.shell import Word

# A version constraint on a package word: pkg=1.2-r0, pkg>=1.2, pkg~1.2, pkg<2, pkg@edge.
_PIN = LazyPattern(r"^([^=<>~@]+)([=<>~@].*)$")
# `name=$VERSION`, `"name>=${V}"`: a literal package name with a pin that
# expands a variable. The name is what apk installs; only a word whose *name*
# is a variable (`$PACKAGES`) is a package list.
_VARIABLE_PIN = LazyPattern(r'^("?)([A-Za-z0-9][A-Za-z0-9._+-]*)([=<>~][^"\s]*\$[^"\s]*)\1$')


class Resolved(Record):
    __slots__ = ("names", "pip")

    def __init__(self, names: list[str] | None = None, pip: list[str] | None = None):
        self.names = [] if names is None else names
        self.pip = [] if pip is None else pip


def package(ctx: RuleContext, stage: Stage, value: str, line: int, context: str):
    """Debian names (or PyPI projects) for one package word as written, its
    version pin removed (a generator: findings are yielded, the names returned)."""
    name = unpinned(value)
    if name != value:
        yield Finding(ID, line, f"version pin {value} removed: Alpine versions mean nothing to Debian")
    result, findings = resolve(ctx, stage, name, line, context)
    yield from findings
    return result


def variable_pinned(word: Word) -> str | None:
    """`name=$V` as written (quotes removed) when the word is a literal name
    pinned to a version that expands a variable; None otherwise."""
    if word.value is not None:
        return None
    match = _VARIABLE_PIN.match(word.text)
    return match.group(2) + match.group(3) if match else None


def unpinned(value: str) -> str:
    pin = _PIN.match(value)
    return pin.group(1) if pin else value


def resolve(ctx: RuleContext, stage: Stage, name: str, line: int, context: str) -> tuple[Resolved, list[Finding]]:
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
    if ctx.wheel_plan is not None:  # built this round: no import statement per package word
        return ctx.wheel_plan
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
