"""UA301: tini, ash and su-exec point at what Debian has."""

import pytest

from rulekit import messages, run


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('ENTRYPOINT ["/sbin/tini", "--"]', 'ENTRYPOINT ["/usr/bin/tini", "--"]'),
        ('ENTRYPOINT ["/sbin/tini", "--", "su-exec", "app", "gunicorn"]', 'ENTRYPOINT ["/usr/bin/tini", "--", "gosu", "app", "gunicorn"]'),
        ('SHELL ["/bin/ash", "-eo", "pipefail", "-c"]', 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]'),
        ('CMD ["su-exec", "app", "python", "main.py"]', 'CMD ["gosu", "app", "python", "main.py"]'),
        ("ENTRYPOINT /sbin/tini -- python app.py", "ENTRYPOINT /usr/bin/tini -- python app.py"),
        ("RUN ash -c 'echo hi' && /bin/ash ./setup.sh", "RUN bash -c 'echo hi' && /bin/bash ./setup.sh"),
        ("RUN su-exec app true", "RUN gosu app true"),
    ],
)
def test_renames(before, after):
    result = run(f"FROM alpine:3.19\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{after}\n"
    assert "UA301" in messages(result)


@pytest.mark.parametrize(
    "line",
    [
        'CMD ["python", "ash"]',  # an argument, not the program
        'ENTRYPOINT ["/opt/sbin/tini"]',  # another path
        "RUN echo /sbin/tini-foo",
        "RUN apk add su-exec",  # package names are the apk rule's
    ],
)
def test_words_that_only_look_alike_stay(line):
    result = run(f"FROM python:3.12-alpine\n{line}\n")
    assert "UA301" not in messages(result)


def test_not_in_a_stage_that_stays_alpine():
    text = 'FROM docker:27-cli-alpine3.20\nENTRYPOINT ["/sbin/tini", "--"]\n'
    assert run(text).text == text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("HEALTHCHECK --interval=30s CMD ash -c 'true'", "HEALTHCHECK --interval=30s CMD bash -c 'true'"),
        ('HEALTHCHECK CMD ["/bin/ash", "-c", "true"]', 'HEALTHCHECK CMD ["/bin/bash", "-c", "true"]'),
        ("HEALTHCHECK NONE", "HEALTHCHECK NONE"),
    ],
)
def test_healthcheck_commands(before, after):
    assert run(f"FROM alpine:3.19\n{before}\n").text == f"FROM debian:trixie-slim\n{after}\n"
