"""The rewrite rules: one module each, registered by stable id.

A rule is a function of a `RuleContext` that yields `Edit`s and `Finding`s
over the original text. It asks questions through `ctx.ask(Decision)`, which
returns the answer when one is known and the recommended value otherwise (the
engine then resolves the pending questions and runs the rules again).
"""

from __future__ import annotations

import importlib
import os

from migrator.records import Frozen

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Callable, Iterable

    from migrator.context import RuleContext
    from migrator.proposals import Edit, Finding

    Check = Callable[[RuleContext], Iterable[Edit | Finding]]


class Rule(Frozen):
    """A registered rule: its stable `id` (e.g. "UA101"; users cite and
    document rules by it), a short slug `name` (e.g. "base-image"), a one-line
    summary, and its `check` function."""

    __slots__ = ()

    def __new__(cls, id, name, summary, check) -> Rule:
        return tuple.__new__(cls, (id, name, summary, check))


_REGISTRY: dict[str, Rule] = {}


def rule(id: str, name: str, summary: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if id in _REGISTRY:
            raise RuntimeError(f"rule id {id} registered twice")
        _REGISTRY[id] = Rule(id, name, summary, check)
        return check

    return register


_ALL: list[Rule] = []


def all_rules() -> list[Rule]:
    """Every rule, sorted by id. The rule modules (every module and
    subpackage of this package) are imported on the first call only: the engine asks once per
    file, and a fleet has thousands."""
    if not _ALL:
        folder = __path__[0]
        for name in sorted(os.listdir(folder)):
            module, ext = os.path.splitext(name)
            if module.startswith("_"):
                continue
            # a rule is a module, or a package when it holds several (apk/)
            if ext == ".py" or (not ext and os.path.isfile(os.path.join(folder, name, "__init__.py"))):
                importlib.import_module(f"{__name__}.{module}")
        _ALL.extend(_REGISTRY[key] for key in sorted(_REGISTRY))
    return list(_ALL)


# Ids rules report under besides their registered one, with the rule whose
# edits carry them: the apk rule (UA201) names each package as UA202; the
# users rule (UA401) reports accounts Debian already has as UA402.
SUB_IDS = {"UA202": "UA201", "UA402": "UA401"}


_KNOWN: list[frozenset[str]] = []  # known_ids(), made once: all_rules() is fixed after its first call


def known_ids() -> frozenset[str]:
    """Every id a rule reports or edits under (what ignore comments may name)."""
    if not _KNOWN:
        _KNOWN.append(frozenset(rule.id for rule in all_rules()) | frozenset(SUB_IDS))
    return _KNOWN[0]
