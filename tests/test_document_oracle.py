"""Our document model against buildkit's own parser.

The oracle is PyPI `dockerfile` 3.4, which wraps buildkit v0.12.5's
frontend/dockerfile/parser. For every generated file and every fixture we
compare, instruction by instruction: the command as written (`cmd`, whose
case the wrapper keeps) and ONBUILD's `sub_cmd`, start/end lines, exec form
(`json`), flags, heredoc names and bodies, and `original`, which is the
joined logical line (plus, for a heredoc instruction, "\\n" and each body
followed by its name and "\\n").

Where the wrapper differs from what docker really does, the difference is
pinned by a test in the "wrapper quirks" section below, so that a new wrapper
version that fixes it shows up as a failure here instead of silently.
"""

from __future__ import annotations

import dockerfile
import pytest
from hypothesis import HealthCheck, event, given, settings

from migrator.document import Document, Instruction, parse
from migrator.errors import InputError
from strategies import dockerfiles, fixture_cases, fixture_dirs_without_files, fixture_files, line_soup


def flag_words(instruction: Instruction) -> tuple[str, ...]:
    """Our flags as the wrapper shows them. buildkit appends each UTF-8 byte
    of a flag as a rune, i.e. decodes it as Latin-1 (a bug in buildkit; see
    test_buildkit_mangles_non_ascii_flag_values): do the same here."""
    words = ("--" + f.name + ("" if f.value is None else "=" + f.value) for f in instruction.flags)
    return tuple(word.encode("utf-8").decode("latin-1") for word in words)


def splits_inside_a_character(instruction: Instruction) -> bool:
    """Go tests flag words for blanks byte by byte, so a character whose
    UTF-8 holds 0x85 or 0xA0 (a no-break space, "à") ends a flag word in the
    middle of the character (test_buildkit_cuts_flags_inside_a_character)."""
    end = instruction.flags[-1].end + 1 if instruction.flags else 0
    region = instruction.logical.text[:end].encode("utf-8")
    return any(byte in region for byte in (b"\x85", b"\xa0"))


def expected_original(document: Document, instruction: Instruction) -> str:
    if not instruction.heredocs or instruction.trigger:
        return instruction.logical.text
    bodies = "".join(doc.body(document.text) + doc.name + "\n" for doc in instruction.heredocs)
    return instruction.logical.text + "\n" + bodies


def assert_same_as_buildkit(text: str) -> None:
    document = parse(text)
    ours = document.instructions
    if not ours:
        with pytest.raises(dockerfile.GoParseError, match="file with no instructions"):
            dockerfile.parse_string(text)
        return
    theirs = dockerfile.parse_string(text)
    assert len(theirs) == len(ours), [c.original for c in theirs]
    for command, instruction in zip(theirs, ours):
        where = f"line {instruction.line}: {instruction.logical.text!r}"
        start, end = instruction.keyword_span
        if instruction.trigger:
            assert command.cmd == text[start:end] and command.cmd.upper() == "ONBUILD", where
            assert command.sub_cmd.upper() == instruction.trigger, where
            # The wrapper reads flags and heredocs of the ONBUILD node only
            # (see test_wrapper_drops_onbuild_trigger_flags_and_heredocs).
            assert command.flags == (), where
            assert command.heredocs == (), where
        else:
            assert command.cmd == text[start:end], where
            assert command.cmd.upper() == instruction.keyword, where
            assert command.sub_cmd is None, where
            if not splits_inside_a_character(instruction):
                assert command.flags == flag_words(instruction), where
            assert [(h.name, h.content) for h in command.heredocs] == [
                (h.name, h.body(text)) for h in instruction.heredocs
            ], where
        assert (command.start_line, command.end_line) == (instruction.line, instruction.end_line), where
        assert command.json == instruction.is_json, where
        assert command.original == expected_original(document, instruction), where


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_generated_files_match_buildkit(text):
    assert_same_as_buildkit(text)


@pytest.mark.parametrize("text", fixture_cases())
def test_fixtures_match_buildkit(text):
    assert_same_as_buildkit(text)


def test_fixture_files_are_parsed_from_disk_the_same_way():
    # parse_file reads the bytes itself, so CRLF and a BOM reach buildkit
    # untouched; our reading must agree with it.
    for path in fixture_files():
        text = path.read_bytes().decode("utf-8")
        assert [c.start_line for c in dockerfile.parse_file(str(path))] == [i.line for i in parse(text).instructions]


def test_fixture_glob_sees_every_case_folder():
    assert fixture_dirs_without_files() == [], "fixtures/<case>/ needs before.Dockerfile / after.Dockerfile"


# --- Behaviours that document.py once got wrong, each checked on buildkit --


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("# foo=bar\n# escape=`\nRUN a `\nRUN b\n", id="unknown-directive-ends-directives"),
        pytest.param("  # escape=`\nRUN a `\n b\n", id="indented-directive"),
        pytest.param("\xa0RUN x\n\vRUN y\n", id="unicode-indentation"),
        pytest.param("RUN a \\\n\v# c\n\xa0\n b\n", id="unicode-blank-and-comment-in-continuation"),
        pytest.param("\\\n  RUN x\n", id="escape-alone-on-first-line"),
        pytest.param('RUN cat <<<"hi"\n', id="here-string-is-no-heredoc"),
        pytest.param("RUN cat <<EOF<x\nRUN y\n", id="heredoc-word-with-<"),
        pytest.param("RUN cat\xa0<<EOF\nx\nEOF\n", id="heredoc-after-unicode-blank"),
        pytest.param('RUN ["cat", "<<EOF"]\n', id="exec-form-has-no-heredoc"),
        pytest.param('HEALTHCHECK --interval=5s CMD ["x"]\n', id="healthcheck-exec-form"),
        pytest.param("CMD [NaN]\n", id="nan-is-not-json"),
        pytest.param('CMD ["a"] && b\nCMD ["a"]]\n', id="text-after-the-json-array-is-ignored"),
        pytest.param("CMD [1e400]\n", id="json-number-overflow-is-shell-form"),
        pytest.param('CMD ["a"] \v\n', id="json-trailing-unicode-blank"),
        pytest.param('CMD [ "a" ,\t"b c" ]\nCMD []\nCMD ["a",]\n', id="json-blanks-empty-and-trailing-comma"),
        pytest.param('CMD ["a\tb"]\nCMD ["\\u00e9\\\\"]\n', id="json-raw-tab-is-shell-form-escapes-decode"),
        pytest.param("RUN -- --foo\n", id="double-dash-ends-flags"),
        pytest.param('COPY --chown="a b" --from=x\\ y a b\n', id="flag-quotes-and-escapes"),
        pytest.param("RUN a\r\r\nRUN b \\\r\r\n c\r\n", id="several-carriage-returns"),
        pytest.param("RUN <<EOF\nx\nEOF\r\r\n", id="heredoc-terminator-carriage-returns"),
        pytest.param('RUN cat <<""\nRUN x\n', id="empty-heredoc-name"),
    ],
)
def test_edge_cases_match_buildkit(text):
    assert_same_as_buildkit(text)


# --- Wrapper quirks: where the wrapper is not what docker does --------------


def test_wrapper_drops_onbuild_trigger_flags_and_heredocs():
    # buildkit keeps an ONBUILD trigger's flags and heredocs on the child node;
    # the wrapper only copies them from the ONBUILD node itself.
    text = "ONBUILD RUN --mount=type=cache,target=/c <<EOF\nx\nEOF\n"
    (command,) = dockerfile.parse_string(text)
    assert (command.flags, command.heredocs, command.original) == ((), (), text.split("\n")[0])
    (instruction,) = parse(text).instructions
    assert [(f.name, f.value) for f in instruction.flags] == [("mount", "type=cache,target=/c")]
    assert [(h.name, h.body(text)) for h in instruction.heredocs] == [("EOF", "x\n")]
    assert (instruction.line, instruction.end_line) == (command.start_line, command.end_line) == (1, 3)


def test_wrapper_cuts_text_at_nul():
    # The wrapper hands the text to Go as a C string.
    (command,) = dockerfile.parse_string("RUN a\x00b\n")
    assert command.original == "RUN a"
    assert parse("RUN a\x00b\n").instructions[0].logical.text == "RUN a\x00b"


def test_wrapper_predates_the_check_directive():
    # buildkit 0.12 knows only syntax and escape; docker today also knows
    # `check`, so we follow docker: the escape directive after it counts.
    text = "# check=skip=all\n# escape=`\nRUN a `\n b\n"
    assert [c.original for c in dockerfile.parse_string(text)] == ["RUN a `", "b"]
    document = parse(text)
    assert document.escape == "`" and document.directives == {"check": "skip=all", "escape": "`"}
    assert [i.logical.text for i in document.instructions] == ["RUN a  b"]


def test_buildkit_mangles_non_ascii_flag_values():
    # extractBuilderFlags appends bytes as runes (a bug in buildkit itself);
    # we keep the value as written.
    (command,) = dockerfile.parse_string("COPY --chown=é a b\n")
    assert command.flags == ("--chown=Ã©",)
    assert parse("COPY --chown=é a b\n").instructions[0].flag("chown").value == "é"


def test_buildkit_cuts_flags_inside_a_character():
    # The no-break space is C2 A0; Go ends the flag at A0 and keeps C2 as "Â".
    # We keep the no-break space inside the flag word.
    (command,) = dockerfile.parse_string("COPY --from=a\xa0b x y\n")
    assert command.flags == ("--from=aÂ",)
    assert parse("COPY --from=a\xa0b x y\n").instructions[0].flag("from").value == "a\xa0b"


def test_buildkit_splits_healthcheck_type_by_bytes():
    # "CMD\xa0..." is split inside the UTF-8 of the no-break space, which
    # the wrapper cannot even decode; docker would reject the type word.
    with pytest.raises(UnicodeDecodeError):
        dockerfile.parse_string("HEALTHCHECK apk\xa0apk\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("FROM a\nFOO bar\n", 2),  # docker refuses it when it dispatches
        ("FROM a\n\\\n\n", 2),  # the parser makes an instruction with no name
        ("ONBUILD --x RUN a\n", 1),  # ONBUILD takes no flags
    ],
)
def test_buildkit_parser_accepts_what_docker_refuses_later(text, line):
    dockerfile.parse_string(text)
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.line == line


def test_buildkit_checks_env_label_shapes_and_we_do_not():
    # Left out on purpose: the document model does not validate ENV/LABEL
    # arguments; docker's error will still name the line.
    with pytest.raises(dockerfile.GoParseError, match="ENV must have two arguments"):
        dockerfile.parse_string("ENV A\n")
    assert parse("ENV A\n").instructions[0].keyword == "ENV"


def test_wrapper_errors_name_no_line():
    with pytest.raises(dockerfile.GoParseError) as caught:
        dockerfile.parse_string("FROM a\nRUN <<EOF\n")
    assert str(caught.value) == "unterminated heredoc"


# --- Line soup: invalid files too, every difference accounted for ----------

KEYWORDS = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
            "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}


def check_soup(text: str) -> str:
    """Compare on any text; returns which way it went (for the statistics)."""
    try:
        dockerfile.parse_string(text)
    except UnicodeDecodeError:
        # Go cut a character in half (test_buildkit_splits_healthcheck_type_by_bytes)
        # and the wrapper cannot hand the result back.
        return "wrapper cannot decode"
    except dockerfile.GoParseError:
        pass
    try:
        parse(text)
    except InputError as error:
        try:
            theirs = dockerfile.parse_string(text)
        except dockerfile.GoParseError:
            return "both refuse"
        # buildkit's parser keeps going where docker refuses later, when it
        # dispatches the instructions; the error must be on the same line.
        if "unknown instruction" in error.message or "no instruction" in error.message:
            assert any(c.start_line == error.line and (c.cmd or "").upper() not in KEYWORDS for c in theirs), error
        else:
            assert "ONBUILD" in error.message, error
            assert any(c.start_line == error.line and c.cmd.upper() == "ONBUILD" for c in theirs), error
        return "docker refuses later"
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        # ENV/LABEL argument shapes (we do not check) or an empty file.
        assert "two arguments" in str(error) or "can't find =" in str(error) or "no instructions" in str(error), error
        return "only buildkit refuses"
    assert_same_as_buildkit(text)
    return "compared"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_soup())
def test_line_soup_matches_buildkit(text):
    event(check_soup(text))
