#!/usr/bin/env python3
"""Rebuild mappings/debian/<suite>.txt.xz from the Debian archive.

For every suite in SUITES this downloads

    dists/<suite>/main/binary-amd64/Packages.xz
    dists/<suite>-updates/main/binary-amd64/Packages.xz   (when it exists)

and writes the set of names found there -- every ``Package:`` plus every
name listed in ``Provides:`` (versions stripped) -- one per line, sorted and
unique, behind a one-line comment header::

    # <suite> main amd64, fetched <YYYY-MM-DD> from <Release Date field>

The security suite is deliberately not read: it only carries newer versions
of packages that already exist in the suite itself.

Mirrors: a suite that has been archived disappears from the main mirror and
shows up under the archive host.  Each suite is tried on MIRRORS in order;
the first one whose Release file answers is used for that suite (and its
-updates suite; a missing -updates suite is skipped with a note).

Standard library only (urllib, lzma, gzip), so it runs anywhere Python does:

    python mappings/refresh_debian_indexes.py            # all suites
    python mappings/refresh_debian_indexes.py trixie     # one suite
    python mappings/refresh_debian_indexes.py --mirror URL ...
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import lzma
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

SUITES = ("bullseye", "bookworm", "trixie")
MIRRORS = (
    "https://deb.debian.org/debian",
    "http://deb.debian.org/debian",
    "https://archive.debian.org/debian",
    "http://archive.debian.org/debian",
)
OUT_DIR = Path(__file__).resolve().parent / "debian"
TIMEOUT = 60
USER_AGENT = "unalpine-refresh-debian-indexes/1"


class NotFound(Exception):
    pass


CACHE_DIR: Path | None = None  # --cache: keep downloads there and reuse them


def fetch(url: str) -> bytes:
    cached = None
    if CACHE_DIR is not None and not url.endswith("/Release"):
        cached = CACHE_DIR / url.split("/dists/", 1)[-1].replace("/", "_")
        if cached.is_file():
            return cached.read_bytes()
    data = _download(url)
    if cached is not None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    return data


def _download(url: str) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (403, 404, 410):
            raise NotFound(url) from exc
        raise


def release_date(release: bytes) -> str:
    for line in release.decode("utf-8", "replace").splitlines():
        if line.startswith("Date:"):
            return line.split(":", 1)[1].strip()
    return "unknown date"


def find_mirror(suite: str, mirrors: tuple[str, ...]) -> tuple[str, bytes]:
    """Return (mirror, Release bytes) of the first mirror that serves suite."""
    errors = []
    for mirror in mirrors:
        url = f"{mirror}/dists/{suite}/Release"
        try:
            return mirror, fetch(url)
        except NotFound:
            errors.append(f"{url}: not found")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            errors.append(f"{url}: {exc}")
    raise SystemExit(f"no mirror serves {suite}:\n  " + "\n  ".join(errors))


def packages_index(mirror: str, suite: str) -> bytes:
    """Decompressed Packages file of <suite>/main/binary-amd64."""
    base = f"{mirror}/dists/{suite}/main/binary-amd64/Packages"
    try:
        return lzma.decompress(fetch(base + ".xz"))
    except NotFound:
        return gzip.decompress(fetch(base + ".gz"))


_PROVIDES_SPLIT = re.compile(r"\s*,\s*")


def names_from_packages(text: bytes) -> set[str]:
    names: set[str] = set()
    for line in text.decode("utf-8", "replace").splitlines():
        if line.startswith("Package:"):
            names.add(line.split(":", 1)[1].strip())
        elif line.startswith("Provides:"):
            for item in _PROVIDES_SPLIT.split(line.split(":", 1)[1].strip()):
                # "foo (= 1.2)", "foo:any" -> "foo"
                name = item.split("(", 1)[0].strip().split(":", 1)[0]
                if name:
                    names.add(name)
    return names


# --------------------------------------------------------------------------
# derived indexes: what a name is evidence of (see migrator/debian/indexes.py)

# Where Contents-amd64 paths count: pkg-config files, shared libraries,
# commands on the default PATH and headers.  Paths have no leading slash.
_PC_PATH = re.compile(r"(?:usr/)?(?:lib/x86_64-linux-gnu|lib|share)/pkgconfig/([^/]+)\.pc")
_SO_PATH = re.compile(r"(?:usr/)?lib/(?:x86_64-linux-gnu/)?(lib[^/]*?\.so)((?:\.[0-9]+)+)")
_BIN_PATH = re.compile(r"(?:usr/)?s?bin/([^/]+)")
_INCLUDE_PATH = re.compile(r"usr/include/(?:x86_64-linux-gnu/)?([^/]+)")
# the section words of each suite: derived.xz begins each with "@<name>"
SECTIONS = ("pc", "so", "bin", "include", "source", "transitional", "base")


def _stanzas(text: bytes):
    """Debian control stanzas as dicts (continuation lines joined with spaces)."""
    fields: dict[str, str] = {}
    key = None
    for line in text.decode("utf-8", "replace").splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, None
        elif line[0] in " \t":
            if key is not None:
                fields[key] += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    if fields:
        yield fields


def _relation_names(value: str) -> list[list[str]]:
    """'a (>= 1) | b, c:any' -> [['a', 'b'], ['c']]"""
    out = []
    for group in value.split(","):
        alts = [alt.split("(", 1)[0].split("[", 1)[0].strip().split(":", 1)[0] for alt in group.split("|")]
        alts = [a for a in alts if a]
        if alts:
            out.append(alts)
    return out


def base_set(packages: bytes) -> set[str]:
    """What every debootstrap minbase root has: Priority required, Essential,
    apt, and everything their Depends/Pre-Depends pull in (first alternative
    that exists, a virtual name answered by its first provider)."""
    real: dict[str, dict[str, str]] = {}
    providers: dict[str, list[str]] = {}
    for st in _stanzas(packages):
        name = st.get("Package")
        if not name or name in real:
            continue
        real[name] = st
        for alts in _relation_names(st.get("Provides", "")):
            providers.setdefault(alts[0], []).append(name)
    # seed everything first, so that an alternative one of them satisfies is
    # not pulled in again (init-system-helpers: usrmerge | usr-is-merged)
    seen = {n for n, st in real.items() if st.get("Priority") == "required" or st.get("Essential") == "yes"}
    if "apt" in real:
        seen.add("apt")
    todo = sorted(seen)
    while todo:
        name = todo.pop()
        st = real[name]
        for field in ("Pre-Depends", "Depends"):
            for alts in _relation_names(st.get(field, "")):
                options = [a for a in alts if a in real] + [p for a in alts for p in providers.get(a, ())]
                if not options or any(o in seen for o in options):
                    continue
                # apt's choice is the first alternative; debootstrap's minbase
                # takes the lighter one (usr-is-merged, not usrmerge and perl):
                # prefer an important package, then the fewest dependencies
                pick = min(options, key=lambda o: (real[o].get("Priority") not in ("required", "important"),
                                                   len(_relation_names(real[o].get("Depends", "")))))
                if pick is not None and pick not in seen:
                    seen.add(pick)
                    todo.append(pick)
    return seen


def transitional(packages: bytes) -> set[str]:
    """Dummy packages kept for upgrades (softhsm for softhsm2): a name match
    on one of these is weak evidence."""
    out = set()
    for st in _stanzas(packages):
        desc = st.get("Description", "").lower()
        if st.get("Section", "").endswith("oldlibs") or "transitional" in desc.split("\n", 1)[0]:
            out.add(st["Package"])
    return out


def build_derived(suite: str, stamp: str, packages: bytes, contents: bytes, sources: bytes) -> str:
    """The text of <suite>.derived.xz: one section per index, "key<TAB>pkg pkg"
    lines sorted by key; a line holding only a key means "the package of the same name"."""
    real = {st["Package"] for st in _stanzas(packages) if "Package" in st}
    pc: dict[str, set[str]] = {}
    so: dict[tuple[str, str], str] = {}  # (package, "libfoo.so") -> shortest versioned name
    bins: dict[str, set[str]] = {}
    include: dict[str, set[str]] = {}
    for raw in contents.splitlines():
        line = raw.decode("utf-8", "replace")
        path, _, owners = line.rpartition(" ")
        path = path.rstrip()
        if not path or not owners:
            continue
        pkgs = {o.rsplit("/", 1)[-1] for o in owners.split(",")}
        pkgs = {p for p in pkgs if p in real}
        if not pkgs:
            continue
        if m := _BIN_PATH.fullmatch(path):
            bins.setdefault(m.group(1), set()).update(pkgs)
        elif m := _PC_PATH.fullmatch(path):
            pc.setdefault(m.group(1), set()).update(pkgs)
        elif m := _SO_PATH.fullmatch(path):
            for p in pkgs:
                key = (p, m.group(1))
                name = m.group(1) + m.group(2)
                if key not in so or len(name) < len(so[key]):
                    so[key] = name
        elif m := _INCLUDE_PATH.match(path):
            if m.group(1) != "x86_64-linux-gnu":
                include.setdefault(m.group(1), set()).update(pkgs)
    sonames: dict[str, set[str]] = {}
    for (pkg, _), name in so.items():
        sonames.setdefault(name, set()).add(pkg)
    source: dict[str, set[str]] = {}
    for st in _stanzas(sources):
        name = st.get("Package")
        if not name:
            continue
        binaries = {b.strip() for b in st.get("Binary", "").split(",")} & real
        if binaries:
            source.setdefault(name, set()).update(binaries)

    def section(title: str, table: dict[str, set[str]]) -> list[str]:
        lines = [f"@{title}"]
        for key in sorted(table):
            values = sorted(table[key])
            lines.append(key if values == [key] else f"{key}\t{' '.join(values)}")
        return lines

    out = [f"# {suite} main amd64 derived indexes, {stamp}"]
    out += section("pc", pc)
    out += section("so", sonames)
    out += section("bin", bins)
    out += section("include", include)
    out += section("source", source)
    out += ["@transitional", *sorted(transitional(packages))]
    out += ["@base", *sorted(base_set(packages))]
    return "\n".join(out) + "\n"


# Programs on PATH that no Contents file shows: update-alternatives links a
# maintainer script makes. A name of the shape NAME.SUFFIX (nc.openbsd,
# which.debianutils, telnet.netkit) is read as an alternative for NAME when
# no package ships NAME itself; these have no such twin, so they are named.
ALTERNATIVES = {
    "awk": ("mawk", "gawk", "original-awk"),
    "nawk": ("mawk", "gawk", "original-awk"),
    "vi": ("vim-tiny", "vim", "nvi"),
    "view": ("vim-tiny", "vim", "nvi"),
    "ex": ("vim-tiny", "vim", "nvi"),
    "editor": ("nano", "vim-tiny", "vim"),
    "pager": ("less", "most"),
    "cc": ("gcc",),
    "c++": ("g++",),
    "c89": ("gcc",),
    "c99": ("gcc",),
}
_ALTERNATIVE_SUFFIX = re.compile(r"([^/]+)\.[a-z][a-z0-9-]*")
_PRIORITY = {"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}


def build_commands(suite: str, stamp: str, packages: bytes, contents: list[bytes]) -> str:
    """The text of <suite>.commands.xz: every program on the default PATH
    (/usr/bin, /usr/sbin, /bin, /sbin) of a main package, Architecture any
    or all (Contents-amd64 and Contents-all), and the packages that ship
    it, the one to install first: by Priority, then the package named like
    the program, then transitional packages last, then by name.
    "cmd<TAB>pkg pkg"; a line holding only a key means the package of the
    same name."""
    stanzas = {st["Package"]: st for st in _stanzas(packages) if "Package" in st}
    old = transitional(packages)
    programs: dict[str, set[str]] = {}
    for blob in contents:
        for raw in blob.splitlines():
            line = raw.decode("utf-8", "replace")
            path, _, owners = line.rpartition(" ")
            match = _BIN_PATH.fullmatch(path.rstrip())
            if not match or not owners:
                continue
            pkgs = {o.rsplit("/", 1)[-1] for o in owners.split(",")} & stanzas.keys()
            if pkgs:
                programs.setdefault(match.group(1), set()).update(pkgs)
    for name, pkgs in list(programs.items()):
        alternative = _ALTERNATIVE_SUFFIX.fullmatch(name)
        if alternative and alternative.group(1) not in programs:
            programs.setdefault(alternative.group(1) + "\0", set()).update(pkgs)
    for key in [k for k in programs if k.endswith("\0")]:
        programs[key[:-1]] = programs.pop(key)
    for name, pkgs in ALTERNATIVES.items():
        programs.setdefault(name, set()).update(p for p in pkgs if p in stanzas)

    def rank(program: str, package: str) -> tuple:
        priority = _PRIORITY.get(stanzas[package].get("Priority", "optional"), 3)
        return (priority, package != program, package in old, package)

    lines = [f"# {suite} main amd64 and all: programs on PATH and the packages that ship them, {stamp}", "@programs"]
    for program in sorted(programs):
        ordered = sorted(programs[program], key=lambda package: rank(program, package))
        if ordered:
            lines.append(program if ordered == [program] else f"{program}\t{' '.join(ordered)}")
    # What every debootstrap minbase root has (the derived index's base set):
    # an image's own programs are theirs.
    lines.append("@base")
    lines += sorted(base_set(packages))
    # Programs that pip or npm can install as well (every package shipping
    # them runs on Debian's python3 or nodejs): gunicorn, celery, uvicorn.
    lines.append("@pip_or_npm")
    lines += sorted(program for program, pkgs in programs.items()
                    if pkgs and all(_on_interpreter(stanzas[p]) for p in pkgs))
    return "\n".join(lines) + "\n"


def _on_interpreter(stanza: dict[str, str]) -> bool:
    """Whether a package depends on Debian's python3 or nodejs (directly,
    or through one python3-*/node-* package)."""
    names = [name for alts in _relation_names(stanza.get("Depends", "")) + _relation_names(stanza.get("Pre-Depends", ""))
             for name in alts]
    return any(name.startswith(("python3", "node-")) or name == "nodejs" for name in names)


def write_derived(path: Path, text: str) -> Path:
    path.write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    counts = {}
    current = None
    for line in text.splitlines():
        if line.startswith("@"):
            current = line[1:]
            counts[current] = 0
        elif current:
            counts[current] += 1
    print(f"{path.name}: {', '.join(f'{k} {v}' for k, v in counts.items())} ({path.stat().st_size} bytes)", file=sys.stderr)
    return path


def refresh(suite: str, mirrors: tuple[str, ...], out_dir: Path = OUT_DIR, *, names_index: bool = True) -> dict[str, Path]:
    """Write <suite>.txt.xz (unless names_index is false) and <suite>.derived.xz;
    return their paths by kind ("names", "derived")."""
    mirror, release = find_mirror(suite, mirrors)
    date = release_date(release)
    today = _dt.date.today().isoformat()
    print(f"{suite}: using {mirror} (Release Date: {date})", file=sys.stderr)
    packages = packages_index(mirror, suite)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    if names_index:
        written["names"] = write_names(suite, mirror, date, today, packages, out_dir)
    contents = gzip.decompress(fetch(f"{mirror}/dists/{suite}/main/Contents-amd64.gz"))
    sources = lzma.decompress(fetch(f"{mirror}/dists/{suite}/main/source/Sources.xz"))
    text = build_derived(suite, f"fetched {today} from {date}", packages, contents, sources)
    written["derived"] = write_derived(out_dir / f"{suite}.derived.xz", text)
    return written


def refresh_commands(suite: str, mirrors: tuple[str, ...], out_dir: Path = OUT_DIR) -> Path:
    """Write <suite>.commands.xz (see build_commands)."""
    mirror, release = find_mirror(suite, mirrors)
    date = release_date(release)
    today = _dt.date.today().isoformat()
    packages = packages_index(mirror, suite)
    contents = [gzip.decompress(fetch(f"{mirror}/dists/{suite}/main/Contents-{arch}.gz")) for arch in ("amd64", "all")]
    text = build_commands(suite, f"fetched {today} from {date}", packages, contents)
    path = out_dir / f"{suite}.commands.xz"
    path.write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    print(f"{path.name}: {text.count(chr(10)) - 1} programs ({path.stat().st_size} bytes)", file=sys.stderr)
    return path


def write_names(suite: str, mirror: str, date: str, today: str, packages: bytes, out_dir: Path) -> Path:
    names = names_from_packages(packages)
    main_count = len(names)
    try:
        names |= names_from_packages(packages_index(mirror, f"{suite}-updates"))
    except NotFound:
        print(f"{suite}-updates: not on {mirror}, skipped", file=sys.stderr)
    header = f"# {suite} main amd64, fetched {today} from {date}"
    body = "\n".join([header, *sorted(names)]) + "\n"
    path = out_dir / f"{suite}.txt.xz"
    path.write_bytes(lzma.compress(body.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    print(
        f"{suite}: {len(names)} names ({main_count} from main, "
        f"{len(names) - main_count} more from -updates) -> {path} "
        f"({path.stat().st_size} bytes)",
        file=sys.stderr,
    )
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suites", nargs="*", default=list(SUITES), help="suites to refresh (default: all)")
    ap.add_argument("--mirror", action="append", help="mirror base URL to try first (repeatable)")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    ap.add_argument("--derived-only", action="store_true",
                    help="rebuild only <suite>.derived.xz, leave the name index as it is")
    ap.add_argument("--commands-only", action="store_true",
                    help="rebuild only <suite>.commands.xz (programs on PATH, from Contents-amd64 and Contents-all)")
    ap.add_argument("--cache", type=Path, help="keep the downloaded files in this folder and reuse them")
    args = ap.parse_args(argv)
    global CACHE_DIR
    CACHE_DIR = args.cache
    mirrors = tuple(args.mirror or ()) + MIRRORS
    for suite in args.suites:
        if args.commands_only:
            refresh_commands(suite, mirrors, args.out)
            continue
        refresh(suite, mirrors, args.out, names_index=not args.derived_only)
        refresh_commands(suite, mirrors, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
