"""A run's outcomes as one flat list of issues (file, line, rule, level,
message, and the rewrites behind them), the shape the CI formats share."""

from __future__ import annotations

from migrator.records import Frozen

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Iterator

# Levels, as SARIF names them: error (the file failed, or --verify found a
# problem), warning (something the tool could not do, or a question left
# open), note (something the tool did that a reader should know).
ERROR, WARNING, NOTE = "error", "warning", "note"


class Rewrite(Frozen):
    """One edit a rule made, as positions in the original file: 1-based lines,
    1-based columns counted in code points, the end column exclusive."""

    __slots__ = ()

    def __new__(cls, rule: str, line: int, start_line: int, start_column: int, end_line: int,
                end_column: int, text: str) -> Rewrite:
        return tuple.__new__(cls, (rule, line, start_line, start_column, end_line, end_column, text))


class Issue(Frozen):
    """`rule` is empty for a file that could not be read or migrated;
    `line` 0: the file as a whole. `rewrites`: the edits this issue stands
    for (a finding of the rule that made them on that instruction)."""

    __slots__ = ()

    def __new__(cls, path: str, line: int, rule: str, level: str, message: str,
                rewrites: tuple = (), suppressed: bool = False) -> Issue:
        return tuple.__new__(cls, (path, line, rule, level, message, rewrites, suppressed))


def _error_line(path: str, error: str) -> tuple[int, str]:
    """`PATH:LINE: message` (errors name their file and line) -> (LINE, message)."""
    rest = error[len(path) + 1:] if error.startswith(path + ":") else error
    number, colon, message = rest.partition(": ")
    if colon and number.isdigit():
        return int(number), message
    return 0, rest.lstrip() if rest is not error else error


def issues_of(outcome) -> Iterator[Issue]:
    """Everything one checked file has to say, in line order within each kind."""
    path = outcome.path
    if outcome.error:
        line, message = _error_line(path, outcome.error)
        yield Issue(path, line, "", ERROR, message)
        return
    for decision in outcome.open_questions:
        yield Issue(path, decision.line, decision.rule, WARNING,
                    f"open question: {decision.question} (key {decision.key}; recommended: {decision.recommended})")
    if not outcome.ok:
        return
    # Each group of rewrites (one rule, one instruction) goes with that
    # rule's first finding on that line, or stands as a note of its own.
    groups: dict[tuple[str, int], list[Rewrite]] = {}
    for rewrite in getattr(outcome, "rewrites", None) or ():
        groups.setdefault((rewrite.rule, rewrite.line), []).append(rewrite)
    for finding in outcome.findings:
        level = WARNING if finding.severity.value == "warning" else NOTE
        attached = tuple(groups.pop((finding.rule, finding.line), ()))
        yield Issue(path, finding.line, finding.rule, level, finding.message, attached)
    for (rule, line), rewrites in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        yield Issue(path, line, rule, NOTE, "rewrote this instruction for Debian", tuple(rewrites))
    for finding in getattr(outcome, "suppressed", None) or ():  # `# unalpine: ignore` comments
        level = WARNING if finding.severity.value == "warning" else NOTE
        yield Issue(path, finding.line, finding.rule, level, finding.message, suppressed=True)
    verification = outcome.verification
    if verification is not None:
        for problem in verification.problems:
            message = (f"{problem.package}: " if problem.package else "") + problem.message
            yield Issue(path, problem.line, problem.check, ERROR, message)


def all_issues(files: list, suppressed: bool = False) -> list[Issue]:
    """Every issue; those ignore comments suppressed only when asked for."""
    return [issue for outcome in files for issue in issues_of(outcome) if suppressed or not issue.suppressed]
