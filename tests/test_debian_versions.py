"""Debian version comparison, checked against dpkg itself where it exists."""

import itertools
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from migrator.debian.versions import Version, compare, satisfies

DPKG = shutil.which("dpkg")

# (a, b, sign of a - b): written from Debian Policy 5.6.12, not from the code
ORDERED = [
    ("1.0", "1.0", 0),
    ("1.0", "1.0-0", 0),  # an absent revision is an empty one, and "0" sorts as empty
    ("0:1.0", "1.0", 0),
    ("1:0.9", "2.0", 1),  # the epoch wins
    ("1.0~rc1", "1.0", -1),  # ~ sorts before the end
    ("1.0~~", "1.0~", -1),
    ("1.0", "1.0+b1", -1),
    ("1.0a", "1.0+", -1),  # letters before other characters
    ("1.00", "1.0", 0),  # numbers compare numerically
    ("1.10", "1.9", 1),
    ("2.36-9+deb12u4", "2.36-9", 1),
    ("3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1),
    ("1:1.2.13.dfsg-1", "1:1.2.13-1", 1),
    ("5.4.1-1+deb12u1", "5.4.1-1+deb12u2", -1),
    ("10", "9", 1),
    ("1.0-1", "1.0-1.1", -1),
]


@pytest.mark.parametrize("a, b, sign", ORDERED)
def test_policy_order(a, b, sign):
    assert compare(a, b) == sign
    assert compare(b, a) == -sign
    assert (Version(a) == Version(b)) == (sign == 0)
    assert (Version(a) < Version(b)) == (sign < 0)


def test_parts():
    version = Version("1:2.36-9+deb12u4")
    assert (version.epoch, version.upstream, version.revision) == (1, "2.36", "9+deb12u4")
    hyphenated = Version("1.2-3-4")  # the revision is after the last hyphen
    assert (hyphenated.upstream, hyphenated.revision) == ("1.2-3", "4")


@pytest.mark.parametrize("version, relation, wanted, expected", [
    ("2.36-9", ">=", "2.34", True),
    ("2.36-9", "<<", "2.36-9", False),
    ("2.36-9", "<=", "2.36-9", True),
    ("2.36-9", "=", "2.36-9", True),
    ("2.36-9", ">>", "2.36", True),
    ("2.36-9", "<", "2.36-9", True),  # obsolete spelling of <=
    ("2.36-9", ">", "2.36-9", True),  # obsolete spelling of >=
])
def test_relations(version, relation, wanted, expected):
    assert satisfies(version, relation, wanted) is expected


def dpkg_sign(a: str, b: str) -> int:
    for op, sign in (("lt", -1), ("eq", 0), ("gt", 1)):
        if subprocess.run([DPKG, "--compare-versions", a, op, b]).returncode == 0:
            return sign
    raise AssertionError(f"dpkg answered none of lt/eq/gt for {a!r} {b!r}")


@pytest.mark.skipif(DPKG is None, reason="dpkg is not installed here")
def test_table_agrees_with_dpkg():
    versions = sorted({v for a, b, _ in ORDERED for v in (a, b)})
    for a, b in itertools.combinations(versions, 2):
        assert compare(a, b) == dpkg_sign(a, b), (a, b)


# Versions dpkg accepts: upstream starts with a digit; the alphabet of Policy.
_upstream = st.from_regex(r"[0-9][0-9A-Za-z.+~]{0,7}", fullmatch=True)
_revision = st.from_regex(r"[0-9A-Za-z.+~]{1,6}", fullmatch=True)
_version = st.builds(
    lambda epoch, upstream, revision: (f"{epoch}:" if epoch is not None else "") + upstream
    + (f"-{revision}" if revision else ""),
    st.one_of(st.none(), st.integers(0, 3)), _upstream, st.one_of(st.none(), _revision),
)


@pytest.mark.skipif(DPKG is None, reason="dpkg is not installed here")
@settings(max_examples=150, deadline=None)
@given(_version, _version)
def test_random_versions_agree_with_dpkg(a, b):
    assert compare(a, b) == dpkg_sign(a, b)
