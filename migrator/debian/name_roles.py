"""The role an Alpine name plays and where Debian keeps that role
(migrator.debian.names): ``classify`` reads the role from the name
(``foo-dev``, ``libfoo``, ``perl-foo``, ``cmd:foo`` ...), ``search`` adds the
candidates that role's Debian naming and indexes point to."""

from __future__ import annotations

import re

from migrator.debian.conventions import PATTERN_DROPS
from migrator.debian.indexes import normalise
from migrator.debian.name_evidence import Builder, is_runtime_library
from migrator.debian.resolution import Candidate, Evidence

# Alpine subpackage parts that Debian often leaves in the main package
# (e2fsprogs-extra); "s6-overlay" is another project, not a part of s6
_PART_WORDS = {"extra", "extras", "misc", "common", "core", "base", "full", "data", "scripts", "minimal",
               "tiny", "libs", "utils", "tools", "bin", "progs", "env", "login", "openssl"}
_TOOL_SUFFIXES = ("-utils", "-tools", "-progs", "-bin", "-client", "-cli")
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


def search(b: Builder, apk: str, role: str, role_text: str, alpine) -> str | None:
    """Add the candidates for `apk` in its role; the reason to drop it, if the role says so."""
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
    return drop_why


def classify(apk: str) -> tuple[str, str]:
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


def _exact(b: Builder, name: str, weight: int = 10) -> bool:
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


def _cmd(b: Builder, cmd: str) -> None:
    for pkg in b.commands(cmd):
        b.add(pkg, "bin", f"installs the command {cmd}", 5 + (pkg == cmd))


def _pc(b: Builder, module: str) -> None:
    for pkg in b.idx.pc.get(module, ()):
        b.add(pkg, "pc", f"ships {module}.pc", 6)
    if not b.cands:
        _dev(b, module)


def _so(b: Builder, soname: str) -> None:
    for pkg in b.idx.so.get(soname, ()):
        b.add(pkg, "so", f"ships {soname}", 6)
    if not b.cands:
        m = re.fullmatch(r"lib(.+?)\.so(\..*)?", soname)
        if m:
            _library(b, m.group(1))


def _dev(b: Builder, stem: str) -> None:
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


def _library(b: Builder, stem: str) -> None:
    bare = stem.removeprefix("lib")
    for so, pkgs in b.sonames(bare):
        for pkg in pkgs:
            if is_runtime_library(pkg) or pkg.startswith("lib"):
                b.add(pkg, "so", f"ships {so}", 3)
    for src, how in b.sources(stem) or b.sources(f"lib{bare}"):
        for pkg in b.runtime_libraries(src):
            b.add(pkg, "source", f"a runtime library of {how}", 3)


def _tools(b: Builder, apk: str) -> None:
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


def _plain(b: Builder, apk: str) -> None:
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
            elif (pkg not in libs and pkg not in b.idx.transitional and _norm(pkg) == "lib" + _norm(apk)
                  and not pkg.endswith(("-perl", "-java", "-ocaml", "-cil", "-dev", "-doc"))):
                # a library loaded by name, not linked (nss_wrapper, an LD_PRELOAD
                # library): Debian names its package lib<name> without a soname
                # (libnet-snmp-perl is a Perl module's name, not net-snmp-perl's)
                b.add(pkg, "name", f"Debian names the library {pkg}", 6)
    for so, pkgs in b.sonames(stem):
        for pkg in pkgs:
            if pkg in b.cands:
                b.add(pkg, "so", f"ships {so}", 1)
    if not b.cands and not apk.startswith("lib") and b.real(f"python3-{apk}") is not None:
        # a Python application's plugin or theme that Alpine names without
        # py3- (certbot-nginx, sphinx-rtd-theme): Debian's python3-<name>
        b.add(f"python3-{apk}", "name", f"Debian's name for the Python module {apk}", 5)
    if not b.cands:
        _subpackage(b, apk)


def _other_version(apk: str, name: str) -> bool:
    """postgresql15 vs postgresql-17: the same name with another version number."""
    a, n = _norm(apk), _norm(name)
    digits = "0123456789"
    return a[-1:].isdigit() and n[-1:].isdigit() and a != n and a.rstrip(digits) == n.rstrip(digits)


def _subpackage(b: Builder, apk: str) -> None:
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


def _perl(b: Builder, apk: str) -> None:
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


def _ruby(b: Builder, apk: str) -> None:
    gem = apk[len("ruby-"):]
    b.add(f"ruby-{gem}", "name", f"Debian's name for the gem {gem}", 6)
    # some gems are packaged under their own name (rake, bundler): a source
    # package of that name whose binary carries the name too
    if b.real(gem) is not None and b.idx.source_of(gem) == gem:
        b.add(gem, "name", f"Debian packages the gem {gem} under its own name", 4)


def _lua(b: Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    b.add(f"lua-{mod}", "name", f"Debian's name for the Lua module {mod}", 6)


def _php(b: Builder, apk: str) -> str | None:
    if "-" not in apk:  # php83: the interpreter
        b.add("php-cli", "name", "Debian's PHP command line, for the suite's PHP version", 6)
        return None
    ext = apk.split("-", 1)[1]
    if ext in _PHP_COMMON:
        return f"the PHP extension {ext} is built into Debian's php-common/php-cli"
    for name in dict.fromkeys((_PHP_EXT.get(ext, ext), ext.removeprefix("pecl-"))):
        b.add(f"php-{name}", "name", f"Debian's package of the PHP extension {ext} (for the suite's PHP)", 6)
    return None


def _node(b: Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    b.add(f"node-{mod}", "name", f"Debian's name for the Node.js module {mod}", 6)
    # tools packaged under their own name (nodejs-npm: npm)
    if b.real(mod) is not None and b.idx.source_of(mod) == mod:
        b.add(mod, "name", f"Debian packages {mod} under its own name", 4)


def _python(b: Builder, apk: str) -> None:
    mod = apk.split("-", 1)[1]
    if apk.startswith("py2-"):  # Python 2's module: Debian's python-<name> (bullseye at most)
        b.add(f"python-{mod}", "name", f"Debian's name for Python 2's {mod}", 6)
    for name in dict.fromkeys((mod, mod.replace("_", "-"), mod.removeprefix("python-"), mod.removeprefix("py"))):
        b.add(f"python3-{name}", "name", f"Debian's name for the Python module {name}", 6)
    _exact(b, mod, 3)


def _alpine_commands(b: Builder, apk: str, f) -> None:
    """An Alpine package of commands (its libraries split off): Debian's
    package of the same name, or the command packages of its source."""
    _exact(b, apk, 6)
    origin_stem = f.origin.split("/", 1)[1]
    for src, how in b.sources(origin_stem) or b.sources(apk):
        for pkg in b.binaries(src):
            n = b.idx.command_count(pkg)
            if n and not is_runtime_library(pkg) and not pkg.endswith(("-dev", "-doc", "-dbg")):
                b.add(pkg, "source", f"installs {n} command(s), built by {how}", 3)
            if pkg not in b.idx.transitional and pkg != apk and _norm(pkg) == _norm(apk):
                b.add(pkg, "name", f"Debian spells it {pkg}", 6)
    if f.rest is None and not any(e.kind == "name" for c in b.cands.values() for e in c.evidence):
        # a subpackage of commands (gnupg-dirmngr): Debian's package named for that part
        _subpackage(b, apk)

