"""The lines of a Dockerfile's text: its physical lines, split as buildkit
splits them, and the logical line of a continued instruction (what buildkit
sees once continuations are joined and comment lines dropped) with a map from
every logical character back to its offset in the file, so that rules work on
the logical text and still edit the exact original bytes."""

from __future__ import annotations

import bisect

from migrator.records import Frozen, Record


class PhysicalLine(Frozen):
    """One line of the file: its 1-based number, the offset of its first
    character, the offset after its content (before "\r\n" / "\n") and the
    offset after its line ending."""

    __slots__ = ()

    def __new__(cls, number, start, end, stop) -> PhysicalLine:
        return tuple.__new__(cls, (number, start, end, stop))

    def content(self, text: str) -> str:
        return text[self.start : self.end]


_INFINITY = float("inf")


class LogicalLine(Record):
    """Joined text of a continued instruction plus a map back to the file.

    `pieces` holds (logical_start, file_start, length) runs in order: each run
    of logical characters is a verbatim run of the file.
    """

    __slots__ = ("text", "pieces")

    def __init__(self, text: str = "", pieces: list[tuple[int, int, int]] | None = None):
        self.text = text
        self.pieces = [] if pieces is None else pieces

    def add(self, file_start: int, chunk: str) -> None:
        if chunk:
            self.pieces.append((len(self.text), file_start, len(chunk)))
            self.text += chunk

    def file_offset(self, index: int) -> int:
        """File offset of logical character `index` (or of the end)."""
        pieces = self.pieces
        if not pieces:
            raise IndexError(index)
        length = len(self.text)
        if index >= length:
            logical, start, size = pieces[-1]
            return start + size + (index - length)
        if index < 0:
            raise IndexError(index)
        if len(pieces) == 1:  # most instructions fit on one line
            return pieces[0][1] + index
        logical, start, _ = pieces[bisect.bisect_right(pieces, (index, _INFINITY)) - 1]
        return start + index - logical

    def file_span(self, start: int, end: int) -> tuple[int, int]:
        """File span of logical text[start:end]; the end never jumps ahead
        over a continuation that follows the last character."""
        pieces = self.pieces
        if len(pieces) == 1 and start >= 0 and pieces[0][0] == 0 and pieces[0][2] == len(self.text):
            # One run, the whole text: every offset is the run's start plus
            # itself, past the end too (file_offset's rule for the end).
            base = pieces[0][1]
            return (base + start, base + end) if end > start else (base + start, base + start)
        if end <= start:
            offset = self.file_offset(start)
            return offset, offset
        return self.file_offset(start), self.file_offset(end - 1) + 1


def split_lines(text: str) -> list[PhysicalLine]:
    lines: list[PhysicalLine] = []
    append = lines.append
    new = tuple.__new__  # PhysicalLine(...) without its __new__'s frame: one per line of every parse
    position = 0
    number = 0
    length = len(text)
    find = text.find
    while position < length:
        newline = find("\n", position)
        if newline < 0:
            stop = end = length
        else:
            stop = newline + 1
            end = newline
        # buildkit's trimNewline cuts every trailing "\r", not just one.
        while end > position and text[end - 1] == "\r":
            end -= 1
        number += 1
        append(new(PhysicalLine, (number, position, end, stop)))
        position = stop
    return lines
