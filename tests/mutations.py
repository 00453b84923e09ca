"""Mutation fuzzing: real-looking Dockerfiles broken a little, at random.

`mutate` takes a Dockerfile and applies a few random token changes: delete
a word, insert a shell or Dockerfile token (a line continuation, a comment,
`&&`, apk's options, a heredoc, ...), duplicate a word or a line. Most
results are still valid Dockerfiles in layouts nobody wrote by hand; some
are broken on purpose, and the tool must then say so as an input error.

`check` runs the engine (with `--yes` semantics: every question takes its
recommended answer) on one text and returns what went wrong, if anything:
a traceback, an internal error, an input error for input that parses, a
result that our parser or buildkit's rejects, a RUN whose shell no longer
parses, or a second run that still changes something.

Used by tests/test_fuzz.py (seeded, a few hundred mutations) and by hand
with many more (see that file).
"""

from __future__ import annotations

import random
import re
import traceback
from dataclasses import dataclass

from migrator.document import parse
from migrator.engine import Settings, migrate
from migrator.errors import InputError
from migrator.packages import PackageTable
from migrator.shell import script_of
from rulekit import Recorded

# Tokens a mutation inserts: shell syntax, Dockerfile layout, apk's options
# and their values, package names (also ones Debian has built in), variables.
TOKENS = [
    "&&", "||", ";", "|", "&& \\\n   ", "\\\n", "\\\n    ", " \\\n    # a comment line\n   ",
    "# a trailing comment", "\n# a comment line\n", "\n", "\n\n",
    "apk", "add", "del", "update", "upgrade", "cache clean", "apk add", "apk del", "apk update &&",
    "apk --no-cache add", "/sbin/apk add", "apk add --no-cache", "apk del --purge",
    "-t", "--virtual", "--virtual=.deps", ".build-deps", "-X", "--repository",
    "--repository=https://dl-cdn.alpinelinux.org/alpine/edge/community",
    "https://dl-cdn.alpinelinux.org/alpine/edge/main", "--no-cache", "--update", "-U", "--upgrade",
    "--purge", "-q", "--print-arch",
    "gcc", "bash", "musl-dev", "python3-dev", "libffi-dev", "openssl-dev", "postgresql-dev", "libc6-compat",
    "ca-certificates", "curl", "su-exec", "tini", "py3-pip", "jpeg-dev", "pkg=1.2-r0", "foo>=2",
    "$BUILD_DEPS", "\"$PKGS\"", "${DEPS}", "./local.apk",
    "rm -rf /var/cache/apk/*", "rm -rf /var/lib/apt/lists/*", "pip install x", "adduser -D app",
    "<<EOF\napk add --no-cache gcc\nEOF\n", "<<-EOF", "EOF",
    "if true; then", "fi", "for p in a b; do", "done", "(", ")", "{", "}", "\"", "'", "`", "$(", "=",
    "RUN", "RUN apk add --no-cache gcc", "ENV BUILD_DEPS=\"gcc musl-dev\"", "ARG PKGS=\"gcc libffi-dev\"",
    "BUILD_DEPS='gcc musl-dev' &&", "FROM alpine:3.19", "FROM python:3.12-alpine AS build",
    "FROM python:3-alpine", "FROM python:2.7-alpine3.11", "FROM node:20-alpine AS web", "FROM nginx:alpine",
    "FROM build", "AS", "--platform=$BUILDPLATFORM",
    "--mount=type=cache,target=/var/cache/apk", "CMD [\"sh\"]",
]

_TOKEN = re.compile(r"\s+|\S+")


def mutate(text: str, rng: random.Random, count: int | None = None) -> str:
    pieces = _TOKEN.findall(text)
    for _ in range(count or rng.randint(1, 3)):
        words = [i for i, piece in enumerate(pieces) if not piece.isspace()] or [0]
        if not pieces:
            pieces = [""]
        kind = rng.choice(("delete", "insert", "insert", "insert", "duplicate", "line"))
        at = rng.choice(words)
        if kind == "delete":
            pieces[at] = ""
        elif kind == "insert":
            where = rng.randrange(len(pieces) + 1)
            token = rng.choice(TOKENS)
            pieces.insert(where, rng.choice((" ", "")) + token + rng.choice((" ", " ", "")))
        elif kind == "duplicate":
            pieces.insert(at, pieces[at] + " ")
        else:
            lines = "".join(pieces).split("\n")
            index = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[index]
            else:
                lines.insert(index, lines[index])
            pieces = _TOKEN.findall("\n".join(lines))
    return "".join(pieces)


@dataclass
class Outcome:
    kind: str  # "migrated", "unchanged", "input-error", or "FAIL: ..." for a bug
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.kind.startswith("FAIL")


_TABLE: PackageTable | None = None


def _settings() -> Settings:
    global _TABLE
    if _TABLE is None:
        _TABLE = PackageTable.load()
    return Settings(table=_TABLE)


def _buildkit_parses(text: str) -> bool:
    import dockerfile

    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


def _broken_runs(text: str) -> int:
    """RUNs whose shell does not parse."""
    broken = 0
    for instruction in parse(text).instructions:
        script = script_of(instruction, text)
        if script is not None and script.has_errors:
            broken += 1
    return broken


def check(text: str) -> Outcome:
    try:
        result = migrate(text, "Dockerfile", _settings(), Recorded())
    except InputError as error:
        message = str(error)
        if "internal error" in message or "bug" in message:
            return Outcome("FAIL: internal error", message)
        try:
            parse(text)
        except InputError:
            return Outcome("input-error", message)
        # Errors the stage analysis raises about a parseable file (a FROM
        # without an image, python versions that share no suite).
        if "FROM needs an image" in message or "share no Debian suite" in message or "no official python" in message:
            return Outcome("input-error", message)
        return Outcome("FAIL: input error for a file that parses", message)
    except Exception:  # noqa: BLE001 - any traceback is the bug this looks for
        return Outcome("FAIL: traceback", traceback.format_exc())
    if not result.changed:
        return Outcome("unchanged")
    new = result.text
    try:
        parse(new)
    except InputError as error:
        return Outcome("FAIL: result does not parse", str(error))
    if _buildkit_parses(text) and not _buildkit_parses(new):
        return Outcome("FAIL: buildkit rejects the result", new)
    if _broken_runs(new) > _broken_runs(text):
        return Outcome("FAIL: a RUN's shell no longer parses", new)
    try:
        again = migrate(new, "Dockerfile", _settings(), Recorded())
    except Exception:  # noqa: BLE001
        return Outcome("FAIL: second run fails", traceback.format_exc())
    if again.text != new:
        return Outcome("FAIL: not idempotent", new)
    return Outcome("migrated")
