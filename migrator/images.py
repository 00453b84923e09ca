"""Image references and the table of official images' Debian suites (images.toml)."""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache

from migrator.data_files import data_dir
from migrator.debian.suites import index_suite
from migrator.lazy_pattern import LazyPattern
from migrator.records import Frozen

# A tag of an Alpine flavour of an official image: "alpine", "3-alpine",
# "3.8.12-alpine3.15", "${PY}-alpine${ALPINE}", "8.2-fpm-alpine3.19",
# "mainline-alpine-perl" (nginx), "17-jdk-alpine-3.21" (eclipse-temurin).
_ALPINE_TAG = LazyPattern(
    r"^(?:(?P<version>.+?)-)?alpine(?P<alpine>[0-9.]*|-[0-9.]+|\$\{?\w+\}?)?(?P<suffix>-[a-z]+)?$"
)
_VARIABLE = LazyPattern(r"\$(?:\{(\w+)(?::?[-+][^}]*)?\}|(\w+))")


# Docker Hub's per-architecture namespaces of the official images.
ARCH_NAMESPACES = frozenset(
    {"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x", "windows-amd64"}
)


class ImageRef(Frozen):
    """`[prefix]name[:tag][@digest]` exactly as written: `prefix` is the
    registry and namespace with the trailing slash, or ""; `name` the last
    path component, e.g. "python"; `tag` and `digest` None when absent."""

    __slots__ = ()

    def __new__(cls, prefix, name, tag, digest) -> ImageRef:
        return tuple.__new__(cls, (prefix, name, tag, digest))

    @classmethod
    @lru_cache(maxsize=4096)
    def parse(cls, raw: str) -> "ImageRef":
        # ~8 times per file (stages, rules, questions), for a handful of
        # distinct words in a fleet: an ImageRef is a function of `raw` alone
        # and immutable, so it is kept by it (bounded, the least recently
        # used going first).
        return cls._parse(raw)

    @classmethod
    def _parse(cls, raw: str) -> "ImageRef":
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
    return _ALPINE_TAG.match(tag) if tag and "alpine" in tag else None


def expand(word: str, variables: dict[str, str]) -> str:
    """Expand $VAR and ${VAR} (and ${VAR:-default}) the way FROM does with
    global ARG defaults; unknown variables expand to ""."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in variables:
            return variables[name]
        default = re.match(r"\$\{\w+:?-([^}]*)\}", match.group(0))
        return default.group(1) if default else ""

    return _VARIABLE.sub(value, word) if "$" in word else word


def _release(version: str) -> tuple[list[str], str] | None:
    """A numeric version's numbers and variant suffix: "8.2.1-fpm" → (["8",
    "2", "1"], "-fpm"), "3.13.0a1" → (["3", "13", "0"], ""); None for "lts"."""
    numeric = re.match(r"^(\d+(?:\.\d+)*)(.*)$", version)
    if not numeric:
        return None
    variant = re.search(r"(-[a-z]+)$", numeric.group(2))
    return numeric.group(1).split("."), variant.group(1) if variant else ""


def version_chain(version: str) -> tuple[str, ...]:
    """Where a version is looked up, most specific first: "3.8.12" → 3.8.12,
    3.8, 3, ""; "8.2-fpm" → 8.2-fpm, 8-fpm, fpm, ""; "3.13.0a1" → 3.13.0a1,
    3.13.0, 3.13, 3, ""; "lts" → lts, "". The empty version is the bare tag.
    (Kept per version: every stage asks several times, and a fleet's files
    name the same few versions.)"""
    chain = _CHAINS.get(version)
    if chain is None:
        if len(_CHAINS) > 4096:
            _CHAINS.clear()
        chain = _CHAINS[version] = tuple(_chain(version))
    return chain


_CHAINS: dict[str, tuple[str, ...]] = {}


def _chain(version: str) -> list[str]:
    chain = [version]
    release = _release(version)
    if release:
        numbers, suffix = release
        for count in range(len(numbers), 0, -1):
            chain.append(".".join(numbers[:count]) + suffix)
        if suffix:
            chain.append(suffix[1:])
    if version:
        chain.append("")
    return list(dict.fromkeys(chain))


class ImageSpec(Frozen):
    """How one official image's Alpine tags become Debian ones (images.toml).

    `debian`: the tag template ({version}, {suite}, {suffix}); `bare`: the
    template for the bare `alpine` tag; `line`: leading version components
    that name a release line; `base`: the package table's base kind; `rows`:
    version -> suites its Debian tag was published for; `codenames`:
    non-Debian codenames (eclipse-temurin's Ubuntu).
    """

    __slots__ = ()

    def __new__(cls, name, debian, bare, line, base, rows, note="", decision="", options=(), suffixes=(),
                codenames=()) -> ImageSpec:
        return tuple.__new__(cls, (name, debian, bare, line, base, rows, note, decision, options, suffixes, codenames))

    def suites(self, version: str) -> tuple[str, ...] | None:
        """Suites (oldest first) with a Debian tag for `version` as the table
        knows it (the nearest listed ancestor); None if nothing matches."""
        for key in version_chain(version):
            if key in self.rows:
                return self.rows[key]
        return None

    def knows(self, version: str) -> bool:
        """Whether the table has `version` or a line of it (not just the bare tag's row)."""
        return not version or any(key in self.rows for key in version_chain(version)[:-1])

    def line_of(self, version: str) -> str:
        """The release line of a version ("3.9" for "3.9.7"), or the version."""
        release = _release(version)
        if not release or self.line == 0:
            return version
        numbers, suffix = release
        return ".".join(numbers[: self.line]) + suffix

    def suffix(self, alpine_suffix: str) -> str | None:
        """The Debian variant suffix for an Alpine one (nginx's -perl); None
        when the image has no such variant."""
        if not alpine_suffix:
            return ""
        return dict(self.suffixes).get(alpine_suffix)

    def tag(self, version: str, suite: str, suffix: str = "") -> str:
        """The Debian tag; `version` is written as is (variables stay)."""
        template = self.debian if version else self.bare
        return template.format(version=version, suite=suite, suffix=suffix)

    def published(self, tag: str) -> bool:
        """Whether `tag` is a Debian tag this table says was published."""
        for template in (self.debian, self.bare):
            pattern = re.escape(template).replace(r"\{version\}", "(?P<version>.+?)")
            pattern = pattern.replace(r"\{suite\}", "(?P<suite>[a-z]+)").replace(r"\{suffix\}", "(?P<suffix>(?:-[a-z]+)?)")
            match = re.fullmatch(pattern, tag)
            if match is None:
                continue
            version = match.groupdict().get("version") or ""
            suffix = match.groupdict().get("suffix") or ""
            if suffix and suffix not in dict(self.suffixes).values():
                continue
            if match.group("suite") in (self.suites(version) or ()):
                return True
        return False


class ImageTable(Frozen):
    """images.toml: the ImageSpec per image name, the default suite, the
    suites only archive.debian.org still serves (`archived`; the package index
    that answers for them is migrator.debian.suites.index_suite's decision), and
    the images that have no Debian variant or no Alpine one, and Debian's own
    python3 version per suite (`debian_python`), and the official debian
    image's tags with the release each names (`debian_tags`)."""

    __slots__ = ()

    def __new__(cls, images, default_suite, archived, alpine_only, never_alpine, debian_python,
                debian_tags) -> ImageTable:
        return tuple.__new__(cls, (images, default_suite, archived, alpine_only, never_alpine, debian_python,
                                   debian_tags))

    def official(self, ref: ImageRef) -> ImageSpec | None:
        for name in self.images:
            if ref.is_official(name):
                return self.images[name]
        return None

    def index_suite(self, suite: str) -> str:
        """The suite whose package names are used for `suite` (decided by
        migrator.debian.suites.index_suite, for every index)."""
        return index_suite(suite)


def python_minors(suite: str) -> list[str]:
    """The python minor versions ("3.12") with an official image for `suite`."""
    rows = image_table().images["python"].rows
    return [version for version, suites in rows.items() if re.fullmatch(r"\d+\.\d+", version) and suite in suites]


@cache
def image_table() -> ImageTable:
    # Read back from the user's cache (migrator/datacache.py) until
    # images.toml or this module changes: no TOML parser at start-up.
    from migrator.datacache import cached

    return cached("images", [os.path.join(data_dir(), "images.toml"), __file__], _read_image_table,
                  _plain_image_table, _image_table_from_plain)


def _plain_image_table(table: ImageTable) -> tuple:
    from migrator.datacache import plain_values

    return (plain_values(table.images, tuple), *table[1:])


def _image_table_from_plain(plain: tuple) -> ImageTable:
    # Each image's spec is made when it is first asked for: a file names one
    # or two of the table's images, and python's alone has ~190 rows.
    from migrator.datacache import LazyValues

    images, *rest = plain
    return ImageTable(LazyValues(images, lambda name, spec: ImageSpec(*spec)), *rest)


def _read_image_table() -> ImageTable:
    import tomllib

    with open(os.path.join(data_dir(), "images.toml"), "rb") as handle:
        data = tomllib.load(handle)
    rows = data.get("suites", {})
    images = {
        name: ImageSpec(
            name=name,
            debian=spec["debian"],
            bare=spec["bare"],
            line=spec["line"],
            base=spec["base"],
            rows={version: tuple(suites) for version, suites in rows.get(name, {}).items()},
            note=spec.get("note", ""),
            decision=spec.get("decision", ""),
            options=tuple(spec.get("options", ())),
            suffixes=tuple(spec.get("suffixes", {}).items()),
            codenames=tuple(spec.get("codenames", ())),
        )
        for name, spec in data["images"].items()
    }
    return ImageTable(
        images=images,
        default_suite=data["default_suite"],
        archived=tuple(data["archived"]),
        alpine_only=frozenset(data.get("alpine_only", ())),
        never_alpine=frozenset(data.get("never_alpine", ())),
        debian_python=dict(data["debian_python"]),
        debian_tags=dict(data["debian_tags"]),
    )
