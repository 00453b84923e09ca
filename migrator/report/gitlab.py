"""GitLab Code Quality (--format gitlab): the JSON array of issues GitLab
shows in merge requests (description, check_name, fingerprint, severity,
location.path, location.lines.begin). The fingerprint tells GitLab which
issue is the same one on another branch: it hashes the file, rule, line,
message and the count of earlier identical issues (so it is unique)."""

from __future__ import annotations

import hashlib

from migrator.report.issues import ERROR, NOTE, WARNING, all_issues

SEVERITY = {ERROR: "major", WARNING: "minor", NOTE: "info"}


def gitlab_report(files: list) -> list[dict]:
    entries = []
    seen: dict[str, int] = {}
    for issue in all_issues(files):
        key = "\0".join((issue.path, issue.rule, str(issue.line), issue.message))
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        entries.append({
            "description": f"{issue.rule}: {issue.message}" if issue.rule else issue.message,
            "check_name": issue.rule or "unalpine-error",
            "fingerprint": fingerprint,
            "severity": SEVERITY[issue.level],
            "location": {"path": issue.path, "lines": {"begin": max(issue.line, 1)}},
        })
    return entries
