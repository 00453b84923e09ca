#!/usr/bin/env python3
"""Alpine package facts from APKBUILDs, read statically.

    python mappings/refresh_alpine.py --aports DIR [--out mappings/alpine/packages.json]

DIR is laid out like the aports repository (``main/NAME/APKBUILD``,
``community/NAME/APKBUILD``, ``testing/NAME/APKBUILD``): a sparse checkout
(``git clone --filter=blob:none --sparse`` and ``git sparse-checkout set
main/openssl ...``) or a folder filled by hand. The commit of each APKBUILD
comes from ``DIR/.commits.tsv`` (``main/NAME<TAB>commit`` per line) when it
exists, else from ``git -C DIR log -1`` of that file.

Every APKBUILD is shell that abuild sources; it is never executed here. The
reader understands what packagers write to split a build into packages:
variable assignments (``$pkgname``, ``${pkgver%.*}``, ``$_pkgname``),
``subpackages="name:func:arch ..."``, the split functions (``amove PATH``,
``mv "$pkgdir"/PATH "$subpkgdir"/...``, ``cd "$pkgdir"/DIR`` then ``mv a b``,
``default_dev`` and the other default splits, helper functions called with
arguments, ``for x in $list; do amove ...; done``), and ``depends``,
``provides``, ``install_if`` set at the top or inside a split function.
Whatever it cannot follow stays unknown: the table never guesses.

Output: one JSON object, ``packages`` (Alpine package → facts) and
``origins`` (APKBUILD folder → commit, pkgver). Standard library only.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

SCHEMA = 1
REPOS = ("main", "community", "testing")

# abuild's default split functions: what each moves out of $pkgdir
# (abuild's default_dev, default_libs, ... reduced to the paths that tell a role)
DEFAULT_SPLITS = {
    "dev": ["usr/include", "usr/lib/pkgconfig/*.pc", "usr/share/pkgconfig/*.pc", "usr/lib/*.so", "lib/*.so",
            "usr/lib/*.a", "usr/bin/*-config", "usr/share/aclocal", "usr/lib/cmake"],
    "libs": ["lib/lib*.so.[0-9]*", "usr/lib/lib*.so.[0-9]*"],
    "static": ["usr/lib/*.a", "lib/*.a"],
    "doc": ["usr/share/doc", "usr/share/man", "usr/share/info"],
    "openrc": ["etc/init.d", "etc/conf.d"],
    "lang": ["usr/share/locale"],
    "dbg": ["usr/lib/debug"],
    "pyc": ["usr/lib/python3*/**/__pycache__"],
    "bashcomp": ["usr/share/bash-completion"],
    "zshcomp": ["usr/share/zsh"],
    "fishcomp": ["usr/share/fish"],
}
# the role each default split gives its package
DEFAULT_ROLES = {"dev": "headers", "libs": "library", "static": "static", "doc": "data", "openrc": "data",
                 "lang": "data", "dbg": "data", "pyc": "data", "bashcomp": "data", "zshcomp": "data",
                 "fishcomp": "data"}
_COMMAND_DIRS = ("usr/bin", "usr/sbin", "bin", "sbin")
# subpackages unalpine drops by their name (migrator.debian.conventions.PATTERN_DROPS):
# the table leaves them out to stay small
PATTERN_DROPPED = ("-pyc", "-openrc", "-doc", "-lang", "-bash-completion", "-zsh-completion",
                   "-fish-completion", "-dbg")
_MAX_PATHS = 6  # plugin paths kept per package (samba-libs moves 45): enough to say what it is


class Unknown(Exception):
    """An expansion the reader cannot do statically."""


# ----------------------------------------------------------------------------
# shell: statements, words, expansions


def _statements(text: str) -> list[str]:
    """Top-level statements: comments dropped, continued lines and quoted
    newlines joined, a function definition kept whole (``name() { ... }``)."""
    out: list[str] = []
    buf = ""
    quote = None
    depth = 0  # braces of a function body
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            buf += c
            if c == "\\" and quote == '"' and i + 1 < len(text):
                buf += text[i + 1]
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
            buf += c
        elif c == "\\" and text[i + 1 : i + 2] == "\n":
            buf += " "
            i += 1
        elif c == "#" and (not buf or buf[-1] in " \t\n;"):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c == "{" and (not buf.strip() or re.search(r"\(\)\s*$", buf)):
            depth += 1
            buf += c
        elif c == "{" and depth and (buf[-1:] in " \t\n;" or not buf) and text[i + 1 : i + 2] in (" ", "\t", "\n"):
            # a group opens with `{` and a blank; `find ... -exec cmd {} \;` is a word
            depth += 1
            buf += c
        elif c == "}" and depth and (not buf or buf[-1] in " \t\n;"):
            depth -= 1
            buf += c
        elif c == "\n" and not depth:
            if buf.strip():
                out.append(buf.strip())
            buf = ""
        else:
            buf += c
        i += 1
    if buf.strip():
        out.append(buf.strip())
    return _join_ifs(out)


def _join_ifs(statements: list[str]) -> list[str]:
    """A top-level ``if ...; then ... fi`` spread over lines becomes one statement."""
    out: list[str] = []
    block: list[str] = []
    nesting = 0
    for stmt in statements:
        if nesting or re.match(r"if\s", stmt):
            block.append(stmt)
            nesting += len(re.findall(r"(?:^|[;\s])if\s", stmt)) - len(re.findall(r"(?:^|[;\s])fi(?=$|[;\s])", stmt))
            if nesting <= 0:
                out.append("\n".join(block))
                block, nesting = [], 0
            continue
        out.append(stmt)
    out.extend(block)
    return out


def _split_commands(body: str) -> list[str]:
    """A function body's commands: lines and ``;``, quotes respected; a
    ``for ... done`` loop stays one command."""
    cmds: list[str] = []
    buf = ""
    quote = None
    for c in body:
        if quote:
            buf += c
            if c == quote:
                quote = None
            continue
        if c in "\"'":
            quote = c
            buf += c
        elif c in "\n;":
            buf += c
            stripped = buf.strip().rstrip(";").strip()
            if re.match(r"(for|while|until|if|case)\b", stripped) and _open_blocks(stripped) > 0:
                continue  # the loop or condition goes on (nested ones counted)
            if stripped and not stripped.startswith("#"):
                cmds.append(stripped)
            buf = ""
        else:
            buf += c
    if buf.strip().rstrip(";").strip():
        cmds.append(buf.strip().rstrip(";").strip())
    return cmds


def _open_blocks(text: str) -> int:
    """Loops and conditions opened in `text` and not yet closed."""
    text = re.sub(r"\"[^\"]*\"|'[^']*'", "''", text)  # pkgdesc="... library for ..." is no loop
    words = re.findall(r"(?:^|(?<=[\s;]))(for|while|until|if|case|done|fi|esac)(?=$|[\s;])", text)
    return sum(1 if w in ("for", "while", "until", "if", "case") else -1 for w in words)


_EXPANSION = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*|[0-9@*#]))")


class Scope:
    """Variables as far as they can be known statically."""

    def __init__(self, values: dict[str, str] | None = None, args: list[str] | None = None):
        self.values = dict(values or {})
        self.args = args or []
        self.failed: set[str] = set()  # assigned, but to something not known statically

    def child(self, args: list[str] | None = None) -> "Scope":
        return Scope(self.values, args if args is not None else self.args)

    def lookup(self, name: str) -> str:
        if name.isdigit():
            n = int(name)
            if n == 0 or n > len(self.args):
                raise Unknown(f"${name}")
            return self.args[n - 1]
        if name in ("@", "*"):
            return " ".join(self.args)
        if name not in self.values:
            raise Unknown(f"${name}")
        return self.values[name]

    def expand(self, text: str) -> str:
        """Expand $X, ${X}, ${X%pat}, ${X%%pat}, ${X#pat}, ${X##pat}, ${X:-d},
        ${X/a/b}; quotes removed. Raises Unknown for anything else."""
        if "`" in text or "$(" in text:
            raise Unknown(text)

        def one(m: re.Match) -> str:
            if m.group(2):
                return self.lookup(m.group(2))
            inner = m.group(1)
            op = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*|[0-9])(%%|%|##|#|:-|-|/)?(.*)", inner)
            if not op:
                raise Unknown(inner)
            name, kind, arg = op.groups()
            if kind in (":-", "-"):
                try:
                    value = self.lookup(name)
                except Unknown:
                    value = ""
                return value if value or kind == "-" and name in self.values else self.expand(arg)
            value = self.lookup(name)
            if kind is None:
                return value
            arg = self.expand(arg) if "$" in arg else arg
            if kind == "/":
                pat, _, rep = arg.partition("/")
                return value.replace(pat, rep, 1) if "*" not in pat and "?" not in pat else _raise(inner)
            return _trim(value, kind, arg)

        return _EXPANSION.sub(one, text).replace('"', "").replace("'", "")

    def words(self, text: str) -> list[str]:
        return self.expand(text).split()


def _raise(text: str) -> str:
    raise Unknown(text)


def _trim(value: str, kind: str, pattern: str) -> str:
    """${X%pat} ${X%%pat} ${X#pat} ${X##pat} with glob patterns."""
    pattern = pattern.replace("[_.]", "[_.]")  # fnmatch understands classes as they are
    n = len(value)
    if kind in ("%", "%%"):
        order = range(n, -1, -1) if kind == "%" else range(0, n + 1)
        for i in order:
            if fnmatch.fnmatchcase(value[i:], pattern):
                return value[:i]
    else:
        order = range(0, n + 1) if kind == "#" else range(n, -1, -1)
        for i in order:
            if fnmatch.fnmatchcase(value[:i], pattern):
                return value[i:]
    return value


# ----------------------------------------------------------------------------
# APKBUILD


_ASSIGN = re.compile(r"(?:(?:local|export)\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)
_FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{(.*)\}\s*$", re.S)


class Package:
    """What one Alpine package (the main one or a subpackage) is made of."""

    def __init__(self, name: str, origin: str):
        self.name = name
        self.origin = origin
        self.role = "unknown"
        self.rest = False  # the main package: whatever make install leaves after the splits
        self.moved: list[str] = []  # paths the split moved into it (relative to the root)
        self.installs = False  # its function installs something of its own (make install DESTDIR=$subpkgdir)
        self.depends: list[str] = []
        self.provides: list[str] = []
        self.install_if: list[str] = []
        self.unknown: list[str] = []  # what the reader could not follow
        self.default: str | None = None  # the abuild default split it uses
        self.keeps = ""  # the main package: what the rest is ("commands", "library", "everything")

    def facts(self) -> dict:
        programs, sonames, pcs, includes, plugins, data = [], [], [], [], [], []
        all_commands = static = libraries_dir = False
        loose: list[str] = []
        # abuild's default splits move by pattern: their role is known, their
        # contents are not (default_dev moves *.pc, not named modules)
        for path in self.moved:
            top = path.rstrip("/")
            base = top.rsplit("/", 1)[-1]
            parent = top.rsplit("/", 1)[0] if "/" in top else ""
            if top in _COMMAND_DIRS or re.fullmatch(r"(usr/)?s?bin/\*", top):
                all_commands = True
            elif parent in _COMMAND_DIRS or re.fullmatch(r"usr/libexec/[^/]+", parent):
                programs.extend(_literal(base))
                all_commands = all_commands or not _literal(base)
            elif top.endswith((".a", "*.a")):
                static = True
            elif top in ("usr/lib", "lib") or re.fullmatch(r"(usr/)?lib/\*\.so\S*", top):
                libraries_dir = True
            elif re.fullmatch(r"(usr/)?lib/lib[A-Za-z0-9_+-]+[^/]*", top) and not top.endswith((".a", ".la")):
                stem = re.match(r"lib[A-Za-z0-9_+-]+?(?=[.*]|$)", base)
                if stem and (".so" in base or base.endswith("*")):
                    # usr/lib/libpq.* in a -dev package is the link library, not a runtime one
                    (loose if top.endswith(".*") and ".so." not in top else sonames).append(stem.group() + ".so")
            elif top.startswith(("usr/lib/pkgconfig/", "usr/share/pkgconfig/")) and base.endswith(".pc"):
                pcs.extend(m[:-3] for m in _literal(base))
            elif top.startswith("usr/include/"):
                includes.extend(_literal(top[len("usr/include/"):].split("/")[0]))
            elif (re.fullmatch(r"usr/lib/[^/]+/.+\.so", top) or re.search(r"/(plugins?|modules?|coders|filters)(/|$)", top)
                  or re.match(r"usr/lib/(python|perl|ruby|lua)[^/]*(/|$)", top)):
                plugins.append(top)
            elif top.startswith(("usr/share/", "etc/")) or top == "etc":
                data.append(top)
        for p in self.provides:
            kind, _, value = p.partition(":")
            value = value.split("=", 1)[0]
            if kind == "cmd" and value:
                programs.append(value)
            elif kind == "so" and value:
                sonames.append(re.sub(r"\.so\..*", ".so", value))
            elif kind == "pc" and value:
                pcs.append(value)
        role = self.role
        if self.default == "dev" and (programs or sonames):
            # default_dev plus an explicit move (mariadb-connector-c-dev takes usr/bin: mariadb_config)
            sonames = []
        if role == "unknown" and not self.rest:
            if any(re.match(r"usr/lib/(python|perl|ruby|lua)", p) for p in plugins):
                role = "plugin"  # a language binding, whatever tools ride along
            elif pcs or includes:
                role = "headers"
            elif sonames or loose or libraries_dir:
                role = "library"
                sonames = sonames or loose
            elif programs or all_commands:
                role = "commands"
            elif plugins:
                role = "plugin"
            elif static:
                role = "static"
            elif data:
                role = "data"
            elif not self.moved and not self.installs and self.depends and not self.unknown:
                role = "meta"
        out: dict = {"origin": self.origin, "role": role}
        for key, values in (("programs", programs), ("sonames", sonames), ("pc", pcs), ("include", includes),
                            ("plugins", plugins), ("depends", self.depends), ("provides", self.provides),
                            ("install_if", self.install_if)):
            if values:
                out[key] = sorted(dict.fromkeys(values))
        if len(out.get("plugins", ())) > _MAX_PATHS:
            out["plugins"] = out["plugins"][:_MAX_PATHS] + [f"... {len(out['plugins']) - _MAX_PATHS} more"]
        # cmd:psql, so:libpq.so.5, pc:libpq are in programs, sonames and pc already
        provides = [p for p in out.get("provides", ()) if not p.startswith(("cmd:", "so:", "pc:"))]
        if provides:
            out["provides"] = provides
        else:
            out.pop("provides", None)
        if self.moved and (role in ("unknown", "data") or all_commands) and not self.default:
            moves = sorted(dict.fromkeys(self.moved))
            out["moves"] = moves[:_MAX_PATHS] + ([f"... {len(moves) - _MAX_PATHS} more"] if len(moves) > _MAX_PATHS else [])
        if self.rest:
            out["rest"] = self.keeps
        if self.default:
            out["split"] = f"default_{self.default}"
        if self.unknown:
            out["unknown"] = sorted(dict.fromkeys(self.unknown))[:5]
        return out


def _literal(name: str) -> list[str]:
    """A file name, with a simple character class expanded
    (mosquitto_[ps]ub: mosquitto_pub, mosquitto_sub); [] for other patterns."""
    m = re.fullmatch(r"([^*?\[]*)\[([A-Za-z0-9]+)\]([^*?\[]*)", name)
    if m:
        return [m.group(1) + c + m.group(3) for c in m.group(2)]
    return [] if any(c in name for c in "*?[") else [name]


def parse(text: str, origin: str) -> dict[str, dict]:
    """Facts of every package one APKBUILD builds (see the module doc)."""
    scope = Scope({"srcdir": "/src", "builddir": "/src/build", "pkgdir": "$pkgdir", "subpkgdir": "$subpkgdir",
                   "pkgrel": "0", "CARCH": "x86_64", "startdir": "/start",
                   # abuild's native build: host, build and target are one
                   "CHOST": "x86_64-alpine-linux-musl", "CBUILD": "x86_64-alpine-linux-musl",
                   "CTARGET": "x86_64-alpine-linux-musl", "CTARGET_ARCH": "x86_64", "CTARGET_LIBC": "musl"})
    functions: dict[str, str] = {}
    top: dict[str, list[str]] = {}
    _top_level(_statements(text), scope, functions, top)
    try:
        pkgname = scope.lookup("pkgname")
    except Unknown:
        raise ValueError(f"{origin}: no static pkgname")
    packages: dict[str, Package] = {}
    main = packages[pkgname] = Package(pkgname, origin)
    main.rest = True
    for key, attr in (("depends", "depends"), ("provides", "provides"), ("install_if", "install_if")):
        if key in scope.values:
            setattr(main, attr, _names(scope.values[key]))
    if "package" in functions:
        _run_function(functions["package"], main, scope.child(), functions, main_package=True)
    if "package" in functions and not main.installs and not main.unknown:
        main.rest = False  # package() only sets depends: a meta package
    subpackages = scope.values.get("subpackages", "")
    for spec in subpackages.split():
        name, _, rest = spec.partition(":")
        func = rest.split(":")[0] or name.rsplit("-", 1)[-1]
        if name.endswith("-bash-completion"):
            func = func if rest else "bashcomp"
        elif name.endswith("-zsh-completion"):
            func = func if rest else "zshcomp"
        elif name.endswith("-fish-completion"):
            func = func if rest else "fishcomp"
        pkg = packages[name] = Package(name, origin)
        sub_scope = scope.child()
        sub_scope.values["subpkgname"] = name
        for key in ("depends", "provides", "install_if"):
            sub_scope.values.pop(key, None)
        if name.endswith("-dev") and "depends_dev" in scope.values:
            pkg.depends = _names(scope.values["depends_dev"])
        if func in functions:
            _run_function(functions[func], pkg, sub_scope, functions)
        elif func in DEFAULT_SPLITS:
            _default(pkg, func)
        else:
            pkg.unknown.append(f"split function {func}() not found")
    # what the main package keeps: tell its role from what the splits took
    if main.rest:
        main.keeps = _rest_role(main, packages)
        main.role = main.keeps if main.keeps != "everything" else "unknown"
        if main.keeps == "everything" and "usr/lib/python3*/site-packages" in main.moved:
            main.role = "plugin"  # the module its wheel installs
    return {name: pkg.facts() for name, pkg in packages.items()}


def _top_level(statements: list[str], scope: Scope, functions: dict[str, str], top: dict[str, list[str]]) -> None:
    """Assignments and function definitions at the top of an APKBUILD; a
    condition is evaluated for abuild's native build (CHOST = CTARGET, no
    BOOTSTRAP), and a branch it cannot decide is skipped."""
    for stmt in statements:
        func = _FUNC.match(stmt)
        if func:
            functions[func.group(1)] = func.group(2)
            continue
        block = re.fullmatch(r"if\s+(.*?)(?:;|\n)\s*then\s(.*)\sfi", stmt, re.S)
        if block:
            branches = re.split(r"(?:^|[;\n])\s*else\s", block.group(2), maxsplit=1)
            if "elif" in block.group(2) or re.search(r"(?:^|[;\s])if\s", block.group(2)):
                continue  # nested conditions: not followed
            truth = _test(block.group(1), scope)
            if truth is not None:
                chosen = branches[0] if truth else (branches[1] if len(branches) > 1 else "")
                _top_level(_split_commands(chosen), scope, functions, top)
            continue
        cond = re.match(r"((?:\[\s[^]]*\]|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|true|false)(?:\s*&&\s*\[\s[^]]*\])*)\s*&&\s*(.*)", stmt, re.S)
        if cond:
            if _test(cond.group(1), scope) is not True:
                continue
            stmt = cond.group(2)
        default = re.fullmatch(r":\s+\$\{([A-Za-z_][A-Za-z0-9_]*):?=([^}]*)\}", stmt)
        if default:  # `: ${LANG_CXX:=true}`: a default the caller may override
            if default.group(1) not in scope.values and default.group(1) not in scope.failed:
                stmt = f"{default.group(1)}={default.group(2)}"
            else:
                continue
        assign = _ASSIGN.fullmatch(stmt)
        if assign:
            name, raw = assign.groups()
            try:
                scope.values[name] = scope.expand(raw.strip())
                scope.failed.discard(name)
            except Unknown:
                scope.values.pop(name, None)
                scope.failed.add(name)
            top[name] = [raw]


def _test(condition: str, scope: Scope) -> bool | None:
    """``[ A = B ]``, ``[ A != B ]``, ``[ -z A ]``, ``[ -n A ]``, ``$flag``
    joined by ``&&``: True/False, or None when a value is not known. A
    variable never assigned is empty, as in the shell; one whose value
    could not be computed is unknown."""
    import shlex

    def value(word: str) -> str:
        try:
            return scope.expand(word)
        except Unknown:
            names = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", word)
            if names and all(n not in scope.values and n not in scope.failed for n in names) and re.fullmatch(
                    r"(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)+", word):
                return ""
            raise

    try:
        for part in re.split(r"\s*&&\s*", condition.strip()):
            words = shlex.split(part, posix=False)
            words = [w[1:-1] if len(w) > 1 and w[0] == w[-1] and w[0] in "\"'" else w for w in words]
            if words and words[0] == "[" and words[-1] == "]":
                words = words[1:-1]
                if len(words) == 3 and words[1] in ("=", "==", "!="):
                    same = value(words[0]) == value(words[2])
                    ok = same if words[1] != "!=" else not same
                elif len(words) == 2 and words[0] in ("-z", "-n"):
                    ok = (value(words[1]) == "") == (words[0] == "-z")
                else:
                    return None
            elif len(words) == 1 and words[0] in ("true", "false") or len(words) == 1 and words[0].startswith("$"):
                flag = value(words[0])
                if flag not in ("true", "false"):
                    return None
                ok = flag == "true"
            else:
                return None
            if not ok:
                return False
        return True
    except (Unknown, ValueError):
        return None


def _names(value: str) -> list[str]:
    """Package names of a depends/provides value, versions removed, "!x" dropped."""
    out = []
    for word in value.split():
        if word.startswith("!"):
            continue
        out.append(re.split(r"[<>=~]", word, 1)[0] if not word.startswith(("cmd:", "so:", "pc:")) else word)
    return out


def _default(pkg: Package, func: str) -> None:
    # the role is known; what the patterns match is not, so nothing is added to `moved`
    pkg.default = func
    pkg.role = DEFAULT_ROLES.get(func, "unknown")


def _run_function(body: str, pkg: Package, scope: Scope, functions: dict[str, str], depth: int = 0,
                  main_package: bool = False) -> None:
    cwd: str | None = None  # the folder under $pkgdir a `cd "$pkgdir"/X` moved into
    for cmd in _split_commands(body):
        # `mv a b || return 1`: the command before the list operator
        if not cmd.startswith("for "):
            cmd = re.split(r"\s(?:\|\||&&)\s", cmd, 1)[0].strip()
        # `DESTDIR="$pkgdir" meson install`: an environment prefix, then the command
        prefix = re.match(r"""([A-Za-z_][A-Za-z0-9_]*=("[^"]*"|'[^']*'|[^\s"']*)\s+)+(?=[^\s=]+(\s|$))""", cmd)
        if prefix and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", cmd[prefix.end():]):
            cmd = cmd[prefix.end():] + " " + prefix.group(0)
        branch = re.fullmatch(r"if\s+(.*?);\s*then\s+(.*?);?\s*fi", cmd, re.S)
        if branch and not re.search(r"\b(elif|else|if)\b", branch.group(2)):
            # `if [ -e "$pkgdir"/$dir ]; then amove $dir; fi`: a test of the
            # build's own files moves what is there; any other test is evaluated
            test = branch.group(1).strip()
            file_test = r"\[\s+-[edfL]\s+\S+\s+\]"
            truth = True if re.fullmatch(rf"{file_test}(\s*(\|\||&&)\s*{file_test})*", test) else _test(test, scope)
            if truth is None:
                pkg.unknown.append(f"if {test}")
            elif truth:
                _run_function(branch.group(2), pkg, scope, functions, depth + 1, main_package)
            continue
        loop = re.fullmatch(r"for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.*?);\s*do\s+(.*?);?\s*done", cmd, re.S)
        if loop:
            try:
                items = scope.words(loop.group(2))
            except Unknown as err:
                pkg.unknown.append(f"for loop over {err}")
                continue
            for item in items:
                inner = scope.child()
                inner.values[loop.group(1)] = item
                _run_function(loop.group(3), pkg, inner, functions, depth + 1, main_package)
                scope.values.update({k: v for k, v in inner.values.items() if k in ("provides", "depends")})
            continue
        assign = _ASSIGN.fullmatch(cmd)
        if assign and " " not in assign.group(1):
            name, raw = assign.groups()
            try:
                scope.values[name] = scope.expand(raw.strip())
            except Unknown:
                scope.values.pop(name, None)
                if name in ("depends", "provides", "install_if"):
                    pkg.unknown.append(f"{name} is computed")
                continue
            if name in ("depends", "provides", "install_if"):
                setattr(pkg, name, _names(scope.values[name]))
            continue
        words = cmd.split()
        if not words:
            continue
        head = words[0]
        if re.fullmatch(r"default_[a-z]+", head):
            what = head[len("default_"):]
            if what in DEFAULT_SPLITS:
                _default(pkg, what)
            continue
        if head == "amove":
            try:
                pkg.moved.extend(p.lstrip("/") for p in scope.words(" ".join(words[1:])))
            except Unknown as err:
                pkg.unknown.append(f"amove of {err}")
            continue
        if head == "cd":
            try:
                target = scope.expand(" ".join(words[1:]))
            except Unknown:
                cwd = None
                continue
            cwd = target[len("$pkgdir"):].strip("/") if target.startswith("$pkgdir") else None
            continue
        if head == "mv":
            try:
                args = [a for a in scope.words(" ".join(words[1:])) if not a.startswith("-")]
            except Unknown as err:
                pkg.unknown.append(f"mv of {err}")
                continue
            if len(args) >= 2 and args[-1].startswith("$subpkgdir"):
                for src in args[:-1]:
                    if src.startswith("$pkgdir"):
                        pkg.moved.append(src[len("$pkgdir"):].strip("/"))
                    elif cwd is not None and not src.startswith(("/", "$")):
                        pkg.moved.append(f"{cwd}/{src}".strip("/"))
                    else:
                        pkg.unknown.append(f"mv {src}")
            continue
        target = "$subpkgdir" if not main_package else "$pkgdir"
        if head not in functions and (target in cmd.replace('"', "").replace("${", "$").replace("}", "")
                                      or "DESTDIR" in cmd or "install" in words[1:]):
            # make/meson/cmake/muon/python3 -m installer ... into the package
            pkg.installs = True
            if re.match(r"python3?\s+-m\s+installer\b|gpep517\s+install-wheel\b|python3?\s+setup\.py\s+install\b", cmd):
                # a wheel (or setup.py) installed into it: a Python module, whatever
                # console scripts ride along (certbot-nginx)
                pkg.moved.append("usr/lib/python3*/site-packages")
        if head in ("make", "ninja", "meson", "cmake", "python3", "pip", "install", "cp", "ln", "gpep517", "muon"):
            if head == "install" and "-d" not in words:
                # install -Dm755 NAME "$pkgdir"/usr/bin/NAME: a command of its own
                try:
                    dest = scope.words(" ".join(words[1:]))[-1]
                except (Unknown, IndexError):
                    continue
                path = dest.replace("$subpkgdir", "$pkgdir", 1)[len("$pkgdir"):].strip("/") if dest.startswith(target) else ""
                if path.rsplit("/", 1)[0] in _COMMAND_DIRS:
                    pkg.moved.append(path)
                elif not main_package and path.startswith("usr/share/") and not path.startswith("usr/share/licenses/"):
                    # install -Dm644 .../icudt72l.dat "$subpkgdir"/usr/share/icu/...: data of its own
                    pkg.moved.append(path)
            continue
        if head in functions and depth < 4:
            try:
                args = scope.words(" ".join(words[1:]))
            except Unknown:
                args = []
            inner = scope.child(args)
            _run_function(functions[head], pkg, inner, functions, depth + 1, main_package)
            for key in ("provides", "depends", "install_if"):
                if key in inner.values:
                    scope.values[key] = inner.values[key]
            continue


def _rest_role(main: Package, packages: dict[str, Package]) -> str:
    """The role of what the main package keeps, from what the splits took."""
    others = [p for p in packages.values() if p is not main]
    # abuild's default splits other than default_libs move link files and docs, not what the rest is
    moved = [m.rstrip("/") for p in others for m in p.moved]
    # all the shared libraries (abuild's default_libs, usr/lib, lib*.so.*) or some, by name
    all_libraries = any(p.default == "libs" for p in others) or any(
        m in ("usr/lib", "lib") or re.fullmatch(r"(usr/)?lib/(lib)?\*\.so\S*", m) for m in moved)
    some_libraries = any(re.search(r"lib/lib[A-Za-z0-9_+-]", m) and not m.endswith((".a", ".la")) for m in moved)
    all_commands = any(m in _COMMAND_DIRS or re.fullmatch(r"(usr/)?s?bin/\*", m) for m in moved)
    if all_libraries and not all_commands:
        return "commands"  # and data: what make install leaves once the libraries are gone
    has_dev = any(p.default == "dev" or p.name.endswith("-dev") for p in others)
    if all_commands and not all_libraries and not some_libraries and has_dev:
        return "library"  # headers went to -dev, commands to their subpackage: the library stays
    if not (all_libraries or some_libraries or all_commands):
        return "everything"  # nothing split off: the main package has the libraries and commands the project installs
    return "unknown"


# ----------------------------------------------------------------------------
# the table


def _commit(root: Path, folder: str, commits: dict[str, str]) -> str:
    if folder in commits:
        return commits[folder]
    if not (root / ".git").exists():
        return "unknown"  # not an aports checkout of its own
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%H", "--", f"{folder}/APKBUILD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return out or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build(root: Path) -> dict:
    commits: dict[str, str] = {}
    listing = root / ".commits.tsv"
    if listing.exists():
        for line in listing.read_text().splitlines():
            if "\t" in line:
                folder, commit = line.split("\t", 1)
                commits[folder.strip()] = commit.strip()
    packages: dict[str, dict] = {}
    origins: dict[str, dict] = {}
    for repo in REPOS:
        base = root / repo
        if not base.is_dir():
            continue
        for apkbuild in sorted(base.glob("*/APKBUILD")):
            folder = f"{repo}/{apkbuild.parent.name}"
            text = apkbuild.read_text(encoding="utf-8", errors="replace")
            try:
                facts = parse(text, folder)
            except ValueError as err:
                print(f"skipped: {err}", file=sys.stderr)
                continue
            version = re.search(r"^pkgver=(\S+)", text, re.M)
            origins[folder] = {"commit": _commit(root, folder, commits),
                               "pkgver": version.group(1).strip("\"'") if version else "unknown"}
            for name, fact in facts.items():
                if name.endswith(PATTERN_DROPPED):
                    continue  # unalpine drops these by their name alone: no facts needed
                # an older APKBUILD in another repository does not replace the first one read
                packages.setdefault(name, fact)
    return {"schema": SCHEMA, "origins": origins, "packages": packages}


def dump(table: dict) -> str:
    """One package per line: small, and a refresh diffs line by line."""
    lines = ["{", f'"schema": {table["schema"]},', f'"note": {json.dumps(table.get("note", ""))},', '"origins": {']
    items = sorted(table["origins"].items())
    lines += [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" + ("," if i < len(items) - 1 else "")
              for i, (k, v) in enumerate(items)]
    lines += ["},", '"packages": {']
    items = sorted(table["packages"].items())
    lines += [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" + ("," if i < len(items) - 1 else "")
              for i, (k, v) in enumerate(items)]
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


RAW_URL = "https://gitlab.alpinelinux.org/alpine/aports/-/raw/{ref}/{folder}/APKBUILD"


def fetch(folders: list[str], root: Path, ref: str = "master", timeout: float = 20) -> list[str]:
    """Download ``main/NAME``-style folders' APKBUILDs into root (the
    aports layout), recording ``ref`` as their commit. Returns the folders
    that do not exist there. For a handful of names; a sparse checkout is
    the way to get many."""
    import urllib.error
    import urllib.request

    missing = []
    with open(root / ".commits.tsv", "a", encoding="utf-8") as listing:
        for folder in folders:
            try:
                with urllib.request.urlopen(RAW_URL.format(ref=ref, folder=folder), timeout=timeout) as response:
                    text = response.read().decode("utf-8")
            except urllib.error.HTTPError as err:
                if err.code == 404:
                    missing.append(folder)
                    continue
                raise
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / "APKBUILD").write_text(text, encoding="utf-8")
            listing.write(f"{folder}\t{ref}\n")
    return missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aports", required=True, help="folder laid out like aports (main/NAME/APKBUILD ...)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "alpine" / "packages.json"))
    ap.add_argument("--note", default="", help="where the APKBUILDs came from (kept in the file)")
    ap.add_argument("--fetch", nargs="*", default=[], metavar="REPO/NAME",
                    help="first download these APKBUILDs (main/openssl ...) from aports' web front into --aports")
    args = ap.parse_args(argv)
    root = Path(args.aports)
    if args.fetch:
        root.mkdir(parents=True, exist_ok=True)
        for folder in fetch(args.fetch, root):
            print(f"refresh_alpine: no {folder}/APKBUILD in aports", file=sys.stderr)
    if not root.is_dir():
        print(f"refresh_alpine: {root}: not a folder", file=sys.stderr)
        return 2
    table = build(root)
    table["note"] = args.note
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(dump(table), encoding="utf-8")
    os.replace(tmp, out)
    print(f"{len(table['packages'])} packages from {len(table['origins'])} APKBUILDs -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
