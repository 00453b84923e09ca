"""What an Alpine package is made of, as its APKBUILD shows it.

``mappings/alpine/packages.json`` (written by ``mappings/refresh_alpine.py``
from APKBUILDs read statically) holds, per Alpine package: its origin (the
APKBUILD folder), its role (``library``, ``headers``, ``commands``,
``plugin``, ``data``, ``static``, ``meta`` or ``unknown``), the programs,
sonames, ``.pc`` modules and header folders it carries as far as the
APKBUILD names them, its depends/provides/install_if, and for an origin's
main package what it keeps (``rest``: ``commands`` when the libraries went
to a subpackage, ``library`` when the commands did, ``everything`` when
nothing was split off). Nothing in it is guessed: what the APKBUILD cannot
say is absent.

Read once per process, and only when the mapping table does not settle a
name (the resolver in ``migrator.debian.names``) or ``--explain`` asks.
"""

from __future__ import annotations

import json
import os

from migrator.records import Frozen

__all__ = ["AlpineFacts", "facts", "facts_path", "origin_info"]

ROLES = ("library", "headers", "commands", "plugin", "data", "static", "meta", "unknown")


def facts_path() -> str:
    from migrator.data_files import data_dir

    return os.path.join(data_dir(), "alpine", "packages.json")


class AlpineFacts(Frozen):
    """One Alpine package's facts (see the module doc). ``via`` is the name
    asked for when it is only a ``provides`` of this package."""

    __slots__ = ()

    def __new__(cls, name: str, raw: dict, via: str | None = None) -> AlpineFacts:
        return tuple.__new__(cls, (name, raw, via))

    def _list(self, key: str) -> tuple[str, ...]:
        return tuple(self.raw.get(key, ()))

    @property
    def origin(self) -> str:
        return self.raw["origin"]

    @property
    def role(self) -> str:
        return self.raw.get("role", "unknown")

    @property
    def rest(self) -> str | None:
        """For an origin's main package: what it keeps of `make install`."""
        return self.raw.get("rest")

    @property
    def programs(self) -> tuple[str, ...]:
        return self._list("programs")

    @property
    def sonames(self) -> tuple[str, ...]:
        return self._list("sonames")

    @property
    def pc(self) -> tuple[str, ...]:
        return self._list("pc")

    @property
    def include(self) -> tuple[str, ...]:
        return self._list("include")

    @property
    def plugins(self) -> tuple[str, ...]:
        return self._list("plugins")

    @property
    def depends(self) -> tuple[str, ...]:
        return self._list("depends")

    @property
    def provides(self) -> tuple[str, ...]:
        return self._list("provides")

    def describe(self) -> list[str]:
        """Alpine's side of --explain, one fact per line."""
        info = origin_info(self.origin)
        where = f"aports {self.origin}/APKBUILD"
        if info:
            where += f" (pkgver {info.get('pkgver', '?')}, commit {info.get('commit', '?')[:12]})"
        lines = [f"alpine: {self.name}" + (f" (asked as {self.via}, which it provides)" if self.via else "") + f", from {where}"]
        role = self.role
        if self.rest == "everything":
            role = "everything make install installs: nothing is split off, so its libraries and commands alike"
        elif self.rest == "commands":
            role = "commands (the libraries went to a subpackage; it depends on them)"
        elif self.rest == "library":
            role = "library (the commands went to a subpackage)"
        lines.append(f"  role: {role}")
        for key in ("programs", "sonames", "pc", "include", "plugins", "depends", "provides"):
            values = self._list(key)
            if values:
                lines.append(f"  {key}: {' '.join(values)}")
        if self.raw.get("split"):
            lines.append(f"  split: abuild's {self.raw['split']}")
        if self.raw.get("unknown"):
            lines.append(f"  not followed: {'; '.join(self.raw['unknown'])}")
        return lines

    def siblings(self) -> list["AlpineFacts"]:
        """The other packages of the same APKBUILD."""
        table = _table()
        return [AlpineFacts(n, r) for n, r in table["packages"].items() if r.get("origin") == self.origin and n != self.name]


_TABLE: dict | None = None
_PROVIDERS: dict[str, str] | None = None


def _table() -> dict:
    global _TABLE
    if _TABLE is None:
        try:
            with open(facts_path(), encoding="utf-8") as fh:
                _TABLE = json.load(fh)
        except FileNotFoundError:
            _TABLE = {"packages": {}, "origins": {}}
    return _TABLE


def _providers() -> dict[str, str]:
    """provides name (versions removed) -> the package providing it; the
    first package in name order wins, as the file lists them."""
    global _PROVIDERS
    if _PROVIDERS is None:
        _PROVIDERS = {}
        for name, raw in _table()["packages"].items():
            for provided in raw.get("provides", ()):
                if not provided.startswith(("cmd:", "so:", "pc:")):
                    _PROVIDERS.setdefault(provided, name)
    return _PROVIDERS


def facts(name: str) -> AlpineFacts | None:
    """The facts of an Alpine package, or of the package providing `name`."""
    packages = _table()["packages"]
    raw = packages.get(name)
    if raw is not None:
        return AlpineFacts(name, raw)
    provider = _providers().get(name)
    if provider is not None:
        return AlpineFacts(provider, packages[provider], via=name)
    return None


def origin_info(origin: str) -> dict:
    return _table()["origins"].get(origin, {})


def header() -> dict:
    """schema, note and counts of the shipped table."""
    table = _table()
    return {"schema": table.get("schema"), "note": table.get("note", ""),
            "packages": len(table["packages"]), "origins": len(table["origins"])}
