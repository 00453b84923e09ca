"""What Debian's Contents and Sources files say about a name, per suite.

``mappings/debian/<suite>.derived.xz`` (built by
``mappings/refresh_debian_indexes.py``) holds six small indexes of Debian
main, amd64:

* ``pc``      pkg-config module → packages shipping ``<module>.pc``
* ``so``      soname (``libfoo.so.6``) → packages shipping it
* ``bin``     command in /usr/bin, /usr/sbin, /bin, /sbin → packages
* ``include`` first path component under /usr/include → packages
* ``source``  source package → its binary packages (amd64, main)
* ``transitional`` dummy packages kept for upgrades (Section oldlibs or
              "transitional" in the description)
* ``base``    what every image has: Priority required, Essential, apt, and
              what they depend on (a debootstrap minbase root)

This module is only imported, and a file only read, when the mapping table
does not settle a name (the resolver in ``migrator.debian.names``): a
Dockerfile whose every package is in the table never opens it.
"""

from __future__ import annotations

import bisect
import functools
import lzma
from pathlib import Path

__all__ = ["DerivedIndex", "derived_path"]


def derived_path(suite: str) -> Path:
    from migrator.packages import data_dir

    return data_dir() / "debian" / f"{suite}.derived.xz"


class DerivedIndex:
    """The derived indexes of one suite (see the module docstring)."""

    def __init__(self, suite: str, header: str, sections: dict[str, dict[str, tuple[str, ...]]],
                 base: frozenset[str], transitional: frozenset[str] = frozenset()):
        self.suite = suite
        self.header = header
        self.pc = sections.get("pc", {})
        self.so = sections.get("so", {})
        self.bin = sections.get("bin", {})
        self.include = sections.get("include", {})
        self.source = sections.get("source", {})
        self.base_set = base
        self.transitional = transitional
        self._binary_source: dict[str, str] | None = None
        self._so_sorted: list[str] | None = None
        self._pc_sorted: list[str] | None = None

    @classmethod
    def load(cls, suite: str) -> "DerivedIndex":
        """The derived index of ``suite``; read once per process, on first use."""
        return _load(suite)

    # ------------------------------------------------------------ queries

    def source_of(self, package: str) -> str | None:
        """The source package that builds ``package``."""
        if self._binary_source is None:
            self._binary_source = {b: src for src, bins in self.source.items() for b in bins}
        return self._binary_source.get(package)

    def binaries(self, source: str) -> tuple[str, ...]:
        return self.source.get(source, ())

    def commands_of(self, package: str) -> list[str]:
        """Commands ``package`` installs on the PATH (slow: scans the bin index)."""
        return [cmd for cmd, pkgs in self.bin.items() if package in pkgs]

    def sonames(self, prefix: str) -> list[str]:
        """Sonames starting with ``prefix`` (e.g. ``libfoo.so.``), sorted."""
        if self._so_sorted is None:
            self._so_sorted = sorted(self.so)
        return _with_prefix(self._so_sorted, prefix)

    def pc_modules(self, prefix: str) -> list[str]:
        """pkg-config modules starting with ``prefix``, sorted."""
        if self._pc_sorted is None:
            self._pc_sorted = sorted(self.pc)
        return _with_prefix(self._pc_sorted, prefix)


def _with_prefix(items: list[str], prefix: str) -> list[str]:
    i = bisect.bisect_left(items, prefix)
    out = []
    while i < len(items) and items[i].startswith(prefix):
        out.append(items[i])
        i += 1
    return out


@functools.cache
def _load(suite: str) -> DerivedIndex:
    from migrator.packages import SUITES, MappingError

    if suite not in SUITES:
        raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join(SUITES)})")
    path = derived_path(suite)
    try:
        text = lzma.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, lzma.LZMAError) as exc:
        raise MappingError(path, f"cannot read Debian derived index: {exc}") from exc
    return parse(suite, text)


def parse(suite: str, text: str) -> DerivedIndex:
    header = ""
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    base: list[str] = []
    current: dict[str, tuple[str, ...]] | None = None
    transitional: list[str] = []
    names: list[str] | None = None
    for line in text.splitlines():
        if not line:
            continue
        if line[0] == "#":
            header = header or line
        elif line[0] == "@":
            names = {"@base": base, "@transitional": transitional}.get(line)
            current = None if names is not None else sections.setdefault(line[1:], {})
        elif names is not None:
            names.append(line)
        elif current is not None:
            key, tab, values = line.partition("\t")
            # a key alone names the package of the same name
            current[key] = tuple(values.split(" ")) if tab else (key,)
    return DerivedIndex(suite, header, sections, frozenset(base), frozenset(transitional))
