"""UA302 busybox-applets: commands busybox gave for free that Debian slim lacks.

On Alpine, busybox provides wget, nc, ping, ps, vi, crond and more without
any package. Debian's slim images have none of them, so a HEALTHCHECK that
runs wget or a CMD that starts crond fails at run time, long after the build
looked fine. This rule warns where a migrated stage runs such a command
without installing the package that provides it (checked in the stage and
the stages it builds on); the warning names the Debian package to add.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.document import Instruction, json_array
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Finding
from migrator.rules import rule
from migrator.apk_commands import APK_COMMANDS

ID = "UA302"

# applet -> (Alpine packages that provide it for real, Debian package, note)
APPLETS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "wget": (("wget",), "wget", ""),
    "nc": (("netcat-openbsd", "netcat-gnu"), "netcat-openbsd", ""),
    "ping": (("iputils", "iputils-ping"), "iputils-ping", ""),
    "ps": (("procps", "procps-ng"), "procps", ""),
    "top": (("procps", "procps-ng"), "procps", ""),
    "pgrep": (("procps", "procps-ng"), "procps", ""),
    "pkill": (("procps", "procps-ng"), "procps", ""),
    "free": (("procps", "procps-ng"), "procps", ""),
    "watch": (("procps", "procps-ng"), "procps", ""),
    "killall": (("psmisc",), "psmisc", ""),
    "netstat": (("net-tools",), "net-tools", ""),
    "ifconfig": (("net-tools",), "net-tools", ""),
    "nslookup": (("bind-tools",), "bind9-dnsutils", ""),
    "traceroute": (("traceroute",), "traceroute", ""),
    "vi": (("vim", "nvi"), "vim-tiny", ""),
    "less": (("less",), "less", ""),
    "unzip": (("unzip",), "unzip", ""),
    "xz": (("xz",), "xz-utils", ""),
    "unxz": (("xz",), "xz-utils", ""),
    "patch": (("patch",), "patch", ""),
    "file": (("file",), "file", ""),
    "bc": (("bc",), "bc", ""),
    "telnet": (("busybox-extras", "inetutils-telnet"), "telnet", ""),
    "crond": (("dcron", "cronie"), "cron",
              "; Debian's daemon is `cron -f` (busybox crond's -l/-L/-c mean other things) and reads "
              "/etc/cron.d or crontab -u, not /etc/crontabs"),
    "crontab": (("dcron", "cronie"), "cron", "; Debian's crontab files live in /var/spool/cron/crontabs"),
}


# The program a CMD/ENTRYPOINT/HEALTHCHECK runs, and the one after `sh -c`.
_PROGRAM = LazyPattern(r"[\w./-]+")
_SH_C = LazyPattern(r"-c\s+['\"]?([\w./-]+)")

@rule(ID, "busybox-applets", "Warn about busybox applets a migrated stage uses but Debian slim lacks")
def check(ctx: RuleContext) -> Iterator[Finding]:
    for stage in ctx.migrated():
        installed = _installed(ctx, stage)
        for instruction in stage.instructions:
            for name, offset in _programs(ctx, instruction):
                providers, debian, note = APPLETS[name]
                if installed.intersection(providers):
                    continue
                yield Finding(
                    ID, ctx.line_of(offset),
                    f"{name} came with busybox on Alpine; Debian slim has no {name}: install {debian}{note}",
                )


def _installed(ctx: RuleContext, stage: Stage) -> set[str]:
    """Alpine package names `apk add`ed in the stage and the ones it builds on."""
    names: set[str] = set()
    while stage is not None:
        for instruction in stage.instructions:
            script = ctx.script(instruction)
            for command in script.commands if script else ():
                if command.name in APK_COMMANDS:
                    names.update(word.value for word in command.words if word.value)
        stage = stage.parent
    return names


def _programs(ctx: RuleContext, instruction: Instruction) -> Iterator[tuple[str, int]]:
    """(applet, file offset) for each applet the instruction runs."""
    command = instruction.command
    if command == "RUN":
        script = ctx.script(instruction)
        if script is None or script.has_errors:
            return
        for found in script.commands:
            if found.name in APPLETS:
                yield found.name, script.file_span(found.start, found.end)[0]
        return
    start = instruction.command_start
    if command not in ("CMD", "ENTRYPOINT", "HEALTHCHECK") or start is None:
        return
    text = instruction.logical.text[start:]
    array = json_array(text)
    if array is not None:
        words = array[:1]
        if words and words[0] in ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash") and "-c" in array:
            words = _PROGRAM.findall(array[-1])[:1]
    else:
        words = _PROGRAM.findall(text)[:1]
        # `sh -c 'wget ...'`: the program is the first word of the script
        script = _SH_C.search(text) if words and words[0].split("/")[-1] in ("sh", "bash", "ash") else None
        if script:
            words = [script.group(1)]
    for word in words:
        name = word.split("/")[-1]
        if name in APPLETS:
            yield name, instruction.file_span(start, start + 1)[0]
