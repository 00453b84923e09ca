"""The apk → Debian package table: loading it and answering lookups.

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
``mappings/README.md``; ``migrator.package_file`` reads and validates it.
"""

from __future__ import annotations

import functools
import os

from migrator.debian.conventions import PATTERN_DROPS, py_suffix
from migrator.debian.name_index import DebianIndex
from migrator.debian.suites import SUITES, index_suite
from migrator.package_file import BASE_KINDS, BaseKind, Choice, builtin_table, parse_file
from migrator.records import Frozen

TYPE_CHECKING = False  # typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from collections.abc import Mapping as Map
    from typing import Sequence

    from migrator.package_file import Entry, Py3Entry

__all__ = [
    "BaseKind",
    "BASE_KINDS",
    "Choice",
    "Mapping",
    "PackageTable",
]

class Mapping(Frozen):
    """What the table says of one apk name. `kind`: "map", "drop", "decision"
    or "unknown"; `names`: for "map", the Debian names for the asked suite and
    base; `choices`: for "decision" and "unknown"; `recommended`: the value of
    the recommended Choice; `source`: "builtin" or the overlay file's path."""

    __slots__ = ()

    def __new__(cls, apk, kind, names=(), why="", choices=(), recommended=None, source="builtin") -> Mapping:
        return tuple.__new__(cls, (apk, kind, names, why, choices, recommended, source))


@functools.cache
def _resolution(apk: str, suite: str):
    """The resolver's answer for an unknown name, once per process: it reads
    only the suite's derived index (itself read once per process), and a
    fleet asks about the same unknown names file after file (~8 ms each)."""
    from migrator.debian.names import remembered

    return remembered(apk, suite)



# --------------------------------------------------------------------------
# the table


class PackageTable:
    def __init__(
        self,
        entries: Map[str, Entry],
        py3: dict[str, Py3Entry],
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
        entries: dict[str, Entry] = {}  # the overlays' (a later overlay's entry wins)
        py3: dict[str, Py3Entry] = {}
        b_entries: Map[str, Entry] = {}
        if builtin:
            b_entries, b_py3 = builtin_table()
            py3.update(b_py3)
        for ov in overlays:
            e, p = parse_file(os.fspath(ov), str(ov))
            entries.update(e)
            py3.update(p)
        if b_entries and entries:
            from collections import ChainMap  # keeps the built-in entries unmade until asked for

            chained: Map[str, Entry] = ChainMap(entries, b_entries)
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
        unknown = self._unknown(apk, suite)
        if unknown.recommended == "keep":
            versioned = self._versioned(apk, suite, base)
            if versioned is not None:
                return versioned
        return unknown

    def _versioned(self, apk: str, suite: str, base: BaseKind) -> Mapping | None:
        """Alpine's name for one version of a toolchain (llvm19-dev, clang21-dev,
        lld17) that nothing else settles: Debian's spelling of that version
        (llvm-19-dev) when the suite has it, else what the table or the
        resolver answers for the unversioned name (clang-dev: libclang-dev),
        which is the suite's default version."""
        import re

        m = re.fullmatch(r"([a-z][a-z+]*[a-z+])([0-9]+(?:\.[0-9]+)?)((?:-[a-z]+)*)", apk)
        if m is None:
            return None
        stem, version, suffix = m.groups()
        index = DebianIndex.load(suite)
        # llvm-19-dev; a -dev named after the library: libclang-15-dev
        dashed = next((n for n in (f"{stem}-{version}{suffix}", f"lib{stem}-{version}{suffix}")
                       if n in index and (suffix == "-dev" or not n.startswith("lib"))), None)
        if dashed is not None:
            names, why = (dashed,), f"{apk} is {stem}{suffix} at version {version}; Debian {suite} spells it {dashed}"
        else:
            plain = self.lookup(f"{stem}{suffix}", suite, base)
            if plain.kind == "map":
                names = plain.names
            elif plain.kind == "unknown" and plain.recommended and plain.recommended.startswith("map:"):
                names = next(c.names for c in plain.choices if c.value == plain.recommended)
            else:
                return None
            why = (f"{apk} is {stem}{suffix} at version {version}, which Debian {suite} does not have; "
                   f"its default version, as {stem}{suffix} maps: {' '.join(names)}")
        label = " ".join(names)
        choices = (Choice(f"map:{label}", f"install Debian's {label}", names=names, why=why),
                   Choice("keep", f"keep the Alpine name {apk} as is", names=(apk,),
                          why="the name may exist in a repository the Dockerfile adds"),
                   Choice("drop", "drop it", why="install nothing for it"))
        return Mapping(apk, "unknown", why=why, choices=choices, recommended=f"map:{label}")

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
        from migrator.alpine.elsewhere import elsewhere

        if entry is None and elsewhere(apk) is not None:
            # not in Debian at all: the resolver's name guesses are not used
            lines.append("  evidence in Debian: none; listed in mappings/elsewhere.toml")
        elif any(m.kind == "unknown" for m in results.values()):
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


