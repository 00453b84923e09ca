"""UA401 busybox-users: busybox adduser/addgroup/deluser/delgroup → shadow's tools.

Busybox's flags mean other things to Debian's adduser (`-D` "no password"
versus nothing at all, `-G` the primary group, `-S` a system account in
group nogroup), and Debian's slim images may not even have adduser, while
useradd and groupadd (package passwd) are always there. The command is
rewritten as a whole, with the same meaning:

    busybox                         shadow
    adduser -D USER                 useradd -m USER
    adduser -S [-D] [-H] USER       useradd -r -g nogroup [-m] USER
    adduser -G GRP USER             useradd -m -g GRP USER
    -h DIR / -g GECOS / -s SHELL    -d DIR / -c GECOS / -s SHELL
    -u UID / -k SKEL                -u UID / -k SKEL
    adduser USER GROUP              usermod -a -G GROUP USER
    addgroup [-S] [-g GID] GROUP    groupadd [-r] [-g GID] GROUP
    addgroup USER GROUP             usermod -a -G GROUP USER
    deluser USER / delgroup GROUP   userdel USER / groupdel GROUP
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import rule
from migrator.shell import Command, Word

ID = "UA401"

_ADDUSER_VALUES = {"h", "g", "s", "G", "u", "k"}
_ADDUSER_FLAGS = {"S", "D", "H"}
_ADDGROUP_VALUES = {"g"}
_ADDGROUP_FLAGS = {"S"}
# Alpine keeps nologin in /sbin; bullseye images have no merged /usr.
_SHELLS = {"/sbin/nologin": "/usr/sbin/nologin", "/bin/ash": "/bin/bash"}


class Unsupported(Exception):
    """An option this rule does not translate: the command is left alone."""


def parse_options(words: list[Word], with_value: set[str], flags: set[str]) -> tuple[dict[str, str], list[str]]:
    """getopt-style short options, as busybox reads them (clusters like -DH,
    values attached or in the next word)."""
    options: dict[str, str] = {}
    operands: list[str] = []
    index = 0
    while index < len(words):
        value = words[index].value
        if value is None:
            raise Unsupported(f"{words[index].text} expands a variable")
        if value.startswith("-") and len(value) > 1 and not value.startswith("--"):
            letters = value[1:]
            for position, letter in enumerate(letters):
                if letter in flags:
                    options[letter] = ""
                elif letter in with_value:
                    rest = letters[position + 1 :]
                    if rest:
                        options[letter] = rest
                    elif index + 1 < len(words) and words[index + 1].value is not None:
                        index += 1
                        options[letter] = words[index].value
                    else:
                        raise Unsupported(f"-{letter} needs a value")
                    break
                else:
                    raise Unsupported(f"option -{letter}")
        elif value.startswith("--"):
            raise Unsupported(f"option {value}")
        else:
            operands.append(value)
        index += 1
    return options, operands


def adduser(words: list[Word]) -> str:
    options, operands = parse_options(words, _ADDUSER_VALUES, _ADDUSER_FLAGS)
    if len(operands) == 2 and not options:
        return _add_to_group(*operands)
    if len(operands) != 1:
        raise Unsupported("expected one user name")
    out = ["useradd"]
    if "S" in options:
        out.append("-r")
    if "H" not in options:
        out.append("-m")
    if "G" in options:
        out += ["-g", options["G"]]
    elif "S" in options:
        out += ["-g", "nogroup"]
    for busybox, shadow in (("h", "-d"), ("g", "-c"), ("s", "-s"), ("u", "-u"), ("k", "-k")):
        if busybox in options:
            value = options[busybox]
            out += [shadow, _SHELLS.get(value, value) if busybox == "s" else value]
    return _join(out + operands)


def addgroup(words: list[Word]) -> str:
    options, operands = parse_options(words, _ADDGROUP_VALUES, _ADDGROUP_FLAGS)
    if len(operands) == 2 and not options:
        return _add_to_group(*operands)
    if len(operands) != 1:
        raise Unsupported("expected one group name")
    out = ["groupadd"]
    if "S" in options:
        out.append("-r")
    if "g" in options:
        out += ["-g", options["g"]]
    return _join(out + operands)


def delete(tool: str):
    def convert(words: list[Word]) -> str:
        options, operands = parse_options(words, set(), set())
        if len(operands) == 2 and tool == "userdel":
            return _join(["gpasswd", "-d", operands[0], operands[1]])
        if len(operands) != 1:
            raise Unsupported("expected one name")
        return _join([tool] + operands)

    return convert


def _add_to_group(user: str, group: str) -> str:
    """`adduser USER GROUP` and `addgroup USER GROUP` mean the same in busybox."""
    return _join(["usermod", "-a", "-G", group, user])


def _join(words: list[str]) -> str:
    import shlex  # only for a file with busybox user commands (its regex costs every other run)

    return " ".join(shlex.quote(word) for word in words)


_CONVERTERS = {"adduser": adduser, "addgroup": addgroup, "deluser": delete("userdel"), "delgroup": delete("groupdel")}


@rule(ID, "busybox-users", "Rewrite busybox adduser/addgroup/deluser/delgroup with useradd/groupadd")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    for stage in ctx.migrated():
        for instruction in stage.instructions:
            if instruction.command != "RUN":
                continue
            script = ctx.script(instruction)
            if script is None or script.has_errors:
                continue
            for command in script.commands:
                convert = _CONVERTERS.get(command.name or "")
                if convert is not None:
                    yield from _convert(ctx, script, command, convert)


def _convert(ctx: RuleContext, script, command: Command, convert) -> Iterator[Edit | Finding]:
    start, end = script.file_span(command.words[0].start, command.words[-1].end)
    line = ctx.line_of(start)
    try:
        new = convert(list(command.words[1:]))
    except Unsupported as why:
        yield Finding(ID, line, f"busybox {command.name} left as is ({why}): Debian's {command.name} reads its options differently")
        return
    yield Edit(start, end, new, ID)
    yield Finding(ID, line, f"busybox {command.name} → {new.split()[0]} (Debian's {command.name} reads busybox's flags differently)", Severity.INFO)
