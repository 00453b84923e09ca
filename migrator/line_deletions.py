"""How deleted words leave the lines of one instruction (the rendering half
of migrator.word_edits): the spaces beside a word go with it, a
continuation line left holding only the escape goes whole, the escape that
led to an emptied last line goes too (found past comment lines and other
emptied lines, so the next instruction is never joined on), and text
appended after a deleted word moves to the end of what is left before it."""

from __future__ import annotations

from migrator.document import Document, Instruction
from migrator.document_lines import PhysicalLine

_BLANKS = " \t"


class LineDeletions:
    """The deletions of one instruction's words, rendered over its lines."""

    def __init__(self, document: Document, instruction: Instruction):
        self.document = document
        self.instruction = instruction
        self.text = document.text  # read in every step: an attribute, not a property

    def render(self, words: list[tuple[int, int]], removals: list[tuple[int, int]]
               ) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
        """Pure deletions covering the deleted words and whatever around them
        would otherwise be left broken, plus the removed commands (whose
        spans the shell model already chose); and redirects for appended
        text."""
        if not words and not removals:
            return [], []  # nothing deleted (most rewritten RUNs only replace and append)
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
        heredocs = self.instruction.heredocs  # (most RUNs have none: no generator made for them)
        return bool(heredocs) and any(h.body_start <= line.start < h.body_end for h in heredocs)

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


def place(offset: int, regions: list[tuple[int, int]], redirects, solid) -> int:
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
    if len(spans) < 2:
        return list(spans)  # (most lines lose one word: nothing to sort or join)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
