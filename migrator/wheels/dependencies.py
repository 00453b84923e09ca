"""What the requirements pull in: their dependencies, read from the core
metadata (PEP 658 `.metadata` files) of their wheels, breadth first.

A dependency that builds from source needs its compiler as much as a named
requirement does, so each is judged like one. The version whose metadata is
read is the newest the specifier allows (the image may take an older one:
the report names the version read). Markers that depend on the image stay
on the dependency and are evaluated per target; `extra ==` markers are
settled here against the extras the parent was installed with.
"""

from __future__ import annotations

import re
from functools import lru_cache

from migrator import inputs
from migrator.records import Frozen
from migrator.wheels.pages import File
from migrator.datacache import MISSING
from migrator.wheels.requirements import Requirement

# packaging is imported where metadata is read, not here: a warm run takes
# its answers from the memo (migrator.wheels.cache.memo_for).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.markers import Marker

    from migrator.wheels.index import Client
    from migrator.wheels.pages import Page
    from migrator.datacache import Memo

LIMIT = 300  # projects per Dockerfile: beyond this the walk stops and says so
_EXTRA = re.compile(r"\bextra\b")


def walk(client: Client, requirements: list[Requirement], pages: dict,
         memo: Memo | None = None) -> tuple[list[Requirement], list[str]]:
    """The dependencies of `requirements` (fetching pages into `pages` as it
    goes), and notes on what could not be followed."""
    known = {(r.stage, r.name) for r in requirements}
    found: list[Requirement] = []
    notes: list[str] = []
    queue = list(requirements)
    while queue:
        missing = sorted({r.name for r in queue if r.name not in pages})
        if missing:
            pages.update(client.pages(missing))
        following: list[Requirement] = []
        for requirement in queue:
            page = pages.get(requirement.name)
            if page is None:
                continue  # not on the index, or not asked: the plan reports it
            read = _read(client, page, requirement.specifier, requirement.extras, memo)
            if read is None:
                continue  # no release the specifier allows: the plan reports it
            if isinstance(read, str):
                notes.append(f"{requirement.name} {read}")
                continue
            parent, source, dependencies = read
            stage, line = requirement.stage, requirement.line
            for _, name, specifier, marker, text, extras in dependencies:
                if (stage, name) in known:
                    continue
                known.add((stage, name))
                item = Requirement(name, specifier, marker, text, source, line, stage, extras, parent)
                found.append(item)
                following.append(item)
                if len(known) > LIMIT:
                    notes.append(f"more than {LIMIT} projects: the dependencies after {name} are not checked")
                    return found, notes
        queue = following
    return found, notes


def _read(client: Client, page: Page, specifier: str, extras: tuple[str, ...],
          memo: Memo | None) -> tuple[str, str, list[Dependency]] | str | None:
    """("project version", "dependency of project version", its
    Requires-Dist entries that apply with `extras`) for the release whose
    metadata is read for `specifier`; a note ("version: why") when that
    metadata cannot be read (not kept: the client is asked why each time);
    None when no release is allowed. Kept on the client (Client.readings):
    a fleet walks the same projects with the same specifiers and extras file
    after file, and the client reads each page and metadata text once per run."""
    key = (page.name, specifier, extras)
    known = client.readings.get(key)
    if known is not None and known[0] is page:
        inputs.index_answer_holds_until(known[2])  # what it was read from holds only so long
        return known[1]
    holder = inputs.begin_collecting()
    try:
        read = _work_out_read(client, page, specifier, extras, memo)
    finally:
        inputs.end_collecting()
    if not isinstance(read, str):  # a note is not kept: the client is asked why each time
        client.readings[key] = (page, read, holder[0])
    return read


def _work_out_read(client: Client, page: Page, specifier: str, extras: tuple[str, ...],
                   memo: Memo | None) -> tuple[str, str, list[Dependency]] | str | None:
    chosen = _metadata_file(page, specifier, memo)
    if chosen is None:
        read = None
    else:
        version, file = chosen
        text = client.metadata(page.name, version, file)
        if text is None:
            # --offline says "not in the cache" unless an earlier run learnt there is none to read
            why = ("its metadata is not in the cache (--offline)"
                   if client.offline and not client.metadata_absent(page.name, version, file)
                   else "the index has no metadata to read its dependencies from")
            return f"{version}: {why}"
        source = client.metadata_source(page.name, version, file) if memo is not None else None
        kept = ("requires", source, extras) if source else None  # what is at a source never changes
        parent = f"{page.name} {version}"
        read = (parent, f"dependency of {parent}", _requires_dist(text, extras, memo, page.name, kept))
    return read


class Dependency(Frozen):
    """One Requires-Dist entry, read: what a Requirement is made of. name
    as written; canonical: normalised; marker: image markers only."""

    __slots__ = ()

    def __new__(cls, name, canonical, specifier, marker, text, extras) -> Dependency:
        return tuple.__new__(cls, (name, canonical, specifier, marker, text, extras))

    @classmethod
    def read(cls, parsed) -> Dependency:
        from packaging.utils import canonicalize_name

        specifier = str(parsed.specifier)
        return cls(parsed.name, canonicalize_name(parsed.name), specifier,
                   str(parsed.marker) if parsed.marker is not None else "", f"{parsed.name}{specifier}",
                   tuple(sorted(canonicalize_name(e) for e in parsed.extras)))


def _requires_dist(metadata: str, extras: tuple[str, ...], memo: Memo | None, project: str,
                   key: tuple | None) -> list[Dependency]:
    stored = memo.get(("requires", project), key) if key else MISSING
    if stored is not MISSING:
        return [Dependency(*entry) for entry in stored]
    found = requires_dist(metadata, extras)
    if key:
        memo.put(("requires", project), key, tuple(tuple(d) for d in found))
    return found


@lru_cache(maxsize=1024)  # a fleet reads the same metadata file after file
def requires_dist(metadata: str, extras: tuple[str, ...]) -> list[Dependency]:
    """Requires-Dist entries that apply with `extras` (image markers kept).
    The list is shared between callers: read it, do not change it."""
    from packaging.requirements import InvalidRequirement, Requirement as Parsed

    out = []
    for line in metadata.splitlines():
        if not line:
            break  # the headers end at the first empty line
        if not line.lower().startswith("requires-dist:"):
            continue
        try:
            dependency = Parsed(line.split(":", 1)[1].strip())
        except InvalidRequirement:
            continue
        marker = dependency.marker
        if marker is not None and _EXTRA.search(str(marker)):
            if not any(_extra_applies(marker, extra) for extra in extras):
                continue
            dependency.marker = None  # settled; whatever else it said is the host's guess
        out.append(Dependency.read(dependency))
    return out


def _extra_applies(marker: Marker, extra: str) -> bool:
    try:
        return marker.evaluate({"extra": extra})
    except Exception:  # an unknown variable in a marker: do not follow it
        return False


# A fleet walks the same projects with the same specifiers file after file;
# the client hands out one Page per project per run, so the answer is kept by
# the page's identity (the entry keeps the page alive: its id is not reused).
_CHOSEN_FILE: dict[tuple[int, str], tuple["Page", tuple[str, "File | None"] | None]] = {}


def _metadata_file(page: Page, specifier: str, memo: Memo | None = None) -> tuple[str, File | None] | None:
    """(version, a wheel of it) for the newest final release the specifier
    allows; the file is None when that release is an sdist only. None when
    no release is allowed."""
    key = (id(page), specifier)
    known = _CHOSEN_FILE.get(key)
    if known is not None and known[0] is page:
        return known[1]
    if len(_CHOSEN_FILE) > 4096:
        _CHOSEN_FILE.clear()
    kept = ("newest", specifier) if memo is not None and page.stamp else None
    stored = memo.get(("page", page.stamp), kept) if kept else MISSING
    if stored is not MISSING:
        chosen = None if stored is None else (stored[0], None if stored[1] is None else File(*stored[1]))
    else:
        chosen = _newest_allowed_file(page, specifier)
        if kept:
            memo.put(("page", page.stamp), kept, None if chosen is None else (chosen[0], None if chosen[1] is None else tuple(chosen[1])))
    _CHOSEN_FILE[key] = (page, chosen)
    return chosen


def _newest_allowed_file(page: Page, specifier: str) -> tuple[str, File | None] | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        wanted = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    for version, files in page.releases.items():
        if version.is_prerelease and not wanted.prereleases or not wanted.contains(version, prereleases=True):
            continue
        # files are tuples: (filename, requires_python, yanked, url, metadata)
        wheels = [f for f in files if f[0].endswith(".whl") and not f[2]]
        if not wheels:
            if any(not f[2] for f in files):
                return str(version), None  # the newest allowed release is an sdist only
            continue
        # one with a PEP 658 file first, then a pure wheel (the same metadata on every platform)
        wheels.sort(key=lambda f: (not f[4], not f[0].endswith("-none-any.whl")))
        return str(version), File(*wheels[0])
    return None
