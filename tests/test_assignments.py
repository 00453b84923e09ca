"""migrator.assignments: the one reader of ENV and ARG assignments."""

from __future__ import annotations

import pytest

from migrator.assignments import assignments
from migrator.document import parse


def read(line: str) -> list[tuple[str, str, str]]:
    """(name, value, the value as written) for the file's first instruction."""
    instruction = parse(line + "\n").instructions[0]
    text = instruction.logical.text
    return [(a.name, a.value, text[a.start : a.end]) for a in assignments(instruction)]


@pytest.mark.parametrize(("line", "expected"), [
    ("ARG PY=3.12", [("PY", "3.12", "3.12")]),
    ('ENV A="x y" B=\'z\' C=', [("A", "x y", '"x y"'), ("B", "z", "'z'"), ("C", "", "")]),
    ('ENV D="say \\"hi\\""', [("D", 'say \\"hi\\"', '"say \\"hi\\""')]),
    ("ENV E=a\\ b", [("E", "a\\ b", "a\\ b")]),
    ("ENV PIP_INDEX_URL https://example.org/simple", [("PIP_INDEX_URL", "https://example.org/simple",
                                                       "https://example.org/simple")]),
    ('ENV LEGACY "quoted words"', [("LEGACY", "quoted words", '"quoted words"')]),
    ("ARG NO_DEFAULT", []),
    ("ARG A B=1", [("B", "1", "1")]),
    ("ARG FOO_$X=1", []),  # a name starts a word: X is not assigned here
])
def test_assignments(line, expected):
    assert read(line) == expected


def test_a_continued_instruction_gives_offsets_in_its_logical_text():
    document = parse("ENV A=1 \\\n    B=2\n")
    instruction = document.instructions[0]
    found = assignments(instruction)
    assert [(a.name, a.value) for a in found] == [("A", "1"), ("B", "2")]
    start, end = instruction.file_span(found[1].start, found[1].end)
    assert document.text[start:end] == "2"
