"""Reading, diffing and writing files, byte-exactly.

Files are read as bytes and decoded as plain UTF-8: a BOM stays in the text
(as U+FEFF) and CRLF line ends stay as they are, so every byte the rules do
not change is written back unchanged.
"""

from __future__ import annotations

import difflib
import os
import stat

from migrator.errors import InputError


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of `data`, or InputError naming the line and byte offset."""
    try:
        return data.decode("utf-8")  # not utf-8-sig: a BOM must survive
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"not UTF-8 text (byte {error.start})", path, line) from None


def read_text(path: str, name: str | None = None) -> str:
    """The text of the file at `path`; errors name it `name` (as the user
    wrote it) rather than the resolved path."""
    name = path if name is None else name
    # os.open/os.read, not open(): no file object and buffer to make for
    # each of a fleet's files (~3 of ~7 µs). A folder fails at the read
    # (EISDIR) instead of at the open: the same message.
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", name) from None
    return decode(chunks[0] if len(chunks) == 1 else b"".join(chunks), name)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(before: str, after: str, path: str, context: int = 3) -> str:
    """A unified diff with `a/PATH` and `b/PATH` headers that `patch -p1` and
    `git apply` accept, including the "No newline at end of file" marker.
    Empty when the texts are equal."""
    if before == after:
        return ""
    path = path.replace(os.sep, "/")
    # Split on "\n" only (keeping it): a CR before it is part of the line, the
    # way git shows CRLF files, and a lone CR is not a line break in a Dockerfile.
    a = _lines(before)
    b = _lines(after)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=context):
        if line.startswith(("---", "+++")) and not line.endswith("\n"):
            line += "\n"
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n" + NO_NEWLINE)
    return "".join(out)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def atomic_write(path: str, data: bytes, backup: bool = False) -> None:
    """Replace the file at `path` with `data` without ever leaving it half
    written: the bytes go to a temporary file in the same folder, which then
    replaces the original with os.replace (atomic on POSIX and Windows). The
    file's permission bits (and, when allowed, owner) are kept. With `backup`,
    NAME.bak receives the original bytes first, written the same way.

    `path` must be the real file (symlinks resolved by the caller), or the
    symlink itself would be replaced by a regular file.
    """
    commit(stage(path, data, backup))


# A batch writes in two steps: every changed file's bytes go to a temporary
# file beside it while the files are checked (in the worker that checked
# it), and only once every file is checked do the temporary files replace
# the originals (commit). An open question, an error or Ctrl-C before then
# leaves the originals untouched and the temporary files are removed
# (discard; a run's temporary files carry its tag, so even one a killed
# worker was writing is found).
#
# No fsync before the replace, as black and ruff do it: on this project's
# 2-core ext4 machine a flush per file cost ~0.25-0.5 ms of waiting each
# (0.5-1.0 s per 2,000 files, as much as checking them), and ext4 (like
# xfs and btrfs) already flushes a file's data before a rename replaces
# another file with it (auto_da_alloc), the pattern that used to leave
# empty files after a crash.


def temp_path(path: str, tag: str) -> str:
    """The temporary file beside `path` for a run tagged `tag`."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{tag}.unalpine-tmp")


def new_tag() -> str:
    return f"{os.getpid()}-{os.urandom(4).hex()}"


def stage(path: str, data: bytes, backup: bool = False, tag: str | None = None) -> list[tuple[str, str]]:
    """Write `data` (and with `backup` the original bytes, for NAME.bak) to
    temporary files beside `path`, with the file's mode and owner. Returns
    the (temporary, target) pairs for commit, in order. On an error nothing
    is left behind and OSError is raised."""
    info = os.stat(path)
    pairs: list[tuple[str, str]] = []
    try:
        if backup:
            with open(path, "rb") as handle:
                original = handle.read()
            pairs.append((_write_temp(path + ".bak", original, info, tag), path + ".bak"))
        pairs.append((_write_temp(path, data, info, tag), path))
    except BaseException:
        discard(pairs)
        raise
    return pairs


def commit(pairs: list[tuple[str, str]]) -> None:
    """Move staged files into place, in order. On an error the ones not yet
    moved are removed and OSError is raised."""
    for index, (temp, target) in enumerate(pairs):
        try:
            os.replace(temp, target)
        except BaseException:
            discard(pairs[index:])
            raise


def discard(pairs: list[tuple[str, str]]) -> None:
    for temp, _ in pairs:
        try:
            os.unlink(temp)
        except OSError:
            pass


_BY_FD = hasattr(os, "fchmod") and hasattr(os, "fchown")  # POSIX


def _write_temp(path: str, data: bytes, info: os.stat_result, tag: str | None) -> str:
    # O_EXCL: never write through a file (or symlink) that is already there.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(100):
        temp = temp_path(path, tag if tag is not None else new_tag())
        try:
            fd = os.open(temp, flags, 0o600)
            break
        except FileExistsError:
            if tag is not None or attempt == 99:
                raise
    # Written, moded and owned through the descriptor (no file object, no
    # path looked up three more times): once per changed file of a fleet.
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if _BY_FD:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
                try:
                    os.fchown(fd, info.st_uid, info.st_gid)
                except OSError:
                    pass  # not ours to give away; the mode is what matters
        finally:
            os.close(fd)
        if not _BY_FD:
            os.chmod(temp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown"):
                try:
                    os.chown(temp, info.st_uid, info.st_gid)
                except OSError:
                    pass
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return temp
