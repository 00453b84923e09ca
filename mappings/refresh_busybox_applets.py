#!/usr/bin/env python3
"""Rebuild mappings/busybox_applets.txt: the programs Alpine's busybox gives.

Every Alpine image has busybox, and with it ~300 programs (wget, nc, ps,
xxd, less, crond, ...) that no package installs. Which ones is decided by
two files:

* busybox's sources declare each applet next to the option that enables
  it: ``//applet:IF_WGET(APPLET(wget, BB_DIR_USR_BIN, BB_SUID_DROP))``;
* Alpine's ``main/busybox/busyboxconfig`` (aports) sets those options.

    python mappings/refresh_busybox_applets.py BUSYBOX_GIT_DIR TAG CONFIG

reads the declarations at TAG (the version the config names) with
``git grep`` and writes the applets whose option is ``=y``, one per line,
sorted, behind a header naming both sources.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "busybox_applets.txt"
_DECLARATION = re.compile(r"//applet:IF_([A-Z0-9_]+)\(\s*APPLET[A-Z_]*\(\s*([^,\s]+)\s*,")
_ENABLED = re.compile(r"^CONFIG_([A-Z0-9_]+)=y$", re.M)


def applets(git_dir: str, tag: str) -> dict[str, set[str]]:
    """option -> the applet names it enables, as declared at `tag`."""
    out = subprocess.run(["git", "--git-dir", git_dir, "grep", "-h", "//applet:", tag],
                         capture_output=True, text=True, check=True).stdout
    found: dict[str, set[str]] = {}
    for match in _DECLARATION.finditer(out):
        found.setdefault(match.group(1), set()).add(match.group(2))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", help="a git directory of busybox (e.g. a clone of mirror/busybox)")
    parser.add_argument("tag", help="the busybox tag the config was made for, e.g. 1_29_2")
    parser.add_argument("config", type=Path, help="Alpine's main/busybox/busyboxconfig")
    parser.add_argument("--source", default="", help="where the config came from, for the header")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    enabled = set(_ENABLED.findall(args.config.read_text()))
    names = sorted({name for option, found in applets(args.git_dir, args.tag).items() if option in enabled for name in found})
    header = (f"# busybox applets of Alpine's busybox: options of busybox {args.tag} enabled in "
              f"aports main/busybox/busyboxconfig{' ' + args.source if args.source else ''}\n"
              "# (made by mappings/refresh_busybox_applets.py)\n")
    args.out.write_text(header + "\n".join(names) + "\n")
    print(f"{args.out}: {len(names)} applets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
