"""How buildkit reads the words of one instruction: the blanks it strips
(Go's, not Python's), the keyword, leading --flags, the JSON exec form
(decoded as Go's encoding/json does), shell words and heredoc markers.
Functions of a line's text; migrator.document builds its model with them."""

from __future__ import annotations

import functools

from migrator.lazy_pattern import LazyPattern
from migrator.records import Record

# Go's unicode.IsSpace, which buildkit uses to strip indentation, to find
# blank and comment lines and to trim arguments. Python's str.isspace is
# close but also counts \x1c-\x1f, which Go does not.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# buildkit's reWhitespace, which ends the keyword: ASCII only, so
# "RUN\xa0x" is the (unknown) instruction "RUN\xa0x".
KEYWORD_END = "\t\v\f\r "
# extractBuilderFlags tests unicode.IsSpace one byte at a time; on ASCII that
# is this set (see read_flags for what it does to other bytes).
FLAG_BLANKS = "\t\n\v\f\r "
# `[^<]` as in buildkit: "<<<word" (a bash here-string) and "<<A<B" are not
# heredocs.
_HEREDOC_WORD = LazyPattern(r"(\d*)<<(-?)([^<]*)\Z")



_INFINITY = float("inf")



class Flag(Record):
    """A `--name=value` flag (name without the dashes; value None for a bare
    `--name`); start and end are logical offsets of the whole word."""

    __slots__ = ("name", "value", "start", "end")

    def __init__(self, name: str, value: str | None, start: int, end: int):
        self.name = name
        self.value = value
        self.start = start
        self.end = end



def json_part(command: str, args: str) -> str:
    """The text buildkit tries as JSON: HEALTHCHECK's comes after its type
    word (`HEALTHCHECK --interval=5s CMD ["x"]` is exec form)."""
    if command != "HEALTHCHECK":
        return args
    args = args.strip(GO_SPACE)
    end = 0
    while end < len(args) and args[end] not in FLAG_BLANKS:
        end += 1
    return args[end:]


def _reject_constant(name: str) -> None:
    # Go's encoding/json has no NaN/Infinity; buildkit then falls back to the
    # shell form, so these must not count as JSON here either.
    raise ValueError(name)


def _go_number(text: str) -> float:
    # Go decodes every JSON number into a float64 and fails on overflow
    # (`CMD [1e400]` is shell form there), where Python would give inf.
    value = float(text)
    if value in (_INFINITY, -_INFINITY):
        raise ValueError(text)
    return value


@functools.cache
def _json_decoder():
    # buildkit decodes with json.NewDecoder(...).Decode, which reads the first
    # JSON value and ignores whatever follows: `CMD ["a"] && b` is exec form and
    # docker silently drops "&& b". raw_decode does the same. (Made on first
    # use: many files have no exec form, and json costs ~1 ms of a start.)
    import json

    return json.JSONDecoder(parse_constant=_reject_constant, parse_float=_go_number, parse_int=_go_number)


# The exec form nearly every Dockerfile has, `CMD ["python", "app.py"]`: an
# array of strings with no escape and no control character, whose JSON value
# is the text between the quotes. Read here without the json module (~1 ms of
# a small file's run to import); anything else goes to the JSON decoder. As
# raw_decode, only the start must match (what follows the array is ignored).
_JSON_SPACE = r"[ \t\n\r]*"
_PLAIN_STRING = r'"[^"\\\x00-\x1f]*"'
_PLAIN_ARRAY = LazyPattern(
    rf"\[{_JSON_SPACE}(?:{_PLAIN_STRING}{_JSON_SPACE}(?:,{_JSON_SPACE}{_PLAIN_STRING}{_JSON_SPACE})*)?\]"
)
_PLAIN_STRING_VALUE = LazyPattern(r'"([^"\\\x00-\x1f]*)"')


def loads(args: str) -> object | None:
    stripped = args.strip(GO_SPACE)  # splitCommand's strings.TrimSpace
    if not stripped.startswith("["):
        return None
    plain = _PLAIN_ARRAY.match(stripped)
    if plain:
        return _PLAIN_STRING_VALUE.findall(plain.group())
    return decode_json(stripped)


def decode_json(text: str) -> object | None:
    try:
        return _json_decoder().raw_decode(text)[0]
    except ValueError:
        return None


def json_array(args: str) -> list[str] | None:
    known = string_array(args)
    return None if known is None else list(known)  # each caller a list of its own


# The rules read the same CMD/ENTRYPOINT/HEALTHCHECK arrays file after file:
# kept by the text (a function of it alone; bounded, the least recently used
# going first).
@functools.lru_cache(maxsize=4096)
def string_array(args: str) -> tuple[str, ...] | None:
    value = loads(args)
    return tuple(value) if isinstance(value, list) and all(isinstance(item, str) for item in value) else None


def skip(text: str, position: int, chars: str) -> int:
    """The first offset from `position` on whose character is not in `chars`."""
    if position >= len(text) or text[position] not in chars:
        return position  # nothing to skip, most of the time
    return len(text) - len(text[position:].lstrip(chars))


# A keyword (or ONBUILD's trigger): up to the first of KEYWORD_END; then the blanks after it.
KEYWORD_WORD = LazyPattern(r"[^\t\v\f\r ]*")
KEYWORD_BLANKS = LazyPattern(r"[\t\v\f\r ]*")


def read_flags(text: str, position: int) -> tuple[list[Flag], int]:
    """Leading `--name[=value]` words, ported from buildkit's
    extractBuilderFlags: quotes and backslashes inside a flag word are
    removed (`--chown="a b"` is the value `a b`), a backslash-escaped blank
    does not end the word, and a bare `--` ends the flags.

    Returns the flags and the logical offset of the arguments (after blanks).
    Not ported: Go tests each *byte* for blanks and appends bytes as runes,
    so a non-ASCII flag value comes out mangled there (`--chown=é` becomes
    `Ã©`); we keep the characters as written.
    """
    flags: list[Flag] = []
    length = len(text)
    while True:
        if position < length and text[position] in FLAG_BLANKS:  # (skip's test, without its call)
            position = skip(text, position, FLAG_BLANKS)
        if not text.startswith("--", position):
            if position < length and text[position] in GO_SPACE:
                position = skip(text, position, GO_SPACE)
            return flags, position
        start = position
        word: list[str] = []
        quote = ""
        while position < length:
            char = text[position]
            if quote:
                if char == quote:
                    quote = ""
                elif char == "\\" and position + 1 < length:
                    position += 1
                    word.append(text[position])
                elif char != "\\":
                    word.append(char)
                else:
                    quote = ""  # a backslash at the very end is dropped
            elif char in FLAG_BLANKS:
                break
            elif char in "'\"":
                quote = char
            elif char == "\\":
                if position + 1 < length:
                    position += 1
                    word.append(text[position])
            else:
                word.append(char)
            position += 1
        joined = "".join(word)
        if joined == "--":
            return flags, skip(text, position, GO_SPACE)  # `--` ends the flags
        name, equals, value = joined[2:].partition("=")
        flags.append(Flag(name, value if equals else None, start, position))


def _braced_end(line: str, index: int) -> int | None:
    """Offset after the `}` closing the `${` at `index`, or None."""
    quote = ""
    index += 2
    while index < len(line):
        char = line[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                index += 1
        elif char == "}":
            return index + 1
        elif char in "'\"":
            quote = char
        elif char == "\\":
            index += 1
        index += 1
    return None


def shell_words(line: str) -> list[str] | None:
    """Split on blanks outside quotes and `${...}`, keeping quotes and escapes
    (buildkit's RawQuotes/RawEscapes lexing, which is what it looks for
    heredocs in). None where that lexer fails, on an unterminated quote or
    `${`: buildkit then ignores the error and finds no heredoc on the line
    (`RUN cat <<EOF "` has no body)."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    index = 0
    in_word = False
    while index < len(line):
        char = line[index]
        if quote != "'" and line.startswith("${", index):
            end = _braced_end(line, index)
            if end is None:
                return None
            current.append(line[index:end])
            in_word = True
            index = end
            continue
        if quote:
            current.append(char)
            if char == "\\" and quote == '"' and index + 1 < len(line):
                index += 1
                current.append(line[index])
            elif char == quote:
                quote = ""
        elif char in GO_SPACE:  # the lexer splits on unicode.IsSpace ("cat\xa0<<EOF" opens a heredoc)
            if in_word:
                words.append("".join(current))
                current = []
                in_word = False
        else:
            in_word = True
            current.append(char)
            if char == "\\" and index + 1 < len(line):
                index += 1
                current.append(line[index])
            elif char in "'\"":
                quote = char
        index += 1
    if quote:
        return None
    if in_word:
        words.append("".join(current))
    return words


def heredoc_words(args: str) -> list[tuple[str, bool, bool]]:
    """(name, chomp, quoted) of each heredoc that a line opens, in order."""
    found = []
    for word in shell_words(args) or []:
        match = _HEREDOC_WORD.match(word)
        if not match or not match.group(3):
            continue
        raw = match.group(3)
        quoted = any(quote in raw for quote in "'\"")
        name = _unquote(raw)
        if name:
            found.append((name, match.group(2) == "-", quoted))
    return found


def _unquote(word: str) -> str:
    out = []
    quote = ""
    index = 0
    while index < len(word):
        char = word[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and index + 1 < len(word):
                index += 1
                out.append(word[index])
            else:
                out.append(char)
        elif char in "'\"":
            quote = char
        elif char == "\\" and index + 1 < len(word):
            index += 1
            out.append(word[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)
