"""--verify's findings as the reports say them: lines for stderr, the JSON
report's part, and a sentence for each install and saving."""

from __future__ import annotations

from migrator.verify.records import Install, Saving, Verification


def describe_saving(saving: Saving) -> str:
    from migrator.debian.depsolver import human_size

    count = len(saving.packages)
    return (f"the wheel check saves {count} package{'s' if count != 1 else ''}, {human_size(saving.size_kib)} "
            f"on {saving.suite}: {', '.join(saving.removed)} and what only they need are no longer installed")


def describe(install: Install) -> str:
    """"this RUN installs 14 packages, 212 MB (gcc, libc6-dev and 12 dependencies)"."""
    from migrator.debian.depsolver import human_size

    count = len(install.packages)
    if not count:
        return f"this RUN installs nothing new on {install.suite} (already in the image)"
    named = [name for name, _, _ in install.packages if name in {r.partition("=")[0] for r in install.requested}]
    extra = count - len(named)
    what = ", ".join(named) + (f" and {extra} dependenc{'y' if extra == 1 else 'ies'}" if extra else "")
    return (f"this RUN installs {count} package{'s' if count != 1 else ''}, {human_size(install.size_kib)} "
            f"on {install.suite}: {what}")


def report_lines(path: str, verification: Verification) -> tuple[list[str], list[str], list[str]]:
    """(errors, warnings, info) lines for stderr: `PATH:LINE: UA904 error: pkg: message`."""
    errors = [
        f"{path}:{problem.line}: {problem.check} error: " + (f"{problem.package}: " if problem.package else "") + problem.message
        for problem in verification.problems
    ]
    warnings = [f"{path}:{line}: verify warning: {text}" if line else f"{path}: verify warning: {text}"
                for line, text in verification.notes if not line]
    info = [f"{path}:{line}: verify: {text}" for line, text in verification.notes if line]
    info += [f"{path}:{install.line}: UA904 {describe(install)}" for install in verification.installs]
    info += [f"{path}:{saving.line}: UA904 {describe_saving(saving)}" for saving in verification.savings]
    return errors, warnings, info


def _packages_json(packages: list[tuple[str, str, int]]) -> list[dict]:
    return [{"name": n, "version": v, "installed_size_kib": s} for n, v, s in packages]


def as_json(verification: Verification) -> dict:
    return {
        "ok": verification.ok,
        "problems": [
            {"line": p.line, "check": p.check, "package": p.package or None, "message": p.message}
            for p in verification.problems
        ],
        "installs": [
            {
                "line": install.line,
                "stage": install.stage,
                "suite": install.suite,
                "requested": install.requested,
                "packages": _packages_json(install.packages),
                "installed_size_kib": install.size_kib,
                "summary": describe(install),
            }
            for install in verification.installs
        ],
        "savings": [
            {
                "line": saving.line,
                "suite": saving.suite,
                "removed": saving.removed,
                "packages": _packages_json(saving.packages),
                "installed_size_kib": saving.size_kib,
                "summary": describe_saving(saving),
            }
            for saving in verification.savings
        ],
        "not_checked": [{"line": line or None, "message": text} for line, text in verification.notes],
    }
