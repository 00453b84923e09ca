"""Focused tests of the document model, one construct at a time."""

from __future__ import annotations

import pytest

from migrator.document import parse
from migrator.errors import InputError


def only(text: str):
    (instruction,) = parse(text).instructions
    return instruction


def kinds(text: str) -> list[str]:
    return [node.kind for node in parse(text).nodes]


# --- keywords ----------------------------------------------------------------


def test_keyword_any_case_and_indented():
    text = "  \trUn echo hi\n"
    instruction = only(text)
    assert instruction.keyword == instruction.command == "RUN"
    start, end = instruction.keyword_span
    assert text[start:end] == "rUn"
    assert instruction.logical.text == "rUn echo hi"
    assert instruction.args == "echo hi"


def test_indentation_with_unicode_blanks_is_stripped():
    # buildkit strips with Go's unicode.IsSpace: a no-break space pasted
    # from a web page is indentation, not part of the keyword.
    instruction = only("\xa0\u3000RUN x\n")
    assert instruction.logical.text == "RUN x"


def test_keyword_ends_only_at_ascii_blanks():
    with pytest.raises(InputError, match="unknown instruction: RUN\xa0x"):
        parse("RUN\xa0x\n")


# --- continuations -----------------------------------------------------------


def test_backslash_continuation_joins_lines():
    text = "RUN apk add \\\n    gcc \\\n    musl-dev\n"
    instruction = only(text)
    assert instruction.logical.text == "RUN apk add     gcc     musl-dev"
    assert (instruction.line, instruction.end_line) == (1, 3)
    assert instruction.stop == len(text)


def test_escape_followed_by_spaces_and_tabs_still_continues():
    instruction = only("RUN a \\  \t\n  b\n")
    assert instruction.logical.text == "RUN a   b"
    assert instruction.end_line == 2


def test_comment_and_blank_lines_inside_a_continuation_are_dropped():
    text = "RUN a \\\n  # indented comment\n\n \t\n# comment \\\n  b\nUSER x\n"
    first, second = parse(text).instructions
    assert first.logical.text == "RUN a   b"
    assert (first.line, first.end_line) == (1, 6)
    assert second.line == 7
    assert kinds(text) == ["instruction", "instruction"]


def test_comment_ending_in_escape_does_not_continue():
    text = "# note \\\nRUN a\n"
    assert kinds(text) == ["comment", "instruction"]


def test_backtick_escape_directive():
    text = "# escape=`\nRUN dir c:\\ `\n  && echo\n"
    document = parse(text)
    assert document.escape == "`" and document.directives == {"escape": "`"}
    (instruction,) = document.instructions
    assert instruction.logical.text == "RUN dir c:\\   && echo"
    assert kinds(text) == ["directive", "instruction"]


def test_backslash_is_plain_text_under_backtick_escape():
    first, second = parse("# escape=`\nRUN a \\\nRUN b\n").instructions
    assert first.logical.text == "RUN a \\"
    assert second.line == 3


@pytest.mark.parametrize("text", ["RUN dir C:\\\\\nUSER x\n", "# escape=`\nRUN a ``\nUSER x\n"])
def test_escaped_escape_ends_the_line(text):
    # buildkit's continuation regex wants a non-escape before the escape.
    first, second = parse(text).instructions
    assert first.end_line == first.line and second.keyword == "USER"


def test_dangling_continuation_at_end_of_file():
    text = "FROM a\nRUN echo \\\n"
    instruction = parse(text).instructions[-1]
    assert instruction.logical.text == "RUN echo "
    assert instruction.end_line == 2 and instruction.stop == len(text)


def test_dangling_continuation_followed_by_dropped_lines():
    text = "RUN echo \\\n# bye\n\n"
    instruction = only(text)
    assert (instruction.line, instruction.end_line) == (1, 3)
    assert parse(text).render() == text


def test_first_line_holding_only_the_escape():
    instruction = only("\\\n  RUN x\n")
    assert instruction.line == 1 and instruction.keyword == "RUN"
    assert instruction.logical.text == "  RUN x"


def test_file_span_of_a_word_split_by_a_continuation():
    text = "RUN pip ins\\\n# c\ntall x\n"
    instruction = only(text)
    start = instruction.logical.text.index("install")
    first, last = instruction.file_span(start, start + len("install"))
    assert text[first:last] == "ins\\\n# c\ntall"
    assert text[instruction.logical.file_offset(start + 3)] == "t"


# --- heredocs ----------------------------------------------------------------


def test_heredoc():
    text = "RUN <<EOF\necho hi\nEOF\nUSER x\n"
    first, second = parse(text).instructions
    (doc,) = first.heredocs
    assert (doc.name, doc.chomp, doc.quoted) == ("EOF", False, False)
    assert doc.body(text) == "echo hi\n"
    assert (first.line, first.end_line, second.line) == (1, 3, 4)
    assert first.logical.text == "RUN <<EOF"


def test_chomp_heredoc_with_tab_indented_terminator():
    text = "RUN <<-EOF\n\techo hi\n\t\tEOF\n"
    (doc,) = only(text).heredocs
    assert doc.chomp and doc.body(text) == "\techo hi\n"
    assert doc.terminator.number == 3


def test_tab_indented_terminator_does_not_end_a_plain_heredoc():
    text = "RUN <<EOF\n\tEOF\nEOF\n"
    (doc,) = only(text).heredocs
    assert doc.body(text) == "\tEOF\n"


@pytest.mark.parametrize("opener", ["<<'EOF'", '<<"EOF"', "<<-'EOF'", "<<E'O'F"])
def test_quoted_heredoc(opener):
    text = f"RUN cat {opener}\n$HOME\nEOF\n"
    (doc,) = only(text).heredocs
    assert doc.name == "EOF" and doc.quoted
    assert doc.body(text) == "$HOME\n"


def test_two_heredocs_on_one_instruction():
    text = "RUN <<A cat - <<B\none\nA\ntwo\nB\n"
    first, second = only(text).heredocs
    assert (first.name, first.body(text)) == ("A", "one\n")
    assert (second.name, second.body(text)) == ("B", "two\n")
    assert only(text).end_line == 5


def test_copy_heredoc_to_a_path():
    text = "COPY --chmod=755 <<EOF /usr/local/bin/run\n#!/bin/sh\nEOF\n"
    instruction = only(text)
    assert instruction.args == "<<EOF /usr/local/bin/run"
    assert instruction.heredocs[0].body(text) == "#!/bin/sh\n"
    assert instruction.flag("chmod").value == "755"


def test_heredoc_after_a_continuation_reads_body_after_the_last_line():
    text = "RUN \\\n  cat <<EOF\nbody \\\nEOF\n"
    instruction = only(text)
    assert instruction.heredocs[0].body(text) == "body \\\n"
    assert instruction.end_line == 4


def test_heredoc_with_crlf_keeps_crs_in_the_body():
    text = "RUN <<EOF\r\nhi\r\nEOF\r\n"
    assert only(text).heredocs[0].body(text) == "hi\r\n"


def test_heredoc_terminator_at_end_of_file_without_newline():
    text = "RUN <<EOF\nhi\nEOF"
    instruction = only(text)
    assert instruction.stop == len(text) and parse(text).render() == text


@pytest.mark.parametrize(
    "text",
    ['RUN cat <<<"here"\n', 'RUN cat <<EOF "\n', "RUN cat <<EOF ${X\n", "RUN cat <<'EOF\n", "RUN cat <<EOF<x\n", 'RUN ["cat", "<<EOF"]\n', "USER <<EOF\n", 'RUN echo "<<EOF"\n', 'RUN cat <<""\n'],
)
def test_not_a_heredoc(text):
    assert only(text).heredocs == []


def test_onbuild_run_heredoc():
    text = "ONBUILD RUN <<EOF\nmake\nEOF\n"
    instruction = only(text)
    assert (instruction.keyword, instruction.trigger, instruction.command) == ("ONBUILD", "RUN", "RUN")
    assert instruction.heredocs[0].body(text) == "make\n"


# --- exec form, flags, ONBUILD -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('CMD ["python", "-m", "app"]\n', ["python", "-m", "app"]),
        ('ENTRYPOINT [ "tini", "--" ]  \n', ["tini", "--"]),
        ("CMD []\n", []),
        ('HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\n', ["curl", "-f", "x"]),
        ('ONBUILD RUN ["make"]\n', ["make"]),
        ('RUN ["a", \\\n  "b"]\n', ["a", "b"]),
        ("CMD python -m app\n", None),
        ("CMD [NaN]\n", None),
        ('USER ["root"]\n', None),
        # buildkit reads the first JSON value and ignores the rest: docker
        # drops "&& b" without a word.
        ('CMD ["a"] && b\n', ["a"]),
        ('CMD ["a"\n', None),
        ("CMD [1e400]\n", None),
    ],
)
def test_exec_form(text, expected):
    instruction = only(text)
    assert instruction.json_args == expected
    assert instruction.is_json == (expected is not None)


def test_json_array_of_non_strings_is_an_error():
    with pytest.raises(InputError, match="strings only") as caught:
        parse("FROM a\nCMD [\"a\", 1]\n")
    assert caught.value.line == 2


def test_flags():
    text = 'COPY --from=build --chown="app user" --link --x=a\\ b src dst\n'
    instruction = only(text)
    assert [(f.name, f.value) for f in instruction.flags] == [
        ("from", "build"), ("chown", "app user"), ("link", None), ("x", "a b"),
    ]
    chown = instruction.flag("chown")
    assert instruction.logical.text[chown.start : chown.end] == '--chown="app user"'
    assert instruction.args == "src dst"
    assert instruction.flag("nope") is None


def test_double_dash_ends_flags():
    instruction = only("RUN -- --not-a-flag\n")
    assert instruction.flags == [] and instruction.args == "--not-a-flag"


def test_flags_across_a_continuation():
    instruction = only("FROM \\\n  --platform=linux/amd64 \\\n  python:3.12-slim\n")
    assert instruction.flag("platform").value == "linux/amd64"
    assert instruction.args == "python:3.12-slim"


def test_onbuild_trigger_and_its_flags():
    instruction = only("onbuild copy --from=x a b\n")
    assert (instruction.keyword, instruction.trigger) == ("ONBUILD", "COPY")
    assert instruction.flag("from").value == "x"
    assert instruction.args == "a b"


@pytest.mark.parametrize("text", ["ONBUILD\n", "ONBUILD ONBUILD RUN x\n", "ONBUILD FROM a\n", "ONBUILD --x RUN a\n"])
def test_bad_onbuild(text):
    with pytest.raises(InputError):
        parse(text)


# --- directives ----------------------------------------------------------------


def test_directives_and_the_comment_that_ends_them():
    text = "# syntax=docker/dockerfile:1\n  #ESCAPE = ` \n# hello\n# escape=\\\nRUN a `\n  b\n"
    document = parse(text)
    assert document.directives == {"syntax": "docker/dockerfile:1", "escape": "`"}
    assert kinds(text) == ["directive", "directive", "comment", "comment", "instruction"]
    assert document.instructions[0].logical.text == "RUN a   b"


def test_unknown_directive_is_a_comment_and_ends_directives():
    text = "# foo=bar\n# escape=`\nRUN a\n"
    document = parse(text)
    assert document.directives == {} and document.escape == "\\"
    assert kinds(text) == ["comment", "comment", "instruction"]


def test_blank_line_ends_directives():
    assert parse("\n# escape=`\nRUN a\n").escape == "\\"


def test_directive_after_bom():
    document = parse("\ufeff# escape=`\nRUN a\n")
    assert document.escape == "`"


# --- line endings, BOM, end of file ------------------------------------------


def test_crlf():
    text = "FROM a\r\nRUN b \\\r\n  c\r\n"
    document = parse(text)
    assert document.newline == "\r\n" and document.render() == text
    assert document.instructions[1].logical.text == "RUN b   c"
    assert [line.number for line in document.lines] == [1, 2, 3]


def test_lf_newline_and_default():
    assert parse("RUN a\n").newline == "\n"
    assert parse("RUN a").newline == "\n"


def test_bom():
    text = "\ufeffFROM a\n"
    document = parse(text)
    (instruction,) = document.instructions
    assert instruction.start == 0 and document.render() == text
    assert instruction.logical.text == "FROM a"
    assert text[slice(*instruction.keyword_span)] == "FROM"


def test_no_final_newline():
    text = "FROM a\nRUN b"
    document = parse(text)
    assert document.render() == text
    assert document.instructions[-1].stop == len(text)


def test_empty_and_comment_only_files():
    assert parse("").nodes == []
    assert kinds("# just a comment\n\n") == ["comment", "blank"]


def test_line_of():
    document = parse("FROM a\n\nRUN b\n")
    assert [document.line_of(offset) for offset in (0, 6, 7, 8, 12)] == [1, 1, 2, 3, 3]


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("FROM a\nFOO bar\n", 2, "unknown instruction: FOO"),
        ("FROM a\n  foo \\\n  bar\n", 2, "unknown instruction: foo"),
        ("FROM a\n\nRUN <<EOF\nbody\n", 3, "unterminated heredoc"),
        ("RUN <<-EOF\n  EOF\n", 1, "unterminated heredoc"),
        ("# escape=x\nRUN a\n", 1, "invalid escape"),
        ("# syntax=a\n# escape=`\n# escape=`\nRUN a\n", 3, "only one 'escape'"),
        ("FROM a\n\\\n", 2, "no instruction"),
    ],
)
def test_errors(text, line, message):
    with pytest.raises(InputError, match=message) as caught:
        parse(text)
    assert caught.value.line == line
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"<input>:{line}: ")


# --- what is read once per text (document._read_instruction) ---------------------


def _described(document):
    return [
        (i.line, i.end_line, i.start, i.stop, i.keyword, i.keyword_span, i.trigger, i.args_start, i.args,
         [(f.name, f.value, f.start, f.end) for f in i.flags], i.is_json, i.json_args, i.command_start)
        for i in document.instructions
    ]


def test_instructions_read_from_the_memo_match_a_fresh_read_in_every_file():
    import migrator.document as document

    # The same logical lines at other offsets and lines, one written with a
    # continuation and a comment line; and lines that differ only a little.
    one = 'FROM alpine\nRUN --mount=type=cache,target=/x apk add gcc\nCMD ["sh", "-c", "x"]\nONBUILD RUN ["a"]\n'
    two = ('# c\n\nFROM alpine\nLABEL a=b\nRUN --mount=type=cache,target=/x apk \\\n# c\nadd gcc\n'
           'CMD ["sh", "-c", "x"]\nONBUILD RUN ["a"]\n')
    three = 'FROM alpine\nRUN --mount=type=cache,target=/y apk add gcc\nCMD ["sh", "-c", "y"]\nONBUILD RUN ["b"]\n'
    fresh = {}
    for text in (one, two, three):
        document._read_instruction.cache_clear()
        fresh[text] = _described(parse(text))
    document._read_instruction.cache_clear()
    parsed = {text: parse(text) for text in (one, two, three)}
    for text, result in parsed.items():
        assert _described(result) == fresh[text]
    first, second = parsed[one].instructions[1], parsed[two].instructions[2]
    assert first.logical.text == second.logical.text
    assert first.keyword_span != second.keyword_span
    assert first.flags == second.flags and first.flags is not second.flags
    cmd_one, cmd_two = parsed[one].instructions[2], parsed[two].instructions[3]
    cmd_one.json_args.append("changed by a caller")
    assert cmd_two.json_args == ["sh", "-c", "x"]


def test_an_error_read_from_the_memo_names_its_own_line():
    import migrator.document as document

    document._read_instruction.cache_clear()
    with pytest.raises(InputError) as first:
        parse('FROM alpine\nCMD ["a", 1]\n')
    with pytest.raises(InputError) as again:
        parse('FROM alpine\n\n\nCMD ["a", 1]\n')
    assert (first.value.line, again.value.line) == (2, 4)
    assert first.value.message == again.value.message == (
        "CMD: when using JSON array syntax, arrays must be comprised of strings only")


def test_the_read_memo_is_bounded_and_keeps_the_lines_read_again():
    import migrator.document as document

    document._read_instruction.cache_clear()
    size = document._read_instruction.cache_info().maxsize
    for number in range(size + 3):
        parse(f"FROM alpine\nRUN echo {number}\n")  # (FROM alpine read again for every file)
    info = document._read_instruction.cache_info()
    assert info.currsize == size and info.hits >= size
    before = document._read_instruction.cache_info().hits
    parse("FROM alpine\n")
    assert document._read_instruction.cache_info().hits == before + 1


def test_exec_form_arrays_read_once_per_text_give_each_caller_its_own_list():
    from migrator import dockerfile_words
    from migrator.dockerfile_words import json_array

    dockerfile_words.string_array.cache_clear()
    texts = ['["sh", "-c", "x"]', ' ["a"] && b', '["a", 1]', '[]', 'echo [x]', '["\\u00e9"]', '{"a": 1}', '["a"']
    expected = [["sh", "-c", "x"], ["a"], None, [], None, ["\u00e9"], None, None]
    for _ in range(2):  # worked out, then from the memo
        assert [json_array(text) for text in texts] == expected
    first = json_array(texts[0])
    first.append("changed by a caller")
    assert json_array(texts[0]) == ["sh", "-c", "x"]
