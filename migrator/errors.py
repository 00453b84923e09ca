"""Errors that end a run with a one-line message naming the file and line."""

from __future__ import annotations

import os


class InputError(Exception):
    """Bad input: the CLI prints `path:line: message` and exits 2."""

    def __init__(self, message: str, path: str = "", line: int = 0):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def located(self, path: str) -> "InputError":
        """The same error, naming `path` if it did not name a file yet."""
        return self if self.path else InputError(self.message, path, self.line)

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class MappingError(InputError):
    """A mapping file is unreadable or breaks the schema.

    ``str()`` is one line naming the file and the entry key, e.g.
    ``my.toml: packages.foo: 'to' must be a list of strings``.
    """

    def __init__(self, path: str | os.PathLike, message: str):
        super().__init__(message, str(path))
