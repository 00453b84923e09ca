"""`# unalpine: ignore=UA202[,UA301]` on the line before an instruction, and
`# unalpine: ignore-file` among the comments at the top: what the author
asked the tool to leave alone, read from a parsed Document.

The comment must be directly above the instruction (other comments may sit
between, a blank line may not), as hadolint's `# hadolint ignore=` works.
"""

from __future__ import annotations

from migrator.records import Record

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from migrator.document import Document

MARK = "unalpine:"
# The id reports use for what the ignore comments themselves say.
RULE = "UA000"


class Ignores(Record):
    """`spans`: (start, stop, first line, last line, rule ids) of each ignored
    instruction; `whole_file`: the line of an ignore-file comment, or 0;
    `unknown`: (line, id) of ids that name no rule."""

    __slots__ = ("spans", "whole_file", "unknown", "malformed")

    def __init__(self) -> None:
        self.spans: list[tuple[int, int, int, int, frozenset[str]]] = []
        self.whole_file = 0
        self.unknown: list[tuple[int, str]] = []
        self.malformed: list[int] = []  # lines of `# unalpine: ...` comments that say neither

    def __bool__(self) -> bool:
        return bool(self.spans or self.whole_file or self.unknown or self.malformed)

    def rules_at(self, offset: int) -> frozenset[str]:
        return frozenset().union(*(rules for start, stop, _, _, rules in self.spans if start <= offset < stop))

    def rules_on_line(self, line: int) -> frozenset[str]:
        return frozenset().union(*(rules for _, _, first, last, rules in self.spans if first <= line <= last))

    def ignore_everywhere(self, rules: frozenset[str], text: str) -> None:
        """A configuration's `ignore`: the rules left alone in the whole file."""
        self.spans.append((0, len(text) + 1, 1, text.count("\n") + 1, rules))


def _pragma(comment: str) -> str | None:
    """The text after `# unalpine:`, or None for any other comment."""
    body = comment.strip().lstrip("\ufeff").lstrip("#").strip()
    if not body.startswith(MARK):
        return None
    return body[len(MARK):].strip()


def read_ignores(document: Document, known: frozenset[str]) -> Ignores:
    ignores = Ignores()
    text = document.text
    if MARK not in text:  # nearly every file: nothing to look at
        return ignores
    pending: list[frozenset[str]] = []
    seen_instruction = False
    for node in document.nodes:
        if node.kind == "comment":
            pragma = _pragma(text[node.start:node.stop])
            if pragma is None:
                continue
            if pragma == "ignore-file":
                if not seen_instruction and not ignores.whole_file:
                    ignores.whole_file = node.line
                else:
                    ignores.malformed.append(node.line)
                continue
            name, equals, value = pragma.partition("=")
            if name.strip() != "ignore" or not equals or not value.strip():
                ignores.malformed.append(node.line)
                continue
            ids = [part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip()]
            for rule_id in ids:
                if rule_id not in known:
                    ignores.unknown.append((node.line, rule_id))
            pending.append(frozenset(rule_id for rule_id in ids if rule_id in known))
        elif node.kind == "blank":
            pending = []
        elif node.kind == "directive":
            continue
        else:
            seen_instruction = True
            if pending:
                rules = frozenset().union(*pending)
                if rules:
                    ignores.spans.append((node.start, node.stop, node.line, node.end_line, rules))
                pending = []
    return ignores
