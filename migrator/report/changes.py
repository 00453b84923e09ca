"""What happened to one file and why, as short lines a person reads in a
commit message or a pull request: the FROM moves, the package decisions,
the wheel check's verdict, the questions answered and how, the warnings
left, and (with --verify) the sizes."""

from __future__ import annotations

ANSWERED_BY = {"yes": "--yes (the recommended answer)", "answers-file": "the answers file", "prompt": "at the prompt"}


def from_moves(diff: str) -> list[str]:
    """`old -> new` for each FROM the diff changes, in order."""
    removed, added = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        body = line[1:].lstrip()
        if body[:5].upper() == "FROM ":
            (removed if line[0] == "-" else added if line[0] == "+" else []).append(body[5:].strip())
    return [f"{old} -> {new}" for old, new in zip(removed, added) if old != new]


def _package_words(line: str, command: str) -> list[str]:
    """The package names after `command` (e.g. "apk add") on one line, up to a shell operator."""
    names = []
    rest = line
    while command in rest:
        rest = rest.split(command, 1)[1]
        for word in rest.split():
            if word in ("&&", "||", ";", "|", "\\") or word.endswith(";"):
                break
            if not word.startswith("-") and not word.startswith("$"):
                names.append(word.strip("\"'"))
    return [name for name in names if name]


def package_moves(diff: str) -> list[str]:
    """`apk: a, b -> apt: c` from the lines the diff removes and adds."""
    apk, apt = [], []
    for line in diff.splitlines():
        if line.startswith("-") and not line.startswith("---"):
            apk += [n for n in _package_words(line, "apk add ") if n not in apk]
        elif line.startswith("+") and not line.startswith("+++"):
            apt += [n for n in _package_words(line, "apt-get install ") if n not in apt]
    if not apk and not apt:
        return []
    return [f"apk {', '.join(apk) or '(none)'} -> apt-get {', '.join(apt) or '(none)'}"]


def wheel_verdict(report: dict) -> list[str]:
    wheels = (report or {}).get("wheels")
    if not wheels:
        return []
    lines = []
    if wheels.get("skipped"):
        lines.append(f"not run: {wheels['skipped']}")
    for stage in wheels.get("stages", []):
        where = f"stage at line {stage['line']} (CPython {stage.get('python') or '?'} on {stage.get('suite') or '?'})"
        if stage.get("blocked"):
            lines.append(f"{where}: build packages kept: {'; '.join(stage['blocked'])}")
            continue
        parts = []
        if stage.get("removed"):
            parts.append("removed " + ", ".join(stage["removed"]) + " (every requirement installs from wheels)"
                         if not stage.get("kept") else "removed " + ", ".join(stage["removed"]))
        kept = stage.get("kept") or {}
        if kept:
            parts.append("kept " + ", ".join(f"{name} ({why})" for name, why in sorted(kept.items())))
        if not parts:
            parts.append("nothing to remove")
        lines.append(f"{where}: " + "; ".join(parts))
    return lines


def explain(outcome, verify: bool = False) -> dict[str, list[str]]:
    """The sections for one file; empty ones are left out by the callers."""
    if not outcome.ok:  # with questions open, the findings describe guesses: only the questions count
        return {"Open questions": [f"line {d.line}: {d.rule} {d.question} (key {d.key}; recommended: {d.recommended})"
                                   for d in outcome.open_questions]} if outcome.open_questions else {}
    findings = outcome.findings
    sections = {
        "Base images": from_moves(outcome.diff),
        "Packages": package_moves(outcome.diff) + [f"line {f.line}: {f.message}" for f in findings
                     if f.rule in ("UA201", "UA202") and f.severity.value != "warning"],
        "Wheel check": wheel_verdict(outcome.report),
        "Questions answered": [f"{a.decision.key} = {a.value} (by {ANSWERED_BY.get(a.source, a.source)})"
                               for a in outcome.answers if a.source != "unresolved"],
        "Other changes": [f"line {f.line}: {f.rule} {f.message}" for f in findings
                          if f.rule not in ("UA201", "UA202", "UA601") and f.severity.value != "warning"
                          and f.rule != "UA000"],
        "Warnings left": [f"line {f.line}: {f.rule} {f.message}" for f in findings if f.severity.value == "warning"],
        "Ignored on purpose": [f"line {f.line}: {f.rule} {f.message}" for f in outcome.suppressed],
        "Open questions": [f"line {d.line}: {d.rule} {d.question} (key {d.key}; recommended: {d.recommended})"
                           for d in outcome.open_questions],
    }
    if verify and outcome.verification is not None:
        from migrator.verify.report import describe, describe_saving

        v = outcome.verification
        sections["Verify"] = ([f"line {p.line}: {p.check} error: " + (f"{p.package}: " if p.package else "") + p.message
                               for p in v.problems]
                              + [f"line {i.line}: {describe(i)}" for i in v.installs]
                              + [f"line {s.line}: {describe_saving(s)}" for s in v.savings])
    return {title: lines for title, lines in sections.items() if lines}


def state(outcome) -> str:
    if outcome.error:
        return "failed"
    if outcome.open_questions:
        return "open questions"
    if outcome.skipped:
        return "skipped"
    if outcome.changed:
        return "migrated" if outcome.written else "would be migrated"
    return "unchanged"
