"""A lossless model of a Dockerfile, following buildkit's own parser.

Why not dockerfile-parse: it gives line numbers but no byte offsets, ends a
continued instruction at an empty line, splits an instruction at a comment
inside a continuation and reports heredoc bodies as instructions. Wrapping it
would have meant re-scanning every line to fix each of those, so this module
scans lines itself, rule for rule as buildkit's parser does
(frontend/dockerfile/parser/parser.go), and the tests compare it with that
very parser (PyPI `dockerfile`) on every fixture.

The document is a list of nodes that partition the text exactly: rendering
the nodes gives back the input byte for byte (BOM, CRLF, a missing final
newline and all). An instruction also carries its *logical line* (what
buildkit sees once continuations are joined and comment lines dropped) with a
map from every logical character back to its offset in the file, so rules can
work on the logical text and still edit the exact original bytes.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

from migrator.errors import InputError

BOM = "\ufeff"

KEYWORDS = frozenset(
    """ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER
    ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR""".split()
)
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
# Instructions whose arguments buildkit tries to read as a JSON array first.
JSON_KEYWORDS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME", "HEALTHCHECK"})

_DIRECTIVE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)(.*)$", re.S)
_LINE = re.compile(r"[^\n]*(?:\n|$)")


@dataclass(frozen=True)
class PhysicalLine:
    number: int  # 1-based
    start: int  # offset of the first character
    end: int  # offset after the content, before "\r\n" / "\n"
    stop: int  # offset after the line ending

    def content(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class LogicalLine:
    """Joined text of a continued instruction plus a map back to the file.

    `pieces` holds (logical_start, file_start, length) runs in order: each run
    of logical characters is a verbatim run of the file.
    """

    text: str = ""
    pieces: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, file_start: int, chunk: str) -> None:
        if chunk:
            self.pieces.append((len(self.text), file_start, len(chunk)))
            self.text += chunk

    def file_offset(self, index: int) -> int:
        """File offset of logical character `index` (or of the end)."""
        if not self.pieces:
            raise IndexError(index)
        if index >= len(self.text):
            logical, start, length = self.pieces[-1]
            return start + length + (index - len(self.text))
        starts = [piece[0] for piece in self.pieces]
        logical, start, _ = self.pieces[bisect.bisect_right(starts, index) - 1]
        return start + index - logical

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """File span of logical text[start:end]; the end never jumps ahead
        over a continuation that follows the last character."""
        if end <= start:
            offset = self.file_offset(start)
            return offset, offset
        return self.file_offset(start), self.file_offset(end - 1) + 1


@dataclass(frozen=True)
class Heredoc:
    name: str
    chomp: bool  # <<- : leading tabs are stripped from the body and terminator
    quoted: bool  # <<'EOF' / <<"EOF": no expansion in the body
    body_start: int  # file offset of the first body line
    body_end: int  # file offset of the terminator line (end of the body)
    terminator: PhysicalLine

    def body(self, text: str) -> str:
        return text[self.body_start : self.body_end]


@dataclass
class Node:
    kind: str  # "directive" | "comment" | "blank" | "instruction"
    start: int
    stop: int  # offset after the node's last line ending
    line: int  # 1-based first line
    end_line: int


@dataclass
class Flag:
    name: str  # without the leading "--"
    value: str | None
    start: int  # logical offsets of the whole "--name=value" word
    end: int


@dataclass
class Instruction(Node):
    keyword: str = ""  # upper-case, e.g. "RUN"
    keyword_span: tuple[int, int] = (0, 0)  # file span of the keyword as written
    logical: LogicalLine = field(default_factory=LogicalLine)
    heredocs: list[Heredoc] = field(default_factory=list)
    # For ONBUILD: the keyword of the trigger instruction ("RUN"), else "".
    trigger: str = ""
    flags: list[Flag] = field(default_factory=list)
    args_start: int = 0  # logical offset of the arguments after keyword and flags

    @property
    def command(self) -> str:
        """The instruction that runs: the trigger of an ONBUILD, else the keyword."""
        return self.trigger or self.keyword

    @property
    def args(self) -> str:
        return self.logical.text[self.args_start :]

    @property
    def is_json(self) -> bool:
        """Exec form: buildkit reads the arguments as a JSON array of strings."""
        if self.command not in JSON_KEYWORDS:
            return False
        return json_array(self.args) is not None

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        return self.logical.file_span(start, end)


def json_array(args: str) -> list[str] | None:
    stripped = args.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


@dataclass
class Document:
    text: str
    nodes: list[Node]
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)
    lines: list[PhysicalLine] = field(default_factory=list)

    @property
    def instructions(self) -> list[Instruction]:
        return [node for node in self.nodes if isinstance(node, Instruction)]

    def render(self) -> str:
        return "".join(self.text[node.start : node.stop] for node in self.nodes)

    def line_of(self, offset: int) -> int:
        """1-based line number of a file offset."""
        starts = [line.start for line in self.lines]
        return max(1, bisect.bisect_right(starts, offset))

    @property
    def newline(self) -> str:
        """The file's own line ending, for text the rules insert."""
        for line in self.lines:
            if line.stop > line.end:
                return self.text[line.end : line.stop]
        return "\n"


def split_lines(text: str) -> list[PhysicalLine]:
    lines: list[PhysicalLine] = []
    position = 0
    number = 0
    length = len(text)
    while position < length:
        newline = text.find("\n", position)
        stop = length if newline < 0 else newline + 1
        end = stop - 1 if newline >= 0 else stop
        if end > position and text[end - 1] == "\r":
            end -= 1
        number += 1
        lines.append(PhysicalLine(number, position, end, stop))
        position = stop
    return lines


def _strip_left(s: str) -> str:
    return s.lstrip(" \t")


def _is_comment(content: str) -> bool:
    return _strip_left(content).startswith("#")


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.lines = split_lines(text)
        self.escape = "\\"
        self.directives: dict[str, str] = {}
        self.nodes: list[Node] = []
        self.index = 0

    def content(self, line: PhysicalLine) -> str:
        raw = line.content(self.text)
        if line.start == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        return raw

    def content_start(self, line: PhysicalLine) -> int:
        if line.start == 0 and self.text.startswith(BOM):
            return len(BOM)
        return line.start

    def continuation(self, content: str) -> tuple[str, bool]:
        """Strip a trailing escape (plus spaces/tabs after it), as buildkit does."""
        stripped = content.rstrip(" \t")
        if stripped.endswith(self.escape):
            return stripped[: -len(self.escape)], True
        return content, False

    def scan(self) -> Document:
        self.read_directives()
        while self.index < len(self.lines):
            line = self.lines[self.index]
            content = self.content(line)
            if not content.strip(" \t"):
                self.add_node("blank", line, line)
                self.index += 1
            elif _is_comment(content):
                self.add_node("comment", line, line)
                self.index += 1
            else:
                self.read_instruction()
        return Document(self.text, self.nodes, self.escape, self.directives, self.lines)

    def add_node(self, kind: str, first: PhysicalLine, last: PhysicalLine) -> None:
        self.nodes.append(Node(kind, first.start, last.stop, first.number, last.number))

    def read_directives(self) -> None:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            match = _DIRECTIVE.match(self.content(line))
            if not match:
                return
            name, value = match.group(1).lower(), match.group(2)
            if name in self.directives:
                raise InputError(f"only one '{name}' parser directive may be used", line=line.number)
            self.directives[name] = value
            if name == "escape":
                if value not in ("\\", "`"):
                    raise InputError(f"invalid escape token {value!r}: must be ` or \\", line=line.number)
                self.escape = value
            self.add_node("directive", line, line)
            self.index += 1

    def read_instruction(self) -> None:
        first = self.lines[self.index]
        logical = LogicalLine()
        content = self.content(first)
        start = self.content_start(first)
        stripped = _strip_left(content)
        start += len(content) - len(stripped)
        chunk, continued = self.continuation(stripped)
        logical.add(start, chunk)
        last = first
        self.index += 1
        while continued and self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            last = line
            content = self.content(line)
            if _is_comment(content) or not content.strip(" \t"):
                continue  # buildkit drops these inside a continuation
            chunk, continued = self.continuation(content)
            logical.add(line.start, chunk)
        instruction = self.make_instruction(logical, first)
        if instruction.command in HEREDOC_KEYWORDS and "<<" in logical.text:
            for name, chomp, quoted in heredoc_words(instruction.args):
                last = self.read_heredoc(instruction, name, chomp, quoted, first)
        instruction.stop = last.stop
        instruction.end_line = last.number
        self.nodes.append(instruction)

    def read_heredoc(self, instruction: Instruction, name: str, chomp: bool, quoted: bool, first: PhysicalLine) -> PhysicalLine:
        body_start = self.lines[self.index].start if self.index < len(self.lines) else len(self.text)
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            candidate = line.content(self.text)
            if chomp:
                candidate = candidate.lstrip("\t")
            if candidate == name:
                instruction.heredocs.append(Heredoc(name, chomp, quoted, body_start, line.start, line))
                return line
        raise InputError(f"unterminated heredoc <<{name} in {instruction.keyword}", line=first.number)

    def make_instruction(self, logical: LogicalLine, first: PhysicalLine) -> Instruction:
        text = logical.text
        match = re.match(r"(\S+)", text)
        assert match, "an instruction line is never blank"
        word = match.group(1)
        keyword = word.upper()
        if keyword not in KEYWORDS:
            raise InputError(f"unknown instruction: {word}", line=first.number)
        keyword_span = logical.file_span(0, len(word))
        instruction = Instruction(
            "instruction", first.start, first.stop, first.number, first.number,
            keyword=keyword, keyword_span=keyword_span, logical=logical,
        )
        position = _skip_space(text, match.end())
        if keyword == "ONBUILD":
            trigger = re.match(r"(\S+)", text[position:])
            if not trigger:
                raise InputError("ONBUILD needs an instruction", line=first.number)
            instruction.trigger = trigger.group(1).upper()
            if instruction.trigger not in KEYWORDS or instruction.trigger in ("ONBUILD", "FROM", "MAINTAINER"):
                raise InputError(f"{trigger.group(1)} isn't allowed as an ONBUILD trigger", line=first.number)
            position = _skip_space(text, position + trigger.end())
        instruction.flags, instruction.args_start = _read_flags(text, position)
        return instruction


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _read_flags(text: str, position: int) -> tuple[list[Flag], int]:
    """Leading `--name[=value]` words, as buildkit's extractBuilderFlags."""
    flags: list[Flag] = []
    while text.startswith("--", position):
        end = position
        quote = ""
        while end < len(text) and (quote or text[end] not in " \t"):
            if quote and text[end] == quote:
                quote = ""
            elif not quote and text[end] in "'\"":
                quote = text[end]
            end += 1
        word = text[position + 2 : end]
        name, _, value = word.partition("=")
        flags.append(Flag(name, value if "=" in word else None, position, end))
        position = _skip_space(text, end)
    return flags, position


def shell_words(line: str) -> list[str]:
    """Split on blanks outside quotes, keeping quotes and escapes (buildkit's
    RawQuotes/RawEscapes lexing, which is what it looks for heredocs in)."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    index = 0
    in_word = False
    while index < len(line):
        char = line[index]
        if quote:
            current.append(char)
            if char == "\\" and quote == '"' and index + 1 < len(line):
                index += 1
                current.append(line[index])
            elif char == quote:
                quote = ""
        elif char in " \t\r\n":
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
    if in_word:
        words.append("".join(current))
    return words


def heredoc_words(args: str) -> list[tuple[str, bool, bool]]:
    """(name, chomp, quoted) of each heredoc that a line opens, in order."""
    found = []
    for word in shell_words(args):
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


def parse(text: str) -> Document:
    """Parse Dockerfile text. Raises InputError naming the line."""
    return _Scanner(text).scan()
