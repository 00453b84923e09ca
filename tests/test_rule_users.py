"""UA401: busybox adduser/addgroup become useradd/groupadd with the same meaning."""

import pytest

from rulekit import messages, run


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("adduser -D app", "useradd -m -k /dev/null -K HOME_MODE=0755 app"),
        ("adduser -D -H app", "useradd app"),
        ("adduser -DH app", "useradd app"),
        ("adduser -S -D -H -u 1000 app", "useradd -r -g nogroup -u 1000 app"),
        ("adduser -D -u 1000 -G app -h /srv/app -s /sbin/nologin app", "useradd -m -k /dev/null -K HOME_MODE=0755 -u 1000 -g app -d /srv/app -s /usr/sbin/nologin app"),
        ("adduser -D -g 'App User' app", "useradd -m -k /dev/null -K HOME_MODE=0755 -c 'App User' app"),
        ("adduser -D -k /etc/app-skel app", "useradd -m -K HOME_MODE=0755 -k /etc/app-skel app"),
        ("adduser app wheel", "usermod -a -G wheel app"),
        ("addgroup -S app", "groupadd -r app"),
        ("addgroup -g 1000 -S app", "groupadd -g 1000 -r app"),
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
        "FROM python:3.12-slim-trixie\nRUN groupadd -r app && useradd -m -k /dev/null -K HOME_MODE=0755 -r -g app app \\\n    && chown app /srv\n"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("adduser -D -u $UID app", "useradd -m -k /dev/null -K HOME_MODE=0755 -u $UID app"),
        ('adduser -D -u "${UID}" -G "$GROUP" "$USER"', 'useradd -m -k /dev/null -K HOME_MODE=0755 -u "${UID}" -g "$GROUP" "$USER"'),
        ("adduser -D -u${UID} app", "useradd -m -k /dev/null -K HOME_MODE=0755 -u ${UID} app"),
        ("addgroup -g $GID -S app", "groupadd -g $GID -r app"),
        ("adduser $USER $GROUP", "usermod -a -G $GROUP $USER"),
        ("deluser $USER", "userdel $USER"),
    ],
)
def test_variables_are_values(before, after):
    result = run(f"FROM alpine:3.19\nRUN {before}\n")
    assert result.text == f"FROM debian:trixie-slim\nRUN {after}\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("adduser --disabled-password app", "useradd -m -k /dev/null -K HOME_MODE=0755 app"),
        ("adduser --disabled-password --gecos '' app", "useradd -m -k /dev/null -K HOME_MODE=0755 -c '' app"),
        ("adduser --system --no-create-home --ingroup app --uid 1000 app", "useradd -r -g app -u 1000 app"),
        ("adduser -D --home=/srv/app --shell /sbin/nologin app", "useradd -m -k /dev/null -K HOME_MODE=0755 -d /srv/app -s /usr/sbin/nologin app"),
        ("adduser --empty-password --skel /etc/skel2 app", "useradd -m -K HOME_MODE=0755 -k /etc/skel2 app"),
        ("adduser -D --gid 1000 app", "useradd -m -k /dev/null -K HOME_MODE=0755 -g 1000 app"),
        ("addgroup --system --gid 1000 app", "groupadd -r -g 1000 app"),
        ('addgroup --gid="$GID" app', 'groupadd -g "$GID" app'),
    ],
)
def test_long_options_read_like_their_short_forms(before, after):
    result = run(f"FROM alpine:3.19\nRUN {before}\n")
    assert result.text == f"FROM debian:trixie-slim\nRUN {after}\n"


@pytest.mark.parametrize("command", ["adduser --quiet app", "adduser -D $FLAGS app", "adduser -X app",
                                     "adduser -D --system=yes app", "adduser -D -u"])
def test_what_it_cannot_translate_is_left_with_a_warning(command):
    text = f"FROM alpine:3.19\nRUN {command}\n"
    result = run(text, target="bookworm")  # (trixie installs adduser for it: below)
    assert result.text == f"FROM debian:bookworm-slim\nRUN {command}\n"
    assert "left as is" in messages(result)


def test_an_account_debian_has_moves_to_the_ids_asked_for():
    text = "FROM php:8.2-fpm-alpine\nRUN addgroup -g 82 -S www-data \\\n && adduser -u 82 -D -S -G www-data www-data\n"
    result = run(text)
    assert result.text == ("FROM php:8.2-fpm-trixie\nRUN groupmod -g 82 www-data \\\n && usermod -u 82 www-data\n")
    assert [d.key for d in result.seen] == ["UA402:group:www-data", "UA402:user:www-data"]


def test_an_account_debian_has_can_be_used_as_it_is():
    text = "FROM alpine:3.19\nRUN addgroup -g 82 -S www-data && adduser -u 82 -D -S -G www-data www-data && chown www-data /srv\n"
    result = run(text, {"UA402": "reuse"})
    assert result.text == "FROM debian:trixie-slim\nRUN chown www-data /srv\n"
    assert "Debian's is used as it is" in messages(result)


def test_an_account_debian_has_with_nothing_to_move_is_just_used():
    text = "FROM alpine:3.19\nRUN addgroup -S www-data\nRUN adduser -S -D -H -G www-data www-data \\\n    && mkdir /srv\n"
    result = run(text)
    assert result.text == "FROM debian:trixie-slim\nRUN mkdir /srv\n"
    assert not result.seen
    assert "1" not in [line.split()[0] for line in messages(result).splitlines()]
    assert "2 UA402 Debian already has the group www-data (33)" in messages(result)


def test_the_authors_layout_stays():
    text = ("FROM alpine:3.19\nRUN adduser \\\n    --system \\\n    --disabled-password \\\n"
            "    --uid $APP_UID --home /srv/app \\\n    app\n")
    assert run(text).text == ("FROM debian:trixie-slim\nRUN useradd -m -k /dev/null -K HOME_MODE=0755 \\\n    -r -g nogroup \\\n"
                              "    -u $APP_UID -d /srv/app \\\n    app\n")


def test_homes_are_empty_and_readable_as_busybox_made_them():
    """trixie's login.defs makes homes 0700 (HOME_MODE), bookworm's 0755 (UMASK)."""
    text = "FROM alpine:3.19\nRUN adduser -D app\n"
    assert run(text).text.endswith("RUN useradd -m -k /dev/null -K HOME_MODE=0755 app\n")
    assert run(text, target="bookworm").text.endswith("RUN useradd -m -k /dev/null app\n")


def test_a_call_left_in_debians_syntax_on_trixie_gets_adduser_installed():
    text = "FROM alpine:3.19\nRUN adduser --disabled-password --gecos '' --group app\n"
    result = run(text)
    assert result.text == ("FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends "
                           "adduser && rm -rf /var/lib/apt/lists/* && adduser --disabled-password --gecos '' --group app\n")
    assert "UA401:install-adduser" in [d.key for d in result.seen]
    assert run(text, target="bookworm").text == text.replace("alpine:3.19", "debian:bookworm-slim")
    assert "it fails there" in messages(run(text, {"UA401:install": "keep"}))
    # busybox's syntax with a variable where a flag goes: Debian's adduser would not take it either
    assert "apt-get" not in run("FROM alpine:3.19\nRUN adduser -D $FLAGS app\n").text


@pytest.mark.parametrize(
    ("made", "chown"),
    [
        ("WORKDIR /srv/app\n", True),
        ("COPY . /srv/app/\n", True),
        ("WORKDIR /srv\n", False),
        ("", False),
    ],
)
def test_a_home_that_exists_already_goes_to_the_user_as_busybox_did(made, chown):
    text = f"FROM alpine:3.19\n{made}RUN adduser -D -h /srv/app app && echo ok\n"
    out = run(text, target="bookworm").text
    tail = " && chown app: /srv/app" if chown else ""
    assert out.endswith(f"RUN useradd -m -k /dev/null -d /srv/app app{tail} && echo ok\n")
