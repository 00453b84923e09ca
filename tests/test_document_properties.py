"""Properties of the document model on generated Dockerfiles and fixtures.

1. Lossless: rendering gives the input back and the nodes partition it.
2. Mapping: every logical character is the same character in the file, and
   the file span of a logical word is the word plus only what buildkit drops
   (escape + blanks + line ending, then comment and blank lines).
3. Errors: a broken line appended to a valid file is reported on its line.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.document import Document, parse
from migrator.dockerfile_words import GO_SPACE, decode_json, loads
from migrator.errors import InputError
from strategies import dockerfiles, fixture_cases

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_lossless(text: str) -> Document:
    document = parse(text)
    assert document.render() == text
    nodes = document.nodes
    if not text:
        assert nodes == []
        return document
    assert nodes[0].start == 0 and nodes[-1].stop == len(text)
    for before, after in zip(nodes, nodes[1:]):
        assert before.stop == after.start, (before, after)
        assert before.end_line + 1 == after.line, (before, after)
    for node in nodes:
        assert node.start < node.stop
        assert document.line_of(node.start) == node.line
        assert document.line_of(node.stop - 1) == node.end_line
    return document


def dropped(escape: str) -> re.Pattern[str]:
    """What buildkit removes between two pieces of a logical line."""
    blanks = re.escape(GO_SPACE.replace("\n", ""))
    return re.compile(re.escape(escape) + r"[ \t]*\r*\n(?:[" + blanks + r"]*(?:#[^\n]*)?\n)*")


def assert_mapping(document: Document) -> None:
    text = document.text
    removable = dropped(document.escape)
    for instruction in document.instructions:
        logical = instruction.logical
        offsets = [logical.file_offset(i) for i in range(len(logical.text))]
        assert offsets == sorted(set(offsets)), "offsets must strictly increase"
        for index, offset in enumerate(offsets):
            assert text[offset] == logical.text[index]
        assert instruction.start <= offsets[0] and offsets[-1] < instruction.stop
        start, end = instruction.keyword_span
        assert text[start:end].upper() == instruction.keyword
        for word in re.finditer(r"[^ \t]+", logical.text):
            first, last = instruction.file_span(word.start(), word.end())
            assert removable.sub("", text[first:last]) == word.group(), (word.group(), text[first:last])
        for flag in instruction.flags:
            assert logical.text[flag.start : flag.end].startswith("--")


@SETTINGS
@given(dockerfiles())
def test_generated_files_are_lossless(text):
    assert_lossless(text)


@SETTINGS
@given(dockerfiles())
def test_generated_files_map_logical_text_to_the_file(text):
    assert_mapping(parse(text))


@pytest.mark.parametrize("text", fixture_cases())
def test_fixtures_are_lossless_and_mapped(text):
    assert_mapping(assert_lossless(text))


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("RUN \\`#<E\n\r\t\xa0\ufeff[]\"'-=x"), max_size=40))
def test_any_text_renders_back_or_fails_cleanly(text):
    # Not a Dockerfile generator: random text from the characters that
    # matter. Either it parses losslessly or it raises InputError, never
    # anything else.
    try:
        document = parse(text)
    except InputError as error:
        assert "\n" not in str(error) and error.line >= 1
        return
    assert_lossless(text)
    assert_mapping(document)


@SETTINGS
@given(dockerfiles(dangling=False), st.sampled_from(["FOO bar", "RUN <<NOPE", "cOpY <<-'NOPE' /x"]), st.sampled_from(["\n", "\r\n"]))
def test_errors_name_the_line_they_start_on(text, broken, newline):
    if not text.endswith(("\n", "\r\n")):
        text += newline
    line = len(parse(text).lines) + 1
    with pytest.raises(InputError) as caught:
        parse(text + broken + newline + "body" + newline)
    assert caught.value.line == line
    assert "\n" not in str(caught.value)


_JSONISH = '[]", \t\n\r\\ua1\x01\xe9'
_array_items = st.lists(st.text(st.sampled_from(_JSONISH), max_size=6).map(lambda item: f'"{item}"'), max_size=4)
_array_glue = st.sampled_from([",", ", ", " ,\t", "", ",,"])


@settings(max_examples=500, deadline=None)
@given(st.one_of(
    st.text(st.sampled_from(_JSONISH), max_size=30).map(lambda text: "[" + text),
    st.tuples(_array_items, _array_glue, st.text(st.sampled_from(_JSONISH), max_size=4)).map(
        lambda parts: "[" + parts[1].join(parts[0]) + "]" + parts[2]),
))
def test_plain_exec_form_reads_as_the_json_decoder_does(candidate):
    # dockerfile_words.loads reads arrays of plain strings without the json module:
    # on anything at all it must give what the JSON decoder gives.
    assert loads(candidate) == decode_json(candidate.strip(GO_SPACE))
