"""--report FILE.md: one Markdown report for the whole run, per repository
and file (migrated, unchanged, warnings, open questions, and with --verify
the sizes): the text a team pastes into its pull requests."""

from __future__ import annotations

from migrator import __version__
from migrator.report.changes import explain, state


def _escape(text: str) -> str:
    """Keep a message from turning into Markdown markup."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_") \
        .replace("<", "&lt;").replace("|", "\\|")


def _shown(root: str) -> str:
    import os

    relative = os.path.relpath(root)
    return relative if not relative.startswith("..") else root


def markdown_report(groups: list[tuple[str, list]], verify: bool, code: int,
                    left: dict[int, str] | None = None) -> str:
    """`groups`: (repository root, or "" for files in none, outcomes);
    `left`: why a changed file was not written, by id() of its outcome."""
    left = left or {}
    files = [outcome for _, outcomes in groups for outcome in outcomes]
    counts: dict[str, int] = {}
    for outcome in files:
        counts[state(outcome)] = counts.get(state(outcome), 0) + 1
    warned = sum(1 for outcome in files if outcome.ok and any(f.severity.value == "warning" for f in outcome.findings))
    out = ["# unalpine: Alpine to Debian slim", ""]
    order = ("migrated", "would be migrated", "unchanged", "open questions", "skipped", "failed")
    summary = ", ".join(f"{counts[what]} " + ("with open questions" if what == "open questions" else what)
                        for what in order if counts.get(what))
    out.append(f"{len(files)} file{'s' if len(files) != 1 else ''}: {summary or 'none'}"
               + (f"; {warned} with warnings" if warned else "") + f" (unalpine {__version__}, exit {code}).")
    for root, outcomes in groups:
        out += ["", f"## {_escape(_shown(root)) if root else 'Not in a git repository'}", ""]
        out += ["| File | Result | Warnings | Open questions |", "| --- | --- | --- | --- |"]
        for outcome in outcomes:
            warnings = sum(1 for f in outcome.findings if f.severity.value == "warning") if outcome.ok else 0
            result = f"not written: {_escape(left[id(outcome)])}" if id(outcome) in left else state(outcome)
            out.append(f"| `{outcome.path}` | {result} | {warnings} | {len(outcome.open_questions)} |")
        for outcome in outcomes:
            sections = explain(outcome, verify)
            if outcome.error:
                sections = {"Error": [outcome.error], **sections}
            if not sections:
                continue
            out += ["", f"### `{outcome.path}`"]
            for title, lines in sections.items():
                out += ["", f"**{title}**", ""]
                out += [f"- {_escape(line)}" for line in lines]
    return "\n".join(out) + "\n"
