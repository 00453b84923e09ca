"""Every package name (and Provides name) of Debian main/amd64 per suite
(mappings/debian/<suite>.txt.xz), read only when a lookup needs it (py3-*
names, unknown names)."""

from __future__ import annotations

import bisect
import functools
import os

from migrator.data_files import data_dir
from migrator.debian.suites import SUITES, index_suite
from migrator.errors import MappingError

TYPE_CHECKING = False  # typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Iterable


class DebianIndex:
    """Package names (and Provides names) of Debian main/amd64 for one suite.

    Held as one string, the sorted names each ended by a newline, and the
    offset where each starts (uint32s): read back from the user's cache in
    ~0.5 ms where a list of 134,000 strings took ~9 ms, and a file asks
    about a few names. Membership and prefixes by bisection over the offsets."""

    def __init__(self, suite: str, names: Iterable[str], header: str = ""):
        self.suite = suite
        self.header = header
        self._text, self._starts = _packed(sorted(set(names)))

    @classmethod
    def load(cls, suite: str) -> "DebianIndex":
        """The index of ``suite`` (an archived suite's: the nearest shipped,
        see index_suite); read once per process, on first use."""
        return _load_index(index_suite(suite))

    @staticmethod
    def path(suite: str) -> str:
        return os.path.join(data_dir(), "debian", f"{suite}.txt.xz")

    def _name(self, i: int) -> str:
        end = self._starts[i + 1] if i + 1 < len(self._starts) else len(self._text)
        return self._text[self._starts[i] : end - 1]

    def _first_not_below(self, name: str) -> int:
        return bisect.bisect_left(range(len(self._starts)), name, key=self._name)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or "\n" in name:
            return False
        i = self._first_not_below(name)
        return i < len(self._starts) and self._name(i) == name

    def __len__(self) -> int:
        return len(self._starts)

    def __iter__(self):
        return iter(self._text.split("\n")[:-1])

    def with_prefix(self, prefix: str) -> list[str]:
        """Every name starting with ``prefix``, sorted."""
        i = self._first_not_below(prefix)
        out = []
        while i < len(self._starts) and self._name(i).startswith(prefix):
            out.append(self._name(i))
            i += 1
        return out


def _packed(names: list[str]) -> tuple[str, memoryview]:
    """The sorted `names` as DebianIndex holds them: (text, start offsets)."""
    from array import array

    starts, at = array("I"), 0
    for name in names:
        starts.append(at)
        at += len(name) + 1
    return "".join(f"{name}\n" for name in names), memoryview(starts.tobytes()).cast("I")


def _read_index(path: str) -> tuple[str, list[str]]:
    import lzma

    try:
        with open(path, "rb") as handle:
            text = lzma.decompress(handle.read()).decode("utf-8")
    except (OSError, lzma.LZMAError) as exc:
        raise MappingError(path, f"cannot read Debian index: {exc}") from exc
    lines = text.splitlines()
    header = lines[0] if lines and lines[0].startswith("#") else ""
    return header, [ln for ln in lines if ln and not ln.startswith("#")]


@functools.cache
def _load_index(suite: str) -> DebianIndex:
    if suite not in SUITES:
        raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join(SUITES)})")
    from migrator.datacache import cached

    path = DebianIndex.path(suite)
    # decompressing and splitting takes ~4x longer than reading the list back
    # from the user's cache (migrator/datacache.py)
    header, text, starts = cached(f"debian-names-{suite}", [str(path), __file__], lambda: _read_packed_index(path))
    idx = DebianIndex.__new__(DebianIndex)
    idx.suite, idx.header = suite, header
    idx._text, idx._starts = text, memoryview(starts).cast("I")
    return idx


def _read_packed_index(path: str) -> tuple[str, str, bytes]:
    header, names = _read_index(path)
    # The file is written sorted and unique; trust it and skip the re-sort.
    text, starts = _packed(names)
    return header, text, starts.tobytes()
