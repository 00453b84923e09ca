"""What rules produce: edits over the original text, questions, and findings.

Rules never touch files or people. They yield `Edit`s (byte-exact replacements
of a span of the original text) and `Finding`s, and ask `Decision`s through the
rule context, which answers from the resolver (prompt, --yes, answers file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] of the original document with `replacement`."""

    start: int
    end: int
    replacement: str
    rule: str = ""  # rule id, e.g. "UA201"

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit span {self.start}..{self.end}")


class Severity(str, Enum):
    INFO = "info"  # something the tool did that a reader should know
    WARNING = "warning"  # something the tool could not do, or did not check


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int  # 1-based line in the original file
    message: str
    severity: Severity = Severity.WARNING


@dataclass(frozen=True)
class Option:
    """One answer to a Decision. `value` is what the rule receives back."""

    value: str
    label: str
    # Options that take free text (e.g. "type another package name").
    free_text: bool = False


@dataclass(frozen=True)
class Decision:
    """A question whose right answer the tool cannot know on its own.

    `key` is stable across runs (answers files and --yes reports use it); it
    names the rule and the subject, e.g. "UA201:package:foo-dev".
    """

    key: str
    rule: str
    question: str
    options: tuple[Option, ...]
    recommended: str  # the value of the recommended option
    line: int = 0
    context: str = ""  # the original line(s) shown beside the question

    def option(self, value: str) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None


@dataclass(frozen=True)
class Answer:
    decision: Decision
    value: str
    source: str  # "prompt", "yes", "answers-file"


class OverlappingEdits(Exception):
    def __init__(self, first: Edit, second: Edit):
        super().__init__(
            f"rules {first.rule or '?'} and {second.rule or '?'} both edit "
            f"offsets {second.start}..{first.end}"
        )
        self.first = first
        self.second = second


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits from the end of the text backwards.

    Identical duplicate edits collapse to one; any other overlap is an error,
    because two rules that disagree about the same bytes is a bug, never
    something to resolve by guessing. Two insertions at the same offset are
    both kept, in the order the rules produced them.
    """
    unique: list[Edit] = []
    seen: set[tuple[int, int, str]] = set()
    for edit in edits:
        key = (edit.start, edit.end, edit.replacement)
        if key not in seen:
            seen.add(key)
            unique.append(edit)
    ordered = sorted(enumerate(unique), key=lambda item: (item[1].start, item[1].end, item[0]))
    for (_, a), (_, b) in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise OverlappingEdits(a, b)
    pieces: list[str] = []
    position = 0
    for _, edit in ordered:
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)
