"""The shell inside RUN, parsed with tree-sitter-bash.

A RUN body is shell text scattered over the file by continuations, dropped
comment lines and heredocs. `script_of` builds the shell source a RUN really
runs together with a map back to file offsets (the document's LogicalLine),
and `ShellScript` exposes the simple commands with their words, each with an
exact span, so rules can replace single words and keep the author's layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from migrator.document import Instruction, LogicalLine

# Children of a `command` node that are not its words.
_NOT_WORDS = {"variable_assignment", "file_redirect", "heredoc_redirect", "herestring_redirect", "comment"}
# Nodes that join statements; their operands are the statements.
_SEQUENCES = {"program", "list", "compound_statement", "subshell", "do_group", "if_statement", "else_clause", "elif_clause"}
_SHELLS = re.compile(r"^(?:/usr)?(?:/bin/)?(?:sh|bash|ash|dash)$")


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_bash.language()))


@dataclass(frozen=True)
class Word:
    start: int  # offsets in the shell source
    end: int
    text: str  # as written
    value: str | None  # the word's literal value, None if it expands anything


@dataclass(frozen=True)
class Command:
    words: tuple[Word, ...]  # name first; no env prefixes, no redirects
    start: int
    end: int
    node: Node

    @property
    def name(self) -> str | None:
        return self.words[0].value if self.words else None


class ShellScript:
    """Parsed shell source plus the map from source offsets to file offsets."""

    def __init__(self, source: LogicalLine, main_end: int | None = None):
        self.map = source
        self.text = source.text
        # Where the command line ends and appended heredoc bodies begin.
        self.main_end = len(self.text) if main_end is None else main_end
        encoded = self.text.encode("utf-8")
        self._ascii = len(encoded) == len(self.text)
        if not self._ascii:
            self._char_of_byte = _char_offsets(self.text)
        self.tree = _parser().parse(encoded)
        self.has_errors = self.tree.root_node.has_error
        self.commands: list[Command] = []
        self._collect(self.tree.root_node)

    def _offset(self, byte: int) -> int:
        return byte if self._ascii else self._char_of_byte[byte]

    def span(self, node: Node) -> tuple[int, int]:
        return self._offset(node.start_byte), self._offset(node.end_byte)

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        return self.map.file_span(start, end)

    def _collect(self, node: Node) -> None:
        if node.type == "command":
            words = tuple(self._word(child) for child in node.children if child.type not in _NOT_WORDS)
            if words and words[0].value is not None or words:
                start, end = self.span(node)
                self.commands.append(Command(words, start, end, node))
        for child in node.children:
            self._collect(child)

    def _word(self, node: Node) -> Word:
        if node.type == "command_name" and node.named_children:
            node = node.named_children[0]
        start, end = self.span(node)
        return Word(start, end, self.text[start:end], literal_value(node, self.text[start:end]))

    def statement_end(self) -> int:
        """Where text appended to the whole script goes: after the last
        top-level statement, before a trailing comment or heredoc body."""
        root = self.tree.root_node
        ends = [self.span(child)[1] for child in root.named_children if child.type != "comment"]
        end = max(ends) if ends else 0
        if end > self.main_end:
            end = len(self.text[: self.main_end].rstrip())
        return end

    def removal_span(self, command: Command) -> tuple[int, int] | None:
        """The source span that removes `command` and one joining operator, or
        None when the command is the only statement of the whole script."""
        node = command.node
        while node.parent is not None and node.parent.type in ("redirected_statement", "negated_command"):
            node = node.parent
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "program" and len([c for c in parent.named_children if c.type != "comment"]) == 1:
            return None
        siblings = [child for child in parent.children if child.type != "comment"]
        index = next(i for i, child in enumerate(siblings) if child.id == node.id)
        start, end = self.span(node)
        after = siblings[index + 1 :]
        before = siblings[:index]
        if len(after) >= 2 and after[0].type in ("&&", "||", ";", "&"):
            return start, self.span(after[1])[0]
        if len(after) == 1 and after[0].type in (";", "&"):
            after_end = self.span(after[0])[1]
            if before:
                return self.span(before[-1])[1], after_end
            return start, after_end
        if before and before[-1].type in ("&&", "||", ";", "&") and len(before) >= 2:
            return self.span(before[-2])[1], end
        if parent.type == "list" and parent.parent is not None:
            # a list nested on the left of another list: `a && b && c` parses
            # as list(list(a && b) && c); removing b joins a to c.
            return None
        return None


def literal_value(node: Node, text: str) -> str | None:
    """The static value of a word node, or None if it expands anything."""
    kind = node.type
    if kind in ("word", "number"):
        return _unescape(text) if "$" not in text and "`" not in text else None
    if kind == "raw_string":
        return text[1:-1]
    if kind == "string":
        inner = [child for child in node.named_children]
        if all(child.type == "string_content" for child in inner):
            return _unescape_double(text[1:-1])
        return None
    if kind == "concatenation":
        parts = []
        for child in node.children:
            piece = literal_value(child, child.text.decode("utf-8"))
            if piece is None:
                return None
            parts.append(piece)
        return "".join(parts)
    return None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _unescape_double(text: str) -> str:
    return re.sub(r'\\([$`"\\])', r"\1", text)


def _char_offsets(text: str) -> list[int]:
    offsets = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(char.encode("utf-8")))
    offsets.append(len(text))
    return offsets


def script_of(instruction: Instruction, text: str) -> ShellScript | None:
    """The shell script a RUN (or ONBUILD RUN) runs, or None for exec form or
    a heredoc that another interpreter runs."""
    if instruction.command != "RUN" or instruction.is_json:
        return None
    logical = instruction.logical
    args = LogicalLine()
    _copy(logical, instruction.args_start, len(logical.text), args)
    if not instruction.heredocs:
        return ShellScript(args)
    words = args.text.split()
    heredoc_only = all(word.startswith("<<") or word.lstrip("-").isalpha() for word in words)
    interpreter = [word for word in words if not word.startswith("<<") and not word.startswith("-")]
    if heredoc_only and (not interpreter or _SHELLS.match(interpreter[0])) and len(instruction.heredocs) == 1:
        heredoc = instruction.heredocs[0]
        body = heredoc.body(text)
        if body.startswith("#!") and not _SHELLS.match(body[2:].split()[0].split("/")[-1] if body[2:].split() else ""):
            return None
        script = LogicalLine()
        script.add(heredoc.body_start, body)
        return ShellScript(script)
    # A command that reads heredocs on its stdin: the shell sees the command
    # line and then the bodies with their terminators, verbatim.
    main_end = len(args.text)
    for heredoc in instruction.heredocs:
        newline = heredoc.body_start - 1
        args.add(newline, "\n")
        args.add(heredoc.body_start, heredoc.body(text))
        args.add(heredoc.terminator.start, text[heredoc.terminator.start : heredoc.terminator.end])
    return ShellScript(args, main_end)


def _copy(source: LogicalLine, start: int, end: int, into: LogicalLine) -> None:
    for logical_start, file_start, length in source.pieces:
        piece_start = max(start, logical_start)
        piece_end = min(end, logical_start + length)
        if piece_start < piece_end:
            into.add(file_start + piece_start - logical_start, source.text[piece_start:piece_end])
