"""Evidence from Alpine's side (migrator.debian.names): what the package's
APKBUILD says it carries (migrator.alpine.facts), turned into the role it
plays and into evidence for Debian candidates."""

from __future__ import annotations

import re

from migrator.debian.name_evidence import Builder, is_runtime_library
from migrator.debian.resolution import Candidate, Evidence


def alpine_facts(apk: str):
    from migrator.alpine.facts import facts

    return facts(apk)


def alpine_role(f, role: str, role_text: str) -> tuple[str, str]:
    """The role the APKBUILD gives the package, where it says more than the name."""
    where = f"by its APKBUILD ({f.origin})"
    if f.rest == "commands" and role in ("library", "plain", "libs"):
        return "alpine-commands", (f"commands and data, {where}: its libraries went to a subpackage it depends on, "
                                   "so installing it installs them too")
    if f.rest == "library" and role in ("plain", "tools"):
        return "library", f"a library, {where}: its commands went to a subpackage"
    if f.rest == "everything" and role in ("plain", "library"):
        return role, (f"whatever make install installs, its libraries and commands alike, {where}: "
                      "nothing is split off")
    if f.role == "commands" and not f.rest and role in ("plain", "library"):
        return "alpine-commands", f"commands, {where}"
    if f.role == "library" and not f.rest and role in ("plain", "tools"):
        return "library", f"a library, {where}"
    if f.role in ("headers", "plugin", "data", "meta") and role == "plain":
        return role, f"{role_text}; {f.role}, {where}"
    return role, role_text


def alpine_side(b: Builder, apk: str, f, resolve) -> None:
    """Evidence from the Alpine package's facts (migrator.alpine.facts): the
    commands, sonames, .pc modules and headers its APKBUILD gives it, and
    what the origin's main package keeps."""
    what = f"Alpine's {f.name} ({f.origin}/APKBUILD)"
    carried: dict[str, list[str]] = {}
    everywhere = None  # the command index with Architecture: all packages (Perl and Python scripts)
    for prog in f.programs:
        found = b.commands(prog)
        if not found:
            if everywhere is None:
                from migrator.debian.commands import CommandIndex

                everywhere = CommandIndex.load(b.suite)
            found = everywhere.packages(prog)
        for pkg in found:
            carried.setdefault(pkg, []).append(prog)
    for pkg, progs in carried.items():
        shown = ", ".join(progs[:4]) + (", ..." if len(progs) > 4 else "")
        b.add(pkg, "alpine", f"{what} carries the command(s) {shown}; Debian's {pkg} installs them",
              4 if f.role == "commands" else 2)
    real = b.real(apk)
    if real is not None and len(carried.get(real, ())) >= 2 and f.role != "commands":
        # dpkg-dev: headers by abuild's default_dev, and dpkg-architecture,
        # dpkg-buildpackage, ... moved in too: Debian's dpkg-dev is those commands
        b.add(real, "alpine", f"Debian's {real} has the same name and installs the commands {what} carries", 3)
    # parts Alpine splits into other subpackages are not in this one
    # (apr-util keeps no LDAP driver: apr-util-ldap has it)
    parts = {sib.name[len(_main_package(f) or "") + 1:].replace("_", "-") for sib in f.siblings()
             if sib.role in ("plugin", "library") and _main_package(f) and sib.name.startswith(_main_package(f) + "-")}
    for c in list(b.cands.values()):
        for part in sorted(p for p in parts if p and p not in ("libs", "dev")):
            if len(c.names) == 1 and re.search(rf"[-.]{re.escape(part)}$", c.names[0]) and f.name != _main_package(f) + "-" + part:
                c.evidence.append(Evidence("alpine", f"Alpine puts the {part} part in its own subpackage, not in {f.name}", -3))
    for name in f.provides:
        # gnupg-dirmngr provides "dirmngr": Debian's package of that name; a
        # versioned package's alias (postgresql16 provides postgresql) is not one
        if ":" not in name and not apk.startswith(name) and b.real(name) is not None and name not in b.idx.transitional:
            b.add(name, "alpine", f"{what} provides {name}, and Debian has a package of that name", 4)
    for so in f.sonames:
        for soname in b.idx.sonames(so + "."):
            for pkg in b.idx.so[soname]:
                if not pkg.endswith(("-dev", "-dbg")):
                    b.add(pkg, "alpine", f"{what} carries {so}.*; Debian's {pkg} ships {soname}", 4)
    for mod in f.pc:
        for pkg in b.idx.pc.get(mod, ()):
            b.add(pkg, "alpine", f"{what} carries {mod}.pc; so does Debian's {pkg}", 4)
    for top in f.include:
        for pkg in b.idx.include.get(top, ()):
            if pkg.endswith("-dev"):
                b.add(pkg, "alpine", f"{what} carries /usr/include/{top}; so does Debian's {pkg}", 2)
    if f.role == "headers" and not (f.pc or f.include):
        # abuild's default_dev: the headers of the libraries its siblings carry
        for sibling in f.siblings():
            for so in sibling.sonames:
                for soname in b.idx.sonames(so + "."):
                    for pkg in b.idx.so[soname]:
                        src = b.idx.source_of(pkg)
                        for dev in (x for x in b.binaries(src) if x.endswith("-dev")) if src else ():
                            b.add(dev, "alpine", f"{what} holds the headers of {so}, which {sibling.name} carries; "
                                                 f"Debian's {pkg} ships {soname} and {dev} is its -dev", 3)
    origin_stem = f.origin.split("/", 1)[1]
    if f.rest == "commands":
        # the libraries went to a subpackage the main package depends on:
        # what it adds is the commands
        for src, how in b.sources(origin_stem) or b.sources(apk):
            for pkg in b.binaries(src):
                if b.idx.command_count(pkg) and not is_runtime_library(pkg) and not pkg.endswith(("-dev", "-doc", "-dbg")):
                    b.add(pkg, "alpine", f"{what} keeps the commands (its libraries went to a subpackage it depends on); "
                                         f"{pkg} installs {b.idx.command_count(pkg)} command(s), built by {how}", 4)
    elif f.rest == "library":
        for c in list(b.cands.values()):
            if len(c.names) == 1 and is_runtime_library(c.names[0]):
                c.evidence.append(Evidence("alpine", f"{what} keeps the library (its commands went to a subpackage)", 3))
    elif f.role == "plugin" and not b.cands and not any(_BINDING.match(p) for p in f.plugins):
        # a plugin or coder of the origin's main package that Debian does not
        # package apart: Debian's counterpart of the main package carries it
        main = _main_package(f)
        if main and main != apk and not _RESOLVING:
            parent = _resolve_once(resolve, main, b.suite, apk)
            if parent.best is not None and parent.recommended not in (None, "drop"):
                for name in parent.best.names:
                    b.add(name, "alpine", f"{what} is a plugin of {main} ({', '.join(f.plugins)}); no Debian package is "
                                          f"named for it, and {name} is Debian's counterpart of {main}", 2)
    elif f.role == "data" and not b.cands and not _RESOLVING:
        # data the origin's library reads (icu-data: ICU's tables) that Debian
        # ships inside the library package: Debian's answer for the -libs
        # subpackage, else for the main package
        main = _main_package(f)
        libs = next((s.name for s in f.siblings() if s.name == f"{main}-libs" and s.role == "library"), None)
        parent = libs or main
        if parent and parent != apk:
            answer = _resolve_once(resolve, parent, b.suite, apk)
            if answer.best is not None and answer.recommended not in (None, "drop"):
                names = answer.best.names if libs is None else _without_plugins(
                    [n for n in answer.best.names if is_runtime_library(n)])
                for name in names:
                    b.add(name, "alpine", f"{what} is data of {parent} ({', '.join(f.raw.get('moves', ())[:2])}); "
                                          f"Debian names no package for it, and {name} is Debian's counterpart "
                                          f"of {parent}", 2)
    if f.role in ("commands", "library") and not f.rest:
        real = b.real(apk)
        if real is not None and real in b.cands and real not in b.idx.transitional:
            same = (f.role == "commands" and b.idx.command_count(real) > 0) or (f.role == "library" and is_runtime_library(real))
            if same:
                b.add(real, "alpine", f"Debian's {real} has the same name and the same role ({f.role})", 3)


_BINDING = re.compile(r"usr/lib/(python|perl|ruby|lua)")
_RESOLVING: set[str] = set()  # plugins whose main package is being resolved (no loops)


def _resolve_once(resolve, name: str, suite: str, marker: str | None = None):
    """resolve(name, suite) with `marker` (default: name) in _RESOLVING meanwhile,
    so a resolution that comes back to it does not loop."""
    marker = marker or name
    _RESOLVING.add(marker)
    try:
        return resolve(name, suite)
    finally:
        _RESOLVING.discard(marker)


def _main_package(f) -> str | None:
    """The name of the main package of f's APKBUILD (the one keeping the rest)."""
    for sibling in [f, *f.siblings()]:
        if sibling.rest is not None:
            return sibling.name
    return None


def library_with_commands(b: Builder, ranked: list[Candidate], f) -> list[Candidate]:
    """Alpine's package keeps everything `make install` installs (no -libs or
    -utils split): the library and its commands. When Debian splits them, offer
    the library together with the source's command packages, first."""
    best = ranked[0] if ranked and all(is_runtime_library(n) for n in ranked[0].names) else None
    if best is None:
        return ranked  # Debian's best match is not the library alone (lm-sensors: the commands, which depend on it)
    src = b.idx.source_of(best.names[0])
    tools = [pkg for pkg in b.binaries(src) if b.idx.command_count(pkg) and not is_runtime_library(pkg)
             and not pkg.endswith(("-dev", "-doc", "-dbg", "-dbgsym", "-udeb")) and pkg not in b.idx.transitional]
    if not tools or len(tools) > 2:
        return ranked
    names = (*best.names, *tools)
    listed = ", ".join(f"{t} ({b.idx.command_count(t)} command(s))" for t in tools)
    merged = Candidate(names, [Evidence("alpine", f"Alpine's {f.name} ({f.origin}/APKBUILD) keeps everything make install "
                                        f"installs, the library and its commands; Debian source {src} splits them: "
                                        f"{best.label} and {listed}", ranked[0].score + 1)])
    merged.commands = sum(b.idx.command_count(t) for t in tools)
    return [merged, *ranked]


def commands_with_library(b: Builder, ranked: list[Candidate], f, resolve) -> list[Candidate]:
    """Alpine's main package keeps the commands and its libraries went to a
    -libs subpackage it depends on (tidyhtml: tidy, and tidyhtml-libs through
    so:libtidy.so.5): `apk add` of it gives the library and the commands. When
    Debian's answer is the command package alone, offer the library with it,
    first: a name people install for the library (PHP's tidy and enchant
    extensions) keeps it by name, and the commands stay for the next RUN."""
    best = ranked[0] if ranked and len(ranked[0].names) == 1 else None
    if best is None or is_runtime_library(best.names[0]) or not b.idx.command_count(best.names[0]):
        return ranked
    libs = next((s for s in f.siblings() if s.name == f"{f.name}-libs" and s.role == "library"), None)
    if libs is None or libs.name in _RESOLVING:
        return ranked
    answer = _resolve_once(resolve, libs.name, b.suite)
    if answer.best is None or answer.recommended in (None, "drop"):
        return ranked
    names = _without_plugins([n for n in answer.best.names if is_runtime_library(n)])
    if not names or b.idx.source_of(names[0]) != b.idx.source_of(best.names[0]):
        return ranked
    merged = Candidate((*names, *best.names), [Evidence(
        "alpine", f"Alpine's {f.name} ({f.origin}/APKBUILD) keeps the commands and depends on {libs.name}, "
                  f"its library: {' '.join(names)} (Debian's answer for {libs.name}) and {best.label}", best.score + 1)])
    merged.commands = best.commands
    return [merged, *ranked]


def _without_plugins(names: list[str]) -> list[str]:
    """A plugin package of a library (libenchant-2-voikko beside libenchant-2-2)
    is no part of what Alpine's -libs holds."""
    return [n for n in names if not any(len(m) < len(n) and n.startswith(m.rstrip("0123456789")) for m in names)]



def dev_sibling_split_off(b: Builder, ranked: list[Candidate], f, resolve) -> list[Candidate]:
    """An Alpine -dev (abuild's default_dev) holds the headers, .pc files and
    .so links no other -dev of its APKBUILD moved. When the APKBUILD splits a
    sibling -dev off (mongo-c-driver: libbson-dev takes libbson's headers,
    .pc and .so link back from mongo-c-driver-dev), the Debian -dev that
    sibling maps to is the sibling's part, not this one's: answer the next
    -dev of the Debian source named like the APKBUILD (libmongoc-dev)."""
    best = ranked[0] if ranked and len(ranked[0].names) == 1 else None
    src = b.idx.source_of(best.names[0]) if best is not None else None
    if src is None or src != f.origin.split("/", 1)[1]:
        return ranked
    split_off: dict[str, str] = {}
    for s in f.siblings():
        if s.role != "headers" or not s.name.endswith("-dev") or s.name in _RESOLVING:
            continue
        if s.name in b.binaries(src):
            split_off[s.name] = s.name
            continue
        answer = _resolve_once(resolve, s.name, b.suite)
        for n in answer.best.names if answer.best is not None else ():
            split_off.setdefault(n, s.name)
    if best.names[0] not in split_off:
        return ranked
    rest = next((c for c in ranked[1:] if len(c.names) == 1 and c.names[0] not in split_off
                 and c.names[0].endswith("-dev") and b.idx.source_of(c.names[0]) == src), None)
    if rest is None:
        return ranked
    sibling = split_off[best.names[0]]
    merged = Candidate(rest.names, [Evidence(
        "alpine", f"Alpine's {f.name} ({f.origin}/APKBUILD) holds what no other -dev moved, and {sibling} is split off "
                  f"into its own subpackage: {best.label} is {sibling}'s part; {rest.label} is the rest of "
                  f"Debian source {src}", best.score + 1)])
    return [merged, *ranked]
