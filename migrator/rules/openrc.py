"""UA303 openrc: OpenRC's commands go with openrc.

The apk rule drops `openrc` (containers run no init system), and Debian has
no rc-update, rc-service, rc-status or openrc in its images, so the commands
that set services up for OpenRC fail the build. They are removed with the
package (a question, recommended), each command alone, not what it is
chained with: the apk rule takes them out in the same word plan as its own
edits, so the layout rules are the same. Nothing starts a service in a
container but the image's CMD; where it does not start the service, the
warning names the program that runs it in the foreground.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext
from migrator.document import json_array
from migrator.openrc_commands import ID, answer, applies, is_service_command
from migrator.proposals import Finding, Severity
from migrator.rules import rule
from migrator.shell import Command

# OpenRC service -> (the program a CMD would name, how it runs in the foreground on Debian)
FOREGROUND: dict[str, tuple[str, str]] = {
    "nginx": ("nginx", "nginx -g 'daemon off;'"),
    "sshd": ("sshd", "/usr/sbin/sshd -D (after mkdir -p /run/sshd)"),
    "crond": ("cron", "cron -f"),
    "dcron": ("cron", "cron -f"),
    "cronie": ("cron", "cron -f"),
    "php-fpm": ("php-fpm", "php-fpm<version> -F (Debian names it by version, e.g. php-fpm8.2)"),
    "redis": ("redis-server", "redis-server"),
    "memcached": ("memcached", "memcached"),
    "postgresql": ("postgres", "postgres -D <data directory>"),
    "mariadb": ("mysqld", "mariadbd"),
    "mysql": ("mysqld", "mysqld"),
    "docker": ("dockerd", "dockerd"),
    "supervisord": ("supervisord", "supervisord -n"),
    "apache2": ("apache2", "apache2ctl -D FOREGROUND"),
    "rsyslog": ("rsyslogd", "rsyslogd -n"),
    "syslog": ("syslogd", "rsyslogd -n (package rsyslog)"),
    "haproxy": ("haproxy", "haproxy -f /etc/haproxy/haproxy.cfg"),
    "dbus": ("dbus-daemon", "dbus-daemon --system --nofork"),
}


@rule(ID, "openrc", "Remove OpenRC's rc-update/rc-service/rc-status/openrc with openrc; name the foreground command")
def check(ctx: RuleContext) -> Iterator[Finding]:
    starts = None  # what CMD/ENTRYPOINT run: read only for a file with a service command
    for stage, _, script, command in ctx.commands():
        if not is_service_command(command) or not applies(ctx, stage):
            continue
        if starts is None:
            starts = _started_by_cmd(ctx)
        line = ctx.line_of(script.file_span(command.start, command.end)[0])
        written = script.text[command.words[0].start : command.words[-1].end]
        if answer(ctx, script, command) != "remove":
            yield Finding(ID, line, f"{written}: left as is; Debian has no {command.name}, the build fails on it")
            continue
        yield _removed(written, _service(command), starts, line)


def _removed(written: str, service: str | None, starts: str, line: int) -> Finding:
    done = f"removed `{written}`: no service manager runs in a container"
    if service is None:
        return Finding(ID, line, done, Severity.INFO)
    program, foreground = FOREGROUND.get(service, FOREGROUND.get(service.split(".")[0].rstrip("0123456789"), (service, "")))
    if program in starts:
        return Finding(ID, line, f"{done}; the image's CMD starts {program} itself", Severity.INFO)
    how = f"run it in the foreground: {foreground}" if foreground else "run it in the foreground"
    return Finding(ID, line, f"{done}, so nothing starts {service} unless the image's CMD does: {how}")


def _service(command: Command) -> str | None:
    """The service an rc-update/rc-service call names."""
    values = [word.value or word.text for word in command.words[1:]]
    operands = [value for value in values if not value.startswith("-")]
    name = (command.name or "").rsplit("/", 1)[-1]
    if name == "rc-update":
        for index, value in enumerate(operands):
            if value in ("add", "del", "delete"):
                return operands[index + 1] if index + 1 < len(operands) else None
        return None
    if name == "rc-service":
        return operands[0] if operands else None
    return None


def _started_by_cmd(ctx: RuleContext) -> str:
    """What the file's CMD and ENTRYPOINT run, as one text to search."""
    parts = []
    for instruction in ctx.document.instructions:
        if instruction.command in ("CMD", "ENTRYPOINT") and instruction.command_start is not None:
            text = instruction.logical.text[instruction.command_start :]
            array = json_array(text)
            parts.append(" ".join(array) if array is not None else text)
    return " ".join(parts)
