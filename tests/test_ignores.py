"""`# unalpine: ignore=ID` and `# unalpine: ignore-file`: what they leave
alone, that they are listed (never silent), and their warnings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from migrator.document import parse
from migrator.ignores import read_ignores
from migrator.rules import known_ids

KNOWN = known_ids()


def unalpine(*args, cwd, check=None):
    proc = subprocess.run([sys.executable, "-m", "migrator", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def test_reading_the_comments():
    text = ("# unalpine: ignore-file\nFROM python:3.12-alpine\n"
            "# unalpine: ignore=UA301, UA201\n# a comment between\nRUN apk add tini \\\n  bash\n"
            "# unalpine: ignore=UA301\n\nRUN true\n"
            "# unalpine: ignore=ua401,NOPE\nRUN adduser -D app\n"
            "# unalpine: ignore-file\n#unalpine: ignore\n#   unalpine:   ignore=UA202\nRUN x\n")
    ignores = read_ignores(parse(text), KNOWN)
    assert ignores.whole_file == 1
    spans = [(first, last, sorted(rules)) for _, _, first, last, rules in ignores.spans]
    # the blank line cuts the second comment off its instruction
    assert spans == [(5, 6, ["UA201", "UA301"]), (11, 11, ["UA401"]), (15, 15, ["UA202"])]
    assert ignores.unknown == [(10, "NOPE")]
    assert ignores.malformed == [12, 13]  # ignore-file below an instruction; ignore with no ids
    assert read_ignores(parse("FROM alpine\n# unalpine is great\nRUN x\n"), KNOWN).spans == []


def test_an_ignored_rule_leaves_its_instruction_alone_and_says_so(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-alpine\n"
        "# unalpine: ignore=UA202\n"
        "RUN apk add --no-cache zzzunknown-dev\n"
        "RUN apk add --no-cache curl\n"
    )
    proc = unalpine("--json", ".", cwd=tmp_path, check=0)  # no open question: the ignored one is not asked
    [entry] = json.loads(proc.stdout)["files"]
    assert entry["unresolved"] == []
    assert "+RUN apt-get update" in entry["diff"] and "-RUN apk add --no-cache curl" in entry["diff"]
    changed = [line for line in entry["diff"].splitlines()[2:] if line[:1] in "+-"]
    assert not [line for line in changed if "zzzunknown-dev" in line]  # the ignored instruction stays
    assert [(item["rule"], item["line"]) for item in entry["ignored"]] == [("UA201", 3), ("UA202", 3)]
    proc = unalpine("--yes", "--diff", ".", cwd=tmp_path, check=0)
    assert "Dockerfile:3: UA201 ignored: would have rewritten this instruction (# unalpine: ignore)" in proc.stderr
    assert any(line.startswith("unalpine: 1 file scanned") and line.endswith(", 2 ignored on purpose") for line in proc.stderr.splitlines())


def test_ignored_findings_are_suppressed_results_in_sarif(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12-alpine\n# unalpine: ignore=UA301\nENTRYPOINT ["/sbin/tini", "--"]\n')
    log = json.loads(unalpine("--yes", "--format", "sarif", ".", cwd=tmp_path, check=0).stdout)
    suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in suppressed] == [("UA301", "inSource")]
    github = unalpine("--yes", "--format", "github", ".", cwd=tmp_path, check=0).stdout
    assert "UA301" not in github  # an annotation would nag about what was ignored on purpose


def test_ignore_file_and_unknown_ids(tmp_path):
    text = "# unalpine: ignore-file\nFROM python:3.12-alpine\nRUN apk add curl\n"
    (tmp_path / "Dockerfile").write_text(text)
    proc = unalpine("--yes", "--write", ".", cwd=tmp_path, check=0)
    assert (tmp_path / "Dockerfile").read_text() == text
    assert "Dockerfile:1: UA000 ignored: the whole file (# unalpine: ignore-file): left as it is" in proc.stderr
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-alpine\n# unalpine: ignore=UA77\nCMD x\n")
    proc = unalpine("--yes", "--diff", ".", cwd=tmp_path, check=0)
    assert "Dockerfile:2: UA000 warning: ignore comment names UA77, which is not a rule id" in proc.stderr


def test_every_rule_id_in_the_code_can_be_ignored_and_described():
    """A new sub-id (a rule reporting under a second id) must join
    rules.SUB_IDS, or an ignore comment naming it would be 'not a rule id'."""
    import re
    from pathlib import Path

    from migrator.report.rules_index import EXTRA

    package = Path(__file__).resolve().parent.parent / "migrator"
    ids = {found for path in package.rglob("*.py") for found in re.findall(r'"(UA\d{3})"', path.read_text())}
    verify_and_comments = {rule_id for rule_id in ids if rule_id.startswith("UA9") or rule_id == "UA000"}
    assert ids - verify_and_comments <= KNOWN
    assert verify_and_comments <= set(EXTRA)
