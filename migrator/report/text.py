"""The text a run shows on stderr: what each file said, the open questions,
and the closing summary."""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any

    from migrator.console import Console


class Tally:
    """The closing summary's counts, gathered as the outcomes go by (the
    outcomes themselves are not all kept: a fleet can be big)."""

    def __init__(self) -> None:
        self.scanned = 0
        self.changed = 0
        self.unchanged = 0
        self.warned = 0
        self.took_yes = 0
        self.opened = 0
        self.skipped = 0
        self.failed = 0
        self.ignored = 0  # findings and rewrites left out by ignore comments
        self.excluded = 0  # files a configuration's exclude left out
        self.by_rule: dict[str, int] = {}

    def add(self, outcome: Any) -> None:
        self.scanned += 1
        if outcome.error:
            self.failed += 1
        elif outcome.skipped:
            self.skipped += 1
        elif outcome.open_questions:
            self.opened += 1
        elif outcome.changed:
            self.changed += 1
        else:
            self.unchanged += 1
        if outcome.ok:
            if any(finding.severity.value == "warning" for finding in outcome.findings):
                self.warned += 1
            if any(answer.source == "yes" for answer in outcome.answers):
                self.took_yes += 1
            for finding in outcome.findings:
                self.by_rule[finding.rule] = self.by_rule.get(finding.rule, 0) + 1
            self.ignored += len(outcome.suppressed)


def tell(outcome: Any, console: Console) -> None:
    """What checking one file said, on stderr."""
    for line in outcome.said:
        console.error(line)
    if outcome.error:
        console.error(outcome.error)
    if outcome.skipped:
        console.info(f"{outcome.path}: skipped; left as it is")
    # Findings of a file with open questions describe guesses, not what
    # will happen: they are shown on the run that answers them.
    if not outcome.ok:
        return
    for finding in outcome.findings:
        line = f"{outcome.path}:{finding.line}: {finding.rule}"
        if finding.severity.value == "warning":
            console.warn(f"{line} warning: {finding.message}")
        else:
            console.info(f"{line} {finding.message}")
    for finding in outcome.suppressed:
        console.info(f"{outcome.path}:{finding.line}: {finding.rule} ignored: {finding.message}")
    if outcome.verification is not None:
        from migrator.verify.report import report_lines

        errors, warnings, info = report_lines(outcome.path, outcome.verification)
        for line in errors + warnings:
            console.error(line)
        for line in info:
            console.info(line)


def report_open(open_files: list, console: Console) -> None:
    total = sum(len(run.open_questions) for run in open_files)
    console.error(
        f"unalpine: {total} question{'s need' if total != 1 else ' needs'} an answer; nothing was written. "
        "Answer them at a terminal, take the recommended answers with --yes, "
        "or use --answers FILE (--save-answers FILE writes a template)."
    )
    for run in open_files:
        for decision in run.open_questions:
            where = f"{run.path}:{decision.line}" if decision.line else run.path
            options = ", ".join(
                option.value + (" (or any text)" if option.free_text else "") for option in decision.options
            )
            console.error(
                f"{where}: {decision.rule} {decision.question} [key {decision.key}; "
                f"options: {options}; recommended: {decision.recommended}]"
            )


def summary(tally: Tally, files: list, console: Console, wrote: bool, check: bool) -> None:
    if not tally.scanned:
        console.info("unalpine: no Dockerfiles found"
                     + (f" ({tally.excluded} excluded by configuration)" if tally.excluded else ""))
        return

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    parts = [count(tally.scanned, "file") + " scanned"]
    if wrote:
        parts.append(f"{sum(run.written for run in files)} migrated")
    else:
        parts.append(f"{tally.changed} would be migrated" if tally.changed else "0 to migrate")
    parts.append(f"{tally.unchanged} unchanged")
    if tally.warned:
        parts.append(f"{tally.warned} with warnings")
    if tally.took_yes:
        taken = "recommended answers assumed" if check else "answers taken by --yes"
        parts.append(f"{tally.took_yes} with {taken}")
    if tally.opened:
        parts.append(f"{tally.opened} with open questions")
    if tally.skipped:
        parts.append(f"{tally.skipped} skipped")
    if tally.failed:
        parts.append(f"{tally.failed} failed")
    if tally.ignored:
        parts.append(f"{tally.ignored} ignored on purpose")
    if tally.excluded:
        parts.append(f"{tally.excluded} excluded by configuration")
    console.info("unalpine: " + ", ".join(parts))
    if tally.by_rule:
        console.info(
            "unalpine: findings by rule: "
            + ", ".join(f"{rule} {n}" for rule, n in sorted(tally.by_rule.items()))
        )
