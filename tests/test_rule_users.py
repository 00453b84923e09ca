"""UA401: busybox adduser/addgroup become useradd/groupadd with the same meaning."""

import pytest

from rulekit import messages, run


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("adduser -D app", "useradd -m app"),
        ("adduser -D -H app", "useradd app"),
        ("adduser -DH app", "useradd app"),
        ("adduser -S -D -H -u 1000 app", "useradd -r -g nogroup -u 1000 app"),
        ("adduser -D -u 1000 -G app -h /srv/app -s /sbin/nologin app", "useradd -m -g app -d /srv/app -s /usr/sbin/nologin -u 1000 app"),
        ("adduser -D -g 'App User' app", "useradd -m -c 'App User' app"),
        ("adduser app wheel", "usermod -a -G wheel app"),
        ("addgroup -S app", "groupadd -r app"),
        ("addgroup -g 1000 -S app", "groupadd -r -g 1000 app"),
        ("addgroup app wheel", "usermod -a -G wheel app"),
        ("deluser app", "userdel app"),
        ("delgroup app", "groupdel app"),
    ],
)
def test_translations(before, after):
    result = run(f"FROM alpine:3.19\nRUN {before}\n")
    assert result.text == f"FROM debian:trixie-slim\nRUN {after}\n"


def test_in_a_chain_only_the_command_changes():
    text = "FROM python:3.12-alpine\nRUN addgroup -S app && adduser -S -G app app \\\n    && chown app /srv\n"
    assert run(text).text == (
        "FROM python:3.12-slim-trixie\nRUN groupadd -r app && useradd -r -m -g app app \\\n    && chown app /srv\n"
    )


@pytest.mark.parametrize("command", ["adduser --disabled-password app", "adduser -D $USER", "adduser -X app"])
def test_what_it_cannot_translate_is_left_with_a_warning(command):
    text = f"FROM alpine:3.19\nRUN {command}\n"
    result = run(text)
    assert result.text == f"FROM debian:trixie-slim\nRUN {command}\n"
    assert "left as is" in messages(result)
