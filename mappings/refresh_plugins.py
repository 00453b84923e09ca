#!/usr/bin/env python3
"""Rebuild mappings/debian/plugins.toml: which Debian package holds each
coder or loader module of a library that loads its formats as plugins.

Alpine splits some of these into subpackages named after the format
(imagemagick-svg, imagemagick-heic ...); Debian packages them by another
scheme (most ImageMagick coders in libmagickcore-*, a few with heavy
dependencies in libmagickcore-*-extra; gdk-pixbuf's loaders in the library,
in librsvg2-common, in webp-pixbuf-loader ...). The derived indexes keep no
paths of these files, so this reads, for each suite,

    dists/<suite>/main/Contents-amd64.gz             (who ships which module)
    dists/<suite>/main/binary-amd64/Packages.xz      (what the family's main
                                                     package pulls in)

and writes per suite and family: package -> the modules it ships, and which
of those packages the family's main Debian package installs through its
Depends/Pre-Depends (`with_main`), so a coder that is already there needs
nothing more. Only ImageMagick's Q16 build counts (Debian's imagemagick is
Q16; the HDRI build's packages are its parallel copies).

GraphicsMagick is left out on purpose: Debian builds it without modules
(its coders are inside libgraphicsmagick-q16-3), so Contents shows none.

    python mappings/refresh_plugins.py [--cache DIR] [SUITE ...]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refresh_debian_indexes as archive  # noqa: E402  (the same download, mirrors and cache)

OUT = Path(__file__).resolve().parent / "debian" / "plugins.toml"

# family -> (the module path in Contents-amd64, the Debian package whose
# dependencies say which module packages every install of it has)
FAMILIES = {
    "imagemagick": (re.compile(r"usr/lib/x86_64-linux-gnu/ImageMagick-[^/]+/modules-Q16/coders/([a-z0-9]+)\.(?:so|la)"),
                    "imagemagick"),
    "gdk-pixbuf": (re.compile(r"usr/lib/x86_64-linux-gnu/gdk-pixbuf-2\.0/2\.10\.0/loaders/libpixbufloader[-_]([a-z0-9-]+)\.so"),
                   "libgdk-pixbuf-2.0-0"),
}


def modules(contents: bytes) -> dict[str, dict[str, set[str]]]:
    """family -> package -> module names, from a Contents-amd64 file."""
    found: dict[str, dict[str, set[str]]] = {family: {} for family in FAMILIES}
    for raw in contents.splitlines():
        if b"coders/" not in raw and b"loaders/libpixbufloader" not in raw:
            continue
        path, _, packages = raw.decode("utf-8", "replace").rpartition(" ")
        for family, (pattern, _main) in FAMILIES.items():
            match = pattern.fullmatch(path.rstrip())
            if match:
                for entry in packages.split(","):
                    found[family].setdefault(entry.rsplit("/", 1)[-1], set()).add(match.group(1))
    return found


def depends_closure(packages: bytes, start: str) -> set[str]:
    """Every package `apt-get install start` installs by Depends/Pre-Depends
    (the first alternative of each, a virtual name by its first provider)."""
    depends: dict[str, list[str]] = {}
    providers: dict[str, str] = {}
    for stanza in archive._stanzas(packages):
        name = stanza.get("Package")
        if not name:
            continue
        wanted = []
        for field in ("Pre-Depends", "Depends"):
            for alternatives in archive._relation_names(stanza.get(field, "")):
                if alternatives:
                    wanted.append(alternatives[0])
        depends.setdefault(name, wanted)
        for provided in archive._relation_names(stanza.get("Provides", "")):
            for virtual in provided:
                providers.setdefault(virtual, name)
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        name = name if name in depends else providers.get(name, name)
        if name in seen or name not in depends:
            continue
        seen.add(name)
        todo.extend(depends[name])
    return seen


def render(per_suite: dict[str, tuple[str, dict[str, dict[str, set[str]]], dict[str, set[str]]]], today: str) -> str:
    lines = [
        "# Which Debian package holds each coder/loader module of a plugin-loading library, per suite",
        f"# (mappings/refresh_plugins.py, {today}, from Contents-amd64 and Packages of main, amd64).",
        "# [<suite>.<family>]: package = [modules it ships]; with_main = those packages that the family's",
        "# main Debian package (`main`) installs through its dependencies.",
        "",
    ]
    for suite, (date, found, closure) in per_suite.items():
        lines.append(f"[{suite}]")
        lines.append(f'release = "{date}"')
        lines.append("")
        for family, (_pattern, main) in FAMILIES.items():
            holders = found[family]
            if not holders:
                continue
            lines.append(f"[{suite}.{family}]")
            lines.append(f'main = "{main}"')
            lines.append("with_main = [" + ", ".join(f'"{p}"' for p in sorted(p for p in holders if p in closure[family])) + "]")
            for package in sorted(holders):
                lines.append(f'"{package}" = [' + ", ".join(f'"{m}"' for m in sorted(holders[package])) + "]")
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("suites", nargs="*", default=list(archive.SUITES))
    ap.add_argument("--cache", type=Path, help="keep the downloaded files in this folder and reuse them")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    archive.CACHE_DIR = args.cache
    per_suite = {}
    for suite in args.suites:
        mirror, release = archive.find_mirror(suite, archive.MIRRORS)
        date = archive.release_date(release)
        print(f"{suite}: using {mirror} (Release Date: {date})", file=sys.stderr)
        contents = gzip.decompress(archive.fetch(f"{mirror}/dists/{suite}/main/Contents-amd64.gz"))
        packages = archive.packages_index(mirror, suite)
        found = modules(contents)
        closure = {family: depends_closure(packages, main) for family, (_p, main) in FAMILIES.items()}
        per_suite[suite] = (date, found, closure)
    text = render(per_suite, _dt.date.today().isoformat())
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(text.encode())} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
