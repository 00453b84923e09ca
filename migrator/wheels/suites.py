"""Which Debian suite's python3 has wheels for a stage's pinned requirements.

An `alpine:*` stage moves to debian:<suite>-slim and runs that suite's
python3 (bullseye 3.9, bookworm 3.11, trixie 3.13). A file written for
alpine:3.8 (Python 3.6) pins releases that may publish no wheel for 3.13:
on trixie pip would build them from source, or find no release at all. For
the requirements the file pins (==, ===, <, <=, ~=), this finds the newest
current suite where every one installs from a wheel (or is pure Python) on
every asked architecture, from the evidence the wheel check gathered; the
context asks the suite question with that suite recommended
(RuleContext.suite_advisor, wired by the engine).
"""

from __future__ import annotations

from migrator.images import image_table
from migrator.wheels.compat import GLIBC, choose
from migrator.wheels.plan import _target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.wheels.evidence import Evidence

_PINNING = ("==", "<", "~=")  # "<=" and "===" contain these


def advise(evidence: "Evidence | None", stages: set[int], candidates: tuple[str, ...]) -> tuple[str | None, dict[str, list[str]]]:
    """(the newest of `candidates` whose python3 has wheels for every pinned
    requirement of the stages numbered `stages`, or None when none has;
    per suite tried, what has none). (None, {}) when there is nothing to
    judge: no pinned requirement, or the index was not asked."""
    if evidence is None or evidence.skipped:
        return None, {}
    pinned = [r for r in evidence.found.requirements
              if r.stage in stages and any(op in r.specifier for op in _PINNING) and not r.marker]
    judged = [(r, evidence.pages.get(r.name)) for r in pinned]
    judged = [(r, page) for r, page in judged if page is not None]
    if not judged:
        return None, {}
    pythons = image_table().debian_python
    missing: dict[str, list[str]] = {}
    for suite in reversed(candidates):
        python = pythons.get(suite)
        if python is None or suite not in GLIBC:
            continue
        lacking = []
        for requirement, page in judged:
            for arch in evidence.arches:
                chosen = choose(page, requirement.specifier, _target(python, "glibc", GLIBC[suite], arch),
                                memo=evidence.memo)
                if chosen.version is None:
                    lacking.append(f"{requirement.name}{requirement.specifier}: no release for Python {python}")
                    break
                if chosen.builds and not page.pure:
                    lacking.append(f"{requirement.name}{requirement.specifier}: no wheel for Python {python} "
                                   f"({arch}), pip would build it")
                    break
        missing[suite] = lacking
    # A release with no wheel for any of the suites (an sdist-only project,
    # uwsgi) builds wherever the stage goes: it does not choose the suite.
    everywhere = set.intersection(*(set(_names(lacking)) for lacking in missing.values())) if missing else set()
    missing = {suite: [text for text in lacking if text.split(":", 1)[0] not in everywhere]
               for suite, lacking in missing.items()}
    missing = {suite: lacking for suite, lacking in missing.items() if lacking}
    for suite in reversed(candidates):
        if suite in pythons and suite in GLIBC and suite not in missing:
            return suite, missing
    return None, missing


def _names(lacking: list[str]) -> list[str]:
    return [text.split(":", 1)[0] for text in lacking]
