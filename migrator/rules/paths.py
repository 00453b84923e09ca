"""UA301 alpine-paths: programs that live elsewhere (or are called otherwise) on Debian.

Debian's tini is /usr/bin/tini, not /sbin/tini; there is no /bin/ash (bash
is in every Debian image and understands what ash scripts use); su-exec is
not packaged, gosu takes the same arguments. Only exact words change: a path
inside a longer word (/sbin/tini-static, /opt/sbin/tini) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrator.context import RuleContext
from migrator.document import Instruction, json_array
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import rule
from migrator.apk_commands import APK_COMMANDS

ID = "UA301"

RENAMES = {
    "/sbin/tini": "/usr/bin/tini",
    "/sbin/tini-static": "/usr/bin/tini-static",
    "/bin/ash": "/bin/bash",
    "ash": "bash",
    "su-exec": "gosu",
    "/sbin/su-exec": "/usr/sbin/gosu",
    "/usr/sbin/su-exec": "/usr/sbin/gosu",
}
# Words that are only renamed where they are the program being run.
_COMMAND_ONLY = {"ash", "su-exec"}
_WHY = {
    "/usr/bin/tini": "Debian's tini package installs /usr/bin/tini",
    "/usr/bin/tini-static": "Debian's tini package installs /usr/bin/tini-static",
    "/bin/bash": "Debian has no ash; bash runs what ash scripts use",
    "bash": "Debian has no ash; bash runs what ash scripts use",
    "gosu": "su-exec is not in Debian; gosu takes the same arguments",
    "/usr/sbin/gosu": "su-exec is not in Debian; gosu takes the same arguments",
}
_PACKAGE_MANAGERS = APK_COMMANDS | {"apt-get", "apt"}
_EXEC_KEYWORDS = {"CMD", "ENTRYPOINT", "SHELL", "RUN", "HEALTHCHECK"}
# A JSON string element of an exec-form array.
_WORD = LazyPattern(r"\S+")
_TINI_DASHES = LazyPattern(r'tini"\s*,\s*"--"\s*,\s*$')
_JSON_STRING = LazyPattern(r'"((?:[^"\\]|\\.)*)"')


@rule(ID, "alpine-paths", "Point programs at their Debian paths: tini, ash, su-exec")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    for stage in ctx.migrated():
        for instruction in stage.instructions:
            start = instruction.command_start
            if instruction.command not in _EXEC_KEYWORDS or start is None:
                continue
            if json_array(instruction.logical.text[start:]) is not None:
                yield from _exec_form(ctx, instruction, start)
            elif instruction.command == "RUN":
                yield from _shell_form(ctx, instruction)
            else:
                yield from _plain_words(ctx, instruction, start)


def _rename(ctx: RuleContext, start: int, end: int, old: str, new: str) -> Iterator[Edit | Finding]:
    yield Edit(start, end, new, ID)
    yield Finding(ID, ctx.line_of(start), f"{old} → {new}: {_WHY[new]}", Severity.INFO)


def _exec_form(ctx: RuleContext, instruction: Instruction, base: int) -> Iterator[Edit | Finding]:
    args = instruction.logical.text[base:]
    if not any(old in args for old in RENAMES):
        return  # nothing to rename (and the strings' regex not compiled for it)
    for position, match in enumerate(_JSON_STRING.finditer(args)):
        value = match.group(1)
        new = RENAMES.get(value)
        if new is None or (value in _COMMAND_ONLY and position != 0 and not _after_tini(args, match)):
            continue
        start, end = instruction.file_span(base + match.start(1), base + match.end(1))
        yield from _rename(ctx, start, end, value, new)


def _after_tini(args: str, match: re.Match[str]) -> bool:
    """`["/sbin/tini", "--", "su-exec", ...]`: the program after tini's `--`."""
    return bool(_TINI_DASHES.search(args[: match.start()]))


def _shell_form(ctx: RuleContext, instruction: Instruction) -> Iterator[Edit | Finding]:
    script = ctx.script(instruction)
    if script is None or script.has_errors:
        return
    for command in script.commands:
        if command.name in _PACKAGE_MANAGERS:
            continue  # package names are the apk rule's business
        for index, word in enumerate(command.words):
            new = RENAMES.get(word.value or "")
            if new is None or (word.value in _COMMAND_ONLY and index != 0):
                continue
            start, end = script.file_span(word.start, word.end)
            yield from _rename(ctx, start, end, word.value, new)


def _plain_words(ctx: RuleContext, instruction: Instruction, base: int) -> Iterator[Edit | Finding]:
    """Shell-form CMD/ENTRYPOINT/HEALTHCHECK: the words as written."""
    args = instruction.logical.text[base:]
    words = list(_WORD.finditer(args))
    for index, match in enumerate(words):
        value = match.group(0)
        new = RENAMES.get(value)
        if new is None or (value in _COMMAND_ONLY and index != 0):
            continue
        start, end = instruction.file_span(base + match.start(), base + match.end())
        yield from _rename(ctx, start, end, value, new)
