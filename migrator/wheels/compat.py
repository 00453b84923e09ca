"""Which file pip would install for a requirement on a given image.

The image is a CPython version, a C library (glibc of a Debian suite, or
Alpine's musl) and an architecture. Its tags are what `packaging.tags`
gives that interpreter on that platform, built here for a machine that is
not this one. Choosing follows pip's default: the newest version the
specifier allows that has any installable file (yanked ones only when pinned
with ==, pre-releases only when asked for), and of that version the wheel
whose tag ranks first; with no such wheel, pip builds the sdist.
"""

from __future__ import annotations

from functools import lru_cache

from migrator.records import Frozen
from migrator.datacache import MISSING

# packaging is imported where a choice is worked out, not here: a warm run
# takes its answers from the memo (migrator.wheels.cache.memo_for) and never needs it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from migrator.wheels.pages import Page
    from migrator.datacache import Memo

# glibc of each Debian suite an image can move to (archived ones included).
GLIBC = {"jessie": (2, 19), "stretch": (2, 24), "buster": (2, 28), "bullseye": (2, 31), "bookworm": (2, 36),
         "trixie": (2, 41)}
MUSL = (1, 2)  # every Alpine the python images were built on since 3.13 has musl 1.2
ARCHES = {"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm/v7": "armv7l", "ppc64le": "ppc64le",
          "s390x": "s390x", "riscv64": "riscv64"}
_LEGACY = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}


class Target(Frozen):
    """An image: python (major, minor, patch; patch 99 when only the minor
    is known), libc "glibc" or "musl", libc_version (major, minor), arch
    (the Debian/Docker name: amd64, arm64, ...)."""

    __slots__ = ()

    def __new__(cls, python, libc, libc_version, arch) -> Target:
        return tuple.__new__(cls, (python, libc, libc_version, arch))

    @property
    def machine(self) -> str:
        return ARCHES.get(self.arch, self.arch)

    def describe(self) -> str:
        version = ".".join(map(str, self.python[:2]))
        return f"CPython {version} {self.libc} {'.'.join(map(str, self.libc_version))}"


class Choice(Frozen):
    """What pip takes: version (None when no release fits), wheel (None when
    pip builds from source), sdist (the one built, when wheel is None), why
    (when nothing fits, or why the sdist is built)."""

    __slots__ = ()

    def __new__(cls, version, wheel, sdist, why="") -> Choice:
        return tuple.__new__(cls, (version, wheel, sdist, why))

    @property
    def builds(self) -> bool:
        return self.wheel is None


def platforms(target: Target) -> list[str]:
    """Platform tags, best first, as packaging.tags gives them on that machine."""
    arch = target.machine
    out = []
    major, minor = target.libc_version
    if target.libc == "musl":
        out += [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
    else:
        lowest = 4 if arch in ("x86_64", "i686") else 16  # glibc too old for manylinux on that arch
        for m in range(minor, lowest, -1):
            out.append(f"manylinux_{major}_{m}_{arch}")
            legacy = _LEGACY.get((major, m))
            if legacy and (m == 17 and arch in ("x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x")
                           or arch in ("x86_64", "i686")):
                out.append(f"{legacy}_{arch}")
    out.append(f"linux_{arch}")
    return out


@lru_cache(maxsize=64)
def tags(target: Target) -> dict[str, int]:
    """Every tag the target accepts ("cp38-abi3-manylinux2014_x86_64"),
    mapped to its rank (0 is best), as packaging.tags gives them."""
    from packaging.tags import compatible_tags, cpython_tags

    version = target.python[:2]
    plats = platforms(target)
    ordered = [*cpython_tags(version, platforms=plats), *compatible_tags(version, f"cp{version[0]}{version[1]}", plats)]
    ranks: dict[str, int] = {}
    for tag in ordered:
        ranks.setdefault(str(tag), len(ranks))
    return ranks


def _tags(target: Target, memo: Memo | None) -> dict[str, int]:
    """tags(), from the memo when an earlier run worked them out for this
    image (packaging.tags, with logging and subprocess behind it, ~7 ms to
    import)."""
    if memo is None:
        return tags(target)
    key = tuple(target)
    ranks = _RANKS.get(key)
    if ranks is not None:
        return ranks
    stored = memo.get(("tags", key), key)  # a section per image: ~1,000 tags each
    if stored is MISSING:
        ranks = tags(target)
        memo.put(("tags", key), key, tuple(ranks))
    else:
        ranks = {tag: rank for rank, tag in enumerate(stored)}
    _RANKS[key] = ranks
    return ranks


# An image's tag ranks by the image (Target: python, libc, its version,
# arch), once per process: tags() is a function of the Target alone (and
# packaging's version, fixed for the process), and the memo's copy is the
# same list; a fleet asks for a handful of images. Callers only read it.
_RANKS: dict[tuple, dict[str, int]] = {}


# A fleet asks the same question (a project, a specifier, an image) file after
# file, and the index client hands out one Page per project per run: the
# answer is remembered by the page's identity (the entry keeps the page
# alive, so its id cannot be reused by another).
_CHOSEN: dict[tuple, tuple[Page, "Choice"]] = {}


def choose(page: Page, specifier: str, target: Target, no_binary: bool = False, memo: Memo | None = None) -> Choice:
    """What pip (default options) installs for `page`'s project on `target`;
    worked out once per page, specifier and target (with a memo and a page
    from the index client, once until the page is fetched again)."""
    key = (id(page), specifier, target, no_binary)
    known = _CHOSEN.get(key)
    if known is not None and known[0] is page:
        return known[1]
    if len(_CHOSEN) > 4096:
        _CHOSEN.clear()
    kept = ("choose", specifier, tuple(target), no_binary) if memo is not None and page.stamp else None
    stored = memo.get(("page", page.stamp), kept) if kept else MISSING
    if stored is not MISSING:
        chosen = Choice(*stored)
    else:
        chosen = _choose(page, specifier, target, no_binary, memo)
        if kept:
            memo.put(("page", page.stamp), kept, tuple(chosen))
    _CHOSEN[key] = (page, chosen)
    return chosen


def _choose(page: Page, specifier: str, target: Target, no_binary: bool = False, memo: Memo | None = None) -> Choice:
    """What pip (default options) installs for `page`'s project on `target`.

    pip's order (its CandidateEvaluator sort key): a file that is not yanked
    beats a yanked one, then the higher version, then the better tag, a wheel
    before an sdist. Pre-releases count only when the specifier names one or
    no final release has a file that fits (SpecifierSet.filter, as pip uses
    it). Releases are tried newest first, so only their files are parsed."""
    wanted = _specifier_set(specifier)
    if wanted is None:
        return Choice(None, None, None, f"cannot read the version specifier {specifier!r}")
    python = _python_version(target.python)
    ranks = {} if no_binary else _tags(target, memo)
    machine = target.machine
    known_tags = page.wheel_tags  # stored with a cached page: no wheel name to parse
    too_new_python = False
    for prereleases in (bool(wanted.prereleases), True):
        versions = _allowed(page, specifier, wanted, prereleases)
        for yanked_ok in (False, True):
            for version in versions:
                best: tuple[int, str] | None = None
                for filename, requires_python, yanked, _, _ in page.releases[version]:
                    if yanked and not yanked_ok:
                        continue
                    rank = _rank(filename, ranks, machine, known_tags)
                    if rank is None:
                        continue
                    if requires_python and not _python_fits(requires_python, python):
                        too_new_python = True
                        continue
                    key = (rank if rank >= 0 else 1 << 30, filename)
                    if best is None or key[0] < best[0]:  # equal ranks: the first listed, as pip's max() keeps
                        best = key
                if best is not None:
                    rank, filename = best
                    if rank < 1 << 30:
                        return Choice(str(version), filename, None)
                    why = "--no-binary asks for it" if no_binary else f"no {_platform_word(target)} wheel for {target.describe()}"
                    return Choice(str(version), None, filename, why)
    why = "no release fits this Python" if too_new_python else "no release matches"
    return Choice(None, None, None, f"{why} ({specifier or 'any version'})")


# The releases a specifier allows depend on the page and the specifier only,
# not on the image: a fleet asks them for many Pythons and architectures.
_ALLOWED: dict[tuple, tuple[Page, list]] = {}


def _allowed(page: Page, specifier: str, wanted: SpecifierSet, prereleases: bool) -> list:
    """The page's versions (newest first) that `wanted` allows."""
    key = (id(page), specifier, prereleases)
    known = _ALLOWED.get(key)
    if known is not None and known[0] is page:
        return known[1]
    if len(_ALLOWED) > 4096:
        _ALLOWED.clear()
    versions = [v for v in page.releases if (prereleases or not v.is_prerelease) and wanted.contains(v, prereleases=True)]
    _ALLOWED[key] = (page, versions)
    return versions


@lru_cache(maxsize=1024)
def _specifier_set(specifier: str) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(specifier)
    except InvalidSpecifier:
        return None


@lru_cache(maxsize=64)
def _python_version(python: tuple[int, int, int]) -> Version:
    from packaging.version import Version

    return Version(".".join(map(str, python)))


@lru_cache(maxsize=1024)
def _python_fits(requires_python: str, python: Version) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores a requires-python it cannot read


def _platform_word(target: Target) -> str:
    return "musllinux" if target.libc == "musl" else "manylinux"


def _rank(filename: str, ranks: dict[str, int], machine: str, known_tags: dict | None = None) -> int | None:
    """The best rank of a wheel's tags, -1 for an sdist, None for a wheel
    the target cannot install. `known_tags`: wheel name -> its tags
    (space-separated), as a cached page holds them."""
    if not filename.endswith(".whl"):
        return -1
    # Every platform the target accepts ends in its machine (or is `any`):
    # a wheel for other machines is ruled out without parsing its name
    # (most of a release's files, and a fleet ranks ~80,000 of them).
    if machine not in filename and "any" not in filename:
        return None
    known = known_tags.get(filename, MISSING) if known_tags is not None else MISSING
    if known is MISSING:
        file_tags = _wheel_tags(filename)
    else:
        file_tags = known.split(" ") if known is not None else None
    if file_tags is None:
        return None
    found = [ranks[tag] for tag in file_tags if tag in ranks]
    return min(found) if found else None


@lru_cache(maxsize=65536)
def _wheel_tags(filename: str) -> tuple[str, ...] | None:
    """A wheel's tags, parsed once per process: every image of a fleet asks
    about the same files."""
    from migrator.wheels.pages import wheel_tags

    return wheel_tags(filename)
