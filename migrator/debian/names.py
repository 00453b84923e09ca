"""Resolve an Alpine package name the mapping table does not know.

It reasons the way a packager does:

1. the *role* of the name on Alpine: ``foo-dev`` (headers), ``foo-libs`` or
   ``libfoo`` (the shared library), ``foo-tools`` (commands), ``foo-doc``,
   ``perl-foo-bar`` (a Perl module), ``cmd:foo`` (whatever installs the
   command), a bare ``foo`` (Alpine usually ships library and commands in
   one package where Debian splits them) ...;
2. the *evidence* for that role in Debian's own indexes
   (``migrator.debian.indexes``): the ``.pc`` file, the soname, the
   executable, the header folder, the source package and its siblings;
3. ranked *candidates*, each with its evidence.

``resolve(apk, suite)`` returns a ``Resolution``; ``PackageTable`` turns it
into the question (UA202) with the best candidate recommended when the
evidence separates it from the rest. A candidate that every Debian image
already has (``base`` set) makes "drop" the recommendation.
"""

from __future__ import annotations

import re

from migrator.debian.indexes import DerivedIndex, normalise
from migrator.debian.conventions import PATTERN_DROPS
from migrator.records import Frozen, Record

__all__ = ["Evidence", "Candidate", "Resolution", "resolve"]


# Records without dataclasses: importing it (inspect, ast, dis) cost ~5 ms of
# the first unknown package name, in every batch before its workers start.


class Evidence(Frozen):
    __slots__ = ()

    def __new__(cls, kind: str, text: str, weight: int) -> Evidence:
        # kind: "name", "pc", "so", "bin", "include", "source", "convention"
        return tuple.__new__(cls, (kind, text, weight))


class Candidate(Record):
    __slots__ = ("names", "evidence", "commands")

    def __init__(self, names: tuple[str, ...], evidence: list[Evidence] | None = None, commands: int = 0):
        self.names = names  # Debian packages to install (usually one)
        self.evidence = [] if evidence is None else evidence
        self.commands = commands  # tie-breaker for command roles: how many commands it installs

    @property
    def score(self) -> int:
        return sum(e.weight for e in self.evidence)

    @property
    def label(self) -> str:
        return " ".join(self.names)


class Resolution(Frozen):
    __slots__ = ()

    def __new__(cls, apk: str, suite: str, role: str, role_text: str, candidates: tuple[Candidate, ...],
                recommended: str | None, why: str) -> Resolution:
        # role: short id ("dev", "libs", "library", "tools", "plain", "perl", "cmd", ...);
        # role_text: what the name is on Alpine; candidates: best first;
        # recommended: the label of the recommended candidate, "drop", or None
        # (nothing found); why: one line, the role and the deciding evidence.
        return tuple.__new__(cls, (apk, suite, role, role_text, candidates, recommended, why))

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def plain(self) -> tuple:
        """As plain data, for the user's cache (from_plain rebuilds it)."""
        candidates = tuple((c.names, tuple(tuple(e) for e in c.evidence), c.commands) for c in self.candidates)
        return (*self[:4], candidates, *self[5:])

    @classmethod
    def from_plain(cls, plain: tuple) -> Resolution:
        apk, suite, role, role_text, candidates, recommended, why = plain
        return cls(apk, suite, role, role_text,
                   tuple(Candidate(tuple(names), [Evidence(*e) for e in evidence], commands)
                         for names, evidence, commands in candidates),
                   recommended, why)

    def explain(self) -> list[str]:
        """The evidence, one line per fact, best candidate first."""
        lines = [f"role: {self.role_text}"]
        for i, c in enumerate(self.candidates):
            mark = "*" if self.recommended == c.label else " "
            lines.append(f"{mark} {c.label} (score {c.score})")
            for e in c.evidence:
                lines.append(f"      {e.kind}: {e.text}")
        if not self.candidates:
            lines.append("  no Debian package found")
        if self.recommended == "drop":
            lines.append("* drop: " + self.why)
        return lines


# ----------------------------------------------------------------------------
# roles

# Alpine subpackage parts that Debian often leaves in the main package
# (e2fsprogs-extra); "s6-overlay" is another project, not a part of s6
_PART_WORDS = {"extra", "extras", "misc", "common", "core", "base", "full", "data", "scripts", "minimal",
               "tiny", "libs", "utils", "tools", "bin", "progs", "env", "login", "openssl"}
_TOOL_SUFFIXES = ("-utils", "-tools", "-progs", "-bin", "-client", "-cli")
_NOT_RUNTIME = ("-dev", "-dbg", "-doc", "-common", "-data", "-bin", "-tools", "-utils", "-perl", "-java",
                "-cil", "-ocaml", "-dbgsym", "-udeb", "-plugins", "-modules")
# PHP extensions that live in another Debian package than php-<name>
_PHP_EXT = {
    "pdo_mysql": "mysql", "mysqli": "mysql", "mysqlnd": "mysql", "pdo_pgsql": "pgsql",
    "pdo_sqlite": "sqlite3", "pdo_odbc": "odbc", "pdo_dblib": "sybase", "dom": "xml",
    "simplexml": "xml", "xmlreader": "xml", "xmlwriter": "xml", "xsl": "xml", "pecl-redis": "redis",
}
# compiled into Debian's php-common / php-cli: nothing more to install
_PHP_COMMON = {
    "ctype", "calendar", "exif", "fileinfo", "ffi", "ftp", "gettext", "iconv", "pdo", "phar",
    "posix", "shmop", "sockets", "sysvmsg", "sysvsem", "sysvshm", "tokenizer", "openssl",
    "session", "json", "zlib", "filter", "hash", "pcntl", "sodium", "mbstring-common",
}


_norm = normalise


class _Builder:
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
        return [b for b in self.binaries(src) if _is_runtime_library(b)]

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


def _is_runtime_library(name: str) -> bool:
    """libfoo6, libfoo-2.0-0, libfoo1t64: a shared-library package by Debian's policy names."""
    if not name.startswith("lib") or name.endswith(_NOT_RUNTIME):
        return False
    return bool(re.search(r"[0-9](t64)?$", name) or re.search(r"[0-9](t64)?-[a-z]+$", name))


# ----------------------------------------------------------------------------
# the resolver


_MEMOS: dict[str, object] = {}


def _memo(suite: str):
    memo = _MEMOS.get(suite)
    if memo is None:
        from migrator import datacache
        from migrator.debian import conventions, name_index
        from migrator.debian import indexes

        from migrator.alpine import facts as alpine

        sources = [indexes.derived_path(suite), name_index.DebianIndex.path(suite), __file__, indexes.__file__,
                   name_index.__file__, conventions.__file__, alpine.facts_path(), alpine.__file__]
        memo = _MEMOS[suite] = datacache.Memo(f"debian-resolutions-{suite}", sources)
    return memo


def has_remembered(suite: str) -> bool:
    """Whether earlier runs kept answers for `suite` (see remembered)."""
    return bool(_memo(suite))


def remembered(apk: str, suite: str) -> Resolution:
    """resolve(), or its answer from an earlier run: the answers are kept
    in the user's cache (migrator.datacache.Memo) for as long as the suite's
    Debian indexes and the resolver's code stay the same. Resolving needs
    the suite's derived index and package list (~40 ms to load); a Dockerfile
    run again (a pre-commit hook, an editor) then needs neither."""
    memo = _memo(suite)
    plain = memo.get(apk)
    if plain is not None:
        return Resolution.from_plain(plain)
    resolution = resolve(apk, suite)
    memo.put(apk, resolution.plain())
    return resolution


def resolve(apk: str, suite: str) -> Resolution:
    """Candidates for an Alpine name the table does not know (see the module doc)."""
    b = _Builder(apk, suite)
    role, role_text = _classify(apk)
    alpine = _alpine_facts(apk) if role not in ("drop", "cmd", "pc", "so") else None
    if alpine is not None:
        role, role_text = _alpine_role(alpine, role, role_text)
    drop_why = None
    if role == "drop":
        drop_why = role_text
    elif role == "cmd":
        _cmd(b, apk.split(":", 1)[1])
    elif role == "pc":
        _pc(b, apk.split(":", 1)[1])
    elif role == "so":
        _so(b, apk.split(":", 1)[1])
    elif role in ("dev", "static"):
        _dev(b, apk.rsplit("-", 1)[0])
    elif role == "libs":
        _library(b, apk[: -len("-libs")])
    elif role == "library":
        _library(b, apk)
        _exact(b, apk)
        if not b.cands:
            _subpackage(b, apk)
    elif role == "alpine-commands":
        _alpine_commands(b, apk, alpine)
    elif role == "tools":
        _tools(b, apk)
    elif role == "perl":
        _perl(b, apk)
    elif role == "ruby":
        _ruby(b, apk)
    elif role == "lua":
        _lua(b, apk)
    elif role == "php":
        drop_why = _php(b, apk)
    elif role == "node":
        _node(b, apk)
    elif role == "python":
        _python(b, apk)
    else:
        _plain(b, apk)
    if alpine is not None:
        _alpine_side(b, apk, alpine)
    _conventions(b, apk)
    ranked = b.ranked()
    ranked = _merge_top_libraries(b, ranked)
    if alpine is not None and alpine.rest == "everything":
        ranked = _library_with_commands(b, ranked, alpine)
    recommended, why = _recommend(b, ranked, role_text, drop_why)
    return Resolution(apk, suite, role, role_text, tuple(ranked[:8]), recommended, why)


def _classify(apk: str) -> tuple[str, str]:
    for prefix, role, text in (
        ("cmd:", "cmd", "apk's name for whatever installs the command {}"),
        ("pc:", "pc", "apk's name for whatever ships the pkg-config module {}"),
        ("so:", "so", "apk's name for whatever ships the shared library {}"),
    ):
        if apk.startswith(prefix):
            return role, text.format(apk[len(prefix):])
    # the table drops these before it asks; the resolver says the same
    for suffix, why in PATTERN_DROPS:
        if apk.endswith(suffix) and len(apk) > len(suffix):
            return "drop", f"Alpine's {suffix[1:]} subpackage: {why}"
    # before the language prefixes: nodejs-dev, lua5.1-libs, perl-dev are
    # the language's own headers and libraries
    if apk.endswith("-dev") and not apk.startswith(("py3-", "py-", "py2-")):
        return "dev", "headers and link libraries (Alpine -dev; Debian names them after the library: lib<name>-dev)"
    if apk.endswith("-static"):
        return "static", "static libraries (Alpine -static; Debian ships them in the -dev package)"
    if apk.endswith("-libs"):
        return "libs", "the shared libraries of {} (Alpine -libs; Debian: lib<name><soname>)".format(apk[:-5])
    if apk.startswith("perl-"):
        return "perl", "a Perl module (Debian: lib<name>-perl)"
    if apk.startswith("ruby-"):
        return "ruby", "a Ruby gem (Debian: ruby-<name>, or the gem's command)"
    if re.match(r"lua[0-9.]*-", apk):
        return "lua", "a Lua module (Debian: lua-<name>)"
    if re.fullmatch(r"php[0-9]+", apk):
        return "php", "PHP itself, one version (Debian: php-cli for the suite's PHP)"
    if re.match(r"php[0-9]*-", apk):
        return "php", "a PHP extension or SAPI (Debian: php-<name>)"
    if apk.startswith(("nodejs-", "node-")) and apk != "nodejs-current":
        return "node", "a Node.js module (Debian: node-<name>)"
    if apk.startswith(("py3-", "py-", "py2-")):
        return "python", "a Python module (Debian: python3-<name>)"
    if apk.endswith(_TOOL_SUFFIXES):
        return "tools", "commands (Alpine -{} subpackage)".format(apk.rsplit("-", 1)[1])
    if apk.startswith("lib") and len(apk) > 3:
        return "library", "a library (Debian names the runtime package after its soname: libfoo6)"
    return "plain", "a program or library of that name (Alpine often ships both in one package; Debian splits them)"


def _exact(b: _Builder, name: str, weight: int = 10) -> bool:
    for n in dict.fromkeys((name, name.lower().replace("_", "-"))):
        real = b.real(n)
        if real is not None:
            text = "Debian has a package of the same name" if n == name else f"Debian spells it {n}"
            if real in b.idx.transitional:
                b.add(n, "name", f"{text}, but a transitional dummy", 1)
                return False
            b.add(n, "name", text, weight)
            return True
        if n not in b.names:
            b.not_in_debian(n)
    return False


def _cmd(b: _Builder, cmd: str) -> None:
    for pkg in b.commands(cmd):
        b.add(pkg, "bin", f"installs the command {cmd}", 5 + (pkg == cmd))


def _pc(b: _Builder, module: str) -> None:
    for pkg in b.idx.pc.get(module, ()):
        b.add(pkg, "pc", f"ships {module}.pc", 6)
    if not b.cands:
        _dev(b, module)


def _so(b: _Builder, soname: str) -> None:
    for pkg in b.idx.so.get(soname, ()):
        b.add(pkg, "so", f"ships {soname}", 6)
    if not b.cands:
        m = re.fullmatch(r"lib(.+?)\.so(\..*)?", soname)
        if m:
            _library(b, m.group(1))


def _dev(b: _Builder, stem: str) -> None:
    _exact(b, f"{stem}-dev", 5)  # samba-dev, tcl-dev
    for mod, pkgs in b.pc_modules(stem):
        for pkg in pkgs:
            b.add(pkg, "pc", f"ships {mod}.pc", 3 + pkg.endswith("-dev"))
    for src, how in b.sources(stem):
        devs = [x for x in b.binaries(src) if x.endswith("-dev")]
        for pkg in devs:
            b.add(pkg, "source", f"the -dev package of {how}", 3 if len(devs) == 1 else 2)
    bare = stem.removeprefix("lib")
    for top in dict.fromkeys((stem, bare, f"{stem}.h", f"{bare}.h", f"lib{bare}")):
        for pkg in b.idx.include.get(top, ()):
            if pkg.endswith("-dev"):
                b.add(pkg, "include", f"ships /usr/include/{top}", 1)


def _library(b: _Builder, stem: str) -> None:
    bare = stem.removeprefix("lib")
    for so, pkgs in b.sonames(bare):
        for pkg in pkgs:
            if _is_runtime_library(pkg) or pkg.startswith("lib"):
                b.add(pkg, "so", f"ships {so}", 3)
    for src, how in b.sources(stem) or b.sources(f"lib{bare}"):
        for pkg in b.runtime_libraries(src):
            b.add(pkg, "source", f"a runtime library of {how}", 3)


def _tools(b: _Builder, apk: str) -> None:
    stem, suffix = apk.rsplit("-", 1)
    if _exact(b, apk):
        return
    for alt in ("tools", "utils", "bin", "progs", "client"):
        if alt != suffix:
            b.real(f"{stem}-{alt}") and b.add(f"{stem}-{alt}", "name", f"Debian's name for {stem}'s commands", 5)
    for src, how in b.sources(stem):
        for pkg in b.binaries(src):
            n = b.idx.command_count(pkg)
            if n and not pkg.endswith(("-dev", "-doc", "-dbg")):
                b.add(pkg, "source", f"installs {n} command(s), built by {how}", 3)
    _exact(b, stem, 2)


def _plain(b: _Builder, apk: str) -> None:
    if _exact(b, apk):
        for pkg in b.commands(apk):
            b.add(pkg, "bin", f"installs the command {apk}", 2)
        return
    sources = b.sources(apk)
    # a source of that name with shared libraries: Alpine's package is the
    # library (its commands are usually a -tools/-utils subpackage there)
    has_libs = any(b.runtime_libraries(src) for src, _ in sources)
    for pkg in b.commands(apk):
        b.add(pkg, "bin", f"installs the command {apk}", 2 if has_libs else 5 + (pkg == apk))
    stem = re.sub(r"[0-9.]+$", "", apk) or apk
    for src, how in sources:
        if _other_version(apk, src):
            # postgresql15 on trixie: the suite has another version of it;
            # its libraries are not what a versioned name asks for
            for pkg in b.binaries(src):
                if _other_version(apk, pkg) and pkg not in b.idx.transitional:
                    b.add(pkg, "source", f"Debian {b.suite} has another version: {pkg} (from {how})", 3)
            continue
        libs = b.runtime_libraries(src)
        for pkg in libs:
            b.add(pkg, "source", f"the runtime library of {how}", 4)
        for pkg in b.binaries(src):
            n = b.idx.command_count(pkg)
            if pkg not in libs and n and not pkg.endswith(("-dev", "-doc", "-dbg")):
                b.add(pkg, "source", f"installs {n} command(s), built by {how}", 3)
            if pkg not in libs and pkg not in b.idx.transitional and _norm(pkg) == _norm(apk):
                # the same name written Debian's way: postgresql15 is the
                # server postgresql-15, not the client libraries its source
                # also builds (the package depends on what it needs of them)
                b.add(pkg, "name", f"Debian spells it {pkg}", 6)
    for so, pkgs in b.sonames(stem):
        for pkg in pkgs:
            if pkg in b.cands:
                b.add(pkg, "so", f"ships {so}", 1)
    if not b.cands:
        _subpackage(b, apk)


def _other_version(apk: str, name: str) -> bool:
    """postgresql15 vs postgresql-17: the same name with another version number."""
    a, n = _norm(apk), _norm(name)
    digits = "0123456789"
    return a[-1:].isdigit() and n[-1:].isdigit() and a != n and a.rstrip(digits) == n.rstrip(digits)


def _subpackage(b: _Builder, apk: str) -> None:
    """apr-util-ldap: Alpine's subpackage "ldap" of apr-util → the source's
    binary package named for the same part (libaprutil1-ldap)."""
    parts = apk.split("-")
    for i in range(len(parts) - 1, 0, -1):
        origin, sub = "-".join(parts[:i]), "-".join(parts[i:])
        for src, how in b.sources(origin):
            # the part as a word of the name, or a word's start (libheif-aom: libheif-plugin-aomenc)
            word = re.escape(sub.lower().replace("_", "-"))
            matches = [pkg for pkg in b.binaries(src) if re.search(rf"(^|[-.]){word}", pkg)]
            for pkg in matches:
                b.add(pkg, "source", f"the {sub} part of {how}", 4)
            if 1 < len(matches) <= 4:  # Alpine's one subpackage is all of them (aomdec and aomenc)
                b.cands[" ".join(matches)] = Candidate(tuple(matches), [Evidence("source", f"all of the {sub} part of {how}", 5)])
            if not b.cands and src == origin and src in b.binaries(src) and sub in _PART_WORDS:
                # Debian does not split that part off (e2fsprogs-extra)
                b.add(src, "source", f"Debian keeps the {sub} part in {src}", 3)
        if b.cands:
            return


def _perl(b: _Builder, apk: str) -> None:
    mod = apk[len("perl-"):]
    b.add(f"lib{mod}-perl", "name", f"Debian's name for the Perl module {mod}", 6)
    if not b.cands:  # DBD::SQLite is libdbd-sqlite3-perl
        for name in b.names.with_prefix(f"lib{mod}"):
            if re.fullmatch(rf"lib{re.escape(mod)}[0-9]+-perl", name):
                b.add(name, "name", f"Debian's name for the Perl module {mod} with a version", 3)
    for src, how in b.sources(f"lib{mod}-perl"):
        for pkg in b.binaries(src):
            if pkg.endswith("-perl"):
                b.add(pkg, "source", f"built by {how}", 2)


def _ruby(b: _Builder, apk: str) -> None:
    gem = apk[len("ruby-"):]
    b.add(f"ruby-{gem}", "name", f"Debian's name for the gem {gem}", 6)
    # some gems are packaged under their own name (rake, bundler): a source
    # package of that name whose binary carries the name too
    if b.real(gem) is not None and b.idx.source_of(gem) == gem:
        b.add(gem, "name", f"Debian packages the gem {gem} under its own name", 4)


def _lua(b: _Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    b.add(f"lua-{mod}", "name", f"Debian's name for the Lua module {mod}", 6)


def _php(b: _Builder, apk: str) -> str | None:
    if "-" not in apk:  # php83: the interpreter
        b.add("php-cli", "name", "Debian's PHP command line, for the suite's PHP version", 6)
        return None
    ext = apk.split("-", 1)[1]
    if ext in _PHP_COMMON:
        return f"the PHP extension {ext} is built into Debian's php-common/php-cli"
    for name in dict.fromkeys((_PHP_EXT.get(ext, ext), ext.removeprefix("pecl-"))):
        b.add(f"php-{name}", "name", f"Debian's package of the PHP extension {ext} (for the suite's PHP)", 6)
    return None


def _node(b: _Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    b.add(f"node-{mod}", "name", f"Debian's name for the Node.js module {mod}", 6)
    # tools packaged under their own name (nodejs-npm: npm)
    if b.real(mod) is not None and b.idx.source_of(mod) == mod:
        b.add(mod, "name", f"Debian packages {mod} under its own name", 4)


def _python(b: _Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    if apk.startswith("py2-"):  # Python 2's module: Debian's python-<name> (bullseye at most)
        b.add(f"python-{mod}", "name", f"Debian's name for Python 2's {mod}", 6)
    for name in dict.fromkeys((mod, mod.replace("_", "-"), mod.removeprefix("python-"), mod.removeprefix("py"))):
        b.add(f"python3-{name}", "name", f"Debian's name for the Python module {name}", 6)
    _exact(b, mod, 3)


# ----------------------------------------------------------------------------
# Alpine's side: what the APKBUILD says the package carries


def _alpine_facts(apk: str):
    from migrator.alpine.facts import facts

    return facts(apk)


def _alpine_role(f, role: str, role_text: str) -> tuple[str, str]:
    """The role the APKBUILD gives the package, where it says more than the name."""
    where = f"by its APKBUILD ({f.origin})"
    if f.rest == "commands" and role in ("library", "plain", "libs"):
        return "alpine-commands", (f"commands and data, {where}: its libraries went to a subpackage it depends on, "
                                   "so Debian's package of the same commands (which depends on the library) covers it")
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


def _alpine_commands(b: _Builder, apk: str, f) -> None:
    """An Alpine package of commands (its libraries split off): Debian's
    package of the same name, or the command packages of its source."""
    _exact(b, apk, 6)
    origin_stem = f.origin.split("/", 1)[1]
    for src, how in b.sources(origin_stem) or b.sources(apk):
        for pkg in b.binaries(src):
            n = b.idx.command_count(pkg)
            if n and not _is_runtime_library(pkg) and not pkg.endswith(("-dev", "-doc", "-dbg")):
                b.add(pkg, "source", f"installs {n} command(s), built by {how}", 3)
            if pkg not in b.idx.transitional and pkg != apk and _norm(pkg) == _norm(apk):
                b.add(pkg, "name", f"Debian spells it {pkg}", 6)


def _alpine_side(b: _Builder, apk: str, f) -> None:
    """Evidence from the Alpine package's facts (migrator.alpine.facts): the
    commands, sonames, .pc modules and headers its APKBUILD gives it, and
    what the origin's main package keeps."""
    what = f"Alpine's {f.name} ({f.origin}/APKBUILD)"
    carried: dict[str, list[str]] = {}
    for prog in f.programs:
        for pkg in b.commands(prog):
            carried.setdefault(pkg, []).append(prog)
    for pkg, progs in carried.items():
        shown = ", ".join(progs[:4]) + (", ..." if len(progs) > 4 else "")
        b.add(pkg, "alpine", f"{what} carries the command(s) {shown}; Debian's {pkg} installs them",
              4 if f.role == "commands" else 2)
    # parts Alpine splits into other subpackages are not in this one
    # (apr-util keeps no LDAP driver: apr-util-ldap has it)
    parts = {sib.name[len(_main_package(f) or "") + 1:].replace("_", "-") for sib in f.siblings()
             if sib.role in ("plugin", "library") and _main_package(f) and sib.name.startswith(_main_package(f) + "-")}
    for c in list(b.cands.values()):
        for part in sorted(p for p in parts if p and p not in ("libs", "dev")):
            if len(c.names) == 1 and re.search(rf"[-.]{re.escape(part)}$", c.names[0]) and f.name != _main_package(f) + "-" + part:
                c.evidence.append(Evidence("alpine", f"Alpine puts the {part} part in its own subpackage, not in {f.name}", -3))
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
                if b.idx.command_count(pkg) and not _is_runtime_library(pkg) and not pkg.endswith(("-dev", "-doc", "-dbg")):
                    b.add(pkg, "alpine", f"{what} keeps the commands (its libraries went to a subpackage it depends on); "
                                         f"{pkg} installs {b.idx.command_count(pkg)} command(s), built by {how}", 4)
    elif f.rest == "library":
        for c in list(b.cands.values()):
            if len(c.names) == 1 and _is_runtime_library(c.names[0]):
                c.evidence.append(Evidence("alpine", f"{what} keeps the library (its commands went to a subpackage)", 3))
    elif f.role == "plugin" and not b.cands and not any(_BINDING.match(p) for p in f.plugins):
        # a plugin or coder of the origin's main package that Debian does not
        # package apart: Debian's counterpart of the main package carries it
        main = _main_package(f)
        if main and main != apk and not _RESOLVING:
            _RESOLVING.add(apk)
            try:
                parent = resolve(main, b.suite)
            finally:
                _RESOLVING.discard(apk)
            if parent.best is not None and parent.recommended not in (None, "drop"):
                for name in parent.best.names:
                    b.add(name, "alpine", f"{what} is a plugin of {main} ({', '.join(f.plugins)}); no Debian package is "
                                          f"named for it, and {name} is Debian's counterpart of {main}", 2)
    if f.role in ("commands", "library") and not f.rest:
        real = b.real(apk)
        if real is not None and real in b.cands and real not in b.idx.transitional:
            same = (f.role == "commands" and b.idx.command_count(real) > 0) or (f.role == "library" and _is_runtime_library(real))
            if same:
                b.add(real, "alpine", f"Debian's {real} has the same name and the same role ({f.role})", 3)


_BINDING = re.compile(r"usr/lib/(python|perl|ruby|lua)")
_RESOLVING: set[str] = set()  # plugins whose main package is being resolved (no loops)


def _main_package(f) -> str | None:
    """The name of the main package of f's APKBUILD (the one keeping the rest)."""
    for sibling in [f, *f.siblings()]:
        if sibling.rest is not None:
            return sibling.name
    return None


def _library_with_commands(b: _Builder, ranked: list[Candidate], f) -> list[Candidate]:
    """Alpine's package keeps everything `make install` installs (no -libs or
    -utils split): the library and its commands. When Debian splits them, offer
    the library together with the source's command packages, first."""
    best = ranked[0] if ranked and all(_is_runtime_library(n) for n in ranked[0].names) else None
    if best is None:
        return ranked  # Debian's best match is not the library alone (lm-sensors: the commands, which depend on it)
    src = b.idx.source_of(best.names[0])
    tools = [pkg for pkg in b.binaries(src) if b.idx.command_count(pkg) and not _is_runtime_library(pkg)
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


def _conventions(b: _Builder, apk: str) -> None:
    """Alpine→Debian naming conventions, as weak evidence."""
    from migrator.debian.conventions import soname_candidates, suggest_candidates

    if apk.startswith(("cmd:", "pc:", "so:")):
        return
    dev = apk.endswith(("-dev", "-static"))
    for name in suggest_candidates(apk):
        if name != apk:
            # a -dev name for a runtime name is offered, but ranked last
            b.add(name, "convention", "Debian's usual name for this kind of package", 1 if dev or not name.endswith("-dev") else 0)
    if apk.startswith(("py3-", "py-", "perl-", "ruby-", "php", "lua", "node")):
        return
    for name in soname_candidates(apk, b.names):
        b.add(name, "convention", "the library's name with its soname", 1 if dev or not name.endswith("-dev") else 0)


def _merge_top_libraries(b: _Builder, ranked: list[Candidate]) -> list[Candidate]:
    """Alpine's one library package can be several Debian ones (freetds:
    libsybdb5 and libct4): when runtime libraries of one source tie for
    first place, offer them together first."""
    if len(ranked) < 2:
        return ranked
    top = [c for c in ranked if c.score == ranked[0].score]
    libs = [c for c in top if len(c.names) == 1 and _is_runtime_library(c.names[0])]
    sources = {b.idx.source_of(c.names[0]) for c in libs}
    if len(libs) < 2 or len(libs) != len(top) or len(sources) != 1:
        return ranked
    names = tuple(sorted(n for c in libs for n in c.names))
    merged = Candidate(names, [Evidence("source", f"the runtime libraries of Debian source {sources.pop()}, "
                                        "which Alpine ships in one package", ranked[0].score + 1)])
    return [merged, *ranked]


def _recommend(b: _Builder, ranked: list[Candidate], role_text: str, drop_why: str | None) -> tuple[str | None, str]:
    if drop_why is not None:
        return "drop", drop_why
    if not ranked:
        shown = ", ".join(b.tried[:10]) + (", ..." if len(b.tried) > 10 else "")
        looked = f"; none of {shown} exists in Debian {b.suite}" if shown else f"; Debian {b.suite} shows no evidence for it"
        return None, f"{b.apk} is not in the mapping table ({role_text}){looked}"
    best = ranked[0]
    if all(n in b.idx.base_set for n in best.names):
        return "drop", (f"Debian's {best.label} is in every Debian image ({best.evidence[0].text}), "
                        "so there is nothing to install")
    separated = len(ranked) == 1 or best.score > ranked[1].score or (
        best.score == ranked[1].score and best.commands > ranked[1].commands)
    lead = f"{b.apk} is not in the mapping table ({role_text})"
    if separated:
        return best.label, f"{lead}; Debian {b.suite}: {best.label} ({best.evidence[0].text})"
    tied = [c.label for c in ranked if c.score == best.score]
    # the evidence does not separate them: still never recommend a name that
    # does not exist; take the first in a stable order and say so
    return best.label, f"{lead}; Debian {b.suite} has {', '.join(tied)} with equal evidence; {best.label} first"
