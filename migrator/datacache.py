"""A compiled cache of the data parsed at every start (the mapping table).

Parsing and validating mappings/packages.toml takes longer than everything
else one small file needs, and the result is the same until the file or the
code that reads it changes. `cached` keeps the parsed result in marshal's
format (built in: pickle's module alone costs more to import than the table
takes to load) in the user's cache folder ($XDG_CACHE_HOME/unalpine, else ~/.cache/unalpine),
keyed by the tool's version, the Python version, and the size, modification
time and CRC-32 of every file the result depends on (the data and the
modules that parse it). Anything wrong with the cache (missing, stale,
unreadable, unwritable, from another version) means: parse as before.
UNALPINE_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping as _Mapping

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Callable, Iterator, Sequence, TypeVar

    T = TypeVar("T")

# Bumped when the cache's own format changes (3: marshal of plain data).
FORMAT = 3
_MISSING = object()


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "unalpine")


def _fingerprint(sources: Sequence[str]) -> tuple:
    import zlib

    from migrator import __version__

    parts: list[object] = [FORMAT, __version__, sys.version]
    for source in sources:
        with open(source, "rb") as handle:
            data = handle.read()
        info = os.stat(source)
        parts.append((os.path.abspath(source), info.st_size, info.st_mtime_ns, zlib.crc32(data)))
    return tuple(parts)


def _slot_and_path(name: str, sources: Sequence[str], fingerprint: tuple) -> tuple[str, str]:
    import zlib

    # One slot per install (the sources' location), so that two installs or
    # checkouts sharing a cache folder never evict each other's entries.
    slot = f"{name}-{zlib.crc32(chr(0).join(os.path.abspath(s) for s in sources).encode()):08x}-"
    return slot, os.path.join(cache_dir(), f"{slot}{zlib.crc32(repr(fingerprint).encode()):08x}.marshal")


def _store(path: str, slot: str, data: bytes) -> None:
    """Write `data` to `path` atomically, and drop what this install's older
    versions left in its slot. The cache is optional: a failure is ignored."""
    folder = os.path.dirname(path)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)  # readers see the old file or the whole new one
        for other in os.listdir(folder):
            if other.startswith(slot) and other.endswith((".pickle", ".marshal")) and other != os.path.basename(path):
                os.unlink(os.path.join(folder, other))
    except Exception:  # a read-only home, a full disk
        try:
            os.unlink(temp)
        except OSError:
            pass


class Memo:
    """Answers worked out by earlier runs, kept in the user's cache: a dict
    of plain values for one set of sources (the data and the code the
    answers are a function of), discarded when any of them changes.

    `get` reads the file once; `put` adds an answer and rewrites the file
    at once (the command leaves with os._exit, and batch workers each add
    their own: a read-merge-replace per answer, where two writers racing can
    lose one answer, to be worked out again by a later run, never a wrong one).
    """

    def __init__(self, name: str, sources: Sequence[str]):
        self._name = name
        self._sources = list(sources)
        self._answers: dict | None = None
        self._where: tuple[str, str] | None = None  # (slot, path); None: no cache
        self._fingerprint: tuple | None = None

    def _load(self) -> dict:
        if self._answers is None:
            self._answers = {}
            if os.environ.get("UNALPINE_NO_CACHE"):
                return self._answers
            try:
                fingerprint = _fingerprint(self._sources)
            except OSError:
                return self._answers
            self._fingerprint = fingerprint
            self._where = _slot_and_path(self._name, self._sources, fingerprint)
            self._answers = self._read()
        return self._answers

    def _read(self) -> dict:
        import marshal

        try:
            with open(self._where[1], "rb") as handle:
                fingerprint, stored = marshal.loads(handle.read())
            return stored if fingerprint == self._fingerprint and isinstance(stored, dict) else {}
        except Exception:  # missing, truncated, or written by other code
            return {}

    def get(self, key: object) -> object | None:
        return self._load().get(key)

    def __len__(self) -> int:
        return len(self._load())

    def put(self, key: object, plain: object) -> None:
        import marshal

        answers = self._load()
        answers[key] = plain
        if self._where is None:
            return
        merged = {**self._read(), **answers}  # keep what other processes added meanwhile
        try:
            data = marshal.dumps((self._fingerprint, merged))
        except ValueError:  # not plain data: a bug in the caller's to_plain
            return
        _store(self._where[1], self._where[0], data)


def cached(
    name: str,
    sources: Sequence[str],
    build: Callable[[], T],
    to_plain: Callable[[T], object] | None = None,
    from_plain: Callable[[object], T] | None = None,
) -> T:
    """build(), or the result of an earlier build() over the same sources.

    What is stored must be plain data (str, numbers, None, and tuples, lists,
    dicts and sets of them): `to_plain` makes it so and `from_plain` rebuilds
    the result, for results that hold records."""
    if os.environ.get("UNALPINE_NO_CACHE"):
        return build()
    try:
        fingerprint = _fingerprint(sources)
    except OSError:
        return build()  # a source is missing: let build() say so
    import marshal

    slot, path = _slot_and_path(name, sources, fingerprint)
    try:
        with open(path, "rb") as handle:
            stored_fingerprint, plain = marshal.loads(handle.read())
        if stored_fingerprint == fingerprint:
            return from_plain(plain) if from_plain else plain
    except Exception:  # missing, truncated, or written by other code: rebuild
        pass
    value = build()
    try:
        data = marshal.dumps((fingerprint, to_plain(value) if to_plain else value))
    except ValueError:  # not plain data: nothing is kept, the build still answers
        return value
    _store(path, slot, data)
    return value


class LazyValues(_Mapping):
    """A read-only mapping whose values are kept as marshal bytes and made
    into records on first use: `build(key, plain)`.

    For tables most runs read a few entries of: loading the mapping table
    whole (637 entries of nested dicts) took ~0.6 ms of every start, and the
    image table as much, where a small file looks at two or three names.
    `to_plain` hooks store {key: marshal.dumps(plain value)} for it."""

    __slots__ = ("_raw", "_build", "_made")

    def __init__(self, raw: dict[str, bytes], build: Callable[[str, object], object]):
        self._raw = raw
        self._build = build
        self._made: dict[str, object] = {}

    def __getitem__(self, key: str) -> object:
        made = self._made.get(key, _MISSING)
        if made is _MISSING:
            import marshal

            made = self._made[key] = self._build(key, marshal.loads(self._raw[key]))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __repr__(self) -> str:
        return f"LazyValues({len(self._raw)} entries, {len(self._made)} made)"


def plain_values(values: dict[str, object], to_plain: Callable[[object], object] = lambda value: value) -> dict[str, bytes]:
    """What a to_plain hook stores for a LazyValues: each value's plain form
    in marshal's format."""
    import marshal

    return {key: marshal.dumps(to_plain(value)) for key, value in values.items()}
