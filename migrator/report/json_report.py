"""unalpine's own JSON report (--json): per file, whether it changed, its
findings, answers, open questions, diff, the wheel check's evidence and
--verify's results."""

from __future__ import annotations

from migrator import __version__

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any


def _verify_json(verification: Any) -> dict | None:
    if verification is None:
        return None
    from migrator.verify.report import as_json

    return as_json(verification)


def json_report(files: list, target: str | None, code: int) -> dict:
    entries = []
    for run in files:
        entry = (
            {
                "path": run.path,
                "changed": bool(run.ok and run.changed),
                "written": run.written,
                "error": run.error or None,
                "findings": [
                    {
                        "rule": finding.rule,
                        "line": finding.line,
                        "severity": finding.severity.value,
                        "message": finding.message,
                    }
                    for finding in run.findings
                ],
                "answers": [
                    {
                        "key": answer.decision.key,
                        "rule": answer.decision.rule,
                        "line": answer.decision.line,
                        "question": answer.decision.question,
                        "value": answer.value,
                        "source": answer.source,
                    }
                    for answer in run.answers
                    if answer.source != "unresolved"
                ],
                "unresolved": [
                    {
                        "key": decision.key,
                        "rule": decision.rule,
                        "line": decision.line,
                        "question": decision.question,
                        "options": [
                            {"value": option.value, "label": option.label, "free_text": option.free_text}
                            for option in decision.options
                        ],
                        "recommended": decision.recommended,
                    }
                    for decision in run.open_questions
                ],
                "diff": run.diff if run.ok else "",
                # UA601's evidence: requirements, their wheels, the build packages removed
                "wheels": run.report.get("wheels") if run.ok else None,
                "verify": _verify_json(run.verification),
            }
        )
        if run.ok and run.suppressed:  # only then: files without ignore comments keep their report as it was
            entry["ignored"] = [{"rule": f.rule, "line": f.line, "severity": f.severity.value, "message": f.message}
                                for f in run.suppressed]
        entries.append(entry)
    return {"version": 1, "tool": f"unalpine {__version__}", "target": target, "exit": code, "files": entries}
