"""A compiled cache of the data parsed at every start (the mapping table),
and the memo of answers worked out by earlier runs (Memo).

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


def _store(path: str, slot: str | None, data: bytes) -> bool:
    """Write `data` to `path` atomically, and drop what this install's older
    versions left in its slot (if it has one). The cache is optional: a
    failure is ignored (False)."""
    folder = os.path.dirname(path)
    # one writer per process (memos write under a lock): the process id
    # makes the name unique without tempfile (~2.5 ms to import)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)  # readers see the old file or the whole new one
        if slot is not None:
            mine = os.path.basename(path)
            for other in os.listdir(folder):
                if (other.startswith(slot) and other.endswith((".pickle", ".marshal", ".marshal.lock"))
                        and other not in (mine, mine + ".lock")):
                    os.unlink(os.path.join(folder, other))
    except Exception:  # a read-only home, a full disk
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False
    return True


MISSING = object()  # Memo.get's answer to a question no run has answered
# A memo file: a line naming the format, the length of the header (8 bytes,
# little-endian), the header (marshal: the fingerprint and where each
# section's bytes are), then the sections (marshal each).
_MEMO_MAGIC = b"unalpine memo 5\n"  # 4: the wheel check's own; 5: one Memo for it and the name resolver
_MEMO_LENGTH = 8
MEMO_LIMIT = 5_000  # answers kept per section; beyond this a section starts again from one run's answers


class Memo:
    """Answers worked out by earlier runs, by section and key (tuples of
    strings, numbers, booleans and tuples), kept in one file that is valid
    for one fingerprint of the code and data the answers are a function of:
    a file with another fingerprint is ignored. `path` None: kept for this
    process only.

    A run reads the file's header and then only the sections it asks for
    (pread on the file it opened: a run replacing the file meanwhile does
    not disturb it): after a fleet the wheel check's file holds megabytes
    of answers, and reading and unmarshalling all of it cost a small file's
    run ~4 ms of its ~35. The fingerprint is worked out on first use
    (`fingerprint()`: it may import what a warm run does without). save()
    adds this run's new answers to the file, under a lock and merged with
    what other processes saved meanwhile (a batch's workers save when they
    leave, all at once); `prune` may drop stale sections first, and the
    files an older fingerprint left in `slot` (a name prefix in the same
    folder) are deleted.

    Two users: the wheel check (migrator.wheels.cache.memo_for) and the
    Debian name resolver (source_memo)."""

    def __init__(self, path: str | None, fingerprint: Callable[[], tuple] | None = None,
                 prune: Callable[[dict], None] | None = None, slot: str | None = None, limit: int = MEMO_LIMIT):
        self.path = path
        self.limit = limit  # answers kept per section
        self._fingerprint_of = fingerprint
        self._prune = prune
        self._slot = slot
        self._sections: dict | None = None  # section -> its answers (dict), once read
        self._stored_at: dict = {}  # section -> (offset, length) in the file, not read yet
        self._file: int | None = None  # the file read (its descriptor: another run may replace it meanwhile)
        self._new: dict = {}  # section -> {key: answer} found by this run
        self._fingerprint: tuple | None = None

    def _index(self) -> tuple[int | None, dict]:
        """The file, open, and where its sections are ({section: (offset,
        length)}); (None, {}) when it is missing or not for this code."""
        if self.path is None:
            return None, {}
        try:
            self._fingerprint = self._fingerprint or self._fingerprint_of()
            descriptor = os.open(self.path, os.O_RDONLY)
        except (OSError, ValueError):
            return None, {}
        import marshal

        try:
            start = len(_MEMO_MAGIC) + _MEMO_LENGTH
            head = os.pread(descriptor, start, 0)
            if len(head) == start and head.startswith(_MEMO_MAGIC):
                length = int.from_bytes(head[len(_MEMO_MAGIC):], "little")
                stored, where = marshal.loads(os.pread(descriptor, length, start))
                if stored == self._fingerprint and isinstance(where, dict):
                    body = start + length
                    return descriptor, {section: (body + offset, size) for section, (offset, size) in where.items()}
        except (OSError, ValueError, EOFError, TypeError):
            pass
        os.close(descriptor)
        return None, {}

    def _open(self) -> None:
        if self._sections is None:
            self._sections = {}
            self._file, self._stored_at = self._index()

    def _section(self, section: object) -> dict:
        self._open()
        answers = self._sections.get(section)
        if answers is None:
            answers = {}
            where = self._stored_at.pop(section, None)
            if where is not None:
                import marshal

                try:
                    answers = marshal.loads(os.pread(self._file, where[1], where[0]))
                except (OSError, ValueError, EOFError, TypeError):
                    answers = {}
            self._sections[section] = answers
        return answers

    def get(self, section: object, key: object):
        """The kept answer, or MISSING."""
        return self._section(section).get(key, MISSING)

    def put(self, section: object, key: object, value: object) -> None:
        self._section(section)[key] = value
        self._new.setdefault(section, {})[key] = value

    def __len__(self) -> int:
        """How many answers it holds (every section read)."""
        self._open()
        return sum(len(self._section(section)) for section in [*self._sections, *self._stored_at])

    def save(self) -> None:
        """Add this run's new answers to the file (another run may have
        written it meanwhile: what it added is kept). Atomic; a cache that
        cannot be written is no error."""
        if not self._new or self.path is None or self._fingerprint is None:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            lock = open(self.path + ".lock", "ab")
        except OSError:
            return
        with lock:
            # A batch's workers save when they leave, all at once: one at a
            # time, or one would write the file without the other's answers.
            try:
                import fcntl

                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            except (ImportError, OSError):
                pass
            self._merge_and_write()

    def _merge_and_write(self) -> None:
        import marshal

        # the file as it is now (another run may have added to it)
        descriptor, where = self._index()
        sections: dict = {}
        if descriptor is not None:
            try:
                for section, (offset, size) in where.items():
                    sections[section] = os.pread(descriptor, size, offset)
            except OSError:
                sections = {}
            finally:
                os.close(descriptor)
        for section, new in self._new.items():
            try:
                answers = marshal.loads(sections[section]) if section in sections else {}
            except (ValueError, EOFError, TypeError):
                answers = {}
            if len(answers) > self.limit:
                answers = {}
            answers.update(new)
            sections[section] = marshal.dumps(answers)
        if self._prune is not None:
            self._prune(sections)
        try:
            offsets, offset = {}, 0
            for section, data in sections.items():
                offsets[section] = (offset, len(data))
                offset += len(data)
            header = marshal.dumps((self._fingerprint, offsets))
        except ValueError:  # not plain data: a bug in the caller
            return
        data = b"".join([_MEMO_MAGIC, len(header).to_bytes(_MEMO_LENGTH, "little"), header, *sections.values()])
        if _store(self.path, self._slot, data):
            self._new = {}


_OPEN: dict[str, Memo] = {}


def open_memo(path: str, fingerprint: Callable[[], tuple], prune: Callable[[dict], None] | None = None,
              slot: str | None = None, limit: int = MEMO_LIMIT) -> Memo:
    """The memo kept at `path`, one per process, saved when the process
    ends (save_memos: atexit for callers in a process; the command and
    batch workers call it before they leave with os._exit).
    UNALPINE_NO_CACHE=1: a memo for this process only."""
    if os.environ.get("UNALPINE_NO_CACHE"):
        return Memo(None)
    memo = _OPEN.get(path)
    if memo is None:
        if not _OPEN:
            import atexit

            atexit.register(save_memos)
        memo = _OPEN[path] = Memo(path, fingerprint, prune, slot, limit)
    return memo


def save_memos() -> None:
    for memo in _OPEN.values():
        memo.save()


def source_memo(name: str, sources: Sequence[str]) -> Memo:
    """The memo of answers that are a function of `sources` (data files and
    the modules that read them), in the user's cache: a file per install
    (its slot) and per version of the sources, the older versions' files
    deleted when a newer one is saved."""
    if os.environ.get("UNALPINE_NO_CACHE"):
        return Memo(None)
    try:
        fingerprint = (_MEMO_MAGIC, *_fingerprint(sources))
    except OSError:
        return Memo(None)
    slot, path = _slot_and_path(name, sources, fingerprint)
    return open_memo(path, lambda: fingerprint, slot=slot)


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
        made = self._made.get(key, MISSING)
        if made is MISSING:
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
