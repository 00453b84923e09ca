#!/usr/bin/env python3
"""Score the apk → Debian answers against an oracle of expert pairs.

    python benchmarks/oracle_score.py ../shared/oracle-dev.tsv [--suite bookworm] [-v]

The oracle is a TSV with the columns ``apk``, ``debian`` (alternatives
separated by ``|``; any of them is right), ``kind`` (``map`` or ``drop``),
one column per suite (``yes``/``virtual``: the pair holds on that suite,
``no``: it does not, ``-``: a drop) and ``evidence``.

What unalpine answers is what ``--yes`` would install on a plain
``debian:<suite>-slim`` image: a map's names, or the recommended choice's
names for a decision or an unknown name. A pair is right when

* kind ``map``: at least one answered name is one of the alternatives (or
  its trixie t64 rename: ``libfoo1t64`` for ``libfoo1``), and every answered
  name exists in the suite's index;
* kind ``drop``: unalpine drops the name, or maps it only to packages every
  Debian image already has (the minbase set), which installs nothing new;
* kind ``map`` answered with a drop counts as right only when one of the
  alternatives is in the minbase set (the twin is in every image).

Prints the score per suite and, with ``-v``, every miss.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrator.debian.name_index import DebianIndex  # noqa: E402
from migrator.debian.suites import SUITES  # noqa: E402
from migrator.packages import Mapping, PackageTable  # noqa: E402


@dataclass(frozen=True)
class Pair:
    apk: str
    debian: tuple[str, ...]
    kind: str
    suites: dict[str, str]
    evidence: str


def read_oracle(path: str | Path) -> list[Pair]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        Pair(
            apk=r["apk"],
            debian=tuple(n for n in r["debian"].split("|") if n),
            kind=r["kind"],
            suites={s: r.get(s, "-") for s in SUITES},
            evidence=r.get("evidence", ""),
        )
        for r in rows
    ]


def answered(m: Mapping) -> tuple[str, tuple[str, ...]]:
    """("drop"|"install"|"keep", names) of what --yes does with a mapping."""
    if m.kind == "map":
        return "install", m.names
    if m.kind == "drop":
        return "drop", ()
    choice = next((c for c in m.choices if c.value == m.recommended), None)
    if choice is None or choice.value == "keep":
        return "keep", (m.apk,)
    if not choice.names:
        return "drop", ()
    return "install", choice.names


def in_every_image(suite: str) -> frozenset[str]:
    from migrator.debian.indexes import DerivedIndex

    return DerivedIndex.load(suite).base_set


def judge(pair: Pair, m: Mapping, suite: str) -> tuple[bool, str]:
    what, names = answered(m)
    idx = DebianIndex.load(suite)
    base = in_every_image(suite)
    shown = f"{what} {' '.join(names)}".strip()
    if pair.kind == "drop":
        if what == "drop" or (what == "install" and all(n in base for n in names)):
            return True, shown
        return False, shown
    if what == "drop":
        return any(d in base for d in pair.debian), shown
    # trixie's 64-bit time_t renames: libfoo1t64 is the real package behind
    # the name libfoo1 an oracle written for an older suite gives
    ok = any(n in pair.debian or n.removesuffix("t64") in pair.debian for n in names) and all(n in idx for n in names)
    return ok, shown


def score(oracle: list[Pair], table: PackageTable, suite: str) -> tuple[int, int, list[str]]:
    right = total = 0
    misses = []
    for pair in oracle:
        if pair.suites.get(suite) == "no":
            continue
        total += 1
        m = table.lookup(pair.apk, suite, "debian")
        ok, shown = judge(pair, m, suite)
        right += ok
        if not ok:
            want = "drop" if pair.kind == "drop" else "|".join(pair.debian)
            misses.append(f"{pair.apk}: answered {shown}; oracle {want}")
    return right, total, misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("oracle", help="oracle TSV (e.g. ../shared/oracle-dev.tsv)")
    ap.add_argument("--suite", action="append", choices=SUITES, help="suite(s) to score (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = ap.parse_args(argv)
    oracle = read_oracle(args.oracle)
    table = PackageTable.load()
    for suite in args.suite or SUITES:
        right, total, misses = score(oracle, table, suite)
        print(f"{suite:<9} {right}/{total} right ({100 * right / total:.1f}%)")
        if args.verbose:
            for line in misses:
                print(f"  miss: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
