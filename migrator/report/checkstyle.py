"""checkstyle XML (--format checkstyle), which many CI tools and editors
read: one <file> per file with issues, an <error> per issue."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from migrator.report.issues import ERROR, NOTE, WARNING, all_issues

SEVERITY = {ERROR: "error", WARNING: "warning", NOTE: "info"}
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = {code: "\ufffd" for code in (*range(0, 9), 11, 12, *range(14, 32))}


def _attr(text: str) -> str:
    return quoteattr(text.translate(_NOT_XML))


def checkstyle_report(files: list) -> str:
    by_file: dict[str, list] = {}
    for issue in all_issues(files):
        by_file.setdefault(issue.path, []).append(issue)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for path, issues in by_file.items():
        out.append(f"  <file name={_attr(path)}>")
        for issue in issues:
            source = f"unalpine.{issue.rule}" if issue.rule else "unalpine"
            out.append(f"    <error line=\"{max(issue.line, 0)}\" severity=\"{SEVERITY[issue.level]}\" "
                       f"message={_attr(issue.message)} source={_attr(source)}/>")
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"
