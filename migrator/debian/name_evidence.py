"""What Debian's indexes say about one Alpine name (migrator.debian.names):
the Builder collects candidate packages and the evidence for each, looking
names up in the suite's package list and derived index (sources, sonames,
pkg-config modules, commands)."""

from __future__ import annotations

import re

from migrator.debian.indexes import DerivedIndex, normalise
from migrator.debian.resolution import Candidate, Evidence

_NOT_RUNTIME = ("-dev", "-dbg", "-doc", "-common", "-data", "-bin", "-tools", "-utils", "-perl", "-java",
                "-cil", "-ocaml", "-dbgsym", "-udeb", "-plugins", "-modules")

_norm = normalise


class Builder:
    """Collects candidates and their evidence for one name on one suite."""

    def __init__(self, apk: str, suite: str):
        from migrator.debian.name_index import DebianIndex

        self.apk = apk
        self.suite = suite
        self.names = DebianIndex.load(suite)
        self.idx = DerivedIndex.load(suite)
        self.cands: dict[str, Candidate] = {}
        self.tried: list[str] = []  # names looked up that Debian does not have

    def real(self, name: str) -> str | None:
        """The real package for a name: itself, its t64 rename, or None."""
        if self.idx.source_of(name) is not None:
            return name
        if self.idx.source_of(f"{name}t64") is not None:
            return f"{name}t64"
        return None

    def not_in_debian(self, name: str) -> None:
        """`name` was looked up and Debian has no such package (the why says
        "none of ... exists")."""
        if name not in self.tried:
            self.tried.append(name)

    def add(self, name: str, kind: str, text: str, weight: int) -> None:
        real = self.real(name)
        if real is None:
            if name not in self.names:
                self.not_in_debian(name)
                return
            # a virtual name: apt installs it when one package provides it,
            # but the real package's own name is the better answer
            real = name
            weight = max(weight - 3, 0)
        c = self.cands.setdefault(real, Candidate((real,)))
        if not any(e.kind == kind and e.text == text for e in c.evidence):
            c.evidence.append(Evidence(kind, text, weight))
        c.commands = self.idx.command_count(real)

    # ------------------------------------------------------------ evidence

    def sources(self, stem: str) -> list[tuple[str, str]]:
        """Debian sources that ``stem`` names: (source, how it matched)."""
        idx = self.idx
        found: list[tuple[str, str]] = []
        for src in (stem, stem.lower().replace("_", "-")):
            if src in idx.source and all(s != src for s, _ in found):
                found.append((src, f"Debian source package {src}"))
        if not found:
            n = _norm(stem)
            keys = [n, f"lib{n}", n.removeprefix("lib"), n.rstrip("0123456789")]
            if stem.endswith("-c"):  # a C library named for its language (rabbitmq-c: librabbitmq)
                keys += [n[:-1], f"lib{n[:-1]}"]
            # too short a name matches anything once written differently
            keys = [k for k in keys if len(k) >= 4]
            for key in keys:
                for src in idx.sources_by_norm(key):
                    if all(s != src for s, _ in found):
                        found.append((src, f"Debian source package {src} (same name written differently)"))
                if found:
                    break
        return found[:3]

    def binaries(self, src: str) -> tuple[str, ...]:
        return self.idx.binaries(src)

    def runtime_libraries(self, src: str) -> list[str]:
        return [b for b in self.binaries(src) if is_runtime_library(b)]

    def sonames(self, bare: str) -> list[tuple[str, tuple[str, ...]]]:
        """Sonames of lib<bare> (any case): (soname, packages)."""
        out = []
        for prefix in (f"lib{bare.lower()}.so.", f"lib{bare.lower()}-"):
            for so in self.idx.sonames(prefix):
                if prefix.endswith("-") and not re.fullmatch(r"[0-9.]+\.so\.[0-9]+", so.lower()[len(prefix):]):
                    continue
                out.append((so, self.idx.so[so]))
        return out

    def pc_modules(self, stem: str) -> list[tuple[str, tuple[str, ...]]]:
        """pkg-config modules ``stem`` names: stem, libstem, stem-<version> ..."""
        idx = self.idx
        bare = stem.removeprefix("lib")
        out = []
        for mod in dict.fromkeys((stem, bare, f"lib{bare}", stem.lower(), _norm(stem))):
            if mod in idx.pc:
                out.append((mod, idx.pc[mod]))
        if not out:
            for mod in idx.pc_modules(f"{stem}-") + idx.pc_modules(f"{bare}-") + idx.pc_modules(f"lib{bare}-"):
                if re.fullmatch(r"[0-9][0-9.]*", mod.rsplit("-", 1)[1]) and all(m != mod for m, _ in out):
                    out.append((mod, idx.pc[mod]))
        return out

    def commands(self, cmd: str) -> tuple[str, ...]:
        return self.idx.bin.get(cmd, ())

    # ------------------------------------------------------------ ranking

    def ranked(self) -> list[Candidate]:
        return sorted(self.cands.values(), key=lambda c: (-c.score, -c.commands, c.label))


def is_runtime_library(name: str) -> bool:
    """libfoo6, libfoo-2.0-0, libfoo1t64: a shared-library package by Debian's policy names."""
    if not name.startswith("lib") or name.endswith(_NOT_RUNTIME):
        return False
    return bool(re.search(r"[0-9](t64)?$", name) or re.search(r"[0-9](t64)?-[a-z]+$", name))

