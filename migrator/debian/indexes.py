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
import lzma
import marshal
import os
from collections import Counter
from collections.abc import Iterator, Mapping

__all__ = ["DerivedIndex", "derived_path"]


def derived_path(suite: str) -> str:
    from migrator.data_files import data_dir

    return os.path.join(data_dir(), "debian", f"{suite}.derived.xz")


class Section(Mapping[str, tuple[str, ...]]):
    """One index of a derived file: key → packages. Built from the section's
    text on first use; values are split on access."""

    def __init__(self, text: str, stored: bytes | None = None):
        self._text = text
        self._stored = stored  # the built map in marshal's format (the user's cache)
        self._map: dict[str, str] | None = None

    def _data(self) -> dict[str, str]:
        if self._map is None:
            if self._stored is not None:
                self._map, self._stored = marshal.loads(self._stored), None
            else:
                # "key<TAB>pkg pkg"; a key alone names the package of the same name
                self._map = dict(line.split("\t", 1) if "\t" in line else (line, line)
                                 for line in self._text.split("\n") if line)
            self._text = ""
        return self._map

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return tuple(self._data()[key].split(" "))

    def __contains__(self, key: object) -> bool:
        return key in self._data()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def raw_items(self) -> Iterator[tuple[str, str]]:
        """(key, "pkg pkg") pairs, without splitting."""
        return iter(self._data().items())


class DerivedIndex:
    """The derived indexes of one suite (see the module docstring)."""

    def __init__(self, suite: str, header: str, sections: dict[str, str]):
        self.suite = suite
        self.header = header
        self.pc = Section(sections.get("pc", ""))
        self.so = Section(sections.get("so", ""))
        self.bin = Section(sections.get("bin", ""))
        self.include = Section(sections.get("include", ""))
        self.source = Section(sections.get("source", ""))
        self.base_set = frozenset(sections.get("base", "").split())
        self.transitional = frozenset(sections.get("transitional", "").split())
        self._binary_source: dict[str, str] | None = None
        self._norm_text: str | None = None
        self._norm_names: list[str] = []
        self._command_counts: Counter[str] | None = None
        self._so_lower: tuple[list[str], dict[str, list[str]]] | None = None
        self._pc_sorted: list[str] | None = None
        # Parts built by an earlier run, in marshal's format, read back on
        # first use (see _rebuilt): a file with one unknown name needs a few.
        self._stored: dict[str, bytes] = {}

    def _part(self, name: str) -> object | None:
        data = self._stored.pop(name, None)
        return None if data is None else marshal.loads(data)

    @classmethod
    def load(cls, suite: str) -> "DerivedIndex":
        """The derived index of ``suite`` (an archived suite's: the nearest
        shipped, see migrator.debian.suites.index_suite); read once per process,
        on first use."""
        from migrator.debian.suites import index_suite

        return _load(index_suite(suite))

    # ------------------------------------------------------------ queries

    def source_of(self, package: str) -> str | None:
        """The source package that builds ``package``."""
        if self._binary_source is None:
            self._binary_source = self._part("binary_source") or {
                b: src for src, bins in self.source.raw_items() for b in bins.split(" ")}
        return self._binary_source.get(package)

    def sources_by_norm(self, key: str) -> list[str]:
        """Sources whose name, lower-cased without - _ . + (and, when ``key``
        has no version, without their trailing digits), is ``key``: finds
        tidy-html5 for "tidyhtml", softhsm2 for "softhsm"."""
        if self._norm_text is None:
            stored = self._part("norm")
            if stored is not None:
                self._norm_names, self._norm_text = stored
            else:
                self._norm_names = list(self.source)
                # one translate over all names at C speed, each line after a
                # newline; searched with str.find instead of building a
                # 35,000-entry dict (or running a regex over the whole text)
                self._norm_text = "\n" + normalise("\n".join(self._norm_names))
        text, needle = self._norm_text, "\n" + key
        versioned = key[-1:].isdigit()  # "softhsm2": no more digits after it
        found = []
        start = text.find(needle)
        while start != -1:
            end = text.find("\n", start + 1)
            rest = text[start + len(needle) : end if end != -1 else len(text)]
            if not rest or (not versioned and rest.isascii() and rest.isdigit()):
                found.append(self._norm_names[text.count("\n", 0, start)])
            start = text.find(needle, start + 1)
        return found

    def command_count(self, package: str) -> int:
        """How many commands ``package`` puts on the PATH."""
        if self._command_counts is None:
            stored = self._part("command_counts")
            self._command_counts = Counter(stored) if stored is not None else Counter(
                " ".join(pkgs for _, pkgs in self.bin.raw_items()).split(" "))
        return self._command_counts.get(package, 0)

    def binaries(self, source: str) -> tuple[str, ...]:
        return self.source.get(source, ())

    def sonames(self, prefix: str) -> list[str]:
        """Sonames that, lower-cased, start with ``prefix`` (e.g.
        ``libfoo.so.``), sorted by their lower-case form."""
        if self._so_lower is None:
            stored = self._part("so_lower")
            if stored is not None:
                keys, lower = stored
                self._so_lower = list(keys), lower
            else:
                lower: dict[str, list[str]] = {}
                for so in self.so:
                    lower.setdefault(so.lower(), []).append(so)
                self._so_lower = sorted(lower), lower
        keys, lower = self._so_lower
        return [so for key in _with_prefix(keys, prefix) for so in lower[key]]

    def warm(self) -> None:
        """Build every lazily built part now: a batch does it once before
        forking its workers, which then share it instead of each building it."""
        for section in (self.pc, self.so, self.bin, self.include, self.source):
            section._data()
        self.source_of("")
        self.sources_by_norm("-")
        self.command_count("")
        self.sonames("-")
        self.pc_modules("-")

    def pc_modules(self, prefix: str) -> list[str]:
        """pkg-config modules starting with ``prefix``, sorted."""
        if self._pc_sorted is None:
            self._pc_sorted = self._part("pc_sorted") or sorted(self.pc)
        return _with_prefix(self._pc_sorted, prefix)


_PUNCTUATION = str.maketrans("", "", "-_.+")


def normalise(name: str) -> str:
    return name.lower().translate(_PUNCTUATION)


def _with_prefix(items: list[str], prefix: str) -> list[str]:
    i = bisect.bisect_left(items, prefix)
    out = []
    while i < len(items) and items[i].startswith(prefix):
        out.append(items[i])
        i += 1
    return out


def loaded() -> list[DerivedIndex]:
    """The derived indexes this process has read so far."""
    return list(_LOADED.values())


_LOADED: dict[str, DerivedIndex] = {}


def _load(suite: str) -> DerivedIndex:
    index = _LOADED.get(suite)
    if index is None:
        index = _LOADED[suite] = _read(suite)
    return index


def _read(suite: str) -> DerivedIndex:
    from migrator.debian.suites import SUITES
    from migrator.errors import MappingError

    if suite not in SUITES:
        raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join(SUITES)})")
    from migrator.datacache import cached

    path = derived_path(suite)

    def read() -> str:
        try:
            with open(path, "rb") as handle:
                return lzma.decompress(handle.read()).decode("utf-8")
        except (OSError, lzma.LZMAError) as exc:
            raise MappingError(path, f"cannot read Debian derived index: {exc}") from exc

    # The user's cache (migrator/datacache.py) keeps the index with every
    # part built (marshal: ~30 ms to load a suite): reading the text and
    # building the parts a lookup of an unknown name needs took ~140 ms, in
    # every process (each batch worker too) and every run.
    return cached(f"debian-derived-{suite}", [path, __file__], lambda: parse(suite, read()),
                  to_plain=_built, from_plain=lambda plain: _rebuilt(suite, plain))


def _built(index: DerivedIndex) -> dict:
    """Every part of `index`, built, as plain data: each part in marshal's
    format of its own, so that loading the index reads none of them
    (~30 ms for all) and a lookup reads only the parts it needs."""
    index.warm()
    parts = {
        "binary_source": index._binary_source,
        "norm": (index._norm_names, index._norm_text),
        "command_counts": dict(index._command_counts or {}),
        "so_lower": index._so_lower,
        "pc_sorted": index._pc_sorted,
    }
    return {
        "header": index.header,
        "sections": {name: marshal.dumps(getattr(index, name)._data()) for name in _SECTIONS},
        "base": index.base_set,
        "transitional": index.transitional,
        "parts": {name: marshal.dumps(value) for name, value in parts.items()},
    }


def _rebuilt(suite: str, plain: dict) -> DerivedIndex:
    index = DerivedIndex(suite, plain["header"], {})
    for name, stored in plain["sections"].items():
        setattr(index, name, Section("", stored))
    index.base_set = plain["base"]
    index.transitional = plain["transitional"]
    index._stored = dict(plain["parts"])
    return index


_SECTIONS = ("pc", "so", "bin", "include", "source")


def parse(suite: str, text: str) -> DerivedIndex:
    """A DerivedIndex from the text of a derived file."""
    header = text.split("\n", 1)[0] if text.startswith("#") else ""
    sections = {}
    for block in text.split("\n@")[1:]:
        title, _, body = block.partition("\n")
        sections[title] = body
    return DerivedIndex(suite, header, sections)
