"""UA902: every shell-form RUN passes `bash -n`."""

from __future__ import annotations

import re
import shutil
import subprocess

from migrator.document import Document
from migrator.shell import script_of
from migrator.verify.records import Problem, Verification


def check_shell(document: Document, text: str, result: Verification) -> None:
    bash = shutil.which("bash")
    for instruction in document.instructions:
        script = script_of(instruction, text) if instruction.command == "RUN" else None
        if script is None:
            continue
        if bash is None:
            result.notes.append((instruction.line, "bash is not installed here: RUN syntax not checked"))
            return
        process = subprocess.run([bash, "-n"], input=script.text, capture_output=True, text=True, timeout=30)
        if process.returncode != 0:
            message = process.stderr.strip().splitlines()[0] if process.stderr.strip() else "syntax error"
            message = re.sub(r"^\S*bash: (?:line \d+: )?", "", message)
            result.problems.append(Problem(instruction.line, "UA902", f"bash -n: {message}"))
