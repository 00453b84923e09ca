"""The apk → Debian package table: its file format, loading and lookups.

``PackageTable.load()`` parses ``mappings/packages.toml`` (and any overlay
files given with ``--mappings``) once; ``lookup(apk, suite, base)`` answers
what an Alpine package becomes on a Debian suite for a base-image kind:

* ``map``      – install these Debian names instead;
* ``drop``     – install nothing (``why`` says why);
* ``decision`` – no single right answer: ``choices`` + ``recommended``;
* ``unknown``  – the table does not know the name: ``choices`` holds one
  ``map`` choice per conventional Debian name that exists in that suite's
  index, plus ``keep`` and ``drop``.

The Debian indexes (``mappings/debian/<suite>.txt.xz``: every package name
and every ``Provides:`` name of Debian main, amd64) are only read when a
lookup needs them (``py3-*`` names, unknown names); see
``migrator.debian.name_index``. Names the table does not settle go to the
resolver (``migrator.debian.names``).

The file format is documented at the top of ``mappings/packages.toml`` and in
``mappings/README.md``.
"""

from __future__ import annotations

import functools
import re
import os

from migrator.data_files import data_dir
from migrator.debian.conventions import PATTERN_DROPS, py_suffix
from migrator.debian.name_index import DebianIndex
from migrator.debian.suites import SUITES, index_suite
from migrator.errors import MappingError
from migrator.records import Frozen, Record

TYPE_CHECKING = False  # typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from collections.abc import Mapping as Map
    from typing import Any, Sequence

__all__ = [
    "BaseKind",
    "BASE_KINDS",
    "Choice",
    "Mapping",
    "PackageTable",
]

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


class Mapping(Frozen):
    """What the table says of one apk name. `kind`: "map", "drop", "decision"
    or "unknown"; `names`: for "map", the Debian names for the asked suite and
    base; `choices`: for "decision" and "unknown"; `recommended`: the value of
    the recommended Choice; `source`: "builtin" or the overlay file's path."""

    __slots__ = ()

    def __new__(cls, apk, kind, names=(), why="", choices=(), recommended=None, source="builtin") -> Mapping:
        return tuple.__new__(cls, (apk, kind, names, why, choices, recommended, source))


BUILTIN_PATH = os.path.join(data_dir(), "packages.toml")


@functools.cache
def _resolution(apk: str, suite: str):
    """The resolver's answer for an unknown name, once per process: it reads
    only the suite's derived index (itself read once per process), and a
    fleet asks about the same unknown names file after file (~8 ms each)."""
    from migrator.debian.names import remembered

    return remembered(apk, suite)



# --------------------------------------------------------------------------
# parsing and validating mapping files


class _Spec(Frozen):
    """What an entry says for one (suite, base) after merging overrides."""

    __slots__ = ()

    def __new__(cls, kind, to=(), why="", choices=(), recommended=None) -> _Spec:
        return tuple.__new__(cls, (kind, to, why, choices, recommended))


class _Entry(Record):
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


class _Py3(Frozen):
    """A py3-* entry: its PyPI project, Debian names (a tuple, or per suite), why."""

    __slots__ = ()

    def __new__(cls, pypi=None, debian=None, why="") -> _Py3:
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

    def check_resolved(self, entry: _Entry) -> None:
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


def _parse_file(path: str, source: str) -> tuple[dict[str, _Entry], dict[str, _Py3]]:
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
    entries: dict[str, _Entry] = {}
    for apk, raw in packages.items():
        where = f"packages.{apk}"
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9+._\-]*", apk):
            v.fail(where, "not a valid apk package name")
        if isinstance(raw, list):  # shorthand: packages.foo = ["bar"]
            raw = {"to": raw}
        v.spec(where, raw, level="entry")
        entry = _Entry(apk, raw, source, str(path))
        v.check_resolved(entry)
        entries[apk] = entry
    py3 = data.get("py3", {})
    if not isinstance(py3, dict):
        v.fail("py3", "must be a table")
    py3_out: dict[str, _Py3] = {}
    for suffix, val in py3.items():
        where = f"py3.{suffix}"
        if isinstance(val, str):
            py3_out[suffix] = _Py3(pypi=val)
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
        py3_out[suffix] = _Py3(pypi=val.get("pypi"), debian=deb, why=val.get("why", ""))
    return entries, py3_out


@functools.cache
def _builtin() -> tuple[Map[str, _Entry], dict[str, _Py3]]:
    # Parsed once, then read back from the user's cache (migrator/datacache.py)
    # until packages.toml or this module changes.
    from migrator.datacache import cached

    return cached("packages", [str(BUILTIN_PATH), __file__], lambda: _parse_file(BUILTIN_PATH, "builtin"),
                  _plain_table, _table_from_plain)


def _plain_table(parsed: tuple[dict[str, _Entry], dict[str, _Py3]]) -> tuple:
    from migrator.datacache import plain_values

    entries, py3 = parsed
    return plain_values(entries, lambda e: (e.raw, e.source, e.path)), {k: tuple(v) for k, v in py3.items()}


def _table_from_plain(plain: tuple) -> tuple[Map[str, _Entry], dict[str, _Py3]]:
    # Entries are made as they are looked up (a small file asks for a few of 637).
    from migrator.datacache import LazyValues

    entries, py3 = plain
    return LazyValues(entries, lambda apk, fields: _Entry(apk, *fields)), {k: _Py3(*v) for k, v in py3.items()}


# --------------------------------------------------------------------------
# the table


class PackageTable:
    def __init__(
        self,
        entries: Map[str, _Entry],
        py3: dict[str, _Py3],
        *,
        builtin: bool = True,
        overlays: Sequence[str] = (),
    ):
        self._entries = entries
        self._py3 = py3
        self.builtin = builtin
        self.overlays = tuple(overlays)
        self._memo: dict[tuple[str, str, str], Mapping] = {}  # lookup's answers

    @classmethod
    def load(cls, overlays: Sequence[str | os.PathLike] = (), builtin: bool = True) -> "PackageTable":
        entries: dict[str, _Entry] = {}  # the overlays' (a later overlay's entry wins)
        py3: dict[str, _Py3] = {}
        b_entries: Map[str, _Entry] = {}
        if builtin:
            b_entries, b_py3 = _builtin()
            py3.update(b_py3)
        for ov in overlays:
            e, p = _parse_file(os.fspath(ov), str(ov))
            entries.update(e)
            py3.update(p)
        if b_entries and entries:
            from collections import ChainMap  # keeps the built-in entries unmade until asked for

            chained: Map[str, _Entry] = ChainMap(entries, b_entries)
            return cls(chained, py3, builtin=builtin, overlays=[str(o) for o in overlays])
        return cls(entries or b_entries, py3, builtin=builtin, overlays=[str(o) for o in overlays])

    # ---------------------------------------------------------------- lookup

    def names(self) -> list[str]:
        """Every apk name the table knows (sorted): its entries and py3-<suffix>
        for each [py3] name."""
        return sorted(set(self._entries) | {f"py3-{suffix}" for suffix in self._py3})

    def py3_names(self) -> dict[str, tuple[str | None, tuple[str, ...] | None]]:
        """The [py3] section: suffix → (PyPI project, Debian names or None)."""
        return {k: (v.pypi, v.debian) for k, v in self._py3.items()}

    def lookup(self, apk: str, suite: str, base: BaseKind) -> Mapping:
        """What `apk` becomes (memoised: a fleet asks for the same names file
        after file, and the answer depends only on the table and the key).
        An archived suite is answered by the index that stands for it
        (index_suite)."""
        key = (apk, suite, base)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._lookup(apk, index_suite(suite), base)
        return found

    def _lookup(self, apk: str, suite: str, base: BaseKind) -> Mapping:
        _check(suite, base)
        entry = self._entries.get(apk)
        if entry is not None:
            spec = entry.spec(suite, base)
            return Mapping(
                apk=apk,
                kind=spec.kind,
                names=spec.to,
                why=spec.why,
                choices=spec.choices,
                recommended=spec.recommended,
                source=entry.source,
            )
        for suffix, why in PATTERN_DROPS:
            if apk.endswith(suffix) and len(apk) > len(suffix):
                return Mapping(apk, "drop", why=why + f" (pattern *{suffix})")
        if apk.startswith(("cmd:", "pc:", "so:")) and len(apk.split(":", 1)[1]) > 0:
            return self._lookup_virtual(apk, suite, base)
        py = py_suffix(apk)
        if py is not None:
            m = self._lookup_py(apk, py, suite, base)
            if m is not None:
                return m
        not_in_debian = self._not_in_debian(apk, suite, base)
        if not_in_debian is not None:
            return not_in_debian
        return self._unknown(apk, suite)

    def _not_in_debian(self, apk: str, suite: str, base: BaseKind) -> Mapping | None:
        """A name Debian does not ship at all (mappings/elsewhere.toml): say
        so, and offer what its upstream documents; pip is offered (and
        recommended) on python images when PyPI has the very program,
        otherwise the name is kept with the warning until someone decides."""
        from migrator.alpine.elsewhere import elsewhere

        alt = elsewhere(apk)
        if alt is None:
            return None
        choices = []
        recommended = "keep"
        if alt.offers_pip and base == "python":
            choices.append(Choice("pip", f"pip install {alt.project} (the same program, from PyPI)", pip=(alt.project,),
                                  why=alt.note))
            recommended = "pip"
        choices.append(Choice("keep", f"keep the Alpine name {apk} (apt-get fails on it until it is replaced)",
                              names=(apk,), why="install it the upstream way by hand"))
        choices.append(Choice("drop", "drop it", why=f"{apk} is installed some other way"))
        return Mapping(apk, "unknown", why=alt.text(), choices=tuple(choices), recommended=recommended)

    def _lookup_virtual(self, apk: str, suite: str, base: str) -> Mapping:
        """apk's provider names: cmd:<command>, pc:<pkg-config module>, so:<soname>."""
        kind, name = apk.split(":", 1)
        if kind == "cmd" and name in self._entries:
            m = self.lookup(name, suite, base)
            return m._replace(apk=apk, why=f"{apk} asks for the command {name}: mapped like the package {name}" + (f"; {m.why}" if m.why else ""))
        if kind == "pc" and f"{name}-dev" in self._entries:
            dev = f"{name}-dev"
            m = self.lookup(dev, suite, base)
            return m._replace(apk=apk, why=f"{apk} is the pkg-config module of {dev}" + (f"; {m.why}" if m.why else ""))
        return self._unknown(apk, suite)

    def _py3_info(self, suffix: str) -> tuple[str, tuple[str, ...], str, str]:
        """(PyPI project, Debian names, why, source) for a py3-<suffix> name."""
        info = self._py3.get(suffix)
        pypi = (info.pypi if info and info.pypi else None) or suffix
        deb = info.debian if info and info.debian else (f"python3-{suffix}",)
        why = info.why if info else ""
        return pypi, tuple(deb), why, "builtin"

    def _lookup_py(self, apk: str, suffix: str, suite: str, base: str) -> Mapping | None:
        pypi, deb, note, _ = self._py3_info(suffix)
        idx = DebianIndex.load(suite)
        deb_ok = all(d in idx for d in deb)
        if base == "debian":
            if not deb_ok:
                missing = " ".join(d for d in deb if d not in idx)
                return self._unknown(apk, suite, f"{apk} is Python's {pypi}, but Debian {suite} has no {missing}")
            why = f"Alpine's {apk} is Debian's {' '.join(deb)} on {suite}"
            return Mapping(apk, "map", names=deb, why=why + (f"; {note}" if note else ""))
        choices = [
            Choice(
                "pip",
                f"pip install {pypi} into the image's own Python",
                pip=(pypi,),
                why=f"the python image runs its own CPython in /usr/local; {pypi} from PyPI is what it can import",
            )
        ]
        if deb_ok:
            choices.append(
                Choice(
                    "apt",
                    f"apt-get install {' '.join(deb)} (Debian's python3 — the image's Python cannot import it)",
                    names=deb,
                    why="installs Debian's own python3 next to the image's Python; only useful for tools run with /usr/bin/python3",
                )
            )
        choices.append(
            Choice("drop", "drop it", why="nothing in the image used Alpine's python3 for it")
        )
        why = (
            f"{apk} installs Alpine's python3 package of {pypi}, which the python image's "
            f"own interpreter cannot import; on python:*-slim install it with pip"
        )
        if note:
            why += f"; {note}"
        return Mapping(apk, "decision", why=why, choices=tuple(choices), recommended="pip")

    def _unknown(self, apk: str, suite: str, prefix: str = "") -> Mapping:
        """A name the table does not settle: the resolver's ranked candidates
        (migrator.debian.names, which reads Debian's derived indexes), then
        keep and drop. The recommendation is the best-evidenced candidate, or
        drop when Debian's twin is in every image; keep only when nothing was found."""
        res = _resolution(apk, suite)
        choices = [
            Choice(f"map:{c.label}", f"install Debian's {c.label} ({c.evidence[0].text})", names=c.names,
                   why="; ".join(e.text for e in c.evidence))
            for c in res.candidates
        ]
        choices.append(
            Choice("keep", f"keep the Alpine name {apk} as is", names=(apk,),
                   why="the name may exist in a repository the Dockerfile adds")
        )
        drop_why = res.why if res.recommended == "drop" else "install nothing for it"
        choices.append(Choice("drop", "drop it", why=drop_why))
        if res.recommended is None:
            recommended = "keep"
        elif res.recommended == "drop":
            recommended = "drop"
        else:
            recommended = f"map:{res.recommended}"
        why = f"{prefix}; {res.why}" if prefix else res.why
        return Mapping(apk, "unknown", why=why, choices=tuple(choices), recommended=recommended)

    # ---------------------------------------------------------------- explain

    def explain(self, apk: str, suite: str | None = None) -> str:
        suites = SUITES if suite is None else (suite,)
        for s in suites:
            _check(s, "python")
        lines: list[str] = []
        entry = self._entries.get(apk)
        if entry is not None:
            src = "builtin table" if entry.source == "builtin" else entry.source
            lines.append(f"{apk}: from the {src}")
        elif py_suffix(apk) is not None:
            pypi, deb, _, _ = self._py3_info(py_suffix(apk))
            lines.append(f"{apk}: Python package (py3-* rule): PyPI {pypi}, Debian {' '.join(deb)}")
        else:
            lines.append(f"{apk}: not in the table")
        results = {(s, b): self.lookup(apk, s, b) for s in suites for b in BASE_KINDS}
        for s in suites:
            described = [_describe(results[(s, b)]) for b in BASE_KINDS]
            if len(set(described)) == 1:
                lines.append(f"  {s:<9} {'any image':<13} {described[0]}")
                continue
            for b, text in zip(BASE_KINDS, described):
                lines.append(f"  {s:<9} {b + ' image':<13} {text}")
        whys: list[str] = []
        for m in results.values():
            if m.why and m.why not in whys:
                whys.append(m.why)
        for w in whys:
            lines.append(f"  why: {w}")
        if len(suites) > 1:
            per_suite = {s: tuple(_describe(results[(s, b)]) for b in BASE_KINDS) for s in suites}
            if len(set(per_suite.values())) > 1:
                lines.append("  note: the answer differs between suites")
        # Alpine's side: what the APKBUILD says the package carries
        from migrator.alpine.facts import facts as alpine_facts

        alpine = alpine_facts(apk)
        if alpine is not None:
            lines.extend(f"  {line}" for line in alpine.describe())
        if any(m.kind == "unknown" for m in results.values()):
            # the resolver's evidence, per suite (* = recommended)
            from migrator.debian.names import resolve

            for s in suites:
                lines.append(f"  evidence in Debian {s}:")
                lines.extend(f"    {line}" for line in resolve(apk, s).explain())
        return "\n".join(lines)


def _describe(m: Mapping) -> str:
    if m.kind == "map":
        return "→ " + " ".join(m.names)
    if m.kind == "drop":
        return "→ (drop)"
    opts = []
    for c in m.choices:
        what = " ".join(c.names) or (("pip " + " ".join(c.pip)) if c.pip else "nothing")
        star = "*" if c.value == m.recommended else ""
        opts.append(f"{c.value}{star}={what}")
    return f"{m.kind}: " + ", ".join(opts)


def _check(suite: str, base: str) -> None:
    if suite not in SUITES:
        raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join(SUITES)})")
    if base not in BASE_KINDS:
        raise ValueError(f"unknown base kind {base!r} (known: {', '.join(BASE_KINDS)})")


