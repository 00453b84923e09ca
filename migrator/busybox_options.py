"""Command options as busybox's applets read them (getopt with busybox's
long-option tables): adduser and addgroup (UA401), crond (UA304). A word it
cannot read raises Unsupported, and the rule leaves the command alone."""

from __future__ import annotations

from migrator.records import Frozen
from migrator.shell import Word


class Unsupported(Exception):
    """An option the rule does not translate: the command is left alone."""


class Arg(Frozen):
    """An option's value or an operand: its literal value (None when it
    expands a variable) and its text as written."""

    __slots__ = ()

    def __new__(cls, value: str | None, text: str) -> Arg:
        return tuple.__new__(cls, (value, text))

    def shell(self) -> str:
        """The word to write: a literal quoted afresh, a variable as written."""
        if self.value is None:
            return self.text
        if self.value and _SAFE.issuperset(self.value):
            return self.value  # what shlex.quote returns for it, without importing shlex (~0.4 ms)
        import shlex  # only for a word that needs quotes

        return shlex.quote(self.value)


# The characters shlex.quote leaves a word unquoted with (its `[^\w@%+=:,./-]`
# with re.ASCII): user and group names, ids, home folders, shells.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


class Piece(Frozen):
    """One option word as written: the letters it holds (a cluster, or a
    long option's letter), the value of its last letter if it takes one, and
    the word that value stands in when it is not attached."""

    __slots__ = ()

    def __new__(cls, word: Word, letters: tuple[str, ...], value: Arg | None, value_word: Word | None) -> Piece:
        return tuple.__new__(cls, (word, letters, value, value_word))


class Parsed(Frozen):
    __slots__ = ()

    def __new__(cls, options: dict[str, Arg], operands: list[Arg], pieces: list[Piece]) -> Parsed:
        return tuple.__new__(cls, (options, operands, pieces))


def parse_options(words: list[Word], with_value: set[str], flags: set[str],
                  long: dict[str, str] | None = None) -> Parsed:
    """getopt-style options, as busybox reads them: clusters like -DH,
    values attached or in the next word, long options (`--home DIR`,
    `--home=DIR`) as their short letters. A value or an operand may expand a
    variable (`-u $UID`, `-u"$UID"`, `--uid=$UID`)."""
    options: dict[str, Arg] = {}
    operands: list[Arg] = []
    pieces: list[Piece] = []
    long = long or {}
    index = 0

    def next_value(letter: str) -> tuple[Arg, Word]:
        nonlocal index
        if index + 1 >= len(words):
            raise Unsupported(f"-{letter} needs a value")
        index += 1
        return Arg(words[index].value, words[index].text), words[index]

    while index < len(words):
        word = words[index]
        value = word.value
        if value is None:
            if not word.text.startswith("-"):
                operands.append(Arg(None, word.text))
                index += 1
                continue
            letter, arg = _option_with_variable(word.text, with_value, long)
            options[letter] = arg
            pieces.append(Piece(word, (letter,), arg, None))
        elif value.startswith("--") and len(value) > 2:
            name, equals, attached = value[2:].partition("=")
            letter = long.get(name)
            if letter is None:
                raise Unsupported(f"option --{name}")
            if letter in flags:
                if equals:
                    raise Unsupported(f"--{name} takes no value")
                options[letter] = Arg("", "")
                pieces.append(Piece(word, (letter,), None, None))
            elif equals:
                options[letter] = Arg(attached, attached)
                pieces.append(Piece(word, (letter,), options[letter], None))
            else:
                options[letter], apart = next_value(letter)
                pieces.append(Piece(word, (letter,), options[letter], apart))
        elif value.startswith("-") and len(value) > 1:
            letters = value[1:]
            seen: list[str] = []
            arg, apart = None, None
            for position, letter in enumerate(letters):
                seen.append(letter)
                if letter in flags:
                    options[letter] = Arg("", "")
                elif letter in with_value:
                    rest = letters[position + 1 :]
                    if rest:
                        arg = Arg(rest, rest)
                    else:
                        arg, apart = next_value(letter)
                    options[letter] = arg
                    break
                else:
                    raise Unsupported(f"option -{letter}")
            pieces.append(Piece(word, tuple(seen), arg, apart))
        else:
            operands.append(Arg(value, word.text))
        index += 1
    return Parsed(options, operands, pieces)


def _option_with_variable(text: str, with_value: set[str], long: dict[str, str]) -> tuple[str, Arg]:
    """`-u$UID`, `-u"${UID}"`, `--uid=$UID`: a literal option with its value
    attached, the value expanding a variable."""
    cut = min((i for i, c in enumerate(text) if c in "$\"'`\\"), default=len(text))
    prefix, rest = text[:cut], text[cut:]
    if prefix.startswith("--") and prefix.endswith("="):
        letter = long.get(prefix[2:-1])
        if letter in with_value:
            return letter, Arg(None, rest)
    elif len(prefix) == 2 and prefix[1] in with_value:
        return prefix[1], Arg(None, rest)
    raise Unsupported(f"{text} expands a variable")
