"""SARIF 2.1.0 (--format sarif), the format GitHub code scanning reads.

One reportingDescriptor per rule id that occurs (name, short and full
description, the rule's documentation page); one result per issue with its
file, line and level; a rewrite is the result's `fix`. Columns count code
points (run.columnKind), as the tool's offsets do. Files that could not be
read or migrated are toolExecutionNotifications of the invocation.
"""

from __future__ import annotations

from urllib.parse import quote

from migrator import __version__
from migrator.report.issues import all_issues
from migrator.report.rules_index import describe, docs_page

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/")


def _location(path: str, line: int) -> dict:
    physical: dict = {"artifactLocation": {"uri": _uri(path)}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _fix(path: str, rule: str, rewrites: tuple) -> dict:
    replacements = [
        {
            "deletedRegion": {"startLine": r.start_line, "startColumn": r.start_column,
                              "endLine": r.end_line, "endColumn": r.end_column},
            "insertedContent": {"text": r.text},
        }
        for r in rewrites
    ]
    return {
        "description": {"text": f"{rule}: the rewrite unalpine makes here"},
        "artifactChanges": [{"artifactLocation": {"uri": _uri(path)}, "replacements": replacements}],
    }


def _rule(rule_id: str) -> dict:
    name, short, full = describe(rule_id)
    page = docs_page(rule_id)
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "helpUri": page,
        "help": {"text": f"{full} See {page}.", "markdown": f"{full} See [{rule_id}]({page})."},
    }


def sarif_report(files: list, code: int) -> dict:
    results = []
    notifications = []
    issues = all_issues(files, suppressed=True)
    rule_ids = sorted({issue.rule for issue in issues if issue.rule})
    index = {rule_id: number for number, rule_id in enumerate(rule_ids)}
    for issue in issues:
        if not issue.rule:
            notifications.append({"level": "error", "message": {"text": issue.message},
                                  "locations": [_location(issue.path, issue.line)]})
            continue
        result = {
            "ruleId": issue.rule,
            "ruleIndex": index[issue.rule],
            "level": issue.level,
            "message": {"text": issue.message},
            "locations": [_location(issue.path, issue.line)],
        }
        if issue.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": "an unalpine: ignore comment"}]
        if issue.rewrites:
            result["fixes"] = [_fix(issue.path, issue.rule, issue.rewrites)]
        results.append(result)
    invocation = {"executionSuccessful": code in (0, 1), "exitCode": code}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "unalpine", "version": __version__,
                                    "rules": [_rule(rule_id) for rule_id in rule_ids]}},
                "columnKind": "unicodeCodePoints",
                "invocations": [invocation],
                "results": results,
            }
        ],
    }
