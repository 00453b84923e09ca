"""Package lists in variables: where a variable that apk reads is defined,
and where else it is used.

`ENV BUILD_DEPS="gcc musl-dev"` (or `ARG`, or `BUILD_DEPS="..."` earlier in
the same RUN) feeding `apk add $BUILD_DEPS` holds Alpine names that apt-get
must not see. The names are rewritten where they are written, which is only
safe when nothing but apk reads the variable: this module finds the
definitions (each name in the value as a word with its span) and every
reference to the variable, so the apk rule can tell the two cases apart.

A variable assigned in a RUN's shell belongs to that RUN (shell variables do
not outlive it); any other is a build variable (ENV/ARG), defined anywhere
in the file and used anywhere in it (a little wider than Docker's scoping,
which can only add uses, never hide one).
"""

from __future__ import annotations

import re

from migrator.assignments import assignments
from migrator.document import Document, Instruction
from migrator.lazy_pattern import LazyPattern
from migrator.records import Frozen
from migrator.shell import ShellScript, Word

# A word that is nothing but one variable: $X, ${X}, "$X", "${X}".
_WHOLE_REFERENCE = LazyPattern(r'^("?)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))\1$')
# What a package word (with an optional version pin) may hold; anything else
# (an expansion, quotes, shell syntax) is not a package name and stays.
_PACKAGE = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9._+-]*(?:[=<>~@][A-Za-z0-9._+=<>~:${}-]*)?\Z")


def reference(text: str) -> str | None:
    """The variable a word consists of, if it is exactly one reference."""
    match = _WHOLE_REFERENCE.match(text)
    return (match.group(2) or match.group(3)) if match else None


class Definition(Frozen):
    """Where a package variable gets its value: the instruction and its line,
    the package names in the value (Words; offsets in `source`), and the
    `source` that maps the words' offsets to the file."""

    __slots__ = ()

    def __new__(cls, instruction, line, words, source) -> Definition:
        return tuple.__new__(cls, (instruction, line, words, source))


def build_definitions(document: Document, name: str) -> list[Definition]:
    """ENV and ARG instructions that give `name` a value."""
    found = []
    for instruction in document.instructions:
        if instruction.command not in ("ENV", "ARG") or instruction.trigger:
            continue
        logical = instruction.logical
        for start, end in _values(instruction, name):
            found.append(Definition(instruction, instruction.line, _words(logical.text, start, end), logical))
    return found


def _values(instruction: Instruction, name: str) -> list[tuple[int, int]]:
    """Logical spans of the values `instruction` assigns to `name`."""
    return [(assigned.start, assigned.end) for assigned in assignments(instruction) if assigned.name == name]


def shell_definitions(script: ShellScript, run: Instruction, document: Document, name: str) -> list[Definition]:
    """Statement-level assignments of `name` in a RUN (`X=...`, `export X=...`;
    not the `X=... cmd` prefix form, which the command's own words do not see)."""
    found = []
    stack = [script.tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "variable_assignment" or (node.parent is not None and node.parent.type == "command"):
            continue
        label = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if label is None or value is None or script.text[slice(*script.span(label))] != name:
            continue
        start, end = script.span(value)
        line = document.line_of(script.file_span(start, end)[0])
        found.append(Definition(run, line, _words(script.text, start, end), script))
    return sorted(found, key=lambda definition: definition.words[0].start if definition.words else 0)


def _words(text: str, start: int, end: int) -> list[Word]:
    """The names in a value written as `"a b"`, `'a b'` or `a`: words that
    expand, quote, escape or otherwise are not package names stay."""
    value = text[start:end]
    if value[:1] in "\"'" and len(value) >= 2 and value[-1] == value[0]:
        start, end = start + 1, end - 1
    words = []
    for match in re.finditer(r"\S+", text[start:end]):
        word = match.group()
        if not _PACKAGE.match(word):
            continue
        offset = start + match.start()
        words.append(Word(offset, offset + len(word), word, word))
    return words


def references(text: str, name: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of `$name` and `${name...}` in text[start:end], outside
    comment lines."""
    pattern = re.compile(r"\$(?:\{" + name + r"(?![A-Za-z0-9_])|" + name + r"(?![A-Za-z0-9_]))")
    found = []
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start : match.start()].lstrip(" \t").startswith("#"):
            continue
        found.append(match.start())
    return found
