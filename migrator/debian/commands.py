"""Which Debian package ships a program, and which programs an image has.

``mappings/debian/<suite>.commands.xz`` (built by
``mappings/refresh_debian_indexes.py`` from Contents-amd64, Contents-all and
Packages) lists every program on the default PATH of a main package and the
packages that ship it, the one to install first (by Priority) leading, plus
the programs that pip or npm could install as well. ``mappings/busybox_applets.txt``
(``mappings/refresh_busybox_applets.py``) lists what Alpine's busybox gives.

What an image has before its Dockerfile installs anything:

* ``debian:<suite>-slim``: the programs of the minbase set (Priority
  required, Essential, apt and their dependencies: the derived index's
  ``base`` section);
* ``python:<version>-slim-<suite>``: those, the programs of what
  docker-library/python's Dockerfile installs on top
  (``depsolver.PYTHON_SLIM_EXTRAS``: ca-certificates, netbase, tzdata, and
  libraries) and the /usr/local/bin its Python build and ensurepip leave:
  python3, python, pip3, pip, pydoc3, idle3, python3-config and their
  versioned names (2to3 before 3.13, wheel before 3.12).

Other official images add programs of their own that unalpine does not
list; for them a program missing from minbase is not checked.
"""

from __future__ import annotations

import os

from migrator.lazy_pattern import LazyPattern

__all__ = ["CommandIndex", "busybox_applets", "image_programs", "python_image_program"]


class CommandIndex:
    """The programs of one suite (see the module docstring)."""

    def __init__(self, suite: str, packages: dict[str, str] | _Programs, pip_or_npm: frozenset[str]):
        self.suite = suite
        self._packages = packages  # program -> "pkg pkg" (best first); "" for the package of the same name
        self.pip_or_npm = pip_or_npm
        self.base_packages: frozenset[str] = frozenset()  # the minbase set
        self._by_package: dict[str, set[str]] | None = None

    @classmethod
    def load(cls, suite: str) -> "CommandIndex":
        index = _LOADED.get(suite)
        if index is None:
            index = _LOADED[suite] = _read(suite)
        return index

    def packages(self, program: str) -> tuple[str, ...]:
        """The packages that ship `program`, the one to install first leading."""
        found = self._packages.get(program)
        if found is None:
            return ()
        return (program,) if found == "" else tuple(found.split(" "))

    def __contains__(self, program: str) -> bool:
        return program in self._packages

    def programs(self, packages) -> set[str]:
        """Every program the given packages ship."""
        if self._by_package is None:
            by_package: dict[str, set[str]] = {}
            for program, found in self._packages.items():
                for package in (found.split(" ") if found else (program,)):
                    by_package.setdefault(package, set()).add(program)
            self._by_package = by_package
        out: set[str] = set()
        for package in packages:
            out |= self._by_package.get(package, set())
        return out


class _Programs:
    """program -> "pkg pkg", read a bucket at a time (the programs that share
    their first two characters; marshal bytes each until asked): a file
    asks about a few programs, and unmarshalling all ~40,000 of a suite took
    17-30 ms of each process that asked about one (each worker of a batch)."""

    __slots__ = ("_buckets",)

    def __init__(self, buckets: dict[str, bytes]):
        self._buckets: dict[str, bytes | dict[str, str]] = dict(buckets)

    def _bucket(self, key: str) -> dict[str, str]:
        found = self._buckets.get(key)
        if found is None:
            return {}
        if isinstance(found, bytes):
            import marshal

            found = self._buckets[key] = marshal.loads(found)
        return found

    def get(self, program: str) -> str | None:
        return self._bucket(program[:2]).get(program)

    def __contains__(self, program: str) -> bool:
        return program in self._bucket(program[:2])

    def items(self):
        for key in list(self._buckets):
            yield from self._bucket(key).items()


def _buckets(packages: dict[str, str]) -> dict[str, bytes]:
    import marshal

    grouped: dict[str, dict[str, str]] = {}
    for program, found in packages.items():
        grouped.setdefault(program[:2], {})[program] = found
    return {key: marshal.dumps(programs) for key, programs in grouped.items()}


_LOADED: dict[str, CommandIndex] = {}


def _path(suite: str) -> str:
    from migrator.data_files import data_dir

    return os.path.join(data_dir(), "debian", f"{suite}.commands.xz")


def _read(suite: str) -> CommandIndex:
    from migrator.datacache import cached
    from migrator.debian.suites import SUITES
    from migrator.errors import MappingError

    if suite not in SUITES:
        raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join(SUITES)})")
    path = _path(suite)

    def build() -> tuple[dict[str, bytes], frozenset[str], frozenset[str]]:
        import lzma  # only when the cache is cold

        try:
            with open(path, "rb") as handle:
                text = lzma.decompress(handle.read()).decode("utf-8")
        except (OSError, lzma.LZMAError) as exc:
            raise MappingError(path, f"cannot read the Debian command index: {exc}") from exc
        sections: dict[str, list[str]] = {}
        current: list[str] = []
        for line in text.split("\n"):
            if line.startswith("@"):
                current = sections.setdefault(line[1:], [])
            elif line and not line.startswith("#"):
                current.append(line)
        packages = dict((line.split("\t", 1) if "\t" in line else (line, "")) for line in sections.get("programs", ()))
        return _buckets(packages), frozenset(sections.get("pip_or_npm", ())), frozenset(sections.get("base", ()))

    buckets, pip_or_npm, base = cached(f"debian-commands-{suite}", [path, __file__], build)
    index = CommandIndex(suite, _Programs(buckets), frozenset(pip_or_npm))
    index.base_packages = frozenset(base)
    return index


_APPLETS: frozenset[str] | None = None


def busybox_applets() -> frozenset[str]:
    """The programs Alpine's busybox gives (mappings/busybox_applets.txt)."""
    global _APPLETS
    if _APPLETS is None:
        from migrator.data_files import data_dir

        with open(os.path.join(data_dir(), "busybox_applets.txt"), encoding="utf-8") as handle:
            _APPLETS = frozenset(line.strip() for line in handle if line.strip() and not line.startswith("#"))
    return _APPLETS


# /usr/local/bin of the official python images (docker-library/python:
# `make install`, ensurepip, and the symlinks its Dockerfile adds).
_PYTHON_LOCAL = LazyPattern(r"(?:python|pydoc|idle|pip)(?:\d(?:\.\d+)?)?|python(?:\d(?:\.\d+)?)?-config|2to3(?:-\d\.\d+)?|wheel")


def python_image_program(program: str) -> bool:
    """Whether the official python image's /usr/local/bin has `program`."""
    return _PYTHON_LOCAL.fullmatch(program) is not None


_IMAGE: dict[tuple[str, str], frozenset[str]] = {}


def image_programs(suite: str, base: str) -> frozenset[str]:
    """The programs from packages a `base` image ("debian" or "python") of
    `suite` has (python's /usr/local/bin: python_image_program)."""
    key = (suite, base)
    found = _IMAGE.get(key)
    if found is None:
        # Kept in the user cache apart from the index: most files ask only
        # this, and loading the whole index and its reverse map cost ~40 ms.
        sets = _cached_image_programs(suite)
        for name, programs in sets.items():
            _IMAGE[(suite, name)] = frozenset(programs)
        found = _IMAGE[key]
    return found


def _cached_image_programs(suite: str) -> dict[str, frozenset[str]]:
    from migrator.datacache import cached

    def build() -> dict[str, frozenset[str]]:
        index = CommandIndex.load(suite)
        return {"debian": frozenset(index.programs(index.base_packages)),
                "python": frozenset(index.programs(set(index.base_packages) | set(PYTHON_IMAGE_PACKAGES)))}

    return cached(f"debian-image-programs-{suite}", [_path(suite), __file__], build)


# What docker-library/python's Dockerfile installs with apt on top of
# debian:<suite>-slim that ships programs (the rest of depsolver's
# PYTHON_SLIM_EXTRAS are libraries; a test keeps the two lists in step).
PYTHON_IMAGE_PACKAGES = ("ca-certificates", "netbase", "tzdata")
