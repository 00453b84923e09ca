"""Word-level changes to one RUN, planned first and rendered into edits.

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

from migrator.document import Document, Instruction, LogicalLine, PhysicalLine
from migrator.proposals import Edit
from migrator.shell import Command, ShellScript, Word

_BLANKS = " \t"


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

    def replace(self, item: Word | Command | None, new: str) -> None:
        if item is not None:
            self._replaced[self.span(item)] = new

    def delete(self, word: Word) -> None:
        self._deleted.add(self.span(word))

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
        removals = [(start, end) for start, end, new in whole if not new]
        # Replacements that stand (`true` for an emptied body, whole commands)
        # are the solid blocks that appended text must not land inside.
        solid = [(start, end) for start, end, new in whole if new] + [span for span in replaced]
        regions, redirects = self._render_deletions(deletions, removals)
        edits = [Edit(start, end, new, self.rule) for start, end, new in whole if new]
        edits += [Edit(start, end, new, self.rule) for (start, end), new in replaced.items()]
        edits += [Edit(start, end, "", self.rule) for start, end in regions]
        for offset, text in self._appended:
            edits.append(Edit(*[self._place(offset, regions, redirects, solid)] * 2, text, self.rule))
        return edits

    # -- planning: which changes survive ------------------------------------

    def _removals(self) -> list[tuple[int, int, str]] | None:
        if not self._removed:
            return []
        spans = self.script.removal(self._removed)
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

    # -- rendering: line by line ---------------------------------------------

    def _render_deletions(self, words: list[tuple[int, int]], removals: list[tuple[int, int]]
                          ) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
        """Pure deletions covering the deleted words and whatever around them
        would otherwise be left broken, plus the removed commands (whose
        spans the shell model already chose); and redirects for appended
        text."""
        dead = _merge(words + removals)
        regions: list[tuple[int, int]] = list(dead)
        redirects: list[tuple[int, int, int]] = []  # (from, to] -> offset
        lines = self.document.lines
        line_of = self.document.line_of  # (its index of line starts is made once per document)
        touched: dict[int, list[tuple[int, int]]] = {}
        for start, end in _merge(words):
            touched.setdefault(line_of(start) - 1, []).append((start, end))
        for index in sorted(touched):
            line = lines[index]
            state, rest_start = self._state(line, dead)
            if state == "continued":
                regions.append((line.start, line.stop))
                continue
            if state in ("last", "comment"):
                previous = self._previous_content(index, dead)
                if previous is not None:
                    escape_start = self._escape_start(previous)
                    if escape_start is not None:
                        keep_end = self._surviving_end(previous.start, escape_start, dead)
                        regions.append((keep_end, previous.end))
                        if state == "last":
                            regions.append((line.start, line.stop))
                        else:
                            regions.append((self._first_visible(line), rest_start))
                        redirects.append((keep_end, line.stop, keep_end))
                        continue
            for start, end in self._runs(touched[index]):
                regions.append(self._with_space(line, start, end, dead))
        return _merge(regions), redirects

    def _state(self, line: PhysicalLine, dead: list[tuple[int, int]]) -> tuple[str, int]:
        """What the deletions leave of a line: "continued" (only the
        escape), "last" (nothing), "comment" (only a `# comment`, which
        would turn into a comment line), or "partial" (shell text). Also
        where the comment starts."""
        kept = _kept(line.start, line.end, dead)
        text = self.text
        rest = "".join([text[start:end] for start, end in kept]).replace(" ", "").replace("\t", "")
        escape_start = self._escape_start(line)
        if escape_start is not None:
            if _within(escape_start, dead):
                return "partial", line.end  # a deletion joins this line to the next
            return ("continued" if rest == self._escape(line) else "partial"), line.end
        if rest == "":
            return "last", line.end
        if rest.startswith("#") and not text[line.start : line.end].lstrip(_BLANKS).startswith("#"):
            return "comment", _first_visible(text, kept)
        return "partial", line.end

    def _escape(self, line: PhysicalLine) -> str:
        return "\\" if self._in_heredoc(line) else self.document.escape

    def _in_heredoc(self, line: PhysicalLine) -> bool:
        return any(h.body_start <= line.start < h.body_end for h in self.instruction.heredocs)

    def _escape_start(self, line: PhysicalLine) -> int | None:
        """Offset of the escape that continues `line`, or None."""
        escape = self._escape(line)
        content = self.text[line.start : line.end].rstrip(_BLANKS)
        if content.endswith(escape) and not content[: -len(escape)].endswith(escape):
            return line.start + len(content) - len(escape)
        return None

    def _previous_content(self, index: int, dead: list[tuple[int, int]]) -> PhysicalLine | None:
        """The nearest line above that keeps shell text: past emptied lines
        and (outside heredocs, where buildkit drops them) comment and blank
        lines; None at the instruction's start."""
        lines = self.document.lines
        while index > 0:
            index -= 1
            line = lines[index]
            if line.stop <= self.instruction.start:
                return None
            content = self.text[line.start : line.end].strip(_BLANKS)
            if not self._in_heredoc(line) and (content == "" or content.startswith("#")):
                continue
            if self._state(line, dead)[0] != "partial":
                continue
            return line
        return None

    def _surviving_end(self, start: int, end: int, dead: list[tuple[int, int]]) -> int:
        """Just after the last character in [start, end) that stays and is
        not blank."""
        position = end
        while position > start and (self.text[position - 1] in _BLANKS or _within(position - 1, dead)):
            position -= 1
        return position

    def _first_visible(self, line: PhysicalLine) -> int:
        position = line.start
        while position < line.end and self.text[position] in _BLANKS:
            position += 1
        return position

    def _runs(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Deleted spans on one line, joined where only blanks lie between."""
        runs: list[list[int]] = []
        for start, end in spans:
            if runs and self.text[runs[-1][1] : start].strip(_BLANKS) == "":
                runs[-1][1] = max(runs[-1][1], end)
            else:
                runs.append([start, end])
        return [(start, end) for start, end in runs]

    def _with_space(self, line: PhysicalLine, start: int, end: int, dead: list[tuple[int, int]]) -> tuple[int, int]:
        """A deleted run plus the blanks on one side: the left when
        something stays before it on the line, else the right."""
        stays_before = any(self.text[a : min(b, start)].strip(_BLANKS) for a, b in _kept(line.start, line.end, dead) if a < start)
        if stays_before:
            left = start
            # not a blank the shell escapes (`a\ b`): it belongs to the word before
            while left > line.start and self.text[left - 1] in _BLANKS and self.text[left - 2 : left - 1] != "\\":
                left -= 1
            return left, end
        right = end
        while right < line.end and self.text[right] in _BLANKS:
            right += 1
        return start, right

    def _place(self, offset: int, regions: list[tuple[int, int]], redirects, solid) -> int:
        """Where appended text goes: after what is left before `offset`."""
        for _ in range(len(regions) + len(redirects) + 1):
            moved = offset
            for start, end, target in redirects:
                if start < moved <= end:
                    moved = target
            for start, end in regions:
                if start < moved <= end:
                    moved = start
            for start, end in solid:
                if start < moved < end:
                    moved = end
            if moved == offset:
                return offset
            offset = moved
        return offset

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


def _within(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _kept(start: int, end: int, dead: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside the `dead` spans (sorted, merged)."""
    kept = []
    position = start
    for dead_start, dead_end in dead:
        if dead_end <= position:
            continue
        if dead_start >= end:
            break
        if dead_start > position:
            kept.append((position, dead_start))
        position = max(position, dead_end)
    if position < end:
        kept.append((position, end))
    return kept


def _first_visible(text: str, kept: list[tuple[int, int]]) -> int:
    """Offset of the first kept character that is not a blank."""
    for start, end in kept:
        part = text[start:end]
        stripped = part.lstrip(_BLANKS)
        if stripped:
            return start + len(part) - len(stripped)
    raise ValueError("nothing visible")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Deletions that overlap or touch become one."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
