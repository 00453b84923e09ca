"""Image references and the table of official python image suites."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from migrator.packages import SUITES, data_dir

# A tag of an Alpine flavour of the python image: "alpine", "3-alpine",
# "3.8-alpine", "3.8.12-alpine3.15", "${PY}-alpine${ALPINE}".
_ALPINE_TAG = re.compile(r"^(?:(?P<version>.+?)-)?alpine(?P<alpine>[0-9.]*|\$\{?\w+\}?)?$")
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


# Docker Hub's per-architecture namespaces of the official images.
ARCH_NAMESPACES = frozenset(
    {"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x", "windows-amd64"}
)


@dataclass(frozen=True)
class ImageRef:
    """`[prefix]name[:tag][@digest]` exactly as written."""

    prefix: str  # registry and namespace with the trailing slash, or ""
    name: str  # the last path component, e.g. "python"
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, raw: str) -> "ImageRef":
        rest, _, digest = raw.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        tag = None
        if colon > slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
        prefix, name = rest[: slash + 1], rest[slash + 1 :]
        return cls(prefix, name, tag, digest or None)

    def render(self) -> str:
        out = self.prefix + self.name
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest:
            out += "@" + self.digest
        return out

    def is_official(self, name: str) -> bool:
        """Docker Hub's official image `name`, with or without registry and
        `library/` namespace (also behind mirrors that keep `library/`)."""
        if self.name != name:
            return False
        prefix = self.prefix.rstrip("/")
        if prefix.split("/")[-1] in ARCH_NAMESPACES:
            # amd64/python, docker.io/arm64v8/python: the per-architecture
            # repositories of the same official image
            prefix = prefix.rpartition("/")[0]
        return prefix in ("", "library", "docker.io", "index.docker.io") or prefix.endswith("/library")


def alpine_tag(tag: str | None) -> re.Match[str] | None:
    return _ALPINE_TAG.match(tag) if tag else None


def expand(word: str, variables: dict[str, str]) -> str:
    """Expand $VAR and ${VAR} (and ${VAR:-default}) the way FROM does with
    global ARG defaults; unknown variables expand to ""."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in variables:
            return variables[name]
        default = re.match(r"\$\{\w+:?-([^}]*)\}", match.group(0))
        return default.group(1) if default else ""

    return _VARIABLE.sub(value, word)


@dataclass(frozen=True)
class PythonImages:
    suites: dict[str, tuple[str, ...]]  # minor version -> suites, oldest first
    first: dict[str, dict[str, int]]
    last: dict[str, dict[str, int]]
    default_suite: str

    def suites_for(self, version: str | None) -> tuple[str, ...] | None:
        """Suites with an image for a version as written ("3.8", "3.8.12",
        "3", "" for the `latest` tags); a patch-pinned version only has the
        suites whose images were built while that release was current.
        None when the table does not know the version."""
        minor = minor_of(version)
        if minor is None:
            return SUITES
        suites = self.suites.get(minor)
        if suites is None:
            return None
        pinned = tuple(suite for suite in suites if self.patch_warning(version, suite) is None)
        return pinned or suites

    def patch_warning(self, version: str | None, suite: str) -> str | None:
        # 3.13.0a1 and 3.13.0rc2 came before 3.13.0: count them as patch 0
        match = re.fullmatch(r"(\d+\.\d+)\.(\d+)(?:(?:a|b|rc)\d+)?", version or "")
        if not match:
            return None
        minor, patch = match.group(1), int(match.group(2))
        first = self.first.get(minor, {}).get(suite)
        last = self.last.get(minor, {}).get(suite)
        if first is not None and patch < first:
            return f"python {version} was released before images for {suite} existed (they start at {minor}.{first}); consider pinning {minor} instead"
        if last is not None and patch > last:
            return f"official images for {suite} stopped at python {minor}.{last}; {version} has no {suite} tag"
        return None


def minor_of(version: str | None) -> str | None:
    match = re.match(r"(\d+\.\d+)", version or "")
    return match.group(1) if match else None


@cache
def python_images() -> PythonImages:
    data = tomllib.loads((data_dir() / "images.toml").read_text("utf-8"))
    python = data["python"]
    return PythonImages(
        suites={minor: tuple(entry["suites"]) for minor, entry in python.items()},
        first={minor: dict(entry.get("first", {})) for minor, entry in python.items()},
        last={minor: dict(entry.get("last", {})) for minor, entry in python.items()},
        default_suite=data["default_suite"],
    )
