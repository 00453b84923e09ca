"""Alpine packages Debian does not ship at all, and what their upstream offers
instead (``mappings/elsewhere.toml``; its header says what the keys mean).

Read only for a name the mapping table does not know."""

from __future__ import annotations

import functools
import os

from migrator.records import Frozen

__all__ = ["Elsewhere", "elsewhere", "elsewhere_path"]

HOWS = ("pip", "npm", "release")


def elsewhere_path() -> str:
    from migrator.data_files import data_dir

    return os.path.join(data_dir(), "elsewhere.toml")


class Elsewhere(Frozen):
    __slots__ = ()

    def __new__(cls, name: str, what: str, how: str, project: str | None, same: bool, upstream: str, note: str) -> Elsewhere:
        return tuple.__new__(cls, (name, what, how, project, same, upstream, note))

    @property
    def offers_pip(self) -> bool:
        return self.how == "pip" and self.same and bool(self.project)

    def text(self) -> str:
        """The question's text."""
        same = "" if self.same else " (not quite the same program)"
        return f"{self.name} is not in Debian ({self.what}); {self.note}{same}: {self.upstream}"


@functools.cache
def _table() -> dict[str, Elsewhere]:
    # parsed once, then read back from the user's cache until the file or
    # this module changes: tomllib costs a small file's run ~8 ms
    from migrator.datacache import cached

    path = elsewhere_path()
    raw = cached("elsewhere", [path, __file__], lambda: _read(path))
    return {name: Elsewhere(name, *fields) for name, fields in raw.items()}


def _read(path: str) -> dict[str, tuple]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    found = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            continue
        if entry.get("how") not in HOWS:
            raise ValueError(f"{path}: {name}: how must be one of {', '.join(HOWS)}")
        found[name] = (entry["what"], entry["how"], entry.get("project"), bool(entry.get("same")),
                       entry["upstream"], entry["note"])
    return found


def elsewhere(name: str) -> Elsewhere | None:
    return _table().get(name)


def names() -> list[str]:
    return sorted(_table())
