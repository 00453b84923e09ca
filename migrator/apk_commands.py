"""apk commands as a RUN line holds them: which words are apk's options,
its subcommand and its operands (package names). The apk rule rewrites
them; the wheel check reads which build packages a stage installs; other
rules only ask whether a command is apk (APK_COMMANDS)."""

from __future__ import annotations

import functools

from migrator.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.shell import Command, Word

# apk options that take the next word as their value.
_VALUE_OPTIONS = {
    "-t", "--virtual", "-X", "--repository", "-p", "--root", "--repositories-file",
    "--keys-dir", "--arch", "--cache-dir", "--wait", "--progress-fd", "--cache-max-age", "--timeout",
}
APK_COMMANDS = {"apk", "/sbin/apk"}  # how files call apk


class ApkCall(Record):
    __slots__ = ("command", "subcommand", "options", "operands")

    def __init__(
        self,
        command: Command,
        subcommand: Word | None,
        options: list[tuple[Word, Word | None]],  # option word and its value word
        operands: list[Word],
    ):
        self.command = command
        self.subcommand = subcommand
        self.options = options
        self.operands = operands

    def option(self, *names: str) -> tuple[Word, Word | None] | None:
        for word, value in self.options:
            name = (word.value or "").split("=", 1)[0]
            if name in names:
                return word, value
        return None

    def option_value(self, *names: str) -> str | None:
        found = self.option(*names)
        if not found:
            return None
        word, value = found
        if "=" in (word.value or ""):
            return (word.value or "").split("=", 1)[1]
        return value.value if value else None


def parse_apk(command: Command) -> ApkCall:
    subcommand, options, operands = _read_apk_remembered(command.words)
    return ApkCall(command, subcommand, list(options), list(operands))  # lists of its own


def _parse_apk(command: Command) -> ApkCall:
    """parse_apk read afresh."""
    subcommand, options, operands = read_apk(command.words)
    return ApkCall(command, subcommand, list(options), list(operands))


def read_apk(words: tuple[Word, ...]) -> tuple[Word | None, tuple, tuple]:
    """(subcommand, options, operands) of an apk command's words."""
    options: list[tuple[Word, Word | None]] = []
    operands: list[Word] = []
    subcommand: Word | None = None
    words = list(words[1:])
    index = 0
    while index < len(words):
        word = words[index]
        value = word.value or ""
        if value.startswith("-") and value != "-":
            takes_value = value in _VALUE_OPTIONS
            argument = words[index + 1] if takes_value and index + 1 < len(words) else None
            options.append((word, argument))
            index += 2 if argument else 1
            continue
        if subcommand is None:
            subcommand = word
        else:
            operands.append(word)
        index += 1
    return subcommand, tuple(options), tuple(operands)


# apk commands read already, by their words: the rule, its variable pass
# and the wheel plan read each command, and a fleet's files share many. An
# ApkCall's subcommand, options and operands are a function of the words
# alone (equal Words: same offsets, text and value), so the words are the
# whole key. Keyed by the words, not the Command, so that no parse tree is
# kept alive by this. Bounded, the least recently used going first.
_read_apk_remembered = functools.lru_cache(maxsize=4096)(read_apk)
