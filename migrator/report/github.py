"""GitHub Actions annotations (--format github): one workflow command per
issue, `::warning file=PATH,line=N,title=RULE::message`, which the runner
shows beside the line of the pull request. Escaping as GitHub's runner
decodes it (actions/toolkit's command.ts): in the message %, CR and LF; in
property values also `:` and `,`."""

from __future__ import annotations

from migrator.report.issues import ERROR, NOTE, WARNING, all_issues

COMMAND = {ERROR: "error", WARNING: "warning", NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, message: str, **properties: object) -> str:
    shown = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command} {shown}::{escape_data(message)}" if shown else f"::{command}::{escape_data(message)}"


def github_annotations(files: list) -> str:
    lines = []
    for issue in all_issues(files):
        properties: dict = {"file": issue.path}
        if issue.line > 0:
            properties["line"] = issue.line
        properties["title"] = f"unalpine {issue.rule}" if issue.rule else "unalpine"
        lines.append(annotation(COMMAND[issue.level], issue.message, **properties))
    return "".join(line + "\n" for line in lines)
