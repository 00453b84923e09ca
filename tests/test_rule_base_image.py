"""UA101: base images move to the matching Debian slim image."""

import pytest

from migrator.errors import InputError
from rulekit import messages, run


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("FROM python:3.8-alpine", "FROM python:3.8-slim-bookworm"),
        ("FROM python:3.12-alpine3.19", "FROM python:3.12-slim-trixie"),
        ("FROM python:3.12.12-alpine3.20", "FROM python:3.12.12-slim-trixie"),
        ("FROM python:3.11.9-alpine3.20", "FROM python:3.11.9-slim-bookworm"),
        ("FROM python:alpine", "FROM python:slim-trixie"),
        ("FROM python:3-alpine", "FROM python:3-slim-trixie"),
        ("FROM docker.io/library/python:3.10-alpine", "FROM docker.io/library/python:3.10-slim-trixie"),
        ("FROM library/python:3.9-alpine", "FROM library/python:3.9-slim-trixie"),
        ("from --platform=$BUILDPLATFORM python:3.8-alpine as build", "from --platform=$BUILDPLATFORM python:3.8-slim-bookworm as build"),
        ("FROM alpine:3.19", "FROM debian:trixie-slim"),
        ("FROM alpine", "FROM debian:trixie-slim"),
        ("FROM docker.io/alpine:3.18 AS base", "FROM docker.io/debian:trixie-slim AS base"),
    ],
)
def test_image_words_are_rewritten_in_place(before, after):
    assert run(before + "\n").text == after + "\n"


def test_one_suite_for_the_whole_file():
    text = "FROM python:3.8-alpine AS build\nFROM alpine:3.12\nCOPY --from=build /x /x\n"
    assert run(text).text == "FROM python:3.8-slim-bookworm AS build\nFROM debian:bookworm-slim\nCOPY --from=build /x /x\n"


def test_target_picks_the_suite():
    assert run("FROM python:3.12-alpine\n", target="bookworm").text == "FROM python:3.12-slim-bookworm\n"


def test_target_without_an_official_image_is_an_error_naming_the_line():
    with pytest.raises(InputError) as error:
        run("# a comment\nFROM python:3.8-alpine\n", target="trixie")
    assert str(error.value).startswith("Dockerfile:2: ")
    assert "bullseye, bookworm" in str(error.value)


def test_arg_in_the_tag_is_kept_and_its_default_picks_the_suite():
    text = "ARG PY=3.8\nARG ALPINE=3.16\nFROM python:${PY}-alpine${ALPINE}\n"
    assert run(text).text == "ARG PY=3.8\nARG ALPINE=3.16\nFROM python:${PY}-slim-bookworm\n"


def test_arg_holding_the_whole_image_is_migrated_in_the_arg():
    text = 'ARG BASE="python:3.10-alpine"\nFROM ${BASE} AS app\nFROM $BASE\n'
    result = run(text)
    assert result.text == 'ARG BASE="python:3.10-slim-trixie"\nFROM ${BASE} AS app\nFROM $BASE\n'
    assert "ARG BASE feeds FROM" in messages(result)


def test_digest_is_a_decision_recommending_to_drop_it():
    text = "FROM python:3.9-alpine@sha256:" + "a" * 64 + "\n"
    result = run(text)
    assert result.text == "FROM python:3.9-slim-trixie\n"
    assert [d.key for d in result.seen] == ["UA101:digest:1"]
    assert "re-pin" in messages(result)


def test_keeping_the_digest_keeps_the_stage_and_its_apk():
    text = "FROM python:3.9-alpine@sha256:" + "a" * 64 + "\nRUN apk add gcc\n"
    assert run(text, {"UA101:digest": "keep"}).text == text


def test_stage_built_on_a_migrated_stage_follows_it():
    text = "FROM alpine:3.19 AS base\nFROM base\nRUN apk add gcc\n"
    assert run(text).text.endswith("RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n")


def test_other_alpine_images_are_left_alone_with_a_warning():
    text = "FROM node:20-alpine\nRUN apk add git\n"
    result = run(text)
    assert result.text == text
    assert "node:20-alpine is Alpine-based but not an official python or alpine image" in messages(result)


def test_nothing_alpine_is_left_alone():
    text = "FROM python:3.12-slim-bookworm\nRUN apt-get update\n"
    result = run(text)
    assert result.text == text and not result.findings


def test_patch_release_older_than_the_suite_warns():
    # 3.8.5 predates every suite unalpine migrates to: newest suite, and a warning
    result = run("FROM python:3.8.5-alpine\n")
    assert result.text == "FROM python:3.8.5-slim-bookworm\n"
    assert "before images for bookworm existed" in messages(result)


def test_patch_pinned_release_gets_a_suite_that_has_it():
    result = run("FROM python:3.9.7-alpine3.14\n")
    assert result.text == "FROM python:3.9.7-slim-bullseye\n"
    assert "pin 3.9 to move to trixie" in messages(result)


def test_patch_pinned_release_with_a_target_that_lacks_it_is_an_error():
    with pytest.raises(InputError) as error:
        run("FROM python:3.9.7-alpine\n", target="trixie")
    assert "no official python:3.9.7-slim-trixie image exists (published: bullseye)" in str(error.value)


def test_per_architecture_repositories_of_official_images():
    text = "ARG ARCH=amd64\nFROM ${ARCH}/python:3.11-alpine3.17\nRUN apk add --no-cache git\nFROM arm64v8/alpine:3.19\n"
    result = run(text)
    assert result.text.splitlines()[1:] == [
        "FROM ${ARCH}/python:3.11-slim-trixie",
        "RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*",
        "FROM arm64v8/debian:trixie-slim",
    ]


def test_pre_releases_count_as_the_first_patch():
    assert run("FROM python:3.13.0a1-alpine\n").text == "FROM python:3.13.0a1-slim-bookworm\n"
    assert run("FROM python:3.14.0rc2-alpine\n").text == "FROM python:3.14.0rc2-slim-trixie\n"


def test_python_without_debian_images_is_left_with_a_warning_and_the_rest_migrates():
    text = "FROM python:2.7-alpine AS old\nRUN apk add gcc\nFROM old AS child\nRUN apk add make\nFROM python:3.12-alpine\nRUN apk add gcc\n"
    result = run(text)
    assert result.text.splitlines() == [
        "FROM python:2.7-alpine AS old",
        "RUN apk add gcc",
        "FROM old AS child",
        "RUN apk add make",
        "FROM python:3.12-slim-trixie",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
    ]
    assert "1 UA101 no official python:2.7-slim image exists" in messages(result)
