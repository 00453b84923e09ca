"""UA302: programs busybox (or an Alpine package) gave get their Debian package installed."""

import pytest

from migrator.debian.commands import CommandIndex, busybox_applets
from rulekit import messages, run

INSTALL = "apt-get update && apt-get install -y --no-install-recommends"
CLEAN = "rm -rf /var/lib/apt/lists/*"


@pytest.mark.parametrize(
    ("line", "program", "package"),
    [
        ("HEALTHCHECK CMD wget -qO- http://localhost/ || exit 1", "wget", "wget"),
        ("HEALTHCHECK --interval=5s CMD ash -c 'nc -z localhost 80'", "nc", "netcat-traditional"),
        ('ENTRYPOINT ["sh", "-c", "ps aux"]', "ps", "procps"),
        ("RUN wget -q https://example.invalid/x.tar.gz", "wget", "wget"),
        ("RUN xxd -r -p key.hex > key.bin", "xxd", "xxd"),
        ("RUN ip route | awk '{print $3}'", "ip", "iproute2"),
        ("RUN unzip -q app.zip", "unzip", "unzip"),
        ("CMD less /var/log/app.log", "less", "less"),
        ("RUN ping -c1 db", "ping", "iputils-ping"),
    ],
)
def test_the_package_that_ships_the_program_is_installed(line, program, package):
    result = run(f"FROM python:3.12-alpine\n{line}\n")
    assert f"{program} came with busybox on Alpine; python:3.12-slim-trixie has none: installs {package}" in messages(result)
    assert f"{INSTALL} {package} " in result.text
    question = next(d for d in result.seen if d.key.startswith(f"UA302:install:{program}:"))
    assert question.recommended == "install"
    assert f"Debian trixie's {package} ships it (Contents index)" in question.question


def test_the_applets_and_packages_come_from_the_indexes_not_a_hand_list():
    applets = busybox_applets()
    assert {"wget", "nc", "xxd", "less", "ps", "ip", "ping", "unzip", "hexdump", "nslookup"} <= applets
    assert "bash" not in applets and "curl" not in applets
    index = CommandIndex.load("bookworm")
    assert index.packages("setcap")[0] == "libcap2-bin"
    assert index.packages("ping")[0] == "iputils-ping"  # Priority important before optional
    assert index.packages("update-ca-certificates") == ("ca-certificates",)  # Architecture: all (Contents-all)
    assert index.packages("nc")  # an alternative: nc.openbsd, nc.traditional


def test_an_installed_provider_silences_it_also_from_the_stage_built_on():
    text = "FROM alpine:3.19 AS base\nRUN apk add --no-cache wget procps\nFROM base\nRUN wget -q x && ps\n"
    result = run(text)
    assert "UA302" not in messages(result)
    assert result.text.endswith("FROM base\nRUN wget -q x && ps\n")


def test_programs_the_debian_image_has_are_left_alone():
    text = "FROM python:3.12-alpine\nRUN find . -name '*.pyc' -delete && tar xzf a.tgz && pip install x\nCMD [\"python3\", \"app.py\"]\n"
    result = run(text)
    assert "UA302" not in messages(result)
    assert result.text == text.replace("3.12-alpine", "3.12-slim-trixie")


def test_a_program_alpine_did_not_have_either_is_not_installed():
    # curl is no busybox applet and nothing installed it: the original fails too (UA905 says so)
    text = "FROM python:3.12-alpine\nHEALTHCHECK CMD curl -f http://localhost/\n"
    assert "UA302" not in messages(run(text))


def test_refused_it_stays_a_warning():
    text = "FROM python:3.12-alpine\nHEALTHCHECK CMD wget -qO- http://localhost/\n"
    result = run(text, answers={"UA302:install:wget": "leave"})
    assert "apt-get" not in result.text
    assert "wget came with busybox on Alpine; python:3.12-slim-trixie has no wget: install wget (left out, as answered)" \
        in messages(result)


def test_one_question_and_one_install_per_program_and_stage():
    text = "FROM alpine:3.20\nRUN wget -q a\nRUN wget -q b\nHEALTHCHECK CMD wget -q c\n"
    result = run(text)
    assert [d.key for d in result.seen if d.rule == "UA302"] == ["UA302:install:wget:1"]
    assert result.text == (
        "FROM debian:trixie-slim\n"
        f"RUN {INSTALL} wget && {CLEAN} && wget -q a\nRUN wget -q b\nHEALTHCHECK CMD wget -q c\n"
    )


def test_tools_an_alpine_package_carried_are_the_mappings_not_installed_twice():
    # old Alpine's libcap held setcap: the package mapping names libcap2-bin itself
    text = "FROM alpine:3.12\nRUN apk add --no-cache libcap && setcap cap_net_bind_service=+ep /usr/local/bin/app\n"
    result = run(text)
    assert result.text.count("libcap2-bin") == 1
    assert "UA302" not in messages(result)


def test_busybox_wget_becomes_wget():
    text = "FROM python:3.12-alpine\nRUN busybox wget -q x && busybox sh -c 'echo'\n"
    assert run(text).text == (
        "FROM python:3.12-slim-trixie\n"
        f"RUN {INSTALL} wget && {CLEAN} && wget -q x && sh -c 'echo'\n"
    )


def test_exec_form_busybox_becomes_the_program():
    text = 'FROM python:3.12-alpine\nCMD ["busybox", "wget", "-q", "x"]\n'
    assert run(text).text == (
        "FROM python:3.12-slim-trixie\n"
        f"RUN {INSTALL} wget && {CLEAN}\n"
        'CMD ["wget", "-q", "x"]\n'
    )


def test_an_applet_with_no_debian_twin_gets_debian_busybox():
    text = "FROM python:3.12-alpine\nRUN busybox nmeter -d1 '%c' > /tmp/x\n"
    result = run(text)
    assert result.text == (
        "FROM python:3.12-slim-trixie\n"
        f"RUN {INSTALL} busybox && {CLEAN} && busybox nmeter -d1 '%c' > /tmp/x\n"
    )
    assert "installs Debian's busybox package for `busybox nmeter`" in messages(result)


def test_busybox_kept_when_answered():
    text = "FROM python:3.12-alpine\nRUN busybox wget -q x\n"
    result = run(text, answers={"UA302:busybox:wget": "keep"})
    assert result.text == text.replace("3.12-alpine", "3.12-slim-trixie")
    assert "busybox wget left as is: python:3.12-slim-trixie has no busybox" in messages(result)


def test_cron_is_ua304s():
    result = run('FROM python:3.12-alpine\nCMD ["crond", "-f", "-l", "2"]\n')
    assert "UA302" not in messages(result) and "UA304" in messages(result)


def test_stages_that_stay_alpine_are_not_checked():
    assert "UA302" not in messages(run("FROM docker:27-cli-alpine3.20\nCMD wget -q x\n"))
