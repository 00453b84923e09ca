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
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", name) from None
    return decode(data, name)


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
    info = os.stat(path)
    if backup:
        with open(path, "rb") as handle:
            original = handle.read()
        _replace(path + ".bak", original, info)
    _replace(path, data, info)


def _replace(path: str, data: bytes, info: os.stat_result) -> None:
    folder, name = os.path.split(path)
    import tempfile  # only when writing: --diff and --check never do (~2.5 ms of a start)

    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".unalpine-tmp", dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            try:
                os.chown(temp, info.st_uid, info.st_gid)
            except OSError:
                pass  # not ours to give away; the mode is what matters
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
