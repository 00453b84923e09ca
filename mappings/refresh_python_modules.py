#!/usr/bin/env python3
"""Rebuild mappings/debian/python-modules.toml from Debian's Contents indexes.

Debian's python3 keeps most of the standard library in libpython3.X-stdlib
and libpython3.X-minimal (what `python3` pulls in), and ships some modules
apart: ensurepip in python3.X-venv, lib2to3 and distutils in their own
packages (while the Python had them), dbm.gnu's _gdbm, tkinter, idlelib.
For each suite this reads

    dists/<suite>/main/Contents-amd64.gz and Contents-all.gz
    dists/<suite>/main/binary-amd64/Packages.xz

and writes, for every top-level module under /usr/lib/python3.X/ (and its
lib-dynload) that no libpython3.X-stdlib/-minimal file holds, the package
that ships it; an unversioned python3-NAME that exists is preferred to its
python3.X-NAME (it follows the suite's default Python). Test, debug,
development and example packages are left out.

    python mappings/refresh_python_modules.py [--cache DIR] [SUITE ...]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import lzma
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refresh_debian_indexes as archive  # noqa: E402  (the same download, mirrors and cache)

OUT = Path(__file__).resolve().parent / "debian" / "python-modules.toml"
_PATH = re.compile(r"usr/lib/python(3\.\d+)/(?:lib-dynload/)?([A-Za-z_][A-Za-z0-9_]*)(?:[./][^ ]*)?")
_STDLIB = re.compile(r"(?:lib)?python3\.\d+(?:-stdlib|-minimal)?$")
_CPYTHON = re.compile(r"python3\.\d+|python3-stdlib-extensions|python3-defaults")
_LEFT_OUT = re.compile(r"-(?:dbg|dev|testsuite|examples|doc)$|^python3\.\d+-dbg|^python3-tk-dbg|^python3-gdbm-dbg")


def modules(contents: list[bytes], sources: dict[str, str]) -> tuple[str, dict[str, str]]:
    """(the suite's python3 version, module -> package). `sources`: each
    package's source package: only CPython's own (python3.X,
    python3-stdlib-extensions, python3-defaults) count, not a library that
    drops a file into the standard library's folder."""
    # (version, module) -> packages that ship a file of it other than the
    # standard library's own (distutils: Debian's stdlib keeps a stub of
    # it, python3-distutils the rest)
    owners: dict[tuple[str, str], set[str]] = {}
    versions: set[str] = set()
    for blob in contents:
        for raw in blob.splitlines():
            line = raw.decode("utf-8", "replace")
            path, _, packages = line.rpartition(" ")
            match = _PATH.fullmatch(path.rstrip())
            if not match or match.group(2) in ("dist", "site", "config"):
                continue
            names = {entry.rsplit("/", 1)[-1] for entry in packages.split(",")}
            if any(_STDLIB.fullmatch(name) for name in names):
                versions.add(match.group(1))
                continue
            owners.setdefault((match.group(1), match.group(2)), set()).update(names)
    default = max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    found: dict[str, str] = {}
    for (version, module), names in sorted(owners.items()):
        if version != default:
            continue
        kept = sorted(name for name in names if not _LEFT_OUT.search(name) and _CPYTHON.fullmatch(sources.get(name, name)))
        if not kept:
            continue
        package = kept[0]
        unversioned = re.sub(r"^python3\.\d+-", "python3-", package)
        found[module] = unversioned if unversioned in sources else package
    return default, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suites", nargs="*", default=list(archive.SUITES))
    ap.add_argument("--cache", type=Path, help="keep the downloaded files in this folder and reuse them")
    args = ap.parse_args(argv)
    archive.CACHE_DIR = args.cache
    today = _dt.date.today().isoformat()
    out = [
        "# Python standard-library modules Debian ships apart from libpython3.X-stdlib/-minimal, per suite,",
        f"# from Contents-amd64 and Contents-all of main (mappings/refresh_python_modules.py, {today}).",
        "# module = the package that ships it",
    ]
    for suite in args.suites:
        mirror, _ = archive.find_mirror(suite, archive.MIRRORS)
        contents = [gzip.decompress(archive.fetch(f"{mirror}/dists/{suite}/main/Contents-{arch}.gz"))
                    for arch in ("amd64", "all")]
        packages = lzma.decompress(archive.fetch(f"{mirror}/dists/{suite}/main/binary-amd64/Packages.xz"))
        sources: dict[str, str] = {}
        for stanza in packages.decode("utf-8", "replace").split("\n\n"):
            fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
            if "Package" in fields:
                sources[fields["Package"]] = fields.get("Source", fields["Package"]).split(" ")[0]
        version, found = modules(contents, sources)
        out += ["", f"[{suite}]", f'python = "{version}"']
        out += [f'{module} = "{package}"' for module, package in sorted(found.items())]
        print(f"{suite}: python {version}, {len(found)} modules apart", file=sys.stderr)
    OUT.write_text("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
