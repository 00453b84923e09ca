"""What UA601 tells: findings per stage and requirement, and the "wheels"
section of the JSON report. Imported only for files that install Python
requirements."""

from __future__ import annotations

from migrator.proposals import Finding, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from migrator.context import RuleContext
    from migrator.wheels.plan import StagePlan, Verdict

ID = "UA601"


def findings(ctx: "RuleContext") -> Iterator[Finding]:
    evidence = ctx.wheels
    from migrator.wheels.plan import plan_of

    plan = plan_of(ctx)
    if evidence.skipped and not plan.stages:
        yield Finding(ID, 1, f"wheel check skipped: {evidence.skipped}")
    for stage_plan in plan.stages.values():
        yield from _stage_findings(ctx, stage_plan)
    if plan.stages and ctx.details:
        ctx.report["wheels"] = _report(ctx, plan)


def _stage_findings(ctx: "RuleContext", plan: "StagePlan") -> Iterator[Finding]:
    evidence = ctx.wheels
    if evidence.skipped:
        yield Finding(ID, plan.line, f"wheel check skipped: {evidence.skipped}; build packages kept")
    elif evidence.oldest > 0:
        hours = evidence.oldest / 3600
        if hours >= 24:
            yield Finding(ID, plan.line, f"wheel check used cached index answers up to {hours / 24:.0f} day(s) old", Severity.INFO)
    pulled: dict[int, list[str]] = {}  # line -> dependencies that simply install from wheels
    for verdict in plan.verdicts:
        targets = verdict.targets
        if not targets:
            continue
        requirement = verdict.requirement
        if requirement.parent:
            if any(c.version is None for c in targets.values()):
                yield Finding(ID, requirement.line, f"{requirement.text} ({requirement.source}) has no release for this "
                              f"Python; not judged (the release of {requirement.parent.split()[0]} this Python takes may "
                              "not need it)", Severity.INFO)
                continue
            if not verdict.builds:
                pulled.setdefault(requirement.line, []).append(f"{requirement.name} {targets[next(iter(targets))].version}")
                continue
        yield Finding(ID, requirement.line, _describe(verdict), Severity.INFO)
    for line, names in pulled.items():
        yield Finding(ID, line, f"{len(names)} dependenc{'y installs' if len(names) == 1 else 'ies install'} from wheels too: {', '.join(names)}",
                      Severity.INFO)
    for note in evidence.dependency_notes:
        yield Finding(ID, plan.line, f"dependencies not followed: {note}", Severity.INFO)
    if evidence.skipped:
        return
    if plan.blocked and plan.build_packages:
        yield Finding(ID, plan.line, "build packages kept: " + "; ".join(plan.blocked))
    if plan.answer == "slim":
        by_line: dict[int, list[str]] = {}
        for name in plan.drops:
            by_line.setdefault(plan.build_packages[name], []).append(name)
        for line, names in by_line.items():
            yield Finding(ID, line, f"removed {' '.join(names)}: {plan.drops[names[0]]}", Severity.INFO)
        kept: dict[tuple[int, str], list[str]] = {}
        for name, why in plan.keeps.items():
            kept.setdefault((plan.build_packages[name], why), []).append(name)
        for (line, why), names in kept.items():
            yield Finding(ID, line, f"kept {' '.join(names)}: {why}", Severity.INFO)


# A fleet describes the same requirement (text, and file when not the
# Dockerfile) with the same choices file after file: each description is
# made once per run, by everything _described reads.
_DESCRIBED: dict[tuple, str] = {}


def _describe(verdict: "Verdict") -> str:
    requirement = verdict.requirement
    source = "" if requirement.source.startswith("Dockerfile") else requirement.source
    key = (requirement.text, source, requirement.name, requirement.specifier, tuple(verdict.targets.items()),
           tuple(verdict.alpine.items()), verdict.pure_python)
    described = _DESCRIBED.get(key)
    if described is None:
        if len(_DESCRIBED) > 4096:
            _DESCRIBED.clear()
        described = _DESCRIBED[key] = _described(verdict, source)
    return described


def _described(verdict: "Verdict", source: str) -> str:
    requirement = verdict.requirement
    notes = [source] if source else []
    pinned = requirement.specifier.startswith("==") and "," not in requirement.specifier
    choices = list(verdict.targets.items())
    if not pinned:
        notes.append(f"judged on {requirement.name} {choices[0][1].version}, the newest release it allows")
    subject = requirement.text + (f" ({'; '.join(notes)})" if notes else "")
    by_file: dict[str, list[str]] = {}
    for arch, choice in choices:
        if not choice.builds:
            by_file.setdefault(choice.wheel, []).append(arch)
    wheels = [f"{wheel} ({', '.join(arches)})" for wheel, arches in by_file.items()]
    reasons: dict[str, list[str]] = {}
    for arch, choice in choices:
        if choice.builds and choice.version:
            reasons.setdefault(choice.why, []).append(arch)
    builds = [f"{why} on {', '.join(arches)}" for why, arches in reasons.items()]
    parts = []
    if wheels:
        parts.append("wheel " + ", ".join(wheels))
    if builds:
        pure = ", pure Python: no compiler needed" if verdict.pure_python else ""
        parts.append("builds from source " + (choices[0][1].sdist or "") + " (" + "; ".join(builds) + pure + ")")
    if verdict.alpine:
        alpine = [arch for arch, choice in verdict.alpine.items() if choice.builds and choice.version]
        if alpine:
            parts.append(f"on Alpine no musllinux wheel for {', '.join(alpine)}: pip built it from source there")
    return f"{subject}: " + "; ".join(parts)


def _choice(choice) -> dict:
    return {"version": choice.version, "wheel": choice.wheel, "sdist": choice.sdist, "why": choice.why or None}


# A fleet's reports repeat the same choices file after file (the plan hands
# out equal Choice tuples): each {arch: choice} section is made once per run
# and shared. Reports are only read (serialised) once made.
_SECTIONS: dict[tuple, dict] = {}


def _choices(choices: dict) -> dict:
    key = tuple(choices.items())
    section = _SECTIONS.get(key)
    if section is None:
        if len(_SECTIONS) > 4096:
            _SECTIONS.clear()
        section = _SECTIONS[key] = {arch: _choice(choice) for arch, choice in choices.items()}
    return section


def _report(ctx: "RuleContext", plan) -> dict:
    evidence = ctx.wheels
    return {
        "indexes": evidence.urls,
        "skipped": evidence.skipped or None,
        # what the requirements pull in is judged too; these could not be followed
        "dependencies_not_followed": evidence.dependency_notes,
        "removed": plan.removed(),  # apk names removed because wheels made them unnecessary
        "stages": [
            {
                "line": stage.line,
                "python": stage.python,
                "suite": stage.suite,
                "arches": stage.arches,
                "answer": stage.answer or None,
                "removed": sorted(stage.drops) if stage.answer == "slim" else [],
                "kept": stage.keeps,
                "blocked": stage.blocked,
                "requirements": [
                    {
                        "name": v.requirement.name,
                        "requirement": v.requirement.text,
                        "specifier": v.specifier,
                        "source": v.requirement.source,
                        "line": v.requirement.line,
                        "missing": v.missing or None,
                        "debian": _choices(v.targets),
                        "alpine": _choices(v.alpine),
                    }
                    for v in stage.verdicts
                ],
            }
            for stage in plan.stages.values()
        ],
    }
