"""What the wheel check worked out, kept between runs.

Reading requirement strings, markers and version specifiers takes
`packaging`, which costs ~22 ms to import (typing, dataclasses, logging and
subprocess come with it), and choosing among a project's files reads its
whole page (cryptography lists ~3,700 files). Run after run, an editor or a
pre-commit hook asks the same questions about the same strings and the same
cached pages. The answers are pure functions of their arguments (a page is
named by its index, project and the time it was fetched, so a refetched page
is a new question), so they are kept in one marshal file beside the index
cache: a warm run of an unchanged file imports no `packaging` and reads no
page.

The file is valid for one version of this code and of `packaging` (its
fingerprint: the version strings and the size and modification time of the
modules that compute the answers); anything else in it is ignored.
UNALPINE_NO_CACHE=1 turns it off, as it does the other caches.

Its layout: a line naming the format, the length of the header, the header
(marshal: the fingerprint and where each section's bytes are), then the
sections (marshal each). A run reads the header and then only the sections
it asks for: after a fleet the file holds megabytes of answers (3.3 MB for
2,000 realistic files), and reading and unmarshalling all of it cost a small
file's run ~4 ms of its ~35.
"""

from __future__ import annotations

import marshal
import os

FORMAT = 4  # 2: sections; 3: a section per fetch of a page; 4: sections read one by one
LIMIT = 5_000  # answers kept per section (project); beyond this it starts again from one run's answers
# The modules whose code computes what is kept.
_SOURCES = ("compat.py", "dependencies.py", "index.py", "memo.py", "plan.py", "projects.py", "requirements.py")
MISSING = object()
_MAGIC = b"unalpine wheel memo 4\n"
_LENGTH = 8  # bytes of the header's length (little-endian)


def _fingerprint() -> tuple:
    import sys

    import packaging

    from migrator import __version__

    folder = os.path.dirname(os.path.abspath(__file__))
    parts: list[object] = [FORMAT, __version__, packaging.__version__, sys.version]
    for name in _SOURCES:
        info = os.stat(os.path.join(folder, name))
        parts.append((name, info.st_size, info.st_mtime_ns))
    return tuple(parts)


class Memo:
    """Answers by section and key (tuples of strings, numbers, booleans and
    tuples), read from `path` on first use and written back by save(). Each
    section is kept as marshal bytes of its own and read only when asked: a
    fleet leaves thousands of answers behind, and one small file needs a few
    sections of them. A section ("page", stamp) holds what was worked out
    from one fetch of a page (pages.Page.stamp: indexes, project, fetch
    times); saving keeps the two newest fetches' sections of a page."""

    def __init__(self, path: str | None):
        self.path = path  # None: kept for this process only
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
            self._fingerprint = self._fingerprint or _fingerprint()
            descriptor = os.open(self.path, os.O_RDONLY)
        except (OSError, ValueError):
            return None, {}
        try:
            start = len(_MAGIC) + _LENGTH
            head = os.pread(descriptor, start, 0)
            if len(head) == start and head.startswith(_MAGIC):
                length = int.from_bytes(head[len(_MAGIC):], "little")
                stored, where = marshal.loads(os.pread(descriptor, length, start))
                if stored == self._fingerprint and isinstance(where, dict):
                    body = start + length
                    return descriptor, {section: (body + offset, size) for section, (offset, size) in where.items()}
        except (OSError, ValueError, EOFError, TypeError):
            pass
        os.close(descriptor)
        return None, {}

    def _section(self, section: str) -> dict:
        if self._sections is None:
            self._sections = {}
            self._file, self._stored_at = self._index()
        answers = self._sections.get(section)
        if answers is None:
            answers = {}
            where = self._stored_at.pop(section, None)
            if where is not None:
                try:
                    answers = marshal.loads(os.pread(self._file, where[1], where[0]))
                except (OSError, ValueError, EOFError, TypeError):
                    answers = {}
            self._sections[section] = answers
        return answers

    def get(self, section: str, key: tuple):
        return self._section(section).get(key, MISSING)

    def put(self, section: str, key: tuple, value) -> None:
        self._section(section)[key] = value
        self._new.setdefault(section, {})[key] = value

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
            if len(answers) > LIMIT:
                answers = {}
            answers.update(new)
            sections[section] = marshal.dumps(answers)
        # A page fetched again makes the answers about its earlier fetches
        # useless: only the two newest fetches of a page keep theirs (two:
        # a batch's workers may each have fetched it, and the cache holds
        # whichever was written last).
        fetches: dict[tuple, list] = {}
        for section in sections:
            if isinstance(section, tuple) and section[0] == "page":
                fetches.setdefault(section[1][:2], []).append(section)
        for same_page in fetches.values():
            for old in sorted(same_page, key=lambda section: section[1][2], reverse=True)[2:]:
                del sections[old]
        try:
            offsets, offset = {}, 0
            for section, data in sections.items():
                offsets[section] = (offset, len(data))
                offset += len(data)
            header = marshal.dumps((self._fingerprint, offsets))
            data = b"".join([_MAGIC, len(header).to_bytes(_LENGTH, "little"), header, *sections.values()])
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            # one writer per process (and under the lock): the process id
            # makes the name unique without tempfile (~2.5 ms to import)
            temp = f"{self.path}.{os.getpid()}.tmp"
            with open(temp, "wb") as handle:
                handle.write(data)
            os.replace(temp, self.path)
        except (OSError, ValueError):
            try:
                os.unlink(temp)
            except (OSError, UnboundLocalError):
                pass
            return
        self._new = {}


_OPEN: dict[str, Memo] = {}


def memo_for(root: str) -> Memo:
    """The memo beside the index cache at `root`, one per process; saved
    when the process ends."""
    if os.environ.get("UNALPINE_NO_CACHE"):
        return Memo(None)
    memo = _OPEN.get(root)
    if memo is None:
        if not _OPEN:
            import atexit

            atexit.register(save_all)
        memo = _OPEN[root] = Memo(os.path.join(root, answers_file()))
    return memo


def answers_file() -> str:
    """The memo's file name: one per install (the code's folder), since the
    answers are tied to the code's files, so that two installs sharing a
    cache folder (a venv and a checkout) do not throw each other's away."""
    import zlib

    return f"answers-{zlib.crc32(os.path.dirname(os.path.abspath(__file__)).encode()):08x}"


def save_all() -> None:
    for memo in _OPEN.values():
        memo.save()
