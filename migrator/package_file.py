"""The mapping file format (mappings/packages.toml and --mappings overlays):
reading a file, validating it against the schema with one-line errors that
name the file and the entry, and keeping the built-in table parsed in the
user's cache. The lookups are migrator.packages.PackageTable's."""

from __future__ import annotations

import functools
import os
import re

from migrator.data_files import data_dir
from migrator.debian.suites import SUITES
from migrator.errors import MappingError
from migrator.records import Frozen, Record

TYPE_CHECKING = False  # typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from collections.abc import Mapping as Map
    from typing import Any

BaseKind = str  # "python" or "debian": what the stage's base image already has
# "python": an official python:*-slim image (its own CPython in /usr/local
#           with headers and pip; Debian's python3 is NOT what it runs).
# "debian": a plain debian:<suite>-slim image (migrated from alpine:*):
#           Debian's python3 packages are the real way to get Python libs.
BASE_KINDS: tuple[str, ...] = ("python", "debian")

SCHEMA_VERSION = 1
KINDS = ("map", "drop", "decision")
_ENTRY_KEYS = {"kind", "to", "why", "choices", "recommended", "suites", "base"}
_SPEC_KEYS = {"kind", "to", "why", "choices", "recommended"}
_CHOICE_KEYS = {"value", "label", "names", "pip", "why"}
_PY3_KEYS = {"pypi", "debian", "why"}


class Choice(Frozen):
    """One answer to a decision. `value`: short stable id unique within the
    entry ("drop", "apt", "pip", "map", "keep"); `label`: shown in a prompt;
    `names`: Debian packages this choice installs; `pip`: PyPI projects to
    `pip install` instead."""

    __slots__ = ()

    def __new__(cls, value, label, names=(), pip=(), why="") -> Choice:
        return tuple.__new__(cls, (value, label, names, pip, why))



BUILTIN_PATH = os.path.join(data_dir(), "packages.toml")



class _Spec(Frozen):
    """What an entry says for one (suite, base) after merging overrides."""

    __slots__ = ()

    def __new__(cls, kind, to=(), why="", choices=(), recommended=None) -> _Spec:
        return tuple.__new__(cls, (kind, to, why, choices, recommended))


class Entry(Record):
    __slots__ = ("apk", "raw", "source", "path")

    def __init__(self, apk: str, raw: dict[str, Any], source: str, path: str):
        self.apk = apk
        self.raw = raw
        self.source = source
        self.path = path  # file the entry came from (for messages)

    def spec(self, suite: str, base: str) -> _Spec:
        merged: dict[str, Any] = {k: v for k, v in self.raw.items() if k in _SPEC_KEYS}
        b = self.raw.get("base", {}).get(base)
        layers = []
        if b is not None:
            layers.append(b)
        s = self.raw.get("suites", {}).get(suite)
        if s is not None:
            layers.append(s)
        if isinstance(b, dict):
            bs = b.get("suites", {}).get(suite)
            if bs is not None:
                layers.append(bs)
        for layer in layers:
            if isinstance(layer, list):
                layer = {"to": layer}
            # a layer that gives a new `to` without a kind means "map to this"
            if "to" in layer and "kind" not in layer:
                merged["kind"] = "map"
            changes_kind = "kind" in layer or "to" in layer
            if changes_kind and layer.get("kind", "map") != "decision" and "choices" not in layer:
                merged.pop("choices", None)
                merged.pop("recommended", None)
            merged.update({k: v for k, v in layer.items() if k in _SPEC_KEYS})
        kind = merged.get("kind") or ("map" if "to" in merged else "decision" if "choices" in merged else "map")
        choices = tuple(_make_choice(c) for c in merged.get("choices", ()))
        return _Spec(
            kind=kind,
            to=tuple(merged.get("to", ())) if kind == "map" else (),
            why=merged.get("why", ""),
            choices=choices if kind == "decision" else (),
            recommended=merged.get("recommended") if kind == "decision" else None,
        )


def _make_choice(c: dict[str, Any]) -> Choice:
    return Choice(
        value=c["value"],
        label=c.get("label") or c["value"],
        names=tuple(c.get("names", ())),
        pip=tuple(c.get("pip", ())),
        why=c.get("why", ""),
    )


class Py3Entry(Frozen):
    """A py3-* entry: its PyPI project, Debian names (a tuple, or per suite), why."""

    __slots__ = ()

    def __new__(cls, pypi=None, debian=None, why="") -> Py3Entry:
        return tuple.__new__(cls, (pypi, debian, why))


class _Validator:
    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, msg: str) -> None:
        raise MappingError(self.path, f"{where}: {msg}" if where else msg)

    def str_list(self, where: str, key: str, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(where, f"{key!r} must be a list of strings")
        for v in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9+.\-]*", v):
                self.fail(where, f"{key!r}: {v!r} is not a valid package name")

    def string(self, where: str, key: str, value: Any) -> None:
        if not isinstance(value, str):
            self.fail(where, f"{key!r} must be a string")

    def spec(self, where: str, spec: Any, *, level: str) -> None:
        """Validate an entry (level "entry"), a base override ("base") or a suite override ("suite")."""
        top = level == "entry"
        if isinstance(spec, list):
            self.str_list(where, "to", spec)
            return
        if not isinstance(spec, dict):
            self.fail(where, "must be a table or a list of package names")
        allowed = {"entry": _ENTRY_KEYS, "base": _SPEC_KEYS | {"suites"}, "suite": _SPEC_KEYS}[level]
        for key in spec:
            if key not in allowed:
                self.fail(where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        kind = spec.get("kind")
        if kind is not None and kind not in KINDS:
            self.fail(where, f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
        if "to" in spec:
            self.str_list(where, "to", spec["to"])
        if kind == "drop" and spec.get("to"):
            self.fail(where, "a 'drop' entry cannot have 'to'")
        if "why" in spec:
            self.string(where, "why", spec["why"])
        if "choices" in spec:
            choices = spec["choices"]
            if not isinstance(choices, list) or not choices:
                self.fail(where, "'choices' must be a non-empty list of tables")
            seen = set()
            for i, c in enumerate(choices):
                cw = f"{where}.choices[{i}]"
                if not isinstance(c, dict):
                    self.fail(cw, "must be a table")
                for key in c:
                    if key not in _CHOICE_KEYS:
                        self.fail(cw, f"unknown key {key!r} (allowed: {', '.join(sorted(_CHOICE_KEYS))})")
                if not isinstance(c.get("value"), str) or not c["value"]:
                    self.fail(cw, "'value' must be a non-empty string")
                if c["value"] in seen:
                    self.fail(cw, f"duplicate choice value {c['value']!r}")
                seen.add(c["value"])
                for key in ("label", "why"):
                    if key in c:
                        self.string(cw, key, c[key])
                if "names" in c:
                    self.str_list(cw, "names", c["names"])
                if "pip" in c:
                    if not isinstance(c["pip"], list) or not all(isinstance(p, str) and p for p in c["pip"]):
                        self.fail(cw, "'pip' must be a list of strings")
            rec = spec.get("recommended")
            if rec is not None and rec not in seen:
                self.fail(where, f"'recommended' {rec!r} is not one of the choices' values")
        elif "recommended" in spec:
            self.string(where, "recommended", spec["recommended"])
        if kind == "decision" and "choices" not in spec and top:
            self.fail(where, "a 'decision' entry needs 'choices'")
        if top and kind is None and "to" not in spec and "base" not in spec and "suites" not in spec:
            self.fail(where, "needs 'to', or 'kind = \"drop\"' with a 'why', or 'kind = \"decision\"' with 'choices'")
        if "suites" in spec:
            suites = spec["suites"]
            if not isinstance(suites, dict):
                self.fail(where, "'suites' must be a table keyed by suite")
            for s, sub in suites.items():
                if s not in SUITES:
                    self.fail(f"{where}.suites", f"unknown suite {s!r} (known: {', '.join(SUITES)})")
                self.spec(f"{where}.suites.{s}", sub, level="suite")
        if "base" in spec:
            bases = spec["base"]
            if not isinstance(bases, dict):
                self.fail(where, "'base' must be a table keyed by base kind")
            for b, sub in bases.items():
                if b not in BASE_KINDS:
                    self.fail(f"{where}.base", f"unknown base kind {b!r} (known: {', '.join(BASE_KINDS)})")
                self.spec(f"{where}.base.{b}", sub, level="base")

    def check_resolved(self, entry: Entry) -> None:
        """Every (suite, base) combination must resolve to something coherent."""
        plain = "suites" not in entry.raw and "base" not in entry.raw
        for suite in SUITES[:1] if plain else SUITES:  # a plain entry is the same everywhere
            for base in BASE_KINDS[:1] if plain else BASE_KINDS:
                try:
                    spec = entry.spec(suite, base)
                except (KeyError, TypeError) as exc:
                    self.fail(f"packages.{entry.apk}", f"cannot resolve for {suite}/{base}: {exc}")
                where = f"packages.{entry.apk} ({suite}, {base})"
                if spec.kind == "map" and not spec.to:
                    self.fail(where, "a 'map' needs a non-empty 'to' (use kind = \"drop\" to install nothing)")
                if spec.kind == "drop" and not spec.why:
                    self.fail(where, "a 'drop' needs a 'why'")
                if spec.kind == "decision":
                    if not spec.choices:
                        self.fail(where, "a 'decision' needs 'choices'")
                    if spec.recommended is not None and spec.recommended not in {c.value for c in spec.choices}:
                        self.fail(where, f"'recommended' {spec.recommended!r} is not one of the choices' values")


def _read_toml(path: str) -> dict[str, Any]:
    import tomllib  # only when a file is parsed, not on a cache hit

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise MappingError(path, "no such mapping file") from None
    except OSError as exc:
        raise MappingError(path, f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path, f"not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise MappingError(path, f"not UTF-8: {exc}") from None


def parse_file(path: str, source: str) -> tuple[dict[str, Entry], dict[str, Py3Entry]]:
    data = _read_toml(path)
    v = _Validator(str(path))
    for key in data:
        if key not in ("schema", "packages", "py3"):
            v.fail("", f"unknown top-level key {key!r} (allowed: schema, packages, py3)")
    schema = data.get("schema", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        v.fail("schema", f"unsupported schema {schema!r} (this unalpine reads schema {SCHEMA_VERSION})")
    packages = data.get("packages", {})
    if not isinstance(packages, dict):
        v.fail("packages", "must be a table of entries")
    entries: dict[str, Entry] = {}
    for apk, raw in packages.items():
        where = f"packages.{apk}"
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9+._\-]*", apk):
            v.fail(where, "not a valid apk package name")
        if isinstance(raw, list):  # shorthand: packages.foo = ["bar"]
            raw = {"to": raw}
        v.spec(where, raw, level="entry")
        entry = Entry(apk, raw, source, str(path))
        v.check_resolved(entry)
        entries[apk] = entry
    py3 = data.get("py3", {})
    if not isinstance(py3, dict):
        v.fail("py3", "must be a table")
    py3_out: dict[str, Py3Entry] = {}
    for suffix, val in py3.items():
        where = f"py3.{suffix}"
        if isinstance(val, str):
            py3_out[suffix] = Py3Entry(pypi=val)
            continue
        if not isinstance(val, dict):
            v.fail(where, "must be a PyPI project name or a table {pypi, debian, why}")
        for key in val:
            if key not in _PY3_KEYS:
                v.fail(where, f"unknown key {key!r} (allowed: {', '.join(sorted(_PY3_KEYS))})")
        if "pypi" in val:
            v.string(where, "pypi", val["pypi"])
        if "why" in val:
            v.string(where, "why", val["why"])
        deb = val.get("debian")
        if deb is not None:
            if isinstance(deb, str):
                deb = [deb]
            v.str_list(where, "debian", deb)
            deb = tuple(deb)
        py3_out[suffix] = Py3Entry(pypi=val.get("pypi"), debian=deb, why=val.get("why", ""))
    return entries, py3_out


@functools.cache
def builtin_table() -> tuple[Map[str, Entry], dict[str, Py3Entry]]:
    # Parsed once, then read back from the user's cache (migrator/datacache.py)
    # until packages.toml or this module changes.
    from migrator.datacache import cached

    return cached("packages", [str(BUILTIN_PATH), __file__], lambda: parse_file(BUILTIN_PATH, "builtin"),
                  plain_table, table_from_plain)


def plain_table(parsed: tuple[dict[str, Entry], dict[str, Py3Entry]]) -> tuple:
    from migrator.datacache import plain_values

    entries, py3 = parsed
    return plain_values(entries, lambda e: (e.raw, e.source, e.path)), {k: tuple(v) for k, v in py3.items()}


def table_from_plain(plain: tuple) -> tuple[Map[str, Entry], dict[str, Py3Entry]]:
    # Entries are made as they are looked up (a small file asks for a few of 637).
    from migrator.datacache import LazyValues

    entries, py3 = plain
    return LazyValues(entries, lambda apk, fields: Entry(apk, *fields)), {k: Py3Entry(*v) for k, v in py3.items()}


