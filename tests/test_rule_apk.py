"""UA201/UA202: apk commands become apt-get, word by word."""

import pytest

from migrator.errors import InputError
from rulekit import messages, run

INSTALL = "apt-get update && apt-get install -y --no-install-recommends"
CLEAN = "&& rm -rf /var/lib/apt/lists/*"


def body(text: str) -> str:
    """The text after the FROM line."""
    return text.split("\n", 1)[1]


@pytest.mark.parametrize(
    "command",
    [
        "apk add --no-cache gcc",
        "apk --no-cache add gcc",
        "apk add gcc --no-cache",
        "apk -U add gcc",
        "apk add --update-cache -q --no-progress gcc",
        "apk add --upgrade gcc",
        "apk --update --no-cache add gcc",
    ],
)
def test_options_in_any_order_and_position(command):
    result = run(f"FROM alpine:3.19\nRUN {command}\n")
    assert body(result.text) == f"RUN {INSTALL} gcc {CLEAN}\n"


def test_the_blog_dockerfile():
    text = (
        "FROM python:3.8-alpine\n"
        "RUN apk add gcc musl-dev python3-dev libffi-dev openssl-dev cargo\n"
        "RUN pip install cryptography==3.4.7\n"
    )
    result = run(text)
    assert result.text == (
        "FROM python:3.8-slim-bookworm\n"
        f"RUN {INSTALL} gcc libc6-dev libffi-dev libssl-dev cargo {CLEAN}\n"
        "RUN pip install cryptography==3.4.7\n"
    )
    # python3-dev on a python image is a question, answered "drop" by default
    assert [d.recommended for d in result.seen if "python3-dev" in d.key] == ["drop"]


def test_layout_of_a_continued_run_is_kept():
    text = (
        "FROM python:3.12-alpine\n"
        "RUN apk add --no-cache --virtual .build-deps \\\n"
        "        gcc \\\n"
        "    # headers for psycopg2\n"
        "        musl-dev \\\n"
        "    && pip install psycopg2 \\\n"
        "    && apk del .build-deps\n"
    )
    assert body(run(text).text) == (
        f"RUN {INSTALL} \\\n"
        "        gcc \\\n"
        "    # headers for psycopg2\n"
        "        libc6-dev \\\n"
        "    && pip install psycopg2 \\\n"
        f"    && apt-mark auto gcc libc6-dev && apt-get autoremove -y --purge {CLEAN}\n"
    )


def test_option_alone_on_a_continuation_line_takes_the_line_with_it():
    text = "FROM alpine:3.19\nRUN apk add \\\n    --no-cache \\\n    gcc\n"
    assert body(run(text).text) == f"RUN {INSTALL} \\\n    gcc {CLEAN}\n"


def test_option_on_the_last_line_takes_the_escape_before_it():
    text = "FROM alpine:3.19\nRUN apk add gcc \\\n    --no-cache\nCMD [\"sh\"]\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc {CLEAN}\nCMD [\"sh\"]\n"


def test_virtual_group_deleted_in_a_later_run_still_resolves():
    text = (
        "FROM alpine:3.19\n"
        "RUN apk add -t .deps gcc make\n"
        "RUN make\n"
        "RUN apk del .deps\n"
    )
    assert body(run(text).text) == (
        f"RUN {INSTALL} gcc make {CLEAN}\n"
        "RUN make\n"
        "RUN apt-mark auto gcc make && apt-get autoremove -y --purge\n"
    )


def test_virtual_with_equals_sign():
    text = "FROM alpine:3.19\nRUN apk add --virtual=.deps gcc && apk del .deps\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc && apt-mark auto gcc && apt-get autoremove -y --purge {CLEAN}\n"


def test_update_folds_into_the_install():
    text = "FROM alpine:3.19\nRUN apk update && apk add gcc\n"
    assert body(run(text).text) == "RUN apt-get update && apt-get install -y --no-install-recommends gcc " + CLEAN + "\n"


def test_a_lone_update_is_removed():
    text = "FROM alpine:3.19\nRUN apk update\nRUN apk add gcc\n"
    result = run(text)
    assert body(result.text) == f"RUN {INSTALL} gcc {CLEAN}\n"
    assert "removed apk update" in messages(result)


def test_upgrade():
    text = "FROM alpine:3.19\nRUN apk update && apk upgrade\n"
    assert body(run(text).text) == f"RUN apt-get update && apt-get upgrade -y {CLEAN}\n"


def test_apk_cache_cleanup_points_at_apt_lists():
    text = "FROM alpine:3.19\nRUN apk add gcc && rm -rf /var/cache/apk/*\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc && rm -rf /var/lib/apt/lists/*\n"


def test_version_pins_are_removed_with_a_warning():
    text = "FROM alpine:3.19\nRUN apk add gcc=12.2.1-r4 'make>=4' curl~8\n"
    result = run(text)
    assert body(result.text) == f"RUN {INSTALL} gcc make curl ca-certificates {CLEAN}\n"
    assert messages(result).count("version pin") == 3


def test_package_list_in_a_variable_is_kept_with_a_warning():
    text = "FROM alpine:3.19\nRUN apk add --no-cache $BUILD_DEPS gcc\n"
    result = run(text)
    assert body(result.text) == f"RUN {INSTALL} $BUILD_DEPS gcc {CLEAN}\n"
    assert "$BUILD_DEPS is kept as is" in messages(result)


def test_repository_option_is_a_decision():
    text = "FROM alpine:3.19\nRUN apk add -X https://dl-cdn.alpinelinux.org/alpine/edge/testing gcc\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc {CLEAN}\n"
    kept = run(text, {"UA201:repository": "keep"})
    assert kept.text.endswith("RUN apk add -X https://dl-cdn.alpinelinux.org/alpine/edge/testing gcc\n")
    assert "will not run on Debian" in messages(kept)


def test_local_apk_file_is_left_with_a_warning():
    text = "FROM alpine:3.19\nRUN apk add --allow-untrusted ./glibc.apk\n"
    result = run(text)
    assert body(result.text) == "RUN apk add --allow-untrusted ./glibc.apk\n"
    assert "cannot be migrated" in messages(result)


def test_everything_dropped_removes_the_command_or_the_run():
    text = "FROM python:3.12-alpine\nRUN apk add --no-cache libc6-compat\nRUN apk add libc6-compat && pip install x\n"
    result = run(text)
    assert body(result.text) == "RUN pip install x\n"


def test_heredoc_script():
    text = "FROM alpine:3.19\nRUN <<EOF\nset -e\napk add --no-cache gcc\nEOF\n"
    assert body(run(text).text) == f"RUN <<EOF\nset -e\n{INSTALL} gcc {CLEAN}\nEOF\n"


def test_onbuild_run():
    text = "FROM alpine:3.19\nONBUILD RUN apk add gcc\n"
    assert body(run(text).text) == f"ONBUILD RUN {INSTALL} gcc {CLEAN}\n"


def test_crlf_is_kept():
    text = "FROM alpine:3.19\r\nRUN apk add \\\r\n    gcc\r\n"
    assert run(text).text == f"FROM debian:trixie-slim\r\nRUN {INSTALL} \\\r\n    gcc {CLEAN}\r\n"


def test_backtick_escape():
    text = "# escape=`\nFROM alpine:3.19\nRUN apk add `\n    --no-cache `\n    gcc\n"
    assert run(text).text == f"# escape=`\nFROM debian:trixie-slim\nRUN {INSTALL} `\n    gcc {CLEAN}\n"


def test_unknown_package_is_a_decision_and_kept_under_yes():
    text = "FROM alpine:3.19\nRUN apk add no-such-thing-anywhere\n"
    result = run(text)
    assert body(result.text) == f"RUN {INSTALL} no-such-thing-anywhere {CLEAN}\n"
    (decision,) = result.seen
    assert decision.recommended == "keep"
    assert any(option.free_text for option in decision.options)
    assert "kept the Alpine name" in messages(result)


def test_typed_answer_is_used_and_checked_against_the_index():
    text = "FROM alpine:3.19\nRUN apk add no-such-thing-anywhere\n"
    result = run(text, {"UA202:no-such-thing-anywhere": "curl not-a-debian-package"})
    assert body(result.text) == f"RUN {INSTALL} curl not-a-debian-package {CLEAN}\n"
    assert "not-a-debian-package (typed) is not a package in Debian trixie" in messages(result)


def test_strict_makes_unknown_names_an_error():
    with pytest.raises(InputError) as error:
        run("FROM alpine:3.19\n\nRUN apk add no-such-thing-anywhere\n", strict=True)
    assert str(error.value).startswith("Dockerfile:3: unknown Alpine package 'no-such-thing-anywhere'")


def test_py3_package_on_a_python_image_becomes_pip():
    text = "FROM python:3.12-alpine\nRUN apk add --no-cache gcc py3-requests\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc && pip install --no-cache-dir requests {CLEAN}\n"


def test_apk_in_a_stage_that_is_not_migrated_is_left_alone():
    text = "FROM docker:27-cli-alpine3.20\nRUN apk add --no-cache git\nFROM python:3.12-alpine\nRUN apk add git\n"
    assert run(text).text == (
        "FROM docker:27-cli-alpine3.20\nRUN apk add --no-cache git\nFROM python:3.12-slim-trixie\n"
        f"RUN {INSTALL} git {CLEAN}\n"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('RUN ["apk", "add", "gcc"]', f"RUN {INSTALL} gcc {CLEAN}"),
        ('RUN ["/sbin/apk", "add", "--no-cache", "curl", "py3-requests"]', f"RUN {INSTALL} curl ca-certificates python3-requests {CLEAN}"),
        ('RUN ["apk", "upgrade", "--no-cache"]', "RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*"),
        ('RUN ["apk", "update"]', None),
        ('RUN ["apk", "add", "openrc"]', None),
    ],
)
def test_exec_form_apk_becomes_shell_form(before, after):
    result = run(f"FROM alpine:3.19\n{before}\n")
    assert body(result.text) == (f"{after}\n" if after else "")
    assert "exec-form" in messages(result)


def test_exec_form_virtual_group_and_its_del():
    text = 'FROM alpine:3.19\nRUN ["apk", "add", "-t", ".b", "gcc"]\nRUN ["apk", "del", ".b"]\n'
    assert body(run(text).text) == f"RUN {INSTALL} gcc {CLEAN}\nRUN apt-mark auto gcc && apt-get autoremove -y --purge\n"


@pytest.mark.parametrize("line", ['RUN ["sh", "-c", "apk add gcc"]', 'RUN ["apk", "add", "-X", "http://x/edge", "gcc"]',
                                  'RUN ["apk", "info"]', 'RUN ["env", "apk", "add", "gcc"]'])
def test_exec_form_apk_it_cannot_say_in_apt_is_reported(line):
    result = run(f"FROM alpine:3.19\n{line}\n")
    assert body(result.text) == f"{line}\n"
    assert "exec-form" in messages(result)


def test_second_run_changes_nothing():
    text = "FROM python:3.8-alpine\nRUN apk add --no-cache --virtual .b gcc musl-dev \\\n && pip install x \\\n && apk del .b\n"
    once = run(text).text
    assert run(once).text == once


def test_https_clients_bring_ca_certificates_on_debian_once():
    text = "FROM alpine:3.19\nRUN apk add --no-cache curl ca-certificates git\n"
    assert body(run(text).text) == f"RUN {INSTALL} curl ca-certificates git {CLEAN}\n"
    # the python images have ca-certificates already
    text = "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n"
    assert body(run(text).text) == f"RUN {INSTALL} curl {CLEAN}\n"


def test_a_removed_run_does_not_leave_a_double_blank_line():
    text = "FROM alpine:3.19\n\nRUN apk update\n\nRUN apk add gcc\n"
    assert run(text).text == f"FROM debian:trixie-slim\n\nRUN {INSTALL} gcc {CLEAN}\n"


def test_group_delete_keeps_what_other_packages_need():
    # apt-get purge gcc would also remove build-essential; apk del .tmp would not
    text = "FROM alpine:3.19\nRUN apk add build-base\nRUN apk add -t .tmp gcc && make && apk del .tmp\n"
    assert body(run(text).text).splitlines()[1] == (
        f"RUN {INSTALL} gcc && make && apt-mark auto gcc && apt-get autoremove -y --purge {CLEAN}"
    )


def test_group_delete_leaves_what_a_plain_apk_add_asked_for():
    # apk del .build drops the group's claim only: gcc and ca-certificates are
    # in apk's world from the plain apk add, and stay; apt-mark auto would let
    # autoremove take them
    text = ("FROM alpine:3.19\nRUN apk add --no-cache -t .build git gcc \\\n"
            " && apk add --no-cache ca-certificates gcc python3 \\\n && apk del .build\n")
    assert body(run(text).text) == (
        f"RUN {INSTALL} git ca-certificates gcc \\\n && {INSTALL.removeprefix('apt-get update && ')} ca-certificates gcc "
        f"python3 python3-venv \\\n && apt-mark auto git && apt-get autoremove -y --purge {CLEAN}\n"
    )


def test_group_delete_that_leaves_nothing_goes():
    text = "FROM alpine:3.19\nRUN apk add gcc\nFROM alpine:3.19 AS other\nRUN apk add -t .b gcc && apk del .b\n"
    lines = run(text).text.splitlines()
    assert lines[-1] == f"RUN {INSTALL} gcc && apt-mark auto gcc && apt-get autoremove -y --purge {CLEAN}"  # another stage
    # the stage it builds on asked for gcc: apk del .b removes nothing, and goes
    text = "FROM alpine:3.19 AS base\nRUN apk add gcc\nFROM base\nRUN apk add -t .b gcc\nRUN apk del .b\n"
    assert run(text).text.splitlines()[-2:] == ["FROM base", f"RUN {INSTALL} gcc {CLEAN}"]


def test_exec_form_group_delete_leaves_the_world():
    text = 'FROM alpine:3.19\nRUN ["apk", "add", "gcc"]\nRUN ["apk", "add", "-t", ".b", "gcc", "make"]\nRUN ["apk", "del", ".b"]\n'
    assert body(run(text).text).splitlines()[-1] == "RUN apt-mark auto make && apt-get autoremove -y --purge"


def test_same_debian_name_from_two_alpine_names_is_installed_once():
    text = "FROM python:3.12-alpine\nRUN apk add --no-cache ffmpeg-libs ffmpeg\n"
    assert body(run(text).text) == f"RUN {INSTALL} ffmpeg {CLEAN}\n"


def test_a_cache_mount_for_apk_is_reported():
    text = "FROM alpine:3.19\nRUN --mount=type=cache,target=/var/cache/apk apk add gcc\n"
    assert "this cache mount keeps apk's cache" in messages(run(text))


# Layouts that once gave overlapping edits: every change is planned per word
# first and rendered line by line, so the edits cannot overlap.

def test_options_after_the_packages_on_continuation_lines():
    text = ("FROM alpine:3.19\nRUN apk add python3 \\\n    --repository https://example.org/edge/main \\\n"
            "    --no-cache\nCMD [\"sh\"]\n")
    assert body(run(text).text) == f"RUN {INSTALL} python3 python3-venv {CLEAN}\nCMD [\"sh\"]\n"


def test_last_package_dropped_keeps_its_comment_on_a_line_of_its_own():
    text = "FROM alpine:3.19\nRUN apk add --no-cache \\\n    gcc \\\n    bash # a newer bash\nCMD [\"sh\"]\n"
    assert body(run(text).text) == f"RUN {INSTALL} \\\n    gcc {CLEAN}\n    # a newer bash\nCMD [\"sh\"]\n"


def test_emptied_last_line_takes_the_escape_past_comment_and_emptied_lines():
    text = ("FROM alpine:3.19\nRUN apk add gcc \\\n    --no-cache \\\n    # why\n"
            "    --virtual .x \\\n    --quiet\nCMD [\"sh\"]\n")
    assert body(run(text).text) == f"RUN {INSTALL} gcc {CLEAN}\n    # why\nCMD [\"sh\"]\n"


def test_removed_command_on_its_own_line_keeps_the_next_line_joined():
    text = "FROM alpine:3.19\nRUN apk add gcc && \\\n    apk del .nothing && \\\n    echo done\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc && \\\n    echo done {CLEAN}\n"


def test_text_after_a_deleted_last_word_goes_after_what_is_left():
    text = "FROM python:3.12-alpine\nRUN apk add --virtual .b gcc && pip install x && apk del .b --purge\n"
    assert body(run(text).text) == (
        f"RUN {INSTALL} gcc && pip install x && apt-mark auto gcc && apt-get autoremove -y --purge {CLEAN}\n")


def test_a_name_kept_as_is_keeps_its_quotes_and_escapes():
    text = "FROM alpine:3.19\nRUN apk add 'gcc' \"no-such-package\"\n"
    assert body(run(text).text) == f"RUN {INSTALL} 'gcc' \"no-such-package\" {CLEAN}\n"


# Package lists in variables: rewritten where they are defined.

def test_env_package_list_is_rewritten_where_it_is_defined():
    text = "FROM python:3.12-alpine\nENV DEPS=\"gcc musl-dev\"\nRUN apk add --no-cache $DEPS && apk del $DEPS\n"
    result = run(text)
    assert body(result.text) == (
        "ENV DEPS=\"gcc libc6-dev\"\n"
        f"RUN {INSTALL} $DEPS && apt-mark auto $DEPS && apt-get autoremove -y --purge {CLEAN}\n")
    assert "2 UA201 DEPS holds packages for apk (line 3)" in messages(result)
    assert "kept as is" not in messages(result)


def test_legacy_env_form_and_a_name_dropped_at_the_end_of_a_continued_value():
    text = "FROM alpine:3.19\nENV DEPS gcc \\\n    bash\nRUN apk add ${DEPS}\n"
    assert body(run(text).text) == f"ENV DEPS gcc\nRUN {INSTALL} ${{DEPS}} {CLEAN}\n"


def test_global_arg_redeclared_in_the_stage():
    text = "ARG PKGS='openssl-dev zlib-dev'\nFROM python:3.12-alpine\nARG PKGS\nRUN apk add \"$PKGS\"\n"
    result = run(text)
    assert result.text.split("\n")[0] == "ARG PKGS='libssl-dev zlib1g-dev'"
    assert f"RUN {INSTALL} \"$PKGS\" {CLEAN}" in result.text


def test_shell_assignment_in_the_same_run():
    text = "FROM alpine:3.19\nRUN export D=\"openssl-dev su-exec\" && apk add $D && apk del $D\n"
    assert body(run(text).text) == (
        f"RUN export D=\"libssl-dev gosu\" && {INSTALL} $D && apt-mark auto $D && apt-get autoremove -y --purge {CLEAN}\n")


def test_prefix_assignment_is_not_seen_by_the_command_and_stays():
    text = "FROM alpine:3.19\nRUN D=openssl-dev apk add $D gcc\n"
    result = run(text)
    assert body(result.text) == f"RUN D=openssl-dev {INSTALL} $D gcc {CLEAN}\n"
    assert "package list $D is kept as is" in messages(result)


def test_pins_and_expansions_inside_the_value():
    text = "FROM alpine:3.19\nENV D=\"gcc=13.2-r0 $MORE openssl-dev\"\nRUN apk add $D\n"
    result = run(text)
    assert "ENV D=\"gcc $MORE libssl-dev\"\n" in result.text
    assert "version pin gcc=13.2-r0 removed" in messages(result)


def test_other_use_of_the_variable_is_a_question_naming_both_lines():
    text = "FROM python:3.12-alpine\nENV D=\"gcc musl-dev\"\nRUN apk add $D\nRUN echo ${D} > /deps\n"
    result = run(text)
    (decision,) = [d for d in result.seen if d.key == "UA201:variable:D"]
    assert decision.recommended == "map"
    assert "line 2" in decision.question and "line 3" in decision.question and "line 4" in decision.question
    assert "ENV D=\"gcc libc6-dev\"" in result.text
    assert "2 UA201 D (line 2) feeds apk on line 3 and is also used on line 4" in messages(result)
    kept = run(text, {"UA201:variable:D": "keep"})
    assert "ENV D=\"gcc musl-dev\"" in kept.text
    assert "its Alpine names are kept" in messages(kept)


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_the_question_shows_the_whole_apk_line_whatever_ends_the_file(end):
    text = f"FROM python:3.12-alpine\nENV D=\"gcc musl-dev\"\nRUN echo $D > /deps\nRUN apk add $D{end}"
    (decision,) = [d for d in run(text).seen if d.key == "UA201:variable:D"]
    assert decision.context == "RUN apk add $D"


def test_a_use_in_a_stage_that_stays_on_alpine_recommends_keeping_the_names():
    text = ("ARG D=\"gcc musl-dev\"\nFROM myorg/builder:3-alpine AS web\nARG D\nRUN apk add $D\n"
            "FROM python:3.12-alpine\nARG D\nRUN apk add $D\n")
    result = run(text)
    (decision,) = [d for d in result.seen if d.key == "UA201:variable:D"]
    assert decision.recommended == "keep"
    assert result.text.startswith("ARG D=\"gcc musl-dev\"\n")


def test_virtual_group_of_a_variable_deleted_in_a_later_run():
    text = ("FROM python:3.12-alpine\nENV D=\"gcc musl-dev\"\nRUN apk add --virtual .b $D cargo\n"
            "RUN pip install x\nRUN apk del .b\n")
    assert body(run(text).text).endswith(
        "RUN apt-mark auto gcc libc6-dev cargo && apt-get autoremove -y --purge\n")


def test_words_in_a_variable_that_are_no_package_names_stay_and_stay_out_of_groups():
    text = ("FROM python:3.12-alpine\nENV D=\"musl-dev (x\"\nRUN apk add --virtual .b $D && apk del .b\n")
    result = run(text)
    assert "ENV D=\"libc6-dev (x\"\n" in result.text
    assert "apt-mark auto libc6-dev && apt-get autoremove" in result.text


def test_a_pinned_py3_name_in_a_variable_leaves_it_with_the_pip_warning():
    text = 'FROM python:3.12-alpine\nENV D="gcc py3-requests=2.31.0-r0"\nRUN apk add --no-cache $D\n'
    result = run(text)
    assert 'ENV D="gcc"\n' in result.text
    assert "version pin py3-requests=2.31.0-r0 removed" in messages(result)
    assert "py3-requests in D stands for pip install requests" in messages(result)


def test_a_blank_the_shell_escapes_stays_with_its_word():
    text = "FROM alpine:3.19\nRUN apk add gcc \\  --no-cache\n"
    assert body(run(text).text) == f"RUN {INSTALL} gcc \\  {CLEAN}\n"


def test_cleanup_goes_on_the_line_of_a_heredoc_inside_a_heredoc_script():
    text = "FROM alpine:3.19\nRUN <<EOF\napk add gcc\ncat <<-END > /f\nx\nEND\nEOF\n"
    assert body(run(text).text) == f"RUN <<EOF\n{INSTALL} gcc\ncat <<-END > /f {CLEAN}\nx\nEND\nEOF\n"


def test_a_continued_env_value_with_a_comment_line_is_named_by_its_first_line():
    text = ("FROM python:3.12-alpine\nENV DEPS \\\n    # compilers\n    gcc \\\n    musl-dev \\\n    bash\n"
            "RUN apk add $DEPS\n")
    result = run(text)
    assert body(result.text) == f"ENV DEPS \\\n    # compilers\n    gcc \\\n    libc6-dev\nRUN {INSTALL} $DEPS {CLEAN}\n"
    assert "2 UA201 DEPS holds packages for apk (line 7)" in messages(result)


def test_a_removed_first_command_never_leaves_a_word_that_buildkit_reads_as_a_flag():
    text = "FROM alpine:3.19\nRUN apk update && --version\n"
    assert body(run(text).text) == "RUN true && --version\n"


def test_apk_commands_are_read_once_and_read_alike_in_every_file():
    from migrator import shell
    from migrator.document import parse
    from migrator import apk_commands as apk

    def calls(text):
        document = parse(text)
        run = [i for i in document.instructions if i.command == "RUN"][-1]
        return [apk.parse_apk(command) for command in shell.script_of(run, text).commands if command.name == "apk"]

    def described(call):
        return (call.subcommand, call.options, call.operands, call.command.words)

    one = "FROM alpine\nRUN apk add --virtual .b -X https://x gcc && apk del .b\n"
    two = "FROM alpine\nLABEL a=b\nRUN apk add --virtual .b -X https://x \\\ngcc && apk del .b\n"
    other = "FROM alpine\nRUN apk add --virtual .c -X https://x gcc && apk del .c\n"
    shell._PARSED.clear()
    apk._read_apk_remembered.cache_clear()
    first, second, third = calls(one), calls(two), calls(other)
    assert apk._read_apk_remembered.cache_info().currsize == 4  # one, two: the same words, read once; other: two more
    for call in (*first, *second, *third):
        assert described(call) == described(apk._parse_apk(call.command))
    first[0].operands.append(first[0].operands[0])  # a caller's list is its own
    assert described(calls(one)[0]) == described(second[0])
    assert [c.option_value("--virtual") for c in third] == [".c", None]
    assert [w.value for w in third[1].operands] == [".c"]


def test_the_end_of_a_script_is_worked_out_once_per_parse_and_found_in_each_file():
    from migrator import shell
    from migrator.document import parse

    texts = ["FROM alpine\nRUN apk add gcc # why\n", "FROM alpine\nENV A=1\nRUN apk add \\\ngcc # why\n"]
    shell._PARSED.clear()
    ends = []
    for text in texts:
        run = parse(text).instructions[-1]
        script = shell.script_of(run, text)
        end = script.statement_end()
        assert end == script._statement_end()  # as worked out afresh
        assert text[script.file_span(end - 3, end)[0] : script.file_span(end - 3, end)[1]] == "gcc"
        ends.append(end)
    assert ends[0] == ends[1]


def test_spans_covered_by_another_are_found_as_by_comparing_every_pair():
    import random

    from migrator.word_edits import _covered

    rng = random.Random(5)
    for _ in range(3000):
        spans = list({(a, a + rng.randint(0, 6)) for a in (rng.randint(0, 20) for _ in range(rng.randint(0, 8)))})
        pairwise = {s for s in spans if any(t != s and t[0] <= s[0] and s[1] <= t[1] for t in spans)}
        assert _covered(spans) == pairwise


@pytest.mark.parametrize("word", ["python3=$PYTHON_VERSION", '"python3>=${PYTHON_VERSION}"', "python3~$V", "python3=${V}-r0"])
def test_a_pin_with_a_variable_keeps_the_literal_name(word):
    # the name is literal, only the version expands: map the name, drop the pin
    result = run(f"FROM alpine:3.19\nRUN apk add --no-cache {word} py3-pip=$PIP\n")
    assert body(result.text) == f"RUN {INSTALL} python3 python3-venv python3-pip {CLEAN}\n"
    assert messages(result).count("version pin") == 2
    assert "kept as is" not in messages(result)


def test_a_word_whose_name_is_a_variable_is_still_a_package_list():
    result = run("FROM alpine:3.19\nRUN apk add ${PKG}=1.0 $NAME~$V\n")
    assert "${PKG}=1.0 $NAME~$V" in result.text
    assert messages(result).count("kept as is") == 2


def test_apk_del_of_a_variable_pin():
    result = run("FROM alpine:3.19\nRUN apk add gcc && apk del gcc=$GCC_VERSION\n")
    assert body(result.text).startswith(f"RUN {INSTALL} gcc && apt-mark auto gcc && apt-get autoremove")


def test_a_variable_pin_in_a_package_variable():
    result = run('FROM alpine:3.19\nENV DEPS="musl-dev gcc=${GCC}"\nRUN apk add $DEPS\n')
    assert 'ENV DEPS="libc6-dev gcc"' in result.text


@pytest.mark.parametrize(
    ("definition", "written"),
    [
        ("ENV RUNTIME=libxslt", 'ENV RUNTIME="libxslt1.1 xsltproc"'),
        ("ARG RUNTIME=libxslt", 'ARG RUNTIME="libxslt1.1 xsltproc"'),
        ('ENV RUNTIME="libxslt"', 'ENV RUNTIME="libxslt1.1 xsltproc"'),
        ("ENV RUNTIME libxslt", "ENV RUNTIME libxslt1.1 xsltproc"),  # legacy form: the rest of the line
    ],
)
def test_an_unquoted_variable_value_that_becomes_two_names_gets_quotes(definition, written):
    # libxslt is libxslt1.1 and xsltproc: `ENV X=libxslt1.1 xsltproc` would be a broken pair
    result = run(f"FROM alpine:3.19\n{definition}\nRUN apk add $RUNTIME\n")
    assert result.text.split("\n")[1] == written


def test_an_unquoted_shell_variable_that_becomes_two_names_gets_quotes():
    result = run("FROM alpine:3.19\nRUN RUNTIME=libxslt && apk add $RUNTIME\n")
    assert 'RUNTIME="libxslt1.1 xsltproc" && ' in result.text


def test_a_value_inside_a_quote_left_open_before_it_gets_no_quotes_of_its_own():
    # BUILD's closing quote is missing, so RUNTIME=... is still inside it (the
    # mutation fuzz found this): quotes added there would close BUILD's quote
    # and leave a text buildkit rejects.
    text = 'FROM alpine:3.19\nENV BUILD="gcc \\\n    RUNTIME=libxslt\nRUN apk add $BUILD $RUNTIME\n'
    result = run(text)
    assert '"libxslt1.1 xsltproc"' not in result.text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # the mirror switch of many Dockerfiles: Debian has no /etc/apk, sed would fail the build
        ("RUN sed -i 's/dl-cdn.alpinelinux.org/mirrors.aliyun.com/g' /etc/apk/repositories && apk add gcc",
         f"RUN {INSTALL} gcc {CLEAN}"),
        ('RUN echo "http://dl-cdn.alpinelinux.org/alpine/edge/community" >> /etc/apk/repositories\nRUN apk add gcc',
         f"RUN {INSTALL} gcc {CLEAN}"),
        ('RUN if [ -n "$MIRROR" ]; then sed -i "s/dl-cdn/$MIRROR/" /etc/apk/repositories; fi && mkdir /app',
         'RUN if [ -n "$MIRROR" ]; then true; fi && mkdir /app'),
        ("RUN cp /tmp/repositories /etc/apk/ && mkdir /app", "RUN mkdir /app"),
    ],
)
def test_commands_on_apks_configuration_go(before, after):
    result = run(f"FROM alpine:3.19\n{before}\n")
    assert body(result.text) == f"{after}\n"
    assert "Debian has no /etc/apk" in messages(result)


def test_apks_configuration_in_a_pipeline_is_reported_not_cut():
    text = "FROM alpine:3.19\nRUN echo http://x/edge/main | tee -a /etc/apk/repositories\n"
    result = run(text)
    assert body(result.text) == "RUN echo http://x/edge/main | tee -a /etc/apk/repositories\n"
    assert "works on Alpine's /etc/apk, which Debian does not have" in messages(result)


def test_apks_configuration_stays_in_a_stage_kept_on_alpine():
    text = "FROM alpine:3.19@sha256:" + "a" * 64 + "\nRUN sed -i 's/dl-cdn/mirror/' /etc/apk/repositories\n"
    assert run(text, {"UA101:digest": "keep"}).text == text
