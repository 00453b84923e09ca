"""The reports for other tools (--format other than text), by name."""

from __future__ import annotations


def machine_report(format: str, files: list, target: str | None, code: int) -> str:
    """The text of a report for other tools (--format other than text)."""
    if format == "github":
        from migrator.report.github import github_annotations

        return github_annotations(files)
    if format == "checkstyle":
        from migrator.report.checkstyle import checkstyle_report

        return checkstyle_report(files)
    import json

    if format == "sarif":
        from migrator.report.sarif import sarif_report

        report: object = sarif_report(files, code)
    elif format == "gitlab":
        from migrator.report.gitlab import gitlab_report

        report = gitlab_report(files)
    else:
        from migrator.report.json_report import json_report

        report = json_report(files, target, code)
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
