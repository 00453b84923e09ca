"""Word-level changes to one RUN, planned first and rendered into edits
(the line-by-line rendering of deletions is migrator.line_deletions).

A rule states what it wants per shell word or command: replace this word,
delete that one, remove this command, append text after that one. Only
`render` turns the plan into file `Edit`s, looking at the lines all the
changes leave behind at once. That is what keeps the edits from overlapping
by construction, whatever the layout:

- a command that goes takes every change planned inside it with it;
- deleted words become deletions of whole line parts: the spaces beside a
  word go with it, a continuation line left holding only the escape goes
  whole, and when the instruction's last line empties, the escape that led
  to it goes too (the line before is found past comment lines and other
  emptied lines, so the next instruction is never joined on);
- all deletions are merged where they touch, so two of them never overlap;
- text appended after a word moves to the end of what is left before it
  when that word (or the line it stood on) is deleted.

Comments (whole comment lines and a `# comment` after the last word) are the
author's and stay.
"""

from __future__ import annotations

from migrator.command_removal import removal
from migrator.document import Document, Instruction
from migrator.document_lines import LogicalLine
from migrator.line_deletions import LineDeletions, place
from migrator.proposals import Edit
from migrator.shell import Command, ShellScript, Word


class RunPlan:
    """What one rule wants done to the words of one RUN's script (or of
    another instruction's value)."""

    def __init__(self, document: Document, instruction: Instruction, script: ShellScript | LogicalLine, rule: str):
        self.document = document
        self.instruction = instruction
        # Maps the words' offsets to the file: a RUN's shell, or the logical
        # line of another instruction (an ENV value's words).
        self.script = script
        self.rule = rule
        self._replaced: dict[tuple[int, int], str] = {}  # file span -> text
        self._deleted: set[tuple[int, int]] = set()  # file spans of words
        self._removed: list[Command] = []  # commands that go as a whole
        self._appended: list[tuple[int, str]] = []  # file offset, text
        self.text = document.text  # read in every step of rendering: an attribute, not a property

    def span(self, item: Word | Command) -> tuple[int, int]:
        return self.script.file_span(item.start, item.end)

    # (replace and delete map the span themselves, not through span(): one
    # call less for each of the ~20 words a rewritten RUN changes)
    def replace(self, item: Word | Command | None, new: str) -> None:
        if item is not None:
            self._replaced[self.script.file_span(item.start, item.end)] = new

    def delete(self, word: Word) -> None:
        self._deleted.add(self.script.file_span(word.start, word.end))

    def remove(self, command: Command) -> None:
        self._removed.append(command)

    def append(self, command: Command, text: str) -> None:
        """`text` right after the command (before a comment the shell
        parsed into it)."""
        ends = [self.script.span(child)[1] for child in command.node.children if child.type != "comment"]
        end = max(ends, default=command.end)
        self._appended.append((self.script.file_span(command.start, end)[1], text))

    def append_at(self, offset: int, text: str) -> None:
        self._appended.append((offset, text))

    def render(self) -> list[Edit]:
        whole = self._removals()
        if whole is None:
            return [self._remove_instruction()]
        replaced, deletions = self._word_changes(whole)
        rule = self.rule
        removals: list[tuple[int, int]] = []
        # Replacements that stand (`true` for an emptied body, whole commands)
        # are the solid blocks that appended text must not land inside.
        solid: list[tuple[int, int]] = []
        edits: list[Edit] = []
        for start, end, new in whole:
            if new:
                solid.append((start, end))
                edits.append(Edit(start, end, new, rule))
            else:
                removals.append((start, end))
        solid += replaced
        regions, redirects = LineDeletions(self.document, self.instruction).render(deletions, removals)
        edits += [Edit(start, end, new, rule) for (start, end), new in replaced.items()]
        edits += [Edit(start, end, "", rule) for start, end in regions]
        # Texts that land on one offset are one insertion, in the order they
        # were planned: whatever applies the edits (a SARIF consumer too)
        # cannot order them otherwise.
        if self._appended:
            inserted: dict[int, str] = {}
            for offset, text in self._appended:
                at = place(offset, regions, redirects, solid)
                inserted[at] = inserted.get(at, "") + text
            edits += [Edit(at, at, text, rule) for at, text in inserted.items()]
        return edits

    # -- planning: which changes survive ------------------------------------

    def _removals(self) -> list[tuple[int, int, str]] | None:
        if not self._removed:
            return []
        spans = removal(self.script, self._removed)
        if spans is None:
            return None
        return [(*self.script.file_span(start, end), new) for start, end, new in spans]

    def _word_changes(self, whole: list[tuple[int, int, str]]) -> tuple[dict[tuple[int, int], str], list[tuple[int, int]]]:
        """Word changes outside removed commands; a word replaced by a whole
        command's new text, or both replaced and deleted, is taken once."""
        blocks = [(start, end) for start, end, _ in whole]
        replaced = self._replaced
        if blocks:
            replaced = {span: new for span, new in replaced.items() if not _inside(span, blocks)}
        # A replaced command (dpkg --print-architecture, pip install) covers
        # the words inside it.
        covering = _covered(replaced)
        if covering:
            replaced = {span: new for span, new in replaced.items() if span not in covering}
        covered = blocks + list(replaced)
        deleted = [span for span in sorted(self._deleted) if span not in replaced and not _inside(span, covered)]
        return dict(replaced), deleted

    def _remove_instruction(self) -> Edit:
        """The whole RUN goes; a blank line that then doubles another goes too."""
        nodes = self.document.nodes
        index = next(i for i, node in enumerate(nodes) if node is self.instruction)
        stop = self.instruction.stop
        before = nodes[index - 1] if index > 0 else None
        after = nodes[index + 1] if index + 1 < len(nodes) else None
        if after is not None and after.kind == "blank" and (before is None or before.kind == "blank"):
            stop = after.stop
        return Edit(self.instruction.start, stop, "", self.rule)


def _inside(span: tuple[int, int], blocks: list[tuple[int, int]]) -> bool:
    """Whether `span` lies within one of `blocks` (other than itself)."""
    first, last = span
    for start, end in blocks:
        if start <= first and last <= end and (start != first or end != last):
            return True
    return False


def _covered(spans) -> set[tuple[int, int]]:
    """The spans that lie within another of `spans` (all distinct): in order
    of start, longest first, a span lies within an earlier one exactly when
    one of those ends at or after its end."""
    found: set[tuple[int, int]] = set()
    reach = -1
    for span in sorted(spans, key=lambda span: (span[0], -span[1])):
        if reach >= span[1]:
            found.add(span)
        elif span[1] > reach:
            reach = span[1]
    return found
