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


INSTALL_GCC = "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"


@pytest.mark.parametrize(
    "final",
    [
        "FROM base-${TARGETARCH}",  # buildkit fills in TARGETARCH per platform
        "FROM base-$TARGETARCH",
        "FROM BASE-${TARGETARCH}${TARGETVARIANT} AS final",
        "FROM ${PREFIX}-amd64",  # a global ARG without a value
    ],
)
def test_stage_named_through_an_unset_variable_follows_the_stages_it_can_name(final):
    text = (f"ARG PREFIX\nFROM alpine:3.19 AS base\nFROM base AS base-amd64\nFROM base AS base-arm64\n"
            f"{final}\nRUN apk add gcc\n")
    assert run(text).text.endswith(f"{final}\n{INSTALL_GCC}")


@pytest.mark.parametrize(
    "final",
    [
        "FROM ${TARGETARCH}",  # no written part: it could be any image
        "FROM build-${TARGETARCH}",  # the stages it can name have other roots
        "FROM ${VARIANT:-nothing}-amd64",  # the default names no stage
    ],
)
def test_a_variable_image_that_names_no_single_root_is_left_alone(final):
    text = (f"FROM alpine:3.19 AS build-amd64\nFROM node:20-alpine AS build-arm64\n"
            f"{final}\nRUN apk add gcc\n")
    assert run(text).text.endswith(f"{final}\nRUN apk add gcc\n")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("FROM node:20-alpine", "FROM node:20-trixie-slim"),
        ("FROM node:lts-alpine3.19 AS web", "FROM node:lts-trixie-slim AS web"),
        ("FROM node:alpine", "FROM node:trixie-slim"),
        ("FROM node:14-alpine", "FROM node:14-bullseye-slim"),
        ("FROM golang:1.22-alpine AS build", "FROM golang:1.22-bookworm AS build"),
        ("FROM golang:alpine", "FROM golang:trixie"),
        ("FROM nginx:alpine", "FROM nginx:trixie"),
        ("FROM nginx:1.25-alpine-perl", "FROM nginx:1.25-bookworm-perl"),
        ("FROM nginx:mainline-alpine-slim", "FROM nginx:mainline-trixie"),
        ("FROM httpd:2.4-alpine", "FROM httpd:2.4-trixie"),
        ("FROM redis:7-alpine", "FROM redis:7-bookworm"),
        ("FROM postgres:14-alpine", "FROM postgres:14-trixie"),
        ("FROM ruby:2.7-alpine", "FROM ruby:2.7-slim-bullseye"),
        ("FROM php:8.2-fpm-alpine3.19", "FROM php:8.2-fpm-trixie"),
        ("FROM php:8-cli-alpine", "FROM php:8-cli-trixie"),
        ("FROM php:alpine", "FROM php:trixie"),
        ("FROM rust:1.75-alpine", "FROM rust:1.75-slim-bookworm"),
        ("FROM memcached:1.6-alpine", "FROM memcached:1.6-trixie"),
        ("FROM haproxy:2.8-alpine", "FROM haproxy:2.8-trixie"),
        ("FROM python:2-alpine", "FROM python:2-slim-buster"),
    ],
)
def test_other_official_images_move_to_their_debian_tags(before, after):
    from migrator.images import ImageRef, image_table

    new = run(before + "\n").text.splitlines()
    assert after in new
    ref = ImageRef.parse(after.split()[1])
    assert image_table().images[ref.name].published(ref.tag)


def test_a_node_stage_and_a_python_stage_share_one_suite():
    text = "FROM node:14-alpine AS web\nRUN apk add --no-cache git\nFROM python:3.12-alpine\nCOPY --from=web /app /app\n"
    lines = run(text).text.splitlines()
    # node 14 stopped at bullseye, python 3.12 has bullseye too: both go there
    assert lines[0] == "FROM node:14-bullseye-slim AS web"
    assert lines[2] == "FROM python:3.12-slim-bullseye"


def test_alpine_only_images_warn_naming_the_line():
    text = "FROM python:3.12-alpine\nFROM traefik:v2.10-alpine\n"
    result = run(text)
    assert result.text.splitlines()[1] == "FROM traefik:v2.10-alpine"
    assert "2 UA101 traefik:v2.10-alpine: the official traefik image publishes no Debian variant" in messages(result)


def test_unknown_alpine_image_is_a_decision():
    text = "FROM example/tool:1.2-alpine\nRUN apk add git\n"
    result = run(text)
    assert result.text == text
    assert [d.key for d in result.seen] == ["UA101:image:example/tool:1.2-alpine"]
    typed = run(text, {"UA101:image": "example/tool:1.2-bookworm"})
    assert typed.text.splitlines()[0] == "FROM example/tool:1.2-bookworm"
    assert typed.text.splitlines()[1].startswith("RUN apt-get update && apt-get install")


def test_openjdk_is_a_decision_naming_temurin():
    text = "FROM openjdk:8-jdk-alpine\n"
    result = run(text)
    (decision,) = result.seen
    assert [o.value for o in decision.options] == ["temurin", "openjdk", "keep"]
    assert result.text == "FROM eclipse-temurin:8-jdk-noble\n"
    assert run(text, {"UA101:replace": "openjdk"}).text == "FROM openjdk:8-jdk-slim-bullseye\n"
    assert run(text, {"UA101:replace": "keep"}).text == text


def test_nothing_alpine_is_left_alone():
    text = "FROM python:3.12-slim-bookworm\nRUN apt-get update\n"
    result = run(text)
    assert result.text == text and not result.findings


def test_patch_release_older_than_the_suite_moves_to_its_line_with_a_warning():
    # 3.8.5 predates every suite unalpine migrates to (its only Debian tag is
    # buster): 3.8-slim-bookworm exists, 3.8.5-slim-bookworm never did
    result = run("FROM python:3.8.5-alpine\n")
    assert result.text == "FROM python:3.8-slim-bookworm\n"
    assert "python:3.8.5-slim-<suite> was never published for bullseye, bookworm" in messages(result)


def test_end_of_life_patch_release_without_an_archived_tag_moves_to_its_line():
    # 2.7.13 only ever had jessie tags; 2.7-slim-buster exists
    result = run("FROM python:2.7.13-alpine3.6\nRUN apk add gcc\n")
    assert result.text.splitlines()[:2] == [
        "FROM python:2.7-slim-buster",
        "RUN echo 'deb http://archive.debian.org/debian buster main' > /etc/apt/sources.list",
    ]


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


def test_end_of_life_python_kept_on_alpine_leaves_its_stages_and_the_rest_migrates():
    text = "FROM python:2.7-alpine AS old\nRUN apk add gcc\nFROM old AS child\nRUN apk add make\nFROM python:3.12-alpine\nRUN apk add gcc\n"
    result = run(text, {"UA101:end-of-life": "keep"})
    assert result.text.splitlines() == [
        "FROM python:2.7-alpine AS old",
        "RUN apk add gcc",
        "FROM old AS child",
        "RUN apk add make",
        "FROM python:3.12-slim-trixie",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
    ]
    assert "1 UA101 python:2.7-alpine is Alpine-based; left as is" in messages(result)


def test_end_of_life_python_moves_to_the_archive_with_its_sources_switched():
    text = "FROM python:2.7-alpine\nRUN apk add --no-cache gcc\n"
    result = run(text)
    assert result.text.splitlines() == [
        "FROM python:2.7-slim-buster",
        "RUN echo 'deb http://archive.debian.org/debian buster main' > /etc/apt/sources.list",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
    ]
    (decision,) = result.seen
    assert [o.value for o in decision.options] == ["archive", "keep", "upgrade:3.6"]
    assert "gets no security updates" in messages(result)


def test_no_sources_switch_without_apt():
    assert run("FROM python:3.5-alpine\nCOPY . /app\n").text == "FROM python:3.5-slim-buster\nCOPY . /app\n"


def test_end_of_life_upgrade_names_the_oldest_current_release():
    result = run("FROM python:3.4-alpine\n", {"UA101:end-of-life": "upgrade:3.6"})
    assert result.text == "FROM python:3.6-slim-bullseye\n"
    assert "moved from python 3.4 to 3.6: a newer release" in messages(result)


def test_target_an_archived_suite_by_name():
    result = run("FROM python:3.8-alpine\nRUN apk add --no-cache openssl-dev\n", target="buster")
    assert result.text.splitlines() == [
        "FROM python:3.8-slim-buster",
        "RUN echo 'deb http://archive.debian.org/debian buster main' > /etc/apt/sources.list",
        "RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev && rm -rf /var/lib/apt/lists/*",
    ]


def test_sources_switch_keeps_crlf_and_goes_in_the_stage_others_build_on():
    text = "FROM python:2.7-alpine AS base\r\nENV A=1\r\nFROM base\r\nRUN apk add gcc\r\n"
    lines = run(text).text.split("\r\n")
    assert lines[:3] == [
        "FROM python:2.7-slim-buster AS base",
        "RUN echo 'deb http://archive.debian.org/debian buster main' > /etc/apt/sources.list",
        "ENV A=1",
    ]


def test_explain_says_which_index_an_archived_suite_uses():
    import subprocess
    import sys

    process = subprocess.run([sys.executable, "-m", "migrator", "--explain", "openssl-dev", "--target", "buster"],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines()[0] == (
        "buster is archived: its names are checked against bullseye, the nearest package index unalpine ships")
    assert "bullseye" in process.stdout.splitlines()[2]


def test_temurin_stage_that_runs_apt_is_told_its_names_are_debian_s():
    quiet = run("FROM eclipse-temurin:21-jre-alpine\nCOPY app.jar /app.jar\n")
    assert quiet.text == "FROM eclipse-temurin:21-jre-noble\nCOPY app.jar /app.jar\n"
    assert "Ubuntu 24.04" not in messages(quiet)
    loud = run("FROM eclipse-temurin:21-jre-alpine\nRUN apk add --no-cache curl\n")
    assert "1 UA101 eclipse-temurin:21-jre-noble is Ubuntu 24.04 (noble)" in messages(loud)


def test_a_version_with_no_suite_tag_moves_within_its_major_version():
    # nginx tagged its Debian images with the suite only from 1.22 on
    result = run("FROM nginx:1.21-alpine\n")
    assert result.text == "FROM nginx:1.22-bullseye\n"
    (decision,) = result.seen
    assert [o.value for o in decision.options] == ["keep", "upgrade:1.22"]
    # across a major version the recommendation is to keep
    assert run("FROM node:4-alpine\n").text == "FROM node:4-alpine\n"


def test_end_of_life_upgrade_keeps_the_variant():
    # php 7.4 is the oldest line with a bullseye tag; the fpm variant stays fpm
    result = run("FROM php:5.6-fpm-alpine\n", {"UA101:end-of-life": "upgrade:7.4-fpm"})
    assert result.text == "FROM php:7.4-fpm-bullseye\n"
    (decision,) = result.seen
    assert [o.value for o in decision.options] == ["archive", "keep", "upgrade:7.4-fpm"]


def test_a_version_variable_without_default_migrates_with_a_warning():
    result = run("ARG NODE_VERSION\nFROM node:${NODE_VERSION}-alpine\nRUN apk add --no-cache git\n")
    assert result.text.splitlines()[1] == "FROM node:${NODE_VERSION}-trixie-slim"
    assert "2 UA101 the version in node:${NODE_VERSION}-alpine comes from a variable with no default" in messages(result)
    assert "no default" not in messages(run("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}-alpine\n"))


def test_alpine_tag_inside_a_variable_default_is_a_warning_not_a_crash():
    result = run("FROM redis:${TAG:-7-alpine}\nRUN apk add curl\n")
    assert result.text == "FROM redis:${TAG:-7-alpine}\nRUN apk add curl\n"
    assert "1 UA101 redis:${TAG:-7-alpine}: the Alpine tag is inside a variable's default" in messages(result)


def test_a_version_the_table_does_not_know_migrates_with_a_warning():
    result = run("FROM node:99-alpine\n")
    assert result.text == "FROM node:99-trixie-slim\n"
    assert "1 UA101 node 99 is not in unalpine's table of published tags" in messages(result)
    assert "not in unalpine's table" not in messages(run("FROM node:22.3.0-alpine\n"))


def test_the_next_current_release_is_kept_per_image_and_version_and_matches_a_fresh_answer():
    from migrator import image_choice
    from migrator.images import image_table

    table = image_table()
    image_choice._OLDEST.clear()
    asked = 0
    for spec in table.images.values():
        versions = [*spec.rows, "", "2", "2.7", "3.5-fpm", "9.9.9", "lts"]
        for version in versions:
            expected = image_choice._work_out_oldest_current(spec, version)
            assert image_choice._oldest_current(spec, version) == expected  # worked out and kept
            assert image_choice._oldest_current(spec, version) == expected  # from the memo
            asked += 1
    assert asked > 100
    assert any(image_choice._oldest_current(spec, "2.7") for spec in table.images.values())


def test_image_references_read_once_are_read_as_afresh():
    from migrator.images import ImageRef

    words = ["python:3.12-alpine", "docker.io/library/python:3.12-alpine@sha256:abc", "localhost:5000/app",
             "registry.example.com:443/team/app:1.0-alpine", "alpine", "alpine@sha256:x", "${BASE}", "a/b/c:d@e"]
    ImageRef.parse.cache_clear()
    for word in words + words:
        ref = ImageRef.parse(word)
        assert ref == ImageRef._parse(word) and ref.render() == word
    assert ImageRef.parse(words[0]) is ImageRef.parse(words[0])
    assert ImageRef.parse("python:3.12-alpine").tag == "3.12-alpine"
    assert ImageRef.parse("python:3.13-alpine").tag == "3.13-alpine"
