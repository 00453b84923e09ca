"""Index answers cached on disk: $XDG_CACHE_HOME/unalpine/index/v3/ (default
~/.cache/unalpine/index/v3/), one file per index and project, with the time
it was fetched. Fresh answers (younger than the expiry) are used without
asking the index; --offline uses any cached answer, however old.

An answer is stored the way the check reads it (migrator.wheels.pages.compact:
the releases already in order, each file a tuple) and written with marshal:
a warm run of a small file reads its pages in ~2 ms instead of ~25 ms of
JSON parsing, object building and version sorting (cryptography's page
lists ~3,700 files). A file is a small header (index, when fetched, pure
Python or not, the files' length, the file's size) followed by the files; the files are
mapped, not read, and unmarshalled only when asked for: a warm run that the
memo (memo_for, below) answers reads ~1 KB of each page, not the ~1.4
MB of the blog case's seven. Files from another format version sit in
another folder and are never read.

Negative answers are kept too, so that a warm run asks nothing: a project
the index does not have (a page stored as None), a metadata URL that offers
nothing (`absent/`, as fresh as pages), and an index that could not be
asked (`failed/`, for FAILED_EXPIRY only: it may be back soon).
"""

from __future__ import annotations

import marshal
import os
import time

from migrator import inputs
from migrator.datacache import Memo, open_memo
from migrator.datacache import cache_dir as user_cache_dir

# v6: header, then the files (mapped); v5: wheels' tags stored; v4: files as bytes read on demand;
# v3: one marshal; v2: JSON. Older: not read
FORMAT = "v6"
EXPIRY = 24 * 3600  # seconds: releases appear daily; a day-old answer is good enough to plan a migration
FAILED_EXPIRY = 15 * 60  # seconds an index that failed is not asked again: long enough for a fleet's runs
# Pages up to this size are read whole; bigger ones are mapped.
_SMALL = 64 * 1024
_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def folder() -> str:
    return os.path.join(user_cache_dir(), "index", FORMAT)


def file_name(key: str) -> str:
    """A file name for `key` (a URL or a project name): readable and one to
    one, with a digest for the long ones (hashlib costs ~2.5 ms to import,
    so only then; `~` never comes out of the escaping)."""
    if len(key) <= 200 and key.isascii() and key.replace("-", "").replace(".", "").replace("_", "").isalnum() \
            and key not in (".", ".."):
        return key  # a project's name: nothing to escape
    data = key.encode("utf-8")
    name = "".join(chr(byte) if byte in _SAFE else f"%{byte:02X}" for byte in data)
    if len(name) <= 200 and name not in (".", ".."):
        return name
    import hashlib

    return "~" + hashlib.sha256(data).hexdigest()


class Stored:
    """A cached page: whether the project is pure Python, and its files (the
    bulk: cryptography's page lists ~3,700), unmarshalled only when asked.
    A warm run that finds its answers in the memo (memo_for) never asks."""

    __slots__ = ("pure", "_files")

    def __init__(self, pure: bool, files: bytes | memoryview | tuple):
        self.pure = pure
        # marshal of (releases, other files, tags): bytes, or a view of the
        # mapped cache file (which stays valid when a newer answer replaces
        # the file: the mapping holds the file it was made from); or the tuple.
        self._files = files

    def compact(self) -> tuple:
        """pages.compact()'s (releases, other files, pure, wheels' tags)."""
        if not isinstance(self._files, tuple):
            self._files = marshal.loads(self._files)
        releases, others, tags = self._files
        return releases, others, self.pure, tags


class Cache:
    def __init__(self, root: str | os.PathLike | None = None, expiry: float = EXPIRY):
        self.root = os.fspath(root) if root is not None else folder()
        self.expiry = expiry
        self._folders: dict[str, str] = {}
        self._cleaned = False  # _drop_older_formats done (on the first write)

    def _drop_older_formats(self) -> None:
        """Delete the folders older formats of this cache left beside it:
        never read again, and up to tens of MB each."""
        parent, name = os.path.split(self.root)
        if name != FORMAT:
            return  # a folder the caller chose: not ours to tidy
        try:
            old = [entry for entry in os.listdir(parent)
                   if entry[:1] == "v" and entry[1:].isdigit() and int(entry[1:]) < int(FORMAT[1:])]
        except OSError:
            return
        if old:
            import shutil

            for entry in old:
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)

    def _path(self, index_url: str, name: str) -> str:
        folder = self._folders.get(index_url)
        if folder is None:
            folder = self._folders[index_url] = os.path.join(self.root, file_name(index_url))
        return os.path.join(folder, file_name(name))

    def get(self, index_url: str, name: str, any_age: bool = False) -> tuple[Stored | None, float, float] | None:
        """(the page as stored, or None for "not on this index"; age in
        seconds; when it was fetched), or None when nothing usable is cached."""
        try:
            with open(self._path(index_url, name), "rb") as handle:
                data = handle.read(_SMALL)
                if len(data) == _SMALL:  # a big page: map it, read only what is used
                    import mmap

                    data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
            # loads of a buffer reads the header and ignores the rest
            stored_index, fetched, pure, length, size = marshal.loads(data)
            if len(data) != size:
                return None  # cut short, or grown by something else
            files = None if length is None else data[size - length :]
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if stored_index != index_url:
            return None
        age = time.time() - fetched
        if not any_age and not 0 <= age < self.expiry:
            return None
        inputs.index_answer_holds_until(fetched + self.expiry)
        return (None if files is None else Stored(pure, files)), age, fetched

    def put(self, index_url: str, name: str, page: tuple | None) -> float:
        """Store a compact page (pages.compact) or None, atomically; a cache
        that cannot be written is no error. The time it was fetched (as get()
        will say)."""
        fetched = time.time()
        if page is None:
            pure, files, length = False, b"", None
        else:
            releases, others, pure, tags = page
            files = marshal.dumps((releases, others, tags))
            length = len(files)
        # The header ends with the file's whole size (get() checks it): a
        # marshalled int below 2**31 takes the same bytes whatever its value.
        header_size = len(marshal.dumps((index_url, fetched, pure, length, 0)))
        header = marshal.dumps((index_url, fetched, pure, length, header_size + len(files)))
        self._write(self._path(index_url, name), header + files)
        inputs.index_answer_holds_until(fetched + self.expiry)
        return fetched

    def get_text(self, url: str) -> str | None:
        """A file stored under its URL (wheel metadata: immutable, no expiry)."""
        try:
            with open(os.path.join(self.root, "metadata", file_name(url)), encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError):
            return None

    def put_text(self, url: str, text: str) -> None:
        self._write(os.path.join(self.root, "metadata", file_name(url)), text.encode("utf-8"))

    def get_absent(self, url: str, any_age: bool = False) -> bool:
        """Whether the index said, less than a day ago (any time, with
        `any_age`), that `url` offers nothing (not found, or not readable
        metadata)."""
        stored = self._read_note("absent", url)
        if stored is None or not (any_age or 0 <= time.time() - stored[0] < self.expiry):
            return False
        inputs.index_answer_holds_until(stored[0] + self.expiry)
        return True

    def put_absent(self, url: str) -> None:
        self._write_note("absent", url, "")
        inputs.index_answer_holds_until(time.time() + self.expiry)

    def get_failure(self, index_url: str) -> str | None:
        """Why the index could not be asked, if that was less than
        FAILED_EXPIRY ago (as put_failure was told)."""
        stored = self._read_note("failed", index_url)
        if stored is None or not 0 <= time.time() - stored[0] < FAILED_EXPIRY:
            return None
        inputs.index_answer_holds_until(stored[0] + FAILED_EXPIRY)
        return stored[1]

    def put_failure(self, index_url: str, why: str, when: float) -> None:
        self._write_note("failed", index_url, why, when)
        inputs.index_answer_holds_until(when + FAILED_EXPIRY)

    def _read_note(self, kind: str, key: str) -> tuple[float, str] | None:
        try:
            with open(os.path.join(self.root, kind, file_name(key)), "rb") as handle:
                stored_key, when, text = marshal.loads(handle.read())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        return (when, text) if stored_key == key else None

    def _write_note(self, kind: str, key: str, text: str, when: float | None = None) -> None:
        self._write(os.path.join(self.root, kind, file_name(key)),
                    marshal.dumps((key, time.time() if when is None else when, text)))

    def _write(self, path: str, data: bytes) -> None:
        import tempfile  # only when something is stored: a warm cache is only read (~2 ms of a start)

        if not self._cleaned:
            self._cleaned = True
            self._drop_older_formats()
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except OSError:
            pass


# -- the answers worked out from the pages, kept beside them -------------------
#
# Reading requirement strings, markers and version specifiers takes
# `packaging`, which costs ~22 ms to import (typing, dataclasses, logging and
# subprocess come with it), and choosing among a project's files reads its
# whole page (cryptography lists ~3,700 files). Run after run, an editor or a
# pre-commit hook asks the same questions about the same strings and the same
# cached pages. The answers are pure functions of their arguments (a page is
# named by its index, project and the time it was fetched, so a refetched page
# is a new question), so they are kept in a memo (migrator.datacache.Memo)
# beside the index cache: a warm run of an unchanged file imports no
# `packaging` and reads no page. Its file is valid for one version of this
# code and of `packaging` (the fingerprint: the version strings and the size
# and modification time of the modules that compute the answers).
# UNALPINE_NO_CACHE=1 turns it off, as it does the other caches.

# The modules whose code computes what is kept.
_SOURCES = ("compat.py", "dependencies.py", "index.py", "index_urls.py", "plan.py", "projects.py", "requirement_text.py",
            "requirements.py")


def _fingerprint() -> tuple:
    import sys

    import packaging

    from migrator import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    parts: list[object] = [__version__, packaging.__version__, sys.version]
    for name in _SOURCES:
        info = os.stat(os.path.join(here, name))
        parts.append((name, info.st_size, info.st_mtime_ns))
    return tuple(parts)


def _keep_two_fetches(sections: dict) -> None:
    """A page fetched again makes the answers about its earlier fetches
    useless: only the two newest fetches of a page keep theirs (two: a
    batch's workers may each have fetched it, and the cache holds whichever
    was written last). A section ("page", stamp) holds what was worked out
    from one fetch (pages.Page.stamp: indexes, project, fetch times)."""
    fetches: dict[tuple, list] = {}
    for section in sections:
        if isinstance(section, tuple) and section[0] == "page":
            fetches.setdefault(section[1][:2], []).append(section)
    for same_page in fetches.values():
        for old in sorted(same_page, key=lambda section: section[1][2], reverse=True)[2:]:
            del sections[old]


def answers_memo(path: str | None) -> Memo:
    """A memo of the wheel check's answers kept at `path` (None: for this process only)."""
    return Memo(path, _fingerprint, _keep_two_fetches)


def memo_for(root: str) -> Memo:
    """The memo beside the index cache at `root`, one per process; saved
    when the process ends (migrator.datacache.save_memos)."""
    return open_memo(os.path.join(root, answers_file()), _fingerprint, _keep_two_fetches)


def answers_file() -> str:
    """The memo's file name: one per install (the code's folder), since the
    answers are tied to the code's files, so that two installs sharing a
    cache folder (a venv and a checkout) do not throw each other's away."""
    import zlib

    return f"answers-{zlib.crc32(os.path.dirname(os.path.abspath(__file__)).encode()):08x}"
