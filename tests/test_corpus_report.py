"""benchmarks/corpus_report.py's classifier: what counts as left on Alpine."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from corpus_report import classify  # noqa: E402


def test_a_stage_named_alpine_is_that_stage_not_the_image():
    original = "FROM alpine:3.17 AS alpine\nRUN apk add gcc\nFROM alpine AS base\nRUN apk add git\n"
    after = ("FROM debian:trixie-slim AS alpine\nRUN apt-get install gcc\n"
             "FROM alpine AS base\nRUN apt-get install git\n")
    assert classify(original, after, {"changed": True}) == ("full", [])
    # a stage that really stayed on Alpine taints the ones built on it
    kept = "FROM alpine:3.17 AS alpine\nRUN apk add gcc\nFROM alpine AS base\nRUN apk add git\n"
    assert classify(original, kept, {"changed": False}) == (
        "partial", ["FROM left on Alpine: alpine:3.17", "FROM left on Alpine: alpine"])


def test_apk_in_a_comment_is_not_apk_left():
    original = "FROM alpine:3.19\n# $> apk add py3-scikit-learn\nRUN apk add gcc\n"
    after = "FROM debian:trixie-slim\n# $> apk add py3-scikit-learn\nRUN apt-get install gcc\n"
    assert classify(original, after, {"changed": True}) == ("full", [])
    left = "FROM debian:trixie-slim\n  # a comment\nRUN apk add gcc\n"
    assert classify(original, left, {"changed": True}) == ("partial", ["apk left in a Debian stage"])
