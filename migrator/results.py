"""Whole-file results kept between runs, so that a fleet run over files an
earlier run already worked out (unchanged repositories; `--diff` to review,
then `--write`) does not work them out again.

A kept result is found by what it is a function of:

- the code and data of this install, and the libraries whose answers it
  depends on (`code_fingerprint`: size and modification time of each file):
  the memo file is thrown away when any changes;
- the run's settings for the file (`run_key`: target, mapping files by
  content, answers, --yes/--check, the wheel check's options, pip's index
  settings from the environment and pip.conf), as a section of the memo;
- the file's name (a compose file is read differently) and its text.

and it is used again only when, besides, every read of the build context it
made finds the same again (migrator.inputs records them, the wheel check's
own readers replay them), and no answer of the package index it used has
stopped holding. The result does not depend on where the file is: what it
says is kept without the file's path (a result whose text holds the path
or the folder is not kept), so fresh clones of the same repositories find
it too.

Only batches use it (`FROM_FILES`): for one small file, reading the memo
and fingerprinting the install cost about what checking the file does.
The memo lives in the index cache's folder: emptying that cache (to have
the index asked again) empties it too. UNALPINE_NO_CACHE=1 turns it off
with the other caches.
"""

from __future__ import annotations

import os
import time

from migrator import inputs
from migrator.datacache import MISSING, cache_dir, open_memo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from migrator.datacache import Memo
    from migrator.engine import Result

# Batches of fewer files neither read nor keep results.
FROM_FILES = 64
# Bumped when what an entry holds changes (2: texts keyed by 16-byte digests).
FORMAT = 2
# Settings (sections) kept in each shard: each run with other settings adds one.
SECTIONS_KEPT = 8
# Entries kept per section of a shard (two per file: the shapes of its reads,
# and its result): beyond that the section starts again from one run's
# results, so a cache kept for months over changing files stays bounded
# (~32,000 files per set of settings over the 16 shards, ~5 MB a shard).
ENTRIES_KEPT = 4_000
# Shapes of reads kept per file text (a template whose repositories name
# different nested requirement files has one per repository).
SHAPES_KEPT = 32
# The libraries whose behaviour is part of a result (the shell grammar, PEP 440, YAML, setup.py's reader).
_LIBRARIES = ("tree_sitter", "tree_sitter_bash", "packaging", "yaml", "libcst")


_FINGERPRINT: list[tuple] = []  # worked out once per process (the code does not change under it)


def code_fingerprint() -> tuple:
    """This install's fingerprint (_work_out_fingerprint), once per process."""
    if not _FINGERPRINT:
        _FINGERPRINT.append(_work_out_fingerprint())
    return _FINGERPRINT[0]


def _work_out_fingerprint() -> tuple:
    """Size and modification time of every file of this install's code and
    data, and of the libraries a result depends on: a change to any of
    them (an upgrade, an edit in a checkout) makes every kept result stale.
    Stat only, no reading: ~2 ms for the ~150 files."""
    import sys
    from importlib.util import find_spec

    from migrator import __version__
    from migrator.data_files import data_dir

    parts: list[object] = [FORMAT, __version__, sys.version]
    here = os.path.dirname(os.path.abspath(__file__))
    for top in (here, data_dir()):
        for folder, children, files in os.walk(top):
            children[:] = sorted(child for child in children if child != "__pycache__")
            for name in sorted(files):
                info = os.stat(os.path.join(folder, name))
                parts.append((os.path.join(folder, name), info.st_size, info.st_mtime_ns))
    for library in _LIBRARIES:
        try:
            spec = find_spec(library)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            folder = os.path.dirname(origin)
            for name in sorted(os.listdir(folder)):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    info = os.stat(path)
                    parts.append((path, info.st_size, info.st_mtime_ns))
        else:
            parts.append((library, None))
    return tuple(parts)


def run_key(parts: tuple) -> str:
    """A section name for one set of settings (plain values, repr-stable)."""
    return inputs.digest(repr(parts))


def _keep_recent_sections(sections: dict) -> None:
    while len(sections) > SECTIONS_KEPT:
        del sections[next(iter(sections))]


def memo_path(folder: str | None = None, shard: str = "0") -> str:
    """Where one shard of the memo of results is: in the index cache's
    `folder` (None: the user cache), so that emptying the index cache
    empties it too (its results hold only as long as the answers they came
    from); one per install (the code's folder), so that two installs
    sharing a cache folder keep theirs apart."""
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(folder or cache_dir(), f"results-{zlib.crc32(here.encode()):08x}-{shard}")


def memo(folder: str | None = None, shard: str = "0") -> Memo:
    """This process's memo of one shard of the results (see memo_path)."""
    return open_memo(memo_path(folder, shard), code_fingerprint, _keep_recent_sections, limit=ENTRIES_KEPT)


class KeptResults:
    """The kept results of one set of settings (a configuration file's, or the command line's).

    Many repositories share one Dockerfile (a template) with requirement
    files of their own: a text can have many results, one per set of
    things its check read. So the memo holds, per file name and text, the
    shapes of those reads (which reads, not what they found: few, most
    often one), and per shape and findings one result."""

    def __init__(self, key: str, wheels: Any = None):
        self.key = key
        self.wheels = wheels  # the settings' migrator.wheels.gather.WheelCheck (where the context is), or None
        self._memos: dict[str, Memo] = {}

    def _entries(self, file_key: tuple[str, str]) -> Memo:
        """The shard holding the results of a text (by its digest's first
        hex digit). A memo is saved whole, merged with what is on disk, by
        each process that added to it: in one file, saving a fleet's results
        held all of them several times over at once (peak RSS over 10,000
        files 114 MiB, against 64 without kept results); in 16, a 16th
        (83 MiB). Not compressed: zlib cost ~40 us a file to save ~8 MiB."""
        shard = file_key[1][0]
        entries = self._memos.get(shard)
        if entries is None:
            entries = self._memos[shard] = memo(self.wheels.cache_folder() if self.wheels is not None else None,
                                                shard)
        return entries

    def _folder(self, path: str) -> str:
        if self.wheels is not None:
            return self.wheels.context_folder(path)
        return os.path.dirname(path) or "."

    def find(self, text: str, path: str, said: list[str]) -> Result | None:
        """The result kept for `text` at `path` if it still holds (what it
        said then is added to `said`), else None."""
        file_key = _file_key(text, path)
        entries = self._entries(file_key)
        shapes = entries.get(self.key, ("shapes", *file_key))
        if shapes is MISSING:
            return None
        seen: dict = {}
        for shape in shapes:
            try:
                reads = tuple((kind, argument, self._observe(kind, argument, path, seen)) for kind, argument in shape)
            except Exception:  # a read that fails now (a broken file, an I/O error): the file's own check says what
                return None
            stored = entries.get(self.key, (*file_key, _reads_key(reads)))
            if stored is not MISSING:
                return _result(stored, text, path, said)
        return None

    def _observe(self, kind: str, argument: str, path: str, seen: dict):
        """What a recorded read finds now (once per lookup)."""
        if (kind, argument) not in seen:
            from migrator.wheels.requirements import observe

            answers = self.wheels.answers_memo() if self.wheels is not None else None
            seen[kind, argument] = observe(kind, self._folder(path), argument, answers)
        return seen[kind, argument]

    def keep(self, text: str, path: str, result: Result, said: list[str], recording: inputs.Recording) -> None:
        """Keep `result` for later runs, unless it says where the file is."""
        until = recording.expiry()
        if until <= time.time() or not recording.keepable:
            return
        told = []
        for line in said:
            if not line.startswith(path + ":"):
                return
            told.append(line[len(path):])
        import pickle

        payload = pickle.dumps((None if not result.changed else result.text, result.edits, result.findings,
                                result.answers, result.report, result.suppressed), protocol=pickle.HIGHEST_PROTOCOL)
        folder = os.path.abspath(self._folder(path))
        places = [folder.encode("utf-8", "surrogatepass")]
        if os.path.dirname(path):
            places.append(path.encode("utf-8", "surrogatepass"))
        if any(place in payload or any(place.decode("utf-8", "surrogatepass") in line for line in told)
               for place in places):
            return  # it names the file's place: not the same for a copy elsewhere
        file_key = _file_key(text, path)
        entries = self._entries(file_key)
        reads = tuple(recording.reads)
        shape = tuple((kind, argument) for kind, argument, _ in reads)
        shapes = entries.get(self.key, ("shapes", *file_key))
        if shapes is MISSING or shape not in shapes:
            entries.put(self.key, ("shapes", *file_key), (shape, *([] if shapes is MISSING else shapes))[:SHAPES_KEPT])
        entries.put(self.key, (*file_key, _reads_key(reads)), (until, tuple(told), payload))


def _result(stored: Any, text: str, path: str, said: list[str]) -> Result | None:
    """A kept entry as the Result it was, or None when it has expired or
    cannot be read back (a memo damaged on disk: the file is worked out)."""
    import pickle

    from migrator.engine import Result

    try:
        until, told, payload = stored
        if not until > time.time():
            return None
        new_text, edits, findings, answers_used, report, suppressed = pickle.loads(payload)
    except Exception:  # anything pickle or a damaged entry raises
        return None
    said.extend(path + line for line in told)
    return Result(path, text, text if new_text is None else new_text, edits, findings, answers_used, report,
                  suppressed)


def _file_key(text: str, path: str) -> tuple[str, str]:
    return os.path.basename(path), inputs.digest(text)


def _reads_key(reads: tuple) -> str:
    return inputs.digest(repr(reads))
