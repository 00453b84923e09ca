"""What rules produce: edits over the original text, questions, and findings.

Rules never touch files or people. They yield `Edit`s (byte-exact replacements
of a span of the original text) and `Finding`s, and ask `Decision`s through the
rule context, which answers from the resolver (prompt, --yes, answers file).
"""

from __future__ import annotations

from enum import Enum

from migrator.records import Frozen

# The records below are named tuples (migrator.records.Frozen), not
# dataclasses: importing dataclasses (and inspect, ast, dis behind it) plus
# decorating each class cost ~15 ms of every start, more than the work on a
# small file. They are immutable, compare by value and order by their fields,
# which is all these need.


class Edit(Frozen):
    """Replace text[start:end] of the original document with `replacement`.
    `rule` is the rule id, e.g. "UA201"."""

    __slots__ = ()

    def __new__(cls, start: int, end: int, replacement: str, rule: str = "") -> Edit:
        if not 0 <= start <= end:
            raise ValueError(f"bad edit span {start}..{end}")
        return tuple.__new__(cls, (start, end, replacement, rule))


class Severity(str, Enum):
    INFO = "info"  # something the tool did that a reader should know
    WARNING = "warning"  # something the tool could not do, or did not check


class Finding(Frozen):
    """What a rule says about a line (1-based, of the original file)."""

    __slots__ = ()

    def __new__(cls, rule: str, line: int, message: str, severity: Severity = Severity.WARNING) -> Finding:
        return tuple.__new__(cls, (rule, line, message, severity))


class Option(Frozen):
    """One answer to a Decision. `value` is what the rule receives back;
    `free_text` options take typed text (e.g. "type another package name")."""

    __slots__ = ()

    def __new__(cls, value: str, label: str, free_text: bool = False) -> Option:
        return tuple.__new__(cls, (value, label, free_text))


class Decision(Frozen):
    """A question whose right answer the tool cannot know on its own.

    `key` is stable across runs (answers files and --yes reports use it); it
    names the rule and the subject, e.g. "UA201:package:foo-dev". `options`
    is a tuple of Option, `recommended` the value of the recommended one,
    `context` the original line(s) shown beside the question.
    """

    __slots__ = ()

    def __new__(cls, key: str, rule: str, question: str, options: tuple[Option, ...], recommended: str,
                line: int = 0, context: str = "") -> Decision:
        return tuple.__new__(cls, (key, rule, question, options, recommended, line, context))

    def option(self, value: str) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None


class Answer(Frozen):
    """The value chosen for a Decision, and where it came from ("prompt",
    "yes", "answers-file", ...)."""

    __slots__ = ()

    def __new__(cls, decision: Decision, value: str, source: str) -> Answer:
        return tuple.__new__(cls, (decision, value, source))


class OverlappingEdits(Exception):
    def __init__(self, first: Edit, second: Edit):
        super().__init__(
            f"rules {first.rule or '?'} and {second.rule or '?'} both edit "
            f"offsets {second.start}..{first.end}"
        )
        self.first = first
        self.second = second


def ordered_edits(edits: list[Edit]) -> list[Edit]:
    """The edits in the order they apply: by place, edits at one place in the
    order the rules made them.

    Identical duplicate edits collapse to one, and so do deletions that
    overlap: two rules that both delete the same bytes agree (UA201 drops the
    last package of an `apk add` with the space after it, UA504 removes the
    command that follows with the space before it), and deleting the union is
    what each asked for. Any other overlap is an error, because two rules that
    disagree about the same bytes is a bug, never something to resolve by
    guessing.
    """
    unique: list[Edit] = []
    seen: set[tuple[int, int, str]] = set()
    for edit in edits:
        key = (edit.start, edit.end, edit.replacement)
        if key not in seen:
            seen.add(key)
            unique.append(edit)
    ordered: list[Edit] = []
    for _, edit in sorted(enumerate(unique), key=lambda item: (item[1].start, item[1].end, item[0])):
        last = ordered[-1] if ordered else None
        if last is not None and edit.start < last.end:
            if last.replacement or edit.replacement or edit.start == edit.end:
                raise OverlappingEdits(last, edit)
            ordered[-1] = Edit(last.start, max(last.end, edit.end), "", last.rule)
            continue
        ordered.append(edit)
    return ordered


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits from the end of the text backwards (in `ordered_edits`'
    order, which says which overlaps are allowed). Two insertions at the same
    offset are both kept, in the order the rules produced them.
    """
    pieces: list[str] = []
    position = 0
    for edit in ordered_edits(edits):
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)
