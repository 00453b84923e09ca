"""--format sarif/github/gitlab/checkstyle, run for real and checked against
the formats' own definitions: the official SARIF 2.1.0 schema, a schema of
GitLab's documented Code Quality fields, GitHub's workflow-command escaping
(decoded the way the runner decodes it), and an XML parser for checkstyle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"

# Findings of both severities, rewrites over several lines, a CRLF file, a BOM.
CASES = ["blog", "tini_ash_su_exec", "busybox_users", "crlf", "utf8_bom", "multi_stage"]
UNKNOWN = "FROM python:3.12-alpine\nRUN apk add --no-cache zzzunknown-dev\n"
# A folder name with every character the formats must escape.
ODD_FOLDER = "we,ird:%&<dir> \"q\""


def unalpine(*args, cwd, check=None, env=None):
    proc = subprocess.run([sys.executable, "-m", "migrator", *map(str, args)], cwd=cwd, capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    if check is not None:
        assert proc.returncode == check, proc.stderr.decode()
    return proc


def read(path: Path) -> str:
    with open(path, newline="", encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def fleet(tmp_path):
    """Copies of a few fixtures (with their args applied by --yes only where
    they have none), a file with an open question, and one that is not UTF-8."""
    for case in CASES:
        assert not (FIXTURES / case / "args").exists(), case
        target = tmp_path / case
        target.mkdir()
        shutil.copy(FIXTURES / case / "before.Dockerfile", target / "Dockerfile")
    return tmp_path


def sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def apply_sarif_fixes(text: str, replacements: list[dict]) -> str:
    """Apply SARIF replacements (1-based lines; columns in code points, as the
    run's columnKind says; end column exclusive) from the end backwards."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    spans = [(offset(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
              offset(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"]),
              r["insertedContent"]["text"]) for r in replacements]
    # from the end backwards; replacements at one place in their listed order
    for start, end, new in reversed(sorted(spans, key=lambda span: (span[0], span[1]))):
        text = text[:start] + new + text[end:]
    return text


def test_sarif_is_valid_and_its_fixes_are_the_migration(fleet):
    proc = unalpine("--yes", "--format", "sarif", ".", cwd=fleet, check=0)
    log = json.loads(proc.stdout)
    sarif_validator().validate(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(set(ids)) and {"UA101", "UA201", "UA401"} <= set(ids)
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"] == f"docs/rules/{rule['id']}.md"
        assert (REPO / rule["helpUri"]).is_file()  # the page the docs keep for the rule
    # Every finding of the JSON report is a result, at its file and line, with its level.
    report = json.loads(unalpine("--yes", "--json", ".", cwd=fleet, check=0).stdout)
    expected = sorted((entry["path"], finding["line"], finding["rule"],
                       "warning" if finding["severity"] == "warning" else "note", finding["message"])
                      for entry in report["files"] for finding in entry["findings"])
    results = run["results"]
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    found = sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"], r["level"],
                    r["message"]["text"]) for r in results if r["message"]["text"] != "rewrote this instruction for Debian")
    assert found == expected
    # The fixes, applied to each original, give exactly what --write writes.
    by_file: dict[str, list] = {}
    for result in results:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                by_file.setdefault(change["artifactLocation"]["uri"], []).extend(change["replacements"])
    assert sorted(by_file) == sorted(f"{case}/Dockerfile" for case in CASES)
    originals = {name: read(fleet / name) for name in by_file}
    unalpine("--yes", "--write", ".", cwd=fleet, check=0)
    for name, replacements in by_file.items():
        assert apply_sarif_fixes(originals[name], replacements) == read(fleet / name), name


def test_sarif_lists_open_questions_and_unreadable_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text(UNKNOWN)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Dockerfile").write_bytes(b"FROM alpine\n\xff\n")
    proc = unalpine("--format", "sarif", ".", cwd=tmp_path, check=3)
    log = json.loads(proc.stdout)
    sarif_validator().validate(log)
    run = log["runs"][0]
    [question] = run["results"]
    assert question["ruleId"] == "UA202" and question["level"] == "warning"
    assert question["message"]["text"].startswith("open question: ")
    assert question["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    invocation = run["invocations"][0]
    assert invocation["exitCode"] == 3 and invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "not UTF-8 text (byte 12)"
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def decode_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """`::cmd k=v,k=v::message` as GitHub's runner reads it: properties split
    on `,` and `=`, then %-escapes undone (properties: %25 %0D %0A %3A %2C;
    the message: %25 %0D %0A)."""
    assert line.startswith("::")
    head, sep, message = line[2:].partition("::")
    assert sep
    command, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = (value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n")
                           .replace("%0D", "\r").replace("%25", "%"))
    return command, properties, message.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_github_annotations_round_trip(tmp_path):
    folder = tmp_path / ODD_FOLDER
    folder.mkdir()
    shutil.copy(FIXTURES / "tini_ash_su_exec" / "before.Dockerfile", folder / "Dockerfile")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "Dockerfile").write_bytes(b"\xfe")
    proc = unalpine("--yes", "--format", "github", ".", cwd=tmp_path, check=2)
    lines = proc.stdout.decode().splitlines()
    report = json.loads(unalpine("--yes", "--json", ".", cwd=tmp_path, check=2).stdout)
    expected = [("error", {"file": "bad/Dockerfile", "line": "1", "title": "unalpine"}, "not UTF-8 text (byte 0)")]
    for entry in report["files"]:
        for finding in entry["findings"]:
            command = "warning" if finding["severity"] == "warning" else "notice"
            expected.append((command, {"file": entry["path"], "line": str(finding["line"]),
                                       "title": f"unalpine {finding['rule']}"}, finding["message"]))
    decoded = [decode_workflow_command(line) for line in lines]
    assert [d for d in decoded if d[2] != "rewrote this instruction for Debian"] == expected
    assert any(d[1]["file"] == f"{ODD_FOLDER}/Dockerfile" for d in decoded)
    for line in lines:  # nothing unescaped that would end a property early
        props = line[2:].partition("::")[0].partition(" ")[2]
        assert props.count(",") == 2 and props.count(":") == 0


def test_github_escaping_of_messages():
    from migrator.report.github import annotation

    line = annotation("warning", "50% done\r\nnext: a, b", file="a,b:c.txt", line=3)
    assert line == "::warning file=a%2Cb%3Ac.txt,line=3::50%25 done%0D%0Anext: a, b"
    assert decode_workflow_command(line) == ("warning", {"file": "a,b:c.txt", "line": "3"}, "50% done\r\nnext: a, b")


def test_gitlab_code_quality_has_the_documented_shape(fleet):
    (fleet / "broken").mkdir()
    (fleet / "broken" / "Dockerfile").write_bytes(b"\xff")
    (fleet / "open").mkdir()
    (fleet / "open" / "Dockerfile").write_text(UNKNOWN)
    proc = unalpine("--format", "gitlab", ".", cwd=fleet, check=3)
    issues = json.loads(proc.stdout)
    schema = json.loads((SCHEMAS / "gitlab-code-quality.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(issues)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    by_check = {}
    for issue in issues:
        by_check.setdefault(issue["check_name"], []).append(issue)
    [broken] = by_check["unalpine-error"]
    assert broken["severity"] == "major" and broken["location"] == {"path": "broken/Dockerfile", "lines": {"begin": 1}}
    assert any(i["location"]["path"] == "open/Dockerfile" and i["severity"] == "minor" for i in by_check["UA202"])
    # The same run gives the same fingerprints (GitLab compares them across pipelines).
    assert json.loads(unalpine("--format", "gitlab", ".", cwd=fleet, check=3).stdout) == issues


def test_checkstyle_is_xml_with_every_finding(tmp_path):
    folder = tmp_path / ODD_FOLDER
    folder.mkdir()
    shutil.copy(FIXTURES / "blog" / "before.Dockerfile", folder / "Dockerfile")
    proc = unalpine("--yes", "--format", "checkstyle", ".", cwd=tmp_path, check=0)
    root = ElementTree.fromstring(proc.stdout)
    assert root.tag == "checkstyle"
    [file] = root.findall("file")
    assert file.get("name") == f"{ODD_FOLDER}/Dockerfile"
    report = json.loads(unalpine("--yes", "--json", ".", cwd=tmp_path, check=0).stdout)
    expected = [(str(f["line"]), "warning" if f["severity"] == "warning" else "info", f["message"], f"unalpine.{f['rule']}")
                for f in report["files"][0]["findings"]]
    found = [(e.get("line"), e.get("severity"), e.get("message"), e.get("source")) for e in file.findall("error")
             if e.get("message") != "rewrote this instruction for Debian"]
    assert found == expected


def test_json_is_the_short_form_of_format_json(tmp_path):
    (tmp_path / "Dockerfile").write_text(UNKNOWN)
    assert unalpine("--json", ".", cwd=tmp_path).stdout == unalpine("--format", "json", ".", cwd=tmp_path).stdout
    proc = unalpine("--json", "--format", "sarif", ".", cwd=tmp_path, check=2)
    assert b"--json is --format json" in proc.stderr


def test_sarif_fixes_reproduce_every_fixture(tmp_path):
    """Over every fixture that needs no options: the log is valid, and its
    fixes applied to each original give exactly what --write writes."""
    # A cache of its own: the session's shared one would come out warm for
    # every fixture, and other tests count on a fixture's first run.
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    tmp_path = tmp_path / "fixtures"
    tmp_path.mkdir()
    cases = [p.name for p in sorted(FIXTURES.iterdir())
             if (p / "before.Dockerfile").is_file() and not (p / "args").exists()]
    assert len(cases) >= 40
    for case in cases:
        shutil.copytree(FIXTURES / case, tmp_path / case, ignore=shutil.ignore_patterns("after.Dockerfile"))
    proc = unalpine("--yes", "--format", "sarif", ".", cwd=tmp_path, env=cache)
    assert proc.returncode in (0, 2), proc.stderr.decode()
    log = json.loads(proc.stdout)
    sarif_validator().validate(log)
    by_file: dict[str, list] = {}
    for result in log["runs"][0]["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                by_file.setdefault(change["artifactLocation"]["uri"], []).extend(change["replacements"])
    originals = {name: read(tmp_path / name) for name in by_file}
    unalpine("--yes", "--write", ".", cwd=tmp_path, env=cache)
    assert len(by_file) >= 30
    for name, replacements in by_file.items():
        assert apply_sarif_fixes(originals[name], replacements) == read(tmp_path / name), name


@pytest.mark.parametrize("form", ["github", "gitlab", "checkstyle"])
def test_a_check_that_fails_on_rewrites_alone_points_at_each_rewritten_line(tmp_path, form):
    # No rule has anything to say about these two lines beyond rewriting them:
    # the gate fails (exit 1), and the CI format must still show where.
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-alpine\nRUN apk add --no-cache curl\n")
    assert not json.loads(unalpine("--check", "--json", ".", cwd=tmp_path, check=1).stdout)["files"][0]["findings"]
    out = unalpine("--check", "--format", form, ".", cwd=tmp_path, check=1).stdout.decode()
    if form == "github":
        found = [(props["line"], props["title"]) for _, props, _ in map(decode_workflow_command, out.splitlines())]
    elif form == "gitlab":
        found = [(str(i["location"]["lines"]["begin"]), f"unalpine {i['check_name']}") for i in json.loads(out)]
    else:
        found = [(e.get("line"), e.get("source").replace(".", " ")) for e in ElementTree.fromstring(out).iter("error")]
    assert found == [("1", "unalpine UA101"), ("2", "unalpine UA201")]


@pytest.mark.parametrize("form", ["sarif", "github", "gitlab", "checkstyle"])
def test_a_compose_file_with_an_image_to_move(tmp_path, form):
    """A compose file's rewrite is tied to its own line (a compose file has no
    instructions): each CI format reports it, and SARIF's fix is the migration."""
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    build: .\n  worker:\n    image: python:3.11-alpine\n")
    proc = unalpine("--yes", "--format", form, "docker-compose.yml", cwd=tmp_path, check=0)
    out = proc.stdout.decode()
    if form == "sarif":
        log = json.loads(out)
        sarif_validator().validate(log)
        results = log["runs"][0]["results"]
        assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} == {5}
        replacements = [change for r in results for fix in r.get("fixes", [])
                        for c in fix["artifactChanges"] for change in c["replacements"]]
        original = read(compose)
        unalpine("--yes", "--write", "docker-compose.yml", cwd=tmp_path, check=0)
        assert apply_sarif_fixes(original, replacements) == read(compose) != original
    else:
        assert {"github": "line=5", "gitlab": '"begin": 5', "checkstyle": 'line="5"'}[form] in out
