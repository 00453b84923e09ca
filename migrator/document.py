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
import functools
import re

from migrator.dockerfile_words import (
    GO_SPACE, KEYWORD_BLANKS, KEYWORD_WORD, Flag, heredoc_words, json_array, json_part, loads, read_flags, skip,
)
from migrator.document_lines import LogicalLine, PhysicalLine, split_lines
from migrator.errors import InputError
from migrator.lazy_pattern import LazyPattern
from migrator.records import Frozen, Record

BOM = "\ufeff"

KEYWORDS = frozenset(
    """ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER
    ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR""".split()
)
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
# Instructions whose arguments buildkit tries to read as a JSON array first.
JSON_KEYWORDS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME", "HEALTHCHECK"})

# Only these names make a parser directive; any other "# name=value" line is
# a comment and ends the directives, exactly like a plain comment.
VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

# Go's \s is [\t\n\f\r ] (no \v); the line was already stripped on the left.
_DIRECTIVE = LazyPattern(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.S)


class Heredoc(Frozen):
    """A heredoc of an instruction. `chomp`: <<- (leading tabs are stripped
    from the body and terminator); `quoted`: <<'EOF' / <<"EOF" (no expansion
    in the body); `body_start`: file offset of the first body line;
    `body_end`: file offset of the terminator line (end of the body);
    `terminator`: that PhysicalLine."""

    __slots__ = ()

    def __new__(cls, name, chomp, quoted, body_start, body_end, terminator) -> Heredoc:
        return tuple.__new__(cls, (name, chomp, quoted, body_start, body_end, terminator))

    def body(self, text: str) -> str:
        return text[self.body_start : self.body_end]


class Node(Record):
    """A run of whole lines: `kind` is "directive", "comment", "blank" or
    "instruction"; `stop` is the offset after its last line ending; `line`
    and `end_line` are 1-based."""

    __slots__ = ("kind", "start", "stop", "line", "end_line")

    def __init__(self, kind: str, start: int, stop: int, line: int, end_line: int):
        self.kind = kind
        self.start = start
        self.stop = stop
        self.line = line
        self.end_line = end_line


_UNREAD = object()
_CMD_WORD = LazyPattern(r"CMD\s+", re.I)


class Instruction(Node):
    __slots__ = ("keyword", "keyword_span", "logical", "heredocs", "trigger", "command", "flags", "args_start", "_json")

    def __init__(
        self,
        kind: str,
        start: int,
        stop: int,
        line: int,
        end_line: int,
        keyword: str = "",
        keyword_span: tuple[int, int] = (0, 0),
        logical: LogicalLine | None = None,
        heredocs: list[Heredoc] | None = None,
        trigger: str = "",
        flags: list[Flag] | None = None,
        args_start: int = 0,
        json: tuple[str, ...] | None | object = _UNREAD,
    ):
        # Node's fields, set here rather than through super().__init__: an instruction of every parse
        self.kind = kind
        self.start = start
        self.stop = stop
        self.line = line
        self.end_line = end_line
        self.keyword = keyword  # upper-case, e.g. "RUN"
        self.keyword_span = keyword_span  # file span of the keyword as written
        self.logical = LogicalLine() if logical is None else logical
        self.heredocs = [] if heredocs is None else heredocs
        # For ONBUILD: the keyword of the trigger instruction ("RUN"), else "".
        self.trigger = trigger
        # The instruction that runs: the trigger of an ONBUILD, else the
        # keyword. (A field, not a property: rules read it ~100 times per
        # file; neither keyword nor trigger changes after the parse.)
        self.command = trigger or keyword
        self.flags = [] if flags is None else flags
        self.args_start = args_start  # logical offset of the arguments after keyword and flags
        # The exec-form array as the scanner read it (None: shell form);
        # _UNREAD for an instruction made otherwise, worked out when asked.
        self._json = json

    @property
    def args(self) -> str:
        return self.logical.text[self.args_start :]

    @property
    def is_json(self) -> bool:
        """Exec form: buildkit reads the arguments as a JSON array of strings."""
        if self._json is not _UNREAD:
            return self._json is not None
        return self.json_args is not None

    @property
    def json_args(self) -> list[str] | None:
        """The exec-form array, or None for the shell form."""
        if self._json is not _UNREAD:
            return None if self._json is None else list(self._json)
        if self.command not in JSON_KEYWORDS:
            return None
        return json_array(json_part(self.command, self.args))

    @property
    def command_start(self) -> int | None:
        """Logical offset where the command this instruction runs begins: its
        arguments, or for HEALTHCHECK what follows the CMD word (None for
        HEALTHCHECK NONE)."""
        if self.command != "HEALTHCHECK":
            return self.args_start
        match = _CMD_WORD.match(self.args)
        return self.args_start + match.end() if match else None

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        return self.logical.file_span(start, end)


class Document(Record):
    __slots__ = ("text", "nodes", "escape", "directives", "lines", "_starts")

    def __init__(
        self,
        text: str,
        nodes: list[Node],
        escape: str = "\\",
        directives: dict[str, str] | None = None,
        lines: list[PhysicalLine] | None = None,
    ):
        self.text = text
        self.nodes = nodes
        self.escape = escape
        self.directives = {} if directives is None else directives
        self.lines = [] if lines is None else lines
        self._starts: list[int] | None = None  # line_of's index, made on first use

    @property
    def instructions(self) -> list[Instruction]:
        return [node for node in self.nodes if isinstance(node, Instruction)]

    def render(self) -> str:
        return "".join(self.text[node.start : node.stop] for node in self.nodes)

    def line_of(self, offset: int) -> int:
        """1-based line number of a file offset."""
        if self._starts is None:
            self._starts = [line.start for line in self.lines]
        return max(1, bisect.bisect_right(self._starts, offset))

    @property
    def newline(self) -> str:
        """The file's own line ending, for text the rules insert."""
        for line in self.lines:
            if line.stop > line.end:
                return "\r\n" if self.text[line.end : line.stop].endswith("\r\n") else "\n"
        return "\n"


def _strip_left(s: str) -> str:
    return s.lstrip(GO_SPACE)


def _is_blank(content: str) -> bool:
    return not content.strip(GO_SPACE)


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

    def scan(self) -> Document:
        self.read_directives()
        lines, text, nodes = self.lines, self.text, self.nodes
        count = len(lines)
        while self.index < count:
            line = lines[self.index]
            # content(), blank and comment tests in one go (the hot loop)
            content = text[line.start : line.end]
            if line.start == 0 and content.startswith(BOM):
                content = content[len(BOM) :]
            stripped = content.lstrip(GO_SPACE)
            if not stripped:
                nodes.append(Node("blank", line.start, line.stop, line.number, line.number))
                self.index += 1
            elif stripped[0] == "#":
                nodes.append(Node("comment", line.start, line.stop, line.number, line.number))
                self.index += 1
            else:
                self.read_instruction(stripped)
        return Document(self.text, self.nodes, self.escape, self.directives, self.lines)

    def add_node(self, kind: str, first: PhysicalLine, last: PhysicalLine) -> None:
        self.nodes.append(Node(kind, first.start, last.stop, first.number, last.number))

    def read_directives(self) -> None:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            # buildkit matches directives after stripping indentation.
            stripped = _strip_left(self.content(line))
            if not stripped.startswith("#"):
                return  # most files: no regex to compile
            match = _DIRECTIVE.match(stripped)
            if not match:
                return
            name, value = match.group(1).lower(), match.group(2)
            if name not in VALID_DIRECTIVES:
                return  # "# foo=bar" is a comment, and no directive may follow it
            if name in self.directives:
                raise InputError(f"only one '{name}' parser directive may be used", line=line.number)
            self.directives[name] = value
            if name == "escape":
                if value not in ("\\", "`"):
                    raise InputError(f"invalid escape token {value!r}: must be ` or \\", line=line.number)
                self.escape = value
            self.add_node("directive", line, line)
            self.index += 1

    def read_instruction(self, stripped: str) -> None:
        """The instruction starting at the current line, whose content (after
        a BOM) stripped on the left scan() hands in: it ends the line, so it
        starts len(stripped) before the line's end."""
        lines, text, escape = self.lines, self.text, self.escape
        first = lines[self.index]
        # Whether the line continues, written out here: once per instruction
        # of every parse. A trailing escape (plus spaces/tabs after it)
        # continues the line, as buildkit's `([^E])E[ \t]*$|^E[ \t]*$` for
        # the escape E says: only spaces and tabs may follow it (not \v or
        # other Unicode blanks), and an escaped escape (`RUN dir C:\\`) ends
        # the line instead of continuing it.
        start = first.end - len(stripped)
        body = stripped.rstrip(" \t")
        if body.endswith(escape) and (len(body) == 1 or body[-2] != escape):  # the escape is one character
            chunk, continued = body[:-1], True
        else:
            chunk, continued = stripped, False
        # LogicalLine's runs, built here and joined once
        chunks = [chunk] if chunk else []
        pieces = [(0, start, len(chunk))] if chunk else []
        length = len(chunk)
        last = first
        index = self.index + 1  # (a local in the loop, self.index after it)
        count = len(lines)
        while continued and index < count:
            line = lines[index]
            index += 1
            last = line
            content = text[line.start : line.end]  # (a BOM only ever starts line 1)
            left = content.lstrip(GO_SPACE)
            if not left or left[0] == "#":
                continue  # buildkit drops comment and blank lines inside a continuation
            body = content.rstrip(" \t")
            if body.endswith(escape) and (len(body) == 1 or body[-2] != escape):
                chunk, continued = body[:-1], True
            else:
                chunk, continued = content, False
            if chunk:
                chunks.append(chunk)
                pieces.append((length, line.start, len(chunk)))
                length += len(chunk)
        self.index = index
        logical = LogicalLine("".join(chunks), pieces)
        instruction = self.make_instruction(logical, first)
        # Like buildkit, look for heredocs in the whole joined line, but never
        # in the exec form: RUN ["sh", "-c", "cat <<EOF"] reads no body.
        if "<<" in logical.text and instruction.command in HEREDOC_KEYWORDS and not instruction.is_json:
            for name, chomp, quoted in heredoc_words(logical.text):
                last = self.read_heredoc(instruction, name, chomp, quoted, first)
        instruction.stop = last.stop
        instruction.end_line = last.number
        self.nodes.append(instruction)

    def read_heredoc(self, instruction: Instruction, name: str, chomp: bool, quoted: bool, first: PhysicalLine) -> PhysicalLine:
        body_start = self.lines[self.index].start if self.index < len(self.lines) else len(self.text)
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            candidate = line.content(self.text)  # trailing "\r"s already cut, as trimNewline does
            if chomp:
                candidate = candidate.lstrip("\t")
            if candidate == name:
                instruction.heredocs.append(Heredoc(name, chomp, quoted, body_start, line.start, line))
                return line
        raise InputError(f"unterminated heredoc <<{name} in {instruction.keyword}", line=first.number)

    def make_instruction(self, logical: LogicalLine, first: PhysicalLine) -> Instruction:
        error, start, end, keyword, trigger, flags, position, json = _read_instruction(logical.text)
        if error:
            raise InputError(error, line=first.number)
        piece_start, piece_file, piece_length = logical.pieces[0]
        if end <= piece_length:  # the keyword lies in the first run (always but after a lone escape)
            keyword_span = (piece_file + start, piece_file + end)
        else:
            keyword_span = logical.file_span(start, end)
        return Instruction("instruction", first.start, first.stop, first.number, first.number,
                           keyword, keyword_span, logical, None, trigger, list(flags), position, json)


# What make_instruction reads from a logical line's text, by that text: the
# second parse of a file (engine.migrate) meets every instruction its edits
# left alone again, and a fleet's files share many (COPY, CMD, WORKDIR, the
# same RUN). Everything _read_instruction returns is a function of the text
# alone (the escape and the directives only shape the text), so the text is
# the whole key; the Flag records it holds are never changed after the parse,
# and each instruction gets a list of its own. Bounded, the least recently
# read go first: a fleet's files each add a few lines of their own (a LABEL,
# an ENV), the shared ones stay.
@functools.lru_cache(maxsize=8192)
def _read_instruction(text: str) -> tuple:
    """(error, keyword start, keyword end, keyword, trigger, flags, args
    start, exec-form array) of a logical line's text; error: the message of
    the InputError the line is, else ""."""
    # The logical line can start with blanks when the first physical line
    # held only the escape character ("\\\n  RUN x" is RUN on line 1).
    start = skip(text, 0, GO_SPACE) if text and text[0] in GO_SPACE else 0
    if start == len(text):
        return ("a line continuation with no instruction", 0, 0, "", "", (), 0, None)
    end = KEYWORD_WORD.match(text, start).end()
    word = text[start:end]
    keyword = word.upper()
    if keyword not in KEYWORDS:
        return (f"unknown instruction: {word}", 0, 0, "", "", (), 0, None)
    # splitCommand trims the line first: a quote left open in the last
    # flag ends at the last non-blank, not at the end of the line.
    trimmed = text.rstrip(GO_SPACE)
    flags, position = read_flags(trimmed, KEYWORD_BLANKS.match(text, end).end())
    trigger = ""
    if keyword == "ONBUILD":
        if flags:
            return ("ONBUILD takes no flags", 0, 0, "", "", (), 0, None)
        trigger_end = KEYWORD_WORD.match(text, position).end()
        written = text[position:trigger_end]
        if not written:
            return ("ONBUILD needs an instruction", 0, 0, "", "", (), 0, None)
        trigger = written.upper()
        if trigger not in KEYWORDS or trigger in ("ONBUILD", "FROM", "MAINTAINER"):
            return (f"{written} isn't allowed as an ONBUILD trigger", 0, 0, "", "", (), 0, None)
        flags, position = read_flags(trimmed, KEYWORD_BLANKS.match(text, trigger_end).end())
    command = trigger or keyword
    json = None
    if command in JSON_KEYWORDS and "[" in text:
        value = loads(json_part(command, text[position:]))
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                # buildkit refuses the file rather than falling back to the shell form.
                return (f"{command}: when using JSON array syntax, arrays must be comprised of strings only",
                        0, 0, "", "", (), 0, None)
            json = tuple(value)
    return ("", start, end, keyword, trigger, tuple(flags), position, json)


def parse(text: str) -> Document:
    """Parse Dockerfile text. Raises InputError naming the line."""
    return _Scanner(text).scan()
