"""UA303: OpenRC's commands go with openrc, each command alone."""

import pytest

from rulekit import messages, run


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN rc-update add nginx default", None),
        ("RUN mkdir /run/nginx && rc-update add nginx default", "RUN mkdir /run/nginx"),
        ("RUN rc-update add nginx default && mkdir /run/nginx", "RUN mkdir /run/nginx"),
        ("RUN mkdir /a; rc-service nginx start; mkdir /b", "RUN mkdir /a; mkdir /b"),
        ("RUN mkdir /a \\\n    && rc-update add nginx \\\n    && mkdir /b", "RUN mkdir /a \\\n    && mkdir /b"),
        ("RUN /sbin/openrc && rc-status && mkdir /a", "RUN mkdir /a"),
        ("RUN if true; then rc-update add nginx; fi", "RUN if true; then true; fi"),
    ],
)
def test_the_commands_go_alone(before, after):
    result = run(f"FROM alpine:3.19\n{before}\n")
    assert result.text == "FROM debian:trixie-slim\n" + (f"{after}\n" if after else "")
    assert [d.key for d in result.seen] == ["UA303:remove"]


def test_with_the_apk_line_that_installs_openrc():
    text = "FROM alpine:3.19\nRUN apk add --no-cache openrc nginx && \\\n    rc-update add nginx default\n"
    assert run(text).text == ("FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y "
                              "--no-install-recommends nginx && rm -rf /var/lib/apt/lists/*\n")
    assert run("FROM alpine:3.19\nRUN apk add openrc && rc-update add nginx\n").text == "FROM debian:trixie-slim\n"


def test_the_warning_names_the_foreground_command_unless_cmd_runs_it():
    text = "FROM alpine:3.19\nRUN rc-update add sshd default\nCMD [\"/start.sh\"]\n"
    found = messages(run(text))
    assert "2 UA303 removed `rc-update add sshd default`: no service manager runs in a container, so nothing starts sshd " \
           "unless the image's CMD does: run it in the foreground: /usr/sbin/sshd -D" in found
    found = messages(run("FROM alpine:3.19\nRUN rc-update add nginx\nCMD nginx -g 'daemon off;'\n"))
    assert "the image's CMD starts nginx itself" in found


def test_refused_the_commands_stay_with_a_warning():
    text = "FROM alpine:3.19\nRUN mkdir /a && rc-update add nginx\n"
    result = run(text, {"UA303": "keep"})
    assert result.text == "FROM debian:trixie-slim\nRUN mkdir /a && rc-update add nginx\n"
    assert "rc-update add nginx: left as is" in messages(result)


def test_a_stage_kept_on_alpine_and_a_mapped_openrc_keep_them(tmp_path):
    text = "FROM python:3.12-alpine@sha256:" + "a" * 64 + "\nRUN rc-update add nginx\n"
    assert run(text, {"UA101": "keep"}).text == text
    overlay = tmp_path / "m.toml"
    overlay.write_text('[packages.openrc]\nto = ["openrc"]\n')
    from migrator.packages import PackageTable

    result = run("FROM alpine:3.19\nRUN apk add openrc && rc-update add nginx\n", table=PackageTable.load([overlay]))
    assert "rc-update add nginx" in result.text and not result.seen
