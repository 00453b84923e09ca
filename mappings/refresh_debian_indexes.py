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


def fetch(url: str) -> bytes:
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


def refresh(suite: str, mirrors: tuple[str, ...], out_dir: Path = OUT_DIR) -> Path:
    mirror, release = find_mirror(suite, mirrors)
    date = release_date(release)
    print(f"{suite}: using {mirror} (Release Date: {date})", file=sys.stderr)
    names = names_from_packages(packages_index(mirror, suite))
    main_count = len(names)
    try:
        names |= names_from_packages(packages_index(mirror, f"{suite}-updates"))
    except NotFound:
        print(f"{suite}-updates: not on {mirror}, skipped", file=sys.stderr)
    today = _dt.date.today().isoformat()
    header = f"# {suite} main amd64, fetched {today} from {date}"
    body = "\n".join([header, *sorted(names)]) + "\n"
    out_dir.mkdir(parents=True, exist_ok=True)
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
    args = ap.parse_args(argv)
    mirrors = tuple(args.mirror or ()) + MIRRORS
    for suite in args.suites:
        refresh(suite, mirrors, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
