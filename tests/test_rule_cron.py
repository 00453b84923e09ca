"""UA304: busybox crond becomes Debian's cron."""

import pytest

from rulekit import messages, run

INSTALL = "RUN apt-get update && apt-get install -y --no-install-recommends cron && rm -rf /var/lib/apt/lists/*\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('CMD ["crond", "-f"]', 'CMD ["cron", "-f"]'),
        ('CMD ["crond", "-f", "-l", "2"]', 'CMD ["cron", "-f"]'),
        ('CMD ["/usr/sbin/crond", "-fS", "-c", "/etc/crontabs"]', 'CMD ["/usr/sbin/cron", "-f"]'),
        ('ENTRYPOINT ["crond", "-b"]', 'ENTRYPOINT ["cron"]'),
        ("CMD crond -f -d 8", "CMD cron -f"),
        ("CMD crond -l 2 -f", "CMD cron -f"),
        ('CMD ["sh", "-c", "crond && exec python app.py"]', 'CMD ["sh", "-c", "cron && exec python app.py"]'),
    ],
)
def test_crond_becomes_cron_with_its_flags_mapped(before, after):
    result = run(f"FROM alpine:3.20\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{INSTALL}{after}\n"
    assert [d.key for d in result.seen] == ["UA304:cron"]


def test_flags_without_an_equivalent_are_dropped_with_a_warning():
    found = messages(run('FROM alpine:3.20\nCMD ["crond", "-f", "-L", "/var/log/cron.log"]\n'))
    assert "crond -L /var/log/cron.log (busybox's log file; Debian's cron logs through syslog only" in found


def test_a_crond_in_a_run_and_the_install_before_it():
    text = "FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN crond -b \\\n    && echo started\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates cron && rm -rf /var/lib/apt/lists/*\n"
        "RUN cron \\\n    && echo started\n")


def test_a_copied_crontab_is_installed_with_crontab_u():
    text = "FROM alpine:3.20\nCOPY jobs /etc/crontabs/app\nCMD [\"crond\", \"-f\"]\n"
    assert run(text).text == (f"FROM debian:trixie-slim\n{INSTALL}COPY jobs /etc/crontabs/app\n"
                              "RUN crontab -u app /etc/crontabs/app\nCMD [\"cron\", \"-f\"]\n")


def test_a_crontab_folder_copied_names_its_users():
    text = "FROM alpine:3.20\nCOPY root www /etc/crontabs/\n"
    assert run(text).text.endswith("COPY root www /etc/crontabs/\n"
                                   "RUN crontab -u root /etc/crontabs/root && crontab -u www /etc/crontabs/www\n")


def test_a_crontab_written_in_a_run():
    text = "FROM alpine:3.20\nRUN echo '* * * * * date' >> /etc/crontabs/root \\\n    && echo done\n"
    assert run(text).text == (
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends cron && rm -rf /var/lib/apt/lists/* && "
        "mkdir -p /etc/crontabs && echo '* * * * * date' >> /etc/crontabs/root \\\n"
        "    && echo done && crontab -u root /etc/crontabs/root\n")


def test_cron_installed_already_is_not_installed_again():
    text = "FROM alpine:3.20\nRUN apk add --no-cache dcron\nCMD [\"crond\", \"-f\"]\n"
    out = run(text).text
    assert out.count("cron ") + out.count("cron\n") >= 1 and out.count(" cron ") == 1
    assert out.endswith('CMD ["cron", "-f"]\n')


def test_refused_everything_stays_with_a_warning():
    text = "FROM alpine:3.20\nCOPY jobs /etc/crontabs/root\nCMD [\"crond\", \"-f\"]\n"
    result = run(text, {"UA304": "keep"})
    assert result.text == text.replace("alpine:3.20", "debian:trixie-slim")
    assert "crond and /etc/crontabs left as they are" in messages(result)


def test_python_images_and_stages_kept_on_alpine():
    assert run("FROM python:3.12-alpine\nCMD crond -f\n").text == f"FROM python:3.12-slim-trixie\n{INSTALL}CMD cron -f\n"
    text = "FROM alpine:3.20@sha256:" + "a" * 64 + "\nCMD crond -f\n"
    assert run(text, {"UA101": "keep"}).text == text


@pytest.mark.parametrize(
    ("line", "users"),
    [
        ("RUN echo x > /etc/crontabs/root", ["root"]),
        ("RUN printf 'x' | tee -a /etc/crontabs/app", ["app"]),
        ("RUN cp /src/jobs /etc/crontabs/app && chmod 600 /etc/crontabs/app", ["app"]),
        ("RUN rm -f /etc/crontabs/root && echo x >> /etc/crontabs/app", ["app"]),
        ("RUN cat /etc/crontabs/root", []),
    ],
)
def test_only_crontabs_a_run_writes_are_installed(line, users):
    out = run(f"FROM alpine:3.20\n{line}\n").text
    assert [u for u in ("root", "app") if f"crontab -u {u} " in out] == users
