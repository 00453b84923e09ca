"""Per-repository configuration: `[tool.unalpine]` in pyproject.toml, or a
`.unalpine.toml` (top-level keys), found from each Dockerfile's folder upward
to the repository root (the first folder holding `.git`), like ruff: the
nearest file with unalpine settings wins as a whole (no merging), and in one
folder `.unalpine.toml` wins over pyproject.toml. A pyproject.toml without a
`[tool.unalpine]` table is passed over. Options given on the command line win
over the file.

Keys: target, answers, mappings, arch, context (paths relative to the file's
folder), exclude (globs, relative to that folder, for files found by searching
a folder), ignore (rule ids, left alone in every file the configuration covers).

Read with only os.path until a candidate file is found: most runs have none,
and tomllib and pathlib cost milliseconds of every start.
"""

from __future__ import annotations

import os

from migrator.errors import InputError
from migrator.records import Record

NAMES = (".unalpine.toml", "pyproject.toml")
KEYS = ("target", "answers", "mappings", "arch", "context", "exclude", "ignore")
# Kept in step with migrator.cli.TARGETS (the suites --target accepts).
TARGETS = ("stretch", "buster", "bullseye", "bookworm", "trixie")


class Config(Record):
    """The settings of one configuration file, paths made absolute.
    `source` is the file ("" for none); `values` holds only the keys it set."""

    __slots__ = ("source", "folder", "values")

    def __init__(self, source: str = "", folder: str = "", values: dict | None = None):
        self.source = source
        self.folder = folder
        self.values = {} if values is None else values

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def excludes(self, path: str) -> bool:
        """Whether `path` (a file under this file's folder) matches an exclude glob."""
        patterns = self.values.get("exclude")
        if not patterns:
            return False
        import fnmatch

        relative = os.path.relpath(os.path.abspath(path), self.folder).replace(os.sep, "/")
        name = relative.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)
                   for pattern in patterns)


NONE = Config()

# What a pyproject.toml with a [tool.unalpine] table must contain, however it
# is spelled: [tool.unalpine], [tool."unalpine"], tool.unalpine.x = ..., or
# a [tool] table with an unalpine key. Without one, it is not parsed.
_TABLE_MARKS = (b"tool.unalpine", b'tool."unalpine"', b"[tool]")


class ConfigFinder:
    """Finds the configuration of each file, remembering every folder it looked at."""

    def __init__(self) -> None:
        self._by_folder: dict[str, Config] = {}

    def for_path(self, path: str, is_folder: bool | None = None) -> Config:
        """The configuration of the file (or, `is_folder`, the folder) at `path`."""
        if is_folder is None:
            is_folder = os.path.isdir(path)
        folder = path if is_folder else os.path.dirname(path) or "."
        known = self._by_folder.get(folder)  # a fleet's files share folders: ask once
        if known is None:
            known = self._by_folder[folder] = self._for_folder(os.path.abspath(folder))
        return known

    def _for_folder(self, folder: str) -> Config:
        known = self._by_folder.get(folder)
        if known is not None:
            return known
        config = self._here(folder)
        if config is None:
            parent = os.path.dirname(folder)
            at_root = parent == folder or os.access(os.path.join(folder, ".git"), os.F_OK)
            config = NONE if at_root else self._for_folder(parent)
        self._by_folder[folder] = config
        return config

    def _here(self, folder: str) -> Config | None:
        for name in NAMES:
            candidate = os.path.join(folder, name)
            if not os.access(candidate, os.F_OK):  # most folders: no exception to raise and catch
                continue
            try:
                with open(candidate, "rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            except OSError as error:
                raise InputError(f"cannot read: {error.strerror or error}", candidate) from None
            if name == "pyproject.toml" and not any(mark in data for mark in _TABLE_MARKS):
                continue  # no unalpine table: no need to parse it (tomllib costs ms)
            values = _table(candidate, name, data)
            if values is None:
                continue
            return Config(candidate, folder, _checked(candidate, folder, values))
        return None


def _table(path: str, name: str, data: bytes) -> dict | None:
    import tomllib

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"not valid TOML: {error}", path) from None
    if name == ".unalpine.toml":
        return document
    table = document.get("tool", {}).get("unalpine") if isinstance(document.get("tool"), dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("[tool.unalpine] must be a table", path)
    return table


def _checked(path: str, folder: str, values: dict) -> dict:
    """The values with their types checked and paths made absolute; an
    InputError naming the file and key otherwise."""
    where = "[tool.unalpine] " if path.endswith("pyproject.toml") else ""
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise InputError(f"{where}unknown key {unknown[0]!r} (known: {', '.join(KEYS)})", path)

    def fail(key: str, what: str) -> InputError:
        return InputError(f"{where}{key}: {what}", path)

    def strings(key: str) -> list[str]:
        value = values[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise fail(key, "must be a string or a list of strings")
        return value

    def absolute(name: str) -> str:
        return os.path.normpath(os.path.join(folder, os.path.expanduser(name)))

    checked: dict = {}
    if "target" in values:
        if values["target"] not in TARGETS:
            raise fail("target", f"must be one of {', '.join(TARGETS)}")
        checked["target"] = values["target"]
    for key in ("answers", "context"):
        if key in values:
            if not isinstance(values[key], str) or not values[key]:
                raise fail(key, "must be a path (a string)")
            checked[key] = absolute(values[key])
    if "mappings" in values:
        checked["mappings"] = [absolute(name) for name in strings("mappings")]
    if "arch" in values:
        checked["arch"] = strings("arch")
    if "exclude" in values:
        checked["exclude"] = strings("exclude")
    if "ignore" in values:
        checked["ignore"] = [rule_id.upper() for rule_id in strings("ignore")]
    return checked
