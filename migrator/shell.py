"""The shell inside RUN, parsed with tree-sitter-bash.

A RUN body is shell text scattered over the file by continuations, dropped
comment lines and heredocs. `script_of` builds the shell source a RUN really
runs together with a map back to file offsets (the document's LogicalLine),
and `ShellScript` exposes the simple commands with their words, each with an
exact span, so rules can replace single words and keep the author's layout.
"""

from __future__ import annotations

import re
from functools import cache

from migrator.document import Instruction
from migrator.document_lines import LogicalLine
from migrator.lazy_pattern import LazyPattern
from migrator.records import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tree_sitter import Node, Parser

# Children of a `command` node that are not its words.
_NOT_WORDS = {"variable_assignment", "file_redirect", "heredoc_redirect", "herestring_redirect", "comment"}
# Nodes that join statements; their operands are the statements.
_SHELLS = LazyPattern(r"^(?:/usr)?(?:/bin/)?(?:sh|bash|ash|dash)$")


@cache
def _parser() -> Parser:
    tree_sitter = _compiled("tree_sitter")
    return tree_sitter.Parser(tree_sitter.Language(_compiled("tree_sitter_bash").language()))


def _compiled(package: str):
    """The compiled module `package`._binding (tree-sitter's classes, the bash
    grammar), loaded alone: the packages' __init__ files import typing (for a
    Protocol) and importlib.resources (and with it tempfile, shutil, random,
    for a query file we never read): ~7 ms of every start. The module is
    registered under its own name, so a later `import tree_sitter` reuses it
    and its classes stay the same objects. Laid out otherwise (a future
    version, a zip), the package is imported the ordinary way."""
    import sys
    from importlib.machinery import PathFinder

    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    try:
        found = PathFinder.find_spec(package)
        spec = PathFinder.find_spec(name, found.submodule_search_locations)
        module = spec.loader.create_module(spec)
        spec.loader.exec_module(module)
    except Exception:
        import importlib

        return importlib.import_module(package)
    sys.modules[name] = module
    return module


class Word(Frozen):
    """A shell word: offsets in the shell source, the text as written, and
    its literal value (None if it expands anything)."""

    __slots__ = ()

    def __new__(cls, start, end, text, value) -> Word:
        return tuple.__new__(cls, (start, end, text, value))


class Command(Frozen):
    """A simple command: its words (a tuple of Word, name first; no env
    prefixes, no redirects), its span in the shell source, its tree node."""

    __slots__ = ()

    def __new__(cls, words, start, end, node) -> Command:
        return tuple.__new__(cls, (words, start, end, node))

    @property
    def name(self) -> str | None:
        return self.words[0].value if self.words else None


# Parses by shell source, shared by the files of a run: a fleet's files
# repeat many RUN lines (the same `apk add`, `pip install -r ...`), each
# parse ~40 µs. Everything a ShellScript holds but its `map` (the file
# offsets) is a function of its source text and main_end alone: the tree,
# the commands and their words are in source offsets, and nothing changes
# them after the parse. So (text, main_end) is the whole key, whichever
# file the text comes from. Bounded, the least recently used going first (a
# dict in order of use): each file adds RUN lines of its own, the shared
# ones stay.
_PARSED: dict[tuple[str, int], tuple] = {}
_PARSED_MAX = 1024


class ShellScript:
    """Parsed shell source plus the map from source offsets to file offsets."""

    def __init__(self, source: LogicalLine, main_end: int | None = None):
        self.map = source
        self.text = source.text
        # Where the command line ends and appended heredoc bodies begin.
        self.main_end = len(self.text) if main_end is None else main_end
        key = (self.text, self.main_end)
        parsed = _PARSED.pop(key, None)
        if parsed is not None:
            _PARSED[key] = parsed  # (now the most recently used)
            self._ascii, self._char_of_byte, self.tree, self.has_errors, commands, self._derived = parsed
            self.commands: list[Command] = list(commands)
            return
        encoded = self.text.encode("utf-8")
        self._ascii = len(encoded) == len(self.text)
        self._char_of_byte = None if self._ascii else _char_offsets(self.text)
        self.tree = _parser().parse(encoded)
        # A heredoc that runs to the end of the text is an error too (bash
        # only warns), so no rule appends to a body it cannot see the end of.
        self.has_errors = self.tree.root_node.has_error or ("<<" in self.text and _open_heredoc(self.tree.root_node))
        self.commands = []
        self._collect(self.tree.root_node)
        # What is worked out later from the parse alone (statement_end), shared as the parse is
        self._derived: dict[str, object] = {}
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]  # the least recently used
        _PARSED[key] = (self._ascii, self._char_of_byte, self.tree, self.has_errors, tuple(self.commands),
                        self._derived)

    def _collect(self, root: Node) -> None:
        """Every simple command, in the order of a walk of the tree (an
        enclosing command first). A loop with a stack, looking only into
        nodes that have children: the recursion made a call and a list for
        every leaf. (A tree-sitter query finds them in C, but compiling it
        costs 2-7 ms of a start.)"""
        commands = self.commands
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "command":
                children = node.children
                words = tuple(self._word(child) for child in children if child.type not in _NOT_WORDS)
                if words:
                    start, end = self.span(node)
                    commands.append(Command(words, start, end, node))
            elif node.child_count:
                children = node.children
            else:
                continue
            children.reverse()
            stack.extend(children)

    def _offset(self, byte: int) -> int:
        return byte if self._ascii else self._char_of_byte[byte]

    def span(self, node: Node) -> tuple[int, int]:
        return self._offset(node.start_byte), self._offset(node.end_byte)

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        return self.map.file_span(start, end)

    def _word(self, node: Node) -> Word:
        # (once per word of every script parsed: the text sliced once, and
        # the Word made without its __new__'s frame, as split_lines does)
        if node.type == "command_name" and node.named_children:
            node = node.named_children[0]
        if self._ascii:
            start, end = node.start_byte, node.end_byte
        else:
            start, end = self.span(node)
        text = self.text[start:end]
        return tuple.__new__(Word, (start, end, text, literal_value(node, text)))

    def function_names(self) -> frozenset[str]:
        """The names of the functions the script defines (worked out once
        per parse: a walk of the whole tree, asked for every RUN by the
        busybox-applets rule and --verify's program check)."""
        names = self._derived.get("functions")
        if names is None and "(" not in self.text and "function" not in self.text:
            # A definition is `name ( )` or `function name`: a script with
            # neither token has none (most RUNs), so its tree is not walked.
            names = self._derived["functions"] = frozenset()
        if names is None:
            found: set[str] = set()
            stack = [self.tree.root_node]
            while stack:
                node = stack.pop()
                if node.type == "function_definition":
                    name = node.child_by_field_name("name")
                    if name is not None:
                        found.add(name.text.decode("utf-8", "replace"))
                stack.extend(node.children)
            names = self._derived["functions"] = frozenset(found)
        return names

    def statement_end(self) -> int:
        """Where text appended to the whole script goes: after the last
        top-level statement, before a trailing comment or heredoc body."""
        end = self._derived.get("statement_end")
        if end is None:
            end = self._derived["statement_end"] = self._statement_end()
        return end

    def _statement_end(self) -> int:
        root = self.tree.root_node
        statements = [child for child in root.named_children if child.type != "comment"]
        if not statements:
            return 0
        last = max(statements, key=lambda child: child.end_byte)
        end = self.span(last)[1]
        # (a heredoc is written with <<: most scripts' last statement is not walked for one)
        heredoc = _first_heredoc(last) if "<<" in self.text else None
        if heredoc is not None:
            # `cmd <<EOF ... EOF` (a heredoc inside a heredoc script): the
            # statement's line is where it can go on, not after the body.
            start = self.span(heredoc)[0]
            line_end = self.text.find("\n", start)
            end = len(self.text[: len(self.text) if line_end < 0 else line_end].rstrip())
        if end > self.main_end:
            end = len(self.text[: self.main_end].rstrip())
        return end


def _open_heredoc(node: Node) -> bool:
    """Whether a heredoc has no terminator line of its own (tree-sitter
    then ends it at the end of the text, or at some other line)."""
    if node.type == "heredoc_redirect":
        start = next((c for c in node.children if c.type == "heredoc_start"), None)
        end = next((c for c in node.children if c.type == "heredoc_end"), None)
        if start is not None:
            delimiter = re.sub(r"[\\'\"]", "", start.text.decode("utf-8", "replace"))
            if end is None or end.text.decode("utf-8", "replace").lstrip("\t") != delimiter:
                return True
    return any(_open_heredoc(child) for child in node.children)


def _first_heredoc(node: Node) -> Node | None:
    if node.type == "heredoc_redirect":
        return node
    for child in node.children:
        found = _first_heredoc(child)
        if found is not None:
            return found
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
    return _ESCAPED.sub(_escaped_char, text) if "\\" in text else text


def _unescape_double(text: str) -> str:
    return _ESCAPED_DOUBLE.sub(_escaped_char, text) if "\\" in text else text


_ESCAPED = LazyPattern(r"\\(.)")
_ESCAPED_DOUBLE = LazyPattern(r'\\([$`"\\])')


def _escaped_char(match: re.Match) -> str:
    return match.group(1)


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


def command_script(instruction: Instruction) -> ShellScript | None:
    """The shell a shell-form CMD, ENTRYPOINT or HEALTHCHECK CMD runs (None
    for exec form and anything else)."""
    if instruction.command not in ("CMD", "ENTRYPOINT", "HEALTHCHECK") or instruction.is_json:
        return None
    start = instruction.command_start
    if start is None:
        return None
    args = LogicalLine()
    _copy(instruction.logical, start, len(instruction.logical.text), args)
    return ShellScript(args)


def string_script(file_start: int, value: str) -> ShellScript:
    """The shell of a string written with no escapes at `file_start` (an
    exec-form `["sh", "-c", "..."]`'s script): its offsets map straight to
    the file."""
    source = LogicalLine()
    source.add(file_start, value)
    return ShellScript(source)


def _copy(source: LogicalLine, start: int, end: int, into: LogicalLine) -> None:
    for logical_start, file_start, length in source.pieces:
        piece_start = max(start, logical_start)
        piece_end = min(end, logical_start + length)
        if piece_start < piece_end:
            into.add(file_start + piece_start - logical_start, source.text[piece_start:piece_end])
