"""Debian version numbers: parse and compare them the way dpkg does.

Written here rather than taken from python-debian: the comparison is forty
lines (Debian Policy 5.6.12), and python-debian would bring chardet and a
large package for it. tests/test_debian_versions.py checks it against
`dpkg --compare-versions` where dpkg exists.
"""

from __future__ import annotations

import operator
import re
from functools import total_ordering

_DIGITS = re.compile(r"\d+|\D+")


def _order(char: str) -> int:
    # dpkg's order for the non-digit parts: ~ sorts before everything, even
    # the end of the part; letters before non-letters.
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(a: str, b: str) -> int:
    """dpkg's verrevcmp over an upstream version or a revision."""
    i = j = 0
    while i < len(a) or j < len(b):
        # the non-digit prefix
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        # the number
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        first_diff = 0
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return -1 if first_diff < 0 else 1
    return 0


@total_ordering
class Version:
    """`[epoch:]upstream[-revision]`, ordered as dpkg orders it."""

    __slots__ = ("text", "epoch", "upstream", "revision")

    def __init__(self, text: str):
        self.text = text.strip()
        epoch, colon, rest = self.text.partition(":")
        if colon and epoch.isdigit():
            self.epoch = int(epoch)
        else:
            self.epoch, rest = 0, self.text
        upstream, dash, revision = rest.rpartition("-")
        if not dash:
            upstream, revision = rest, ""
        self.upstream = upstream
        self.revision = revision

    def compare(self, other: "Version") -> int:
        if self.epoch != other.epoch:
            return -1 if self.epoch < other.epoch else 1
        return _compare_part(self.upstream, other.upstream) or _compare_part(self.revision, other.revision)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.compare(other) == 0

    def __lt__(self, other: "Version") -> bool:
        return self.compare(other) < 0

    def __hash__(self) -> int:  # equal versions ("1.0" and "0:1.0-0"?) are rare; hash the epoch only
        return hash(self.epoch)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as `dpkg --compare-versions a lt/eq/gt b` would say."""
    return Version(a).compare(Version(b))


# The relations of Depends and friends. `<` and `>` are the obsolete spellings
# of `<=` and `>=` (dpkg still reads them that way).
RELATIONS = {
    "<<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">>": operator.gt,
    "<": operator.le,
    ">": operator.ge,
}


def satisfies(version: str, relation: str, wanted: str) -> bool:
    """Whether `version` meets `relation wanted`, e.g. ("2.36-9", ">=", "2.34")."""
    return RELATIONS[relation](compare(version, wanted), 0)
