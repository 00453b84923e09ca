"""The shell model: commands and words located in the file through continuations."""

import pytest

from migrator.command_removal import removal
from migrator.document import parse
from migrator import shell
from migrator.shell import script_of


def run_script(text):
    document = parse(text)
    run = next(i for i in document.instructions if i.command == "RUN")
    return script_of(run, text)


def test_words_map_back_to_file_bytes_across_continuations():
    text = "FROM alpine\nRUN apk add \\\n    # comment\n    gcc \\\n\n    musl-dev\n"
    script = run_script(text)
    (command,) = script.commands
    assert [w.value for w in command.words] == ["apk", "add", "gcc", "musl-dev"]
    for word in command.words:
        start, end = script.file_span(word.start, word.end)
        assert text[start:end] == word.text


def test_literal_values_and_expansions():
    script = run_script("""FROM alpine\nRUN apk add "quoted" 'raw' b\\ack $VAR ${X}y "a$B"\n""")
    words = script.commands[0].words[2:]
    assert [w.value for w in words] == ["quoted", "raw", "back", None, None, None]


def test_commands_inside_lists_if_and_subshells():
    script = run_script("FROM alpine\nRUN set -e; if true; then apk add a; fi && (apk del b) || apk update\n")
    assert [c.name for c in script.commands] == ["set", "true", "apk", "apk", "apk"]


def test_heredoc_script_is_parsed_from_its_body():
    text = "FROM alpine\nRUN <<EOF\napk add gcc\nEOF\n"
    script = run_script(text)
    (command,) = script.commands
    start, end = script.file_span(command.start, command.end)
    assert text[start:end] == "apk add gcc"


def test_heredoc_for_another_interpreter_is_not_shell():
    assert run_script("FROM alpine\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n") is None
    assert run_script("FROM alpine\nRUN python3 <<EOF\nimport os\nEOF\n").commands[0].name == "python3"


def test_exec_form_has_no_script():
    assert run_script('FROM alpine\nRUN ["apk", "add", "gcc"]\n') is None


def test_statement_end_skips_trailing_comment():
    script = run_script("FROM alpine\nRUN apk add gcc # why\n")
    assert script.text[: script.statement_end()] == "apk add gcc"


def without(script, *commands):
    text = script.text
    for start, end, replacement in reversed(removal(script, list(commands))):
        text = text[:start] + replacement + text[end:]
    return text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a && apk add x && b", "a && b"),
        ("a && apk add x", "a"),
        ("apk add x && b", "b"),
        ("a; apk add x; b", "a; b"),
        ("a; apk add x", "a"),
        ("if c; then apk add x; fi && b", "if c; then true; fi && b"),
        ("if c; then a; apk add x; fi", "if c; then a; fi"),
        ("for p in q; do apk add x; done; echo ok", "for p in q; do true; done; echo ok"),
        ("echo a && (apk add x) && echo b", "echo a && (true) && echo b"),
        ("apk add x > /dev/null && b", "b"),
    ],
)
def test_removal_keeps_the_shell_valid(body, expected):
    script = run_script(f"FROM alpine\nRUN {body}\n")
    apk = next(c for c in script.commands if c.name == "apk")
    assert without(script, apk) == expected


def test_removal_in_a_newline_separated_heredoc_script():
    script = run_script("FROM alpine\nRUN <<EOF\napk add x\npip install y\nEOF\n")
    assert without(script, script.commands[0]) == "pip install y\n"
    script = run_script("FROM alpine\nRUN <<EOF\npip install y\napk add x\nEOF\n")
    assert without(script, script.commands[1]) == "pip install y\n"


def test_non_ascii_text_keeps_character_offsets():
    text = "FROM alpine\nRUN echo 'héllo' && apk add gcc\n"
    script = run_script(text)
    apk = script.commands[1]
    start, end = script.file_span(apk.words[2].start, apk.words[2].end)
    assert text[start:end] == "gcc"


def test_removing_everything_is_none():
    script = run_script("FROM alpine\nRUN apk update\n")
    assert removal(script, script.commands) is None
    script = run_script("FROM alpine\nRUN apk update && apk add x; apk del y\n")
    assert removal(script, script.commands) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a && apk update && apk add x", "a"),
        ("apk update && apk add x && b", "b"),
        ("a; apk update; apk add x", "a"),
        ("if c; then apk update && apk add x; fi; b", "if c; then true; fi; b"),
        ("if c; then apk update; apk add x; fi", "if c; then true; fi"),
    ],
)
def test_removing_neighbours_together(body, expected):
    script = run_script(f"FROM alpine\nRUN {body}\n")
    assert without(script, *[c for c in script.commands if c.name == "apk"]) == expected


def test_a_heredoc_that_runs_to_the_end_of_the_script_is_an_error():
    from migrator.document import parse
    from migrator.shell import script_of

    text = "FROM alpine\nRUN <<EOF\napk add curl <<-END git\npip \"$X\" install x\nEOF\n"
    (run,) = [i for i in parse(text).instructions if i.keyword == "RUN"]
    assert script_of(run, text).has_errors
    closed = "FROM alpine\nRUN <<EOF\ncat <<-END > /f\nx\nEND\nEOF\n"
    (run,) = [i for i in parse(closed).instructions if i.keyword == "RUN"]
    assert not script_of(run, closed).has_errors


def _words_and_spans(script, text):
    return [
        [(w.start, w.end, w.text, w.value, script.file_span(w.start, w.end)) for w in command.words]
        for command in script.commands
    ]


def test_a_parse_is_reused_by_files_with_the_same_shell_text_and_maps_to_each_file():
    # Same shell source, different files: other offsets, a continuation, non-ASCII text.
    one = "FROM alpine\nRUN apk add gcc \u00e9t\u00e9 && rm -rf /var/cache/apk/*\n"
    two = "# x\nFROM alpine:3.19\nLABEL a=b\nRUN apk add gcc \\\n\u00e9t\u00e9 && \\\n  # c\nrm -rf /var/cache/apk/*\n"
    other = "FROM alpine\nRUN apk add gcc \u00e9t\u00e9s && rm -rf /var/cache/apk/*\n"
    fresh = {}
    for text in (one, two, other):
        shell._PARSED.clear()
        script = run_script(text)
        fresh[text] = (_words_and_spans(script, text), script.has_errors)
    shell._PARSED.clear()
    scripts = {text: run_script(text) for text in (one, two, other)}
    assert scripts[one].text == scripts[two].text != scripts[other].text
    assert scripts[two].tree is scripts[one].tree  # parsed once
    assert scripts[other].tree is not scripts[one].tree
    assert scripts[two].commands is not scripts[one].commands
    for text, script in scripts.items():
        assert (_words_and_spans(script, text), script.has_errors) == fresh[text]
        for command in script.commands:
            for word in command.words:
                assert text[slice(*script.file_span(word.start, word.end))] == word.text
    assert _words_and_spans(scripts[one], one) != _words_and_spans(scripts[two], two)  # the spans differ


def test_the_parse_memo_is_bounded_and_keeps_the_scripts_used_again():
    shell._PARSED.clear()
    shared = "FROM alpine\nRUN apk add --no-cache git\n"
    for number in range(shell._PARSED_MAX + 5):
        run_script(f"FROM alpine\nRUN echo {number}\n")
        tree = run_script(shared).tree  # used again by every file
    assert len(shell._PARSED) == shell._PARSED_MAX
    assert run_script(shared).tree is tree
    assert not any(key[0] == "echo 0" for key in shell._PARSED)  # the oldest went
    assert run_script("FROM alpine\nRUN echo 3\n").commands[0].words[1].value == "3"
