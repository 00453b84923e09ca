"""What `apt-get install --no-install-recommends NAMES` would do, in Python.

The resolver follows apt's choices closely enough to agree with
`apt-get install -s` on the package set (tests/test_debian_roots.py checks it
in real debootstrap roots): the candidate is the highest version; a
dependency already met by an installed or chosen package costs nothing; of
`a | b` the first alternative that can be installed is taken; a virtual name
with a single provider selects that provider, with several it is an error on
the command line (apt asks you to choose) and, inside a dependency, the
provider apt ranks first. Recommends and Suggests are not followed (the
migrated files use --no-install-recommends). Conflicts and Breaks between the
result and what is installed are reported, not solved: apt would remove
something, which in an image is almost never what the author meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migrator.debian.packages_index import Alternative, Group, Package, PackageIndex, parse_packages
from migrator.debian.versions import satisfies

# What the official python slim images install on top of debian:<suite>-slim:
# ca-certificates, netbase, tzdata, then the shared libraries their python
# links against (docker-library/python's Dockerfiles keep whatever `ldd`
# finds under /usr/local after the build, tkinter excepted). Alternatives
# cover the renames between suites (trixie's 64-bit time_t "t64" names).
PYTHON_SLIM_EXTRAS = (
    "ca-certificates",
    "netbase",
    "tzdata",
    "libbz2-1.0",
    "libdb5.3t64 | libdb5.3",
    "libffi8 | libffi7",
    "libgdbm6t64 | libgdbm6",
    "libgdbm-compat4t64 | libgdbm-compat4",
    "liblzma5",
    "libncursesw6",
    "libreadline8t64 | libreadline8",
    "libsqlite3-0",
    "libssl3t64 | libssl3 | libssl1.1",
    "libuuid1",
    "zlib1g",
)


@dataclass(frozen=True)
class Problem:
    name: str  # the package named on the install line that the problem comes from
    message: str


@dataclass
class Resolution:
    requested: list[str]
    new: list[Package] = field(default_factory=list)  # in the order apt would mark them
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "selecting X for virtual Y"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def size_kib(self) -> int:
        return sum(package.installed_size for package in self.new)

    @property
    def names(self) -> set[str]:
        return {package.name for package in self.new}


def _fits(version: str, relation: str, wanted: str) -> bool:
    return not relation or satisfies(version, relation, wanted)


def _text(alternative: Alternative) -> str:
    name, relation, version = alternative
    return f"{name} ({relation} {version})" if relation else name


class System:
    """Packages installed in an image, over the index of its suite."""

    def __init__(self, index: PackageIndex, installed: dict[str, Package] | None = None):
        self.index = index
        self.installed: dict[str, Package] = dict(installed or {})

    def copy(self) -> "System":
        return System(self.index, self.installed)

    # -- queries over installed + marked -----------------------------------

    def _provided(self, state: dict[str, Package]) -> dict[str, list[tuple[Package, str]]]:
        provided: dict[str, list[tuple[Package, str]]] = {}
        for package in state.values():
            for name, _, version in package.provides:
                provided.setdefault(name, []).append((package, version))
        return provided

    @staticmethod
    def _met(alternative: Alternative, state: dict[str, Package], provided: dict[str, list[tuple[Package, str]]]) -> bool:
        name, relation, version = alternative
        package = state.get(name)
        if package is not None and _fits(package.version, relation, version):
            return True
        for _provider, provided_version in provided.get(name, ()):
            # an unversioned Provides never satisfies a versioned dependency
            if not relation or (provided_version and satisfies(provided_version, relation, version)):
                return True
        return False

    def _choices(self, alternative: Alternative) -> list[Package]:
        """Packages that would satisfy `alternative`, best first (apt's order:
        the real package, then providers by priority, then by name)."""
        name, relation, version = alternative
        found = []
        candidate = self.index.candidate(name)
        if candidate is not None and _fits(candidate.version, relation, version):
            found.append(candidate)
        providers = [
            provider
            for provider, provided_version in self.index.providers.get(name, ())
            if provider.name != name
            and (not relation or (provided_version and satisfies(provided_version, relation, version)))
        ]
        rank = {"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}
        seen = self.index.first_seen
        # ties go to the provider apt numbered last (it met the name last)
        providers.sort(key=lambda p: (p.name not in self.installed, rank.get(p.priority, 5), -seen.get(p.name, 0)))
        return found + providers

    # -- installing ----------------------------------------------------------

    def resolve(self, names: list[str]) -> Resolution:
        """What `apt-get install --no-install-recommends NAMES` would add."""
        result = Resolution(list(names))
        state = dict(self.installed)
        provided = self._provided(state)
        requested: list[tuple[Package, str]] = []
        for word in names:
            name, _, pinned = word.partition("=")
            name = name.partition("/")[0]  # name/release: the release is ours anyway
            package = self._named(name, pinned, result)
            if package is None:
                continue
            current = state.get(package.name)
            if current is not None and (pinned == "" or current.version == pinned):
                continue  # already installed: apt says "is already the newest version"
            # like apt-get, every named package is marked before any
            # dependency is resolved, so an or-group can be met by a package
            # named later on the line
            self._add(package, state, provided, result)
            requested.append((package, word))
        or_chosen: dict[str, list[Group]] = {}
        for package, word in requested:
            self._expand(package, state, provided, result, word, or_chosen)
        self._check_conflicts(state, result)
        return result

    def _named(self, name: str, pinned: str, result: Resolution) -> Package | None:
        versions = self.index.versions.get(name)
        if versions:
            if not pinned:
                return versions[0]
            for package in versions:
                if package.version == pinned:
                    return package
            result.problems.append(Problem(name, f"version {pinned} of {name} is not in {self.index.label or 'the index'}"))
            return None
        providers = sorted({provider.name for provider, _ in self.index.providers.get(name, ())})
        suite = self.index.label or "the index"
        if not providers:
            result.problems.append(Problem(name, f"{name} is not a package of {suite}"))
            return None
        if len(providers) > 1:
            result.problems.append(Problem(
                name, f"{name} is a virtual package in {suite}, provided by {', '.join(providers)}: name one of them"
            ))
            return None
        result.notes.append(f"{name} is a virtual package in {suite}; apt selects {providers[0]}")
        return self.index.candidate(providers[0])

    def _mark(self, package: Package, state: dict[str, Package], provided: dict, result: Resolution, root: str,
              or_chosen: dict[str, list[Group]] | None = None) -> None:
        """Mark `package` and, depth first in the order they are written, what
        it needs. `or_chosen` remembers which packages were picked from an
        or-group, so a later hard dependency can swap them (below)."""
        self._add(package, state, provided, result)
        self._expand(package, state, provided, result, root, {} if or_chosen is None else or_chosen)

    @staticmethod
    def _add(package: Package, state: dict[str, Package], provided: dict, result: Resolution) -> None:
        state[package.name] = package
        for name, _, version in package.provides:
            provided.setdefault(name, []).append((package, version))
        result.new.append(package)

    def _expand(self, package: Package, state: dict[str, Package], provided: dict, result: Resolution, root: str,
                or_chosen: dict[str, list[Group]]) -> None:
        for group in package.depends:
            if any(self._met(alternative, state, provided) for alternative in group):
                continue
            choice = None
            for alternative in group:
                choices = [c for c in self._choices(alternative)
                           if state.get(c.name) is not c and not self._clashes(c, state, provided)]
                if choices:
                    choice = choices[0]
                    break
            if choice is None:
                choice = self._swap(group, state, provided, result, or_chosen)
            if choice is None:
                wanted = " | ".join(_text(alternative) for alternative in group)
                result.problems.append(Problem(
                    root, f"{package.name} depends on {wanted}, which {self.index.label or 'the index'} cannot provide"
                ))
                continue
            if len(group) > 1 or choice.name != group[0][0]:
                or_chosen.setdefault(choice.name, []).append(group)
            self._mark(choice, state, provided, result, root, or_chosen)

    def _swap(self, group: Group, state: dict[str, Package], provided: dict, result: Resolution,
              or_chosen: dict[str, list[Group]]) -> Package | None:
        """apt's problem resolver, for its common case: a dependency whose
        only candidates clash with a package chosen earlier from an or-group
        that the candidate also satisfies (libreoffice-base-core took
        `libreoffice-core-nogui | libreoffice-core`, then libreoffice needs
        libreoffice-core). The earlier choice is dropped for this one."""
        for alternative in group:
            for candidate in self._choices(alternative):
                rivals = [
                    other for other in state.values()
                    if other.name != candidate.name and (
                        self._clashes(candidate, {other.name: other}, self._provided({other.name: other}))
                    )
                ]
                if not rivals or any(other.name not in or_chosen for other in rivals):
                    continue
                alone = {candidate.name: candidate}
                if not all(
                    any(self._met(alt, alone, self._provided(alone)) for alt in earlier)
                    for other in rivals for earlier in or_chosen[other.name]
                ):
                    continue
                for other in rivals:
                    del state[other.name]
                    for name, entries in provided.items():
                        entries[:] = [entry for entry in entries if entry[0] is not other]
                    result.new.remove(other)
                    del or_chosen[other.name]
                return candidate
        return None

    def _clashes(self, candidate: Package, state: dict[str, Package], provided: dict) -> bool:
        """Whether `candidate` conflicts with (or breaks) something installed or
        chosen, or the other way round: apt passes over such an alternative."""
        for field_name in ("Conflicts", "Breaks"):
            for group in candidate.relations(field_name):
                for alternative in group:
                    if any(other.name != candidate.name for other in _hits(alternative, state, provided)):
                        return True
        mine = {candidate.name: candidate}
        mine_provided = self._provided(mine)
        for package in state.values():
            if package.name == candidate.name:
                continue
            for field_name in ("Conflicts", "Breaks"):
                for group in package.relations(field_name):
                    for alternative in group:
                        if _hits(alternative, mine, mine_provided):
                            return True
        return False

    def _check_conflicts(self, state: dict[str, Package], result: Resolution) -> None:
        new = {package.name for package in result.new}
        provided = self._provided(state)
        for package in state.values():
            for field_name in ("Conflicts", "Breaks"):
                for group in package.relations(field_name):
                    for alternative in group:
                        for other in _hits(alternative, state, provided):
                            if other.name == package.name or not (package.name in new or other.name in new):
                                continue
                            result.problems.append(Problem(
                                package.name if package.name in new else other.name,
                                f"{package.name} {field_name.lower()} {_text(alternative)} "
                                f"({other.name} {other.version})",
                            ))


def _hits(alternative: Alternative, state: dict[str, Package], provided: dict) -> list[Package]:
    """The packages of `state` that a Conflicts/Breaks entry hits: the named
    package at a matching version, or a provider of the name (any provider
    when unversioned; a versioned Provides at a matching version otherwise)."""
    name, relation, version = alternative
    hits = []
    package = state.get(name)
    if package is not None and _fits(package.version, relation, version):
        hits.append(package)
    for provider, provided_version in provided.get(name, ()):
        if provider.name != name and (
            not relation or (provided_version and satisfies(provided_version, relation, version))
        ):
            hits.append(provider)
    return hits


def _first_available(index: PackageIndex, line: str) -> str | None:
    for name in (word.strip() for word in line.split("|")):
        if name in index:
            return name
    return None


def minbase(index: PackageIndex) -> System:
    """debian:<suite>-slim (debootstrap --variant=minbase): every package of
    priority required, and apt, with their dependencies."""
    system = System(index)
    names = sorted(name for name, versions in index.versions.items() if versions[0].priority == "required")
    names.append("apt")
    resolution = system.resolve(names)
    if "usrmerge" in resolution.names:
        # the images have a merged /usr: where something asks for
        # `usrmerge | usr-is-merged`, debootstrap installs the marker package
        resolution = system.resolve(["usr-is-merged"] + names)
    system.installed = {package.name: package for package in resolution.new}
    return system


def python_slim(index: PackageIndex) -> System:
    """python:X-slim-<suite>: minbase plus what the python images add."""
    system = minbase(index)
    names = [name for name in (_first_available(index, line) for line in PYTHON_SLIM_EXTRAS) if name]
    resolution = system.resolve(names)
    system.installed.update((package.name, package) for package in resolution.new)
    return system


def installed_from_status(index: PackageIndex, status: Path) -> System:
    """The packages a dpkg status file (a root's /var/lib/dpkg/status) lists
    as installed, with their relations as installed."""
    text = Path(status).read_text("utf-8", "replace")
    installed = {}
    for package in parse_packages(text):
        if package.raw.get("Status", "").endswith(" installed"):
            installed[package.name] = package
    return System(index, installed)


def human_size(kib: int) -> str:
    """Installed-Size (KiB) as people read it: 212 MB, 840 kB."""
    size = kib * 1024
    if size >= 1000 * 1000:
        return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"
    return f"{size / 1e3:.0f} kB"
