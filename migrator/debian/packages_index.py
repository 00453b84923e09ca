"""Debian's full Packages indexes: download on demand, cache, parse.

The name lists shipped in mappings/debian/ answer "does this name exist" with
no network. Resolving dependencies needs the whole index (Depends, Provides,
Installed-Size, ...): about 9 MB of xz per suite, so it is downloaded when
first needed and kept in the XDG cache folder ($XDG_CACHE_HOME/unalpine, or
~/.cache/unalpine). The index of a suite is what apt sees in the image: the
suite itself, <suite>-updates and <suite>-security, main component, amd64.
"""

from __future__ import annotations

import lzma
import os
import pickle
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import cached_property
from pathlib import Path

from migrator.datacache import cache_dir as user_cache_dir
from migrator.debian.versions import Version

ARCHIVE = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
ARCH = "amd64"
# A cached index younger than this is used without asking the archive; older
# ones are revalidated (If-Modified-Since), and used as they are when offline.
MAX_AGE = 24 * 3600
TIMEOUT = 30
# Bump when Package's fields change, so old pickles are not read back.
_PICKLE_FORMAT = 1

_FIELDS = {
    "Package", "Version", "Architecture", "Depends", "Pre-Depends", "Provides",
    "Conflicts", "Breaks", "Installed-Size", "Priority", "Essential", "Multi-Arch", "Status",
}


_RELATION_FIELDS = {"Depends", "Pre-Depends", "Provides", "Conflicts", "Breaks"}


class IndexUnavailable(Exception):
    """The archive could not be reached and nothing is cached."""


def cache_dir() -> Path:
    return Path(user_cache_dir())


def sources(suite: str) -> list[tuple[str, str]]:
    """(archive URL, dist) pairs apt reads for `suite` in the official images.
    UNALPINE_DEBIAN_MIRROR and UNALPINE_DEBIAN_SECURITY_MIRROR point them at
    a mirror (the same layout as deb.debian.org/debian and /debian-security)."""
    archive = os.environ.get("UNALPINE_DEBIAN_MIRROR") or ARCHIVE
    security = os.environ.get("UNALPINE_DEBIAN_SECURITY_MIRROR") or SECURITY
    return [(archive, suite), (archive, f"{suite}-updates"), (security, f"{suite}-security")]


# A dependency alternative: (name, relation or "", version or "").
Alternative = tuple[str, str, str]
# `a | b (>= 1)`: one or-group
Group = tuple[Alternative, ...]


def parse_relations(text: str) -> tuple[Group, ...]:
    """`a (>= 1), b | c:any` → ((("a", ">=", "1"),), (("b", "", ""), ("c", "", "")))."""
    groups = []
    for group in text.split(","):
        alternatives = []
        for alternative in group.split("|"):
            alternative = alternative.strip()
            if not alternative:
                continue
            name, _, constraint = alternative.partition("(")
            name = name.strip().partition(":")[0]  # python3:any is python3 on one architecture
            relation = version = ""
            if constraint:
                constraint = constraint.rstrip(") ").strip()
                relation = constraint[:2] if constraint[:2] in ("<<", "<=", ">=", ">>") else constraint[:1]
                version = constraint[len(relation):].strip()
            alternatives.append((name, relation, version))
        if alternatives:
            groups.append(tuple(alternatives))
    return tuple(groups)


@dataclass(eq=False)
class Package:
    name: str
    version: str
    arch: str
    installed_size: int  # KiB, as the index says
    priority: str = ""
    essential: bool = False
    multi_arch: str = ""
    raw: dict[str, str] = field(default_factory=dict, repr=False)  # relation fields, parsed on use

    @cached_property
    def parsed_version(self) -> Version:
        return Version(self.version)

    def relations(self, name: str) -> tuple[Group, ...]:
        text = self.raw.get(name)
        return parse_relations(text) if text else ()

    @cached_property
    def depends(self) -> tuple[Group, ...]:
        """Pre-Depends first, then Depends: both must hold after the install."""
        return self.relations("Pre-Depends") + self.relations("Depends")

    @cached_property
    def provides(self) -> tuple[Alternative, ...]:
        return tuple(group[0] for group in self.relations("Provides"))

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


def parse_packages(text: str) -> list[Package]:
    """The stanzas of a Packages file (only the fields resolving needs)."""
    packages = []
    for stanza in text.split("\n\n"):
        values: dict[str, str] = {}
        key = ""
        for line in stanza.split("\n"):
            if not line:
                continue
            if line[0] in " \t":
                if key in values:
                    values[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            if key in _FIELDS:
                values[key] = value.strip()
            else:
                key = ""
        if "Package" not in values or "Version" not in values:
            continue
        packages.append(Package(
            name=values.pop("Package"),
            version=values.pop("Version"),
            arch=values.pop("Architecture", ""),
            installed_size=int(values.pop("Installed-Size", "0") or 0),
            priority=values.pop("Priority", ""),
            essential=values.pop("Essential", "") == "yes",
            multi_arch=values.pop("Multi-Arch", ""),
            raw=values,
        ))
    return packages


class PackageIndex:
    """Every version of every package of one or more Packages files, and who
    provides which virtual name."""

    def __init__(self, packages: list[Package], label: str = ""):
        self.label = label
        self.versions: dict[str, list[Package]] = {}
        for package in packages:
            self.versions.setdefault(package.name, []).append(package)
        for versions in self.versions.values():
            versions.sort(key=lambda p: p.parsed_version, reverse=True)
        self._providers: dict[str, list[tuple[Package, str]]] | None = None
        self._order = packages
        self._first_seen: dict[str, int] | None = None

    @property
    def first_seen(self) -> dict[str, int]:
        """Each name's rank in the order the indexes first mention it (as a
        package or in a relation): the order apt numbers packages in its
        cache, which breaks ties between providers of a virtual name."""
        if self._first_seen is None:
            seen: dict[str, int] = {}
            for package in self._order:
                seen.setdefault(package.name, len(seen))
                for field_name, text in package.raw.items():
                    if field_name in _RELATION_FIELDS:
                        for group in parse_relations(text):
                            for name, _, _ in group:
                                seen.setdefault(name, len(seen))
            self._first_seen = seen
        return self._first_seen

    @property
    def providers(self) -> dict[str, list[tuple[Package, str]]]:
        """virtual name → [(candidate package providing it, provided version or "")]."""
        if self._providers is None:
            self._providers = {}
            for name, versions in self.versions.items():
                candidate = versions[0]
                for provided, _, version in candidate.provides:
                    self._providers.setdefault(provided, []).append((candidate, version))
        return self._providers

    def candidate(self, name: str) -> Package | None:
        """The version apt would install: the highest (all sources have the
        same priority in the images)."""
        versions = self.versions.get(name)
        return versions[0] if versions else None

    def __contains__(self, name: str) -> bool:
        return name in self.versions

    def __len__(self) -> int:
        return len(self.versions)


@dataclass
class FetchStats:
    """What the downloads of one run cost (for reports and the CI note)."""

    hits: int = 0
    downloads: int = 0
    revalidated: int = 0
    bytes: int = 0
    stale: list[str] = field(default_factory=list)


STATS = FetchStats()


def _fetch(url: str, dest: Path, max_age: float) -> Path:
    """`dest`, downloaded from `url` unless a fresh enough copy exists."""
    if dest.exists() and time.time() - dest.stat().st_mtime < max_age:
        STATS.hits += 1
        return dest
    request = urllib.request.Request(url, headers={"User-Agent": "unalpine"})
    if dest.exists():
        request.add_header("If-Modified-Since", formatdate(dest.stat().st_mtime, usegmt=True))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read()
    except urllib.error.HTTPError as error:
        if error.code == 304:
            STATS.revalidated += 1
            os.utime(dest)
            return dest
        if dest.exists():
            STATS.stale.append(url)
            return dest
        raise IndexUnavailable(f"cannot download {url}: HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        if dest.exists():  # offline: an old index is far better than none
            STATS.stale.append(url)
            return dest
        reason = getattr(error, "reason", error)
        raise IndexUnavailable(
            f"cannot download {url} ({reason}); checking installs needs Debian's package index "
            f"once per suite (about 10 MB), then works offline from {dest.parent}"
        ) from None
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(dest.name + f".{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, dest)
    STATS.downloads += 1
    STATS.bytes += len(data)
    return dest


def _load_file(path: Path, keep_pickle: bool = True) -> list[Package]:
    """Parsed packages of a Packages(.xz) file, through a pickle kept next to
    it (parsing 60,000 stanzas takes seconds; the pickle a fraction)."""
    if not keep_pickle:
        data = path.read_bytes()
        return parse_packages((lzma.decompress(data) if path.suffix == ".xz" else data).decode("utf-8", "replace"))
    pickled = path.with_name(path.name + ".pickle")
    stamp = (_PICKLE_FORMAT, path.stat().st_size, path.stat().st_mtime_ns)
    try:
        with open(pickled, "rb") as handle:
            saved_stamp, packages = pickle.load(handle)
        if saved_stamp == stamp:
            return packages
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    data = path.read_bytes()
    if path.suffix == ".xz":
        data = lzma.decompress(data)
    packages = parse_packages(data.decode("utf-8", "replace"))
    try:
        temp = pickled.with_name(pickled.name + f".{os.getpid()}.tmp")
        with open(temp, "wb") as handle:
            pickle.dump((stamp, packages), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, pickled)
    except OSError:
        pass  # a read-only cache still works, only slower
    return packages


_LOADED: dict[str, PackageIndex] = {}


def load_suite(suite: str, max_age: float = MAX_AGE) -> PackageIndex:
    """The full index of `suite` (suite, -updates, -security), downloaded
    into the cache when missing or old. Raises IndexUnavailable."""
    if suite in _LOADED:
        return _LOADED[suite]
    packages: list[Package] = []
    for archive, dist in sources(suite):
        url = f"{archive}/dists/{dist}/main/binary-{ARCH}/Packages.xz"
        dest = cache_dir() / "packages" / f"{dist}_main_{ARCH}_Packages.xz"
        packages.extend(_load_file(_fetch(url, dest, max_age)))
    index = PackageIndex(packages, suite)
    _LOADED[suite] = index
    return index


def load_files(paths: list[Path], label: str = "") -> PackageIndex:
    """An index from Packages files on disk (e.g. a root's /var/lib/apt/lists,
    left as apt wrote it: no pickle beside them)."""
    packages: list[Package] = []
    for path in paths:
        packages.extend(_load_file(Path(path), keep_pickle=False))
    return PackageIndex(packages, label)
