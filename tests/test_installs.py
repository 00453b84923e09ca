"""The shared "install package P in this stage before offset O" mechanism
(migrator.installs), placed and written by the apk rule."""

import pytest

from migrator import installs
from migrator.installs import Need
from rulekit import run

WANTED: list[tuple[str, str]] = []  # (text that marks the use, package)


def _test_needs(ctx):
    """A provider as a rule writes one: a need before each marked use."""
    for stage in ctx.migrated():
        for marker, package in WANTED:
            for instruction in stage.instructions:
                found = ctx.text.find(marker, instruction.start, instruction.stop)
                if found >= 0:
                    yield Need(stage, found, package, "UA999")


@pytest.fixture
def need():
    installs.provides(_test_needs)
    WANTED.clear()
    yield lambda marker, package: WANTED.append((marker, package))
    WANTED.clear()
    installs._PROVIDERS.remove(_test_needs)


def test_into_the_install_before_the_use(need):
    need("xxd -r", "xxd")
    text = "FROM alpine:3.20\nRUN apk add --no-cache jq\nRUN xxd -r x\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends jq xxd && rm -rf /var/lib/apt/lists/*\n"
        "RUN xxd -r x\n"
    )


def test_one_package_per_line_layout_and_options_dropped(need):
    need("wget -q", "wget")
    text = ("FROM alpine:3.20\nRUN apk add --no-cache \\\n      jq \\\n      make \\\n    && wget -q x\n")
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends \\\n      jq \\\n      make wget \\\n"
        "    && wget -q x && rm -rf /var/lib/apt/lists/*\n"
    )


def test_a_last_word_the_apk_rule_deletes_does_not_fight(need):
    # musl-dev becomes libc6-dev; an apk-only word at the end goes: the
    # appended name lands after what is left, in one edit set.
    need("ps aux", "procps")
    text = "FROM alpine:3.20\nRUN apk add --no-cache jq musl-dev=1.2.4-r2 && ps aux\n"
    out = run(text).text
    assert "apt-get install -y --no-install-recommends jq libc6-dev procps && ps aux" in out


def test_an_apk_add_that_installs_nothing_now_installs_the_need(need):
    need("ps aux", "procps")
    text = "FROM alpine:3.20\nRUN apk add --no-cache openrc && ps aux\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends procps && ps aux && rm -rf /var/lib/apt/lists/*\n"
    )


def test_virtual_group_install_keeps_the_need_out_of_the_group(need):
    need("wget -q", "wget")
    text = ("FROM alpine:3.20\nRUN apk add --no-cache --virtual .deps gcc && make && apk del .deps\n"
            "HEALTHCHECK CMD wget -q x\n")
    out = run(text).text
    assert "apt-get install -y --no-install-recommends gcc wget && make && apt-mark auto gcc &&" in out


def test_no_install_before_the_use_adds_one_at_the_start_of_its_run(need):
    need("wget -q", "wget")
    text = "FROM python:3.12-alpine\nRUN set -eux; wget -q x; tar xf x\n"
    assert run(text).text == (
        "FROM python:3.12-slim-trixie\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/* && set -eux; wget -q x; tar xf x\n"
    )


def test_an_install_after_the_use_in_the_same_run_keeps_one_cleanup(need):
    need("wget -q", "wget")
    text = "FROM alpine:3.20\nRUN wget -q x && apk add --no-cache jq\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget && wget -q x && "
        "apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*\n"
    )


def test_a_conditional_install_is_not_used(need):
    need("wget -q", "wget")
    text = "FROM alpine:3.20\nRUN if [ -n \"$X\" ]; then apk add --no-cache jq; fi\nRUN wget -q x\n"
    out = run(text).text
    assert "RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/* && wget -q x\n" in out


def test_heredoc_run(need):
    need("wget -q", "wget")
    text = "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN <<EOF\nset -e\nwget -q x\nEOF\n"
    assert run(text).text.endswith(
        "RUN <<EOF\napt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/* && set -e\n"
        "wget -q x\nEOF\n")


def test_cmd_without_any_install_gets_a_run_before_it_and_before_user(need):
    need("tini", "tini")
    text = "FROM alpine:3.20\nCOPY app /app\nUSER app\nCMD [\"tini\", \"-f\"]\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\nCOPY app /app\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n"
        "USER app\nCMD [\"tini\", \"-f\"]\n"
    )


def test_crlf_and_two_needs_one_run(need):
    need("HEALTHCHECK", "wget")
    need("HEALTHCHECK", "procps")
    text = "FROM alpine:3.20\r\nHEALTHCHECK CMD wget -q x && ps\r\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\r\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget procps && rm -rf /var/lib/apt/lists/*\r\n"
        "HEALTHCHECK CMD wget -q x && ps\r\n"
    )


def test_exec_form_run(need):
    need('"wget"', "wget")
    text = 'FROM alpine:3.20\nRUN ["wget", "-q", "x"]\n'
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*\n"
        'RUN ["wget", "-q", "x"]\n'
    )


def test_existing_apt_get_install_and_names_not_written_twice(need):
    need("wget -q", "wget")
    need("wget -q", "jq")
    text = "FROM alpine:3.20\nRUN apk add --no-cache jq\nRUN wget -q x\n"
    out = run(text).text
    assert "--no-install-recommends jq wget && rm" in out


def test_the_result_is_idempotent(need):
    need("wget -q", "wget")
    text = "FROM alpine:3.20\nRUN apk add --no-cache jq\nRUN wget -q x\n"
    once = run(text).text
    assert run(once).text == once
