"""UA305: ash syntax that Debian's /bin/sh (dash) does not read gets bash."""

import shutil
import subprocess

import pytest

from rulekit import messages, run

SHELL = 'SHELL ["/bin/bash", "-c"]'


@pytest.mark.parametrize(
    ("line", "construct"),
    [
        ("RUN if [[ -e /x ]]; then echo y; fi", "[[ ... ]]"),
        ('RUN [ "$MODE" == "dev" ] && echo dev', "== in [ ]"),
        ("RUN test a == a", "== in test"),
        ("RUN source /etc/profile && echo ok", "source"),
        ("RUN function greet { echo hi; }; greet", "function NAME"),
        ("RUN echo ${VERSION:0:3}", "${VERSION:0:3}"),
        ('RUN echo "${NAME//-/_}"', "${NAME//-/_}"),
        ("RUN printf $'a\\tb'", "$'...'"),
        ("RUN make &> /tmp/build.log", "&>"),
    ],
)
def test_ash_syntax_gets_bash(line, construct):
    result = run(f"FROM python:3.12-alpine\nRUN pip install flask\n{line}\nRUN echo done\n")
    assert result.text == f"FROM python:3.12-slim-trixie\nRUN pip install flask\n{SHELL}\n{line}\nRUN echo done\n"
    assert f"3 UA305 {construct} is ash syntax" in messages(result)


@pytest.mark.parametrize(
    "line",
    [
        "RUN [ -e /x ] && echo y",
        'RUN [ "$A" = "b" ] || echo ${A:-none} ${A%.*} ${#A}',
        "RUN . /etc/profile",
        "RUN greet() { echo hi; }; greet",
        "RUN make > /tmp/build.log 2>&1",
        "RUN echo '[[ not code ]]' \"source\"",
        "RUN set -eo pipefail; echo ok",  # trixie's dash has pipefail
    ],
)
def test_posix_shell_is_left_alone(line):
    text = f"FROM alpine:3.19\n{line}\n"
    assert SHELL not in run(text).text


def test_pipefail_needs_bash_before_trixie():
    text = "FROM python:3.11-alpine\nRUN set -eux -o pipefail && sort /etc/hosts | uniq\n"
    result = run(text, target="bookworm")
    assert result.text == f"FROM python:3.11-slim-bookworm\n{SHELL}\nRUN set -eux -o pipefail && sort /etc/hosts | uniq\n"
    assert "set -o pipefail (bookworm's dash has no pipefail)" in messages(result)
    assert SHELL not in run(text, target="trixie").text


def test_once_per_stage_and_not_where_a_shell_is_set():
    text = ("FROM alpine:3.19 AS build\nRUN [[ -d /a ]] || mkdir /a\nRUN [[ -d /b ]] || mkdir /b\n"
            "FROM build\nRUN [[ -d /c ]] || mkdir /c\n"
            "FROM alpine:3.19\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN [[ -d /d ]] || mkdir /d\n")
    lines = run(text).text.splitlines()
    assert lines.count(SHELL) == 1
    assert lines[1] == SHELL
    assert 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]' in lines  # UA301's rename; no second SHELL


def test_an_indented_run_keeps_its_line_and_its_line_ending():
    text = "FROM alpine:3.19\n    RUN [[ -d /a ]] || mkdir /a\r\n"
    assert run(text).text == f"FROM debian:trixie-slim\n{SHELL}\n    RUN [[ -d /a ]] || mkdir /a\r\n"


def test_a_stage_kept_on_alpine_is_left_alone():
    text = "FROM alpine:3.19@sha256:" + "a" * 64 + "\nRUN [[ -d /a ]] || mkdir /a\n"
    assert run(text, {"UA101:digest": "keep"}).text == text


def test_migrated_file_is_a_fixed_point():
    once = run("FROM alpine:3.19\nRUN source /etc/os-release && echo $ID\n").text
    assert run(once).text == once


@pytest.mark.skipif(shutil.which("dash") is None, reason="no dash on this machine")
@pytest.mark.parametrize("script", ["[[ 1 == 1 ]]", "[ a == a ]", "source /dev/null", "v=abc; : ${v:0:1}"])
def test_dash_really_stops_on_them_and_bash_does_not(script):
    assert subprocess.run(["dash", "-c", script], capture_output=True).returncode != 0
    assert subprocess.run(["bash", "-c", script], capture_output=True).returncode == 0


def test_a_script_without_the_marks_has_none_of_the_constructs():
    # the rule walks a tree only when its text holds one of _MARKS: every RUN
    # of the fixtures (and of the dev corpus, when present), for every suite
    from pathlib import Path

    from migrator.document import parse
    from migrator.rules.ash_syntax import _MARKS, _NO_PIPEFAIL, _ash_only
    from migrator.shell import script_of

    files = sorted(Path(__file__).parent.parent.glob("fixtures/*/*.Dockerfile"))
    corpus = Path("/work/corpus-dev")
    files += sorted(corpus.iterdir()) if corpus.is_dir() else []
    walked = 0
    for path in files:
        try:
            document = parse(path.read_text(encoding="utf-8"))
        except Exception:
            continue  # fixtures of bad input
        for instruction in document.instructions:
            script = script_of(instruction, document.text)
            if script is None or script.has_errors or any(mark in script.text for mark in _MARKS):
                continue
            walked += 1
            for suite in (*_NO_PIPEFAIL, "trixie"):
                assert _ash_only(script.tree.root_node, suite) is None, (path, script.text)
    assert walked > 100
