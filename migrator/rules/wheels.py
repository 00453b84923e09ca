"""UA601 wheel-slimming: report which requirements install from wheels on the
Debian image, and which build-only packages that makes unnecessary.

The apk rule drops the packages (it asks `migrator.wheels.plan.plan_of(ctx)` for each name it
maps); this rule says why, per requirement, and publishes the evidence for
the JSON report under "wheels" (migrator.wheels.report, imported only for
files that install Python requirements).
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.rules import rule

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from migrator.context import RuleContext
    from migrator.proposals import Finding


@rule("UA601", "wheel-slimming", "Drop compilers and headers that only Alpine's source builds needed")
def check(ctx: "RuleContext") -> Iterator["Finding"]:
    if ctx.wheels is None:
        return
    from migrator.wheels.report import findings

    yield from findings(ctx)
