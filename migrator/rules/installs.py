"""Install a Debian package in a migrated stage before the line that needs it.

Rules that find something a stage uses and the Debian image lacks (a program
busybox gave, cron, adduser on trixie, python3-venv) do not write apt-get
commands themselves: they state the need, and the apk rule (UA201), which
already writes every install of a migrated stage, places it. One writer per
RUN is what keeps the edits from fighting.

How to call it, from a rule module::

    from migrator.rules.installs import Need, provides

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

Where the package goes (decided in migrator.rules.apk, `placements`):

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

import weakref
from collections.abc import Callable, Iterable

from migrator.context import RuleContext, Stage
from migrator.records import Record


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


_NEEDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BUSY = object()


def needs(ctx: RuleContext) -> list[Need]:
    """Every provider's needs for this round (worked out once per context)."""
    found = _NEEDS.get(ctx)
    if found is _BUSY:
        raise RuntimeError("an install provider asked for the needs while they were being worked out")
    if found is None:
        from migrator.rules import all_rules

        all_rules()  # the providers register when their rule modules are imported
        _NEEDS[ctx] = _BUSY
        found = []
        try:
            for provider in _PROVIDERS:
                found.extend(provider(ctx))
        finally:
            _NEEDS[ctx] = found
    return found
