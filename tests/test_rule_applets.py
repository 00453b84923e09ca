"""UA302: busybox applets that Debian slim does not have."""

import pytest

from rulekit import messages, run


@pytest.mark.parametrize(
    ("line", "applet", "package"),
    [
        ("HEALTHCHECK CMD wget -qO- http://localhost/ || exit 1", "wget", "wget"),
        ("HEALTHCHECK --interval=5s CMD ash -c 'nc -z localhost 80'", "nc", "netcat-openbsd"),
        ('CMD ["crond", "-f", "-l", "2"]', "crond", "cron"),
        ('ENTRYPOINT ["sh", "-c", "ps aux"]', "ps", "procps"),
        ("RUN wget -q https://example.invalid/x.tar.gz", "wget", "wget"),
        ("RUN echo '* * * * * run' | crontab -", "crontab", "cron"),
    ],
)
def test_applets_are_reported_with_the_package_to_install(line, applet, package):
    result = run(f"FROM python:3.12-alpine\n{line}\n")
    assert f"{applet} came with busybox on Alpine; Debian slim has no {applet}: install {package}" in messages(result)


def test_an_installed_provider_silences_it_also_from_the_stage_built_on():
    text = "FROM alpine:3.19 AS base\nRUN apk add --no-cache wget procps\nFROM base\nRUN wget -q x && ps\n"
    assert "UA302" not in messages(run(text))


def test_stages_that_stay_alpine_are_not_checked():
    assert "UA302" not in messages(run("FROM docker:27-cli-alpine3.20\nCMD wget -q x\n"))
