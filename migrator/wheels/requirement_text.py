"""Requirement strings and files as pip reads them, apart from where the
Dockerfile names them: a project's canonical name, a PEP 508 requirement
(with `packaging`, imported only when a string is read for the first time:
the memo keeps the readings), a constraint, a requirement file's entries,
--no-binary's names, and the pins of a lock file (poetry.lock, uv.lock,
Pipfile.lock)."""

from __future__ import annotations

import re
from functools import lru_cache

from migrator.datacache import MISSING
from migrator.lazy_pattern import LazyPattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.datacache import Memo


def canonical_name(name: str) -> str:
    """A project name normalised as PEP 503 says (packaging's
    canonicalize_name, without importing packaging)."""
    return _SEPARATORS.sub("-", name).lower()


_SEPARATORS = LazyPattern(r"[-_.]+")


# compiled on first use (~0.5 ms): a warm run reads its requirements from the memo
_VCS_OR_URL = LazyPattern(r"^(?:git|hg|svn|bzr)\+|^[a-z]+://|\s@\s|^[^\s@]+@\s*[a-z]+[+:]", re.I)


def remembered(memo: Memo | None, kind: str, read, text: str):
    """read(text), from the memo when an earlier run read the same text."""
    if memo is None:
        return read(text)
    key = (kind, text)
    value = memo.get(kind, key)
    if value is MISSING:
        value = read(text)
        memo.put(kind, key, value)
    return value


def read_requirement(text: str) -> tuple[str, str, str, tuple[str, ...]] | str:
    """(canonical name, specifier, marker, extras) of a requirement from
    the index, or why it cannot be judged."""
    if _VCS_OR_URL.search(text) or text.endswith((".whl", ".tar.gz", ".zip")):
        return "a URL or VCS requirement: the index cannot say what it builds"
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[str, str, str, tuple[str, ...]] | str:
    """(canonical name, specifier, marker, extras) of a PEP 508 requirement,
    or why it cannot be judged. Once per process: a fleet's files repeat
    the same requirements."""
    from packaging.requirements import InvalidRequirement, Requirement as Parsed
    from packaging.utils import canonicalize_name

    try:
        parsed = Parsed(text)
    except InvalidRequirement as error:
        return f"not a requirement ({error})"
    if parsed.url:
        return "a URL requirement: the index cannot say what it builds"
    return (canonicalize_name(parsed.name), str(parsed.specifier), str(parsed.marker or ""),
            tuple(sorted(canonicalize_name(e) for e in parsed.extras)))


@lru_cache(maxsize=4096)
def parse_constraint(text: str) -> tuple[str, str] | None:
    """(canonical name, specifier) of a constraint-file line; None when it does not parse."""
    from packaging.requirements import InvalidRequirement, Requirement as Parsed
    from packaging.utils import canonicalize_name

    try:
        parsed = Parsed(text)
    except InvalidRequirement:
        return None
    return canonicalize_name(parsed.name), str(parsed.specifier)


def no_binary_names(value: str) -> set[str]:
    return {name if name == ":all:" else canonical_name(name) for name in value.split(",") if name and name != ":none:"}


_COMMENT = LazyPattern(r"(^|\s)#.*$")
_HASH = LazyPattern(r"\s--hash[=\s]\S+")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """A requirement file's entries: continuations joined, comments and
    --hash options cut off (pip's own reading of the format)."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        entry = pending + raw
        # the patterns only where they can match: most lines hold neither
        if "#" in entry:
            entry = _COMMENT.sub("", entry)
        if "--hash" in entry:
            entry = _HASH.sub("", entry)
        entry = entry.strip()
        pending = ""
        if entry:
            out.append((start, entry))
    return out


def lock_entries(name: str, text: str) -> list[tuple[str, str, str]]:
    """(name, version, marker) of each package a lock file installs."""
    if name == "Pipfile.lock":
        import json  # lock files are rare: json and tomllib only for them

        data = json.loads(text)
        return [
            (project, entry["version"].lstrip("="), entry.get("markers", ""))
            for project, entry in data.get("default", {}).items() if "version" in entry
        ]
    import tomllib

    data = tomllib.loads(text)
    out = []
    for package in data.get("package", []):
        if name == "poetry.lock" and package.get("category", "main") != "main" and "groups" not in package:
            continue  # dev dependencies (old poetry.lock); poetry install --only main skips them too
        if name == "uv.lock" and ("editable" in package.get("source", {}) or "virtual" in package.get("source", {})):
            continue  # the project itself
        out.append((package["name"], package["version"], ""))
    return out
