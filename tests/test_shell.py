"""The shell model: commands and words located in the file through continuations."""

from migrator.document import parse
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


def test_removal_span_takes_one_operator():
    script = run_script("FROM alpine\nRUN a && apk add x && b\n")
    apk = script.commands[1]
    start, end = script.removal_span(apk)
    assert script.text[:start] + script.text[end:] == "a && b"
    last = run_script("FROM alpine\nRUN a && apk add x\n")
    start, end = last.removal_span(last.commands[1])
    assert last.text[:start] + last.text[end:] == "a"


def test_removal_span_of_the_only_command_is_none():
    script = run_script("FROM alpine\nRUN apk update\n")
    assert script.removal_span(script.commands[0]) is None


def test_non_ascii_text_keeps_character_offsets():
    text = "FROM alpine\nRUN echo 'héllo' && apk add gcc\n"
    script = run_script(text)
    apk = script.commands[1]
    start, end = script.file_span(apk.words[2].start, apk.words[2].end)
    assert text[start:end] == "gcc"
