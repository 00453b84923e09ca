"""A project's page on a package index, as the wheel check reads it: its
files (File), grouped into releases (Page), and the compact form the cache
stores (compact). trim and page_files turn the index's PEP 691 JSON answer
(migrator.wheels.index) into that."""

from __future__ import annotations

from operator import itemgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.wheels.cache import Stored


class File(tuple):
    """One file of a project on the index. A plain tuple underneath
    (filename, requires_python, yanked, url, metadata): the cache stores it
    as one, and code that reads many files unpacks them, so the ~60,000 a
    fleet sees (and cached pages, which hold bare tuples) need no object each."""

    __slots__ = ()

    def __new__(cls, filename: str, requires_python: str | None, yanked: bool, url: str | None = None,
                metadata: bool = False):
        return tuple.__new__(cls, (filename, requires_python, yanked, url, metadata))

    filename = property(itemgetter(0))
    requires_python = property(itemgetter(1))
    yanked = property(itemgetter(2))
    url = property(itemgetter(3))  # absolute
    metadata = property(itemgetter(4))  # the index serves its core metadata at url + ".metadata" (PEP 658)

    def __repr__(self) -> str:
        return f"File{tuple.__repr__(self)}"


class Page:
    """A project's files on the index(es) asked, and its releases."""

    __slots__ = ("name", "age", "stamp", "_files", "_stored", "_releases", "_pure")
    __hash__ = None  # equal by value

    def __init__(self, name: str, files: tuple, age: float = 0.0):
        self.name = name
        self.age = age  # seconds since it was fetched (0 for a fresh answer)
        # (indexes, project, when each answer was fetched): names this page's
        # content for the memo (migrator.wheels.cache.memo_for); None for a page made otherwise.
        self.stamp: tuple | None = None
        self._files: tuple | None = tuple(files)
        self._stored: tuple | None = None  # compact(): releases in order, other files, pure
        self._releases: dict | None = None
        self._pure: bool | None = None

    @classmethod
    def from_compact(cls, name: str, stored: Stored, age: float = 0.0) -> Page:
        """A page from compact(), as the cache holds it: nothing to sort or
        group again, and its files are read only when asked for."""
        page = cls(name, (), age)
        page._files = None
        page._stored = stored
        page._pure = stored.pure
        return page

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Page):
            return NotImplemented
        return (self.name, self.files, self.age) == (other.name, other.files, other.age)

    def __repr__(self) -> str:
        return f"Page({self.name!r}, {len(self.files)} files, age={self.age!r})"

    @property
    def files(self) -> tuple:
        if self._files is None:
            releases, others, _, _ = self._stored.compact()
            self._files = tuple(File(*f) for _, files in releases for f in files) + tuple(File(*f) for f in others)
        return self._files

    @property
    def releases(self) -> dict:
        """Version -> its files, newest first; names that are not wheels or
        sdists, or whose version does not parse, are left out (as pip does).
        A file is a tuple (see File): unpack it."""
        if self._releases is None:
            if self._stored is not None:
                from packaging.version import Version

                self._releases = {Version(text): files for text, files in self._stored.compact()[0]}
            else:
                self._releases = _releases(self._files)
        return self._releases

    @property
    def wheel_tags(self) -> dict | None:
        """Each wheel's tags, space-separated in one string (None: not a
        valid wheel name), as stored with a cached page: choosing needs no
        wheel name parsed (and no packaging.tags imported); None for a page
        made otherwise."""
        return self._stored.compact()[3] if self._stored is not None else None

    @property
    def pure(self) -> bool:
        """Only ever `none-any` wheels (and sdists): pure Python, its sdist
        needs no compiler to build."""
        if self._pure is None:
            self._pure = _only_pure_wheels(self.files)
        return self._pure


def compact(files: list | tuple) -> tuple:
    """A page's files as the cache stores them (marshal: plain tuples and
    strings): (((version, files), ...) newest first, files of no release,
    pure, {wheel name: its tags as strings, or None}). Page.from_compact
    reads it back without sorting or parsing anything."""
    releases = _releases(files)
    grouped = {id(file) for group in releases.values() for file in group}
    return (
        tuple((str(version), tuple(tuple(file) for file in group)) for version, group in releases.items()),
        tuple(tuple(file) for file in files if id(file) not in grouped),
        _only_pure_wheels(files),
        # a string per wheel ("tag tag"): quicker to unmarshal than tuples; the
        # keys are the file tuples' own strings, which marshal stores once
        {file[0]: _joined(wheel_tags(file[0])) for group in releases.values() for file in group if file[0].endswith(".whl")},
    )


def _joined(tags: tuple[str, ...] | None) -> str | None:
    return None if tags is None else _shared(" ".join(tags))


def wheel_tags(filename: str) -> tuple[str, ...] | None:
    """A wheel's tags as strings ("cp38-abi3-manylinux2014_x86_64"), as
    packaging parses its name; None when the name is not a valid wheel's
    (pip ignores such files)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import InvalidVersion

    try:
        parsed = parse_wheel_filename(filename)[3]
    except (InvalidWheelFilename, InvalidVersion):
        return None
    # one string per distinct tag: marshal then stores each once
    return tuple(sorted(_shared(str(tag)) for tag in parsed))


def _releases(files) -> dict:
    from packaging.version import InvalidVersion, Version

    by_version: dict = {}
    parsed: dict[str, Version | None] = {}
    for file in files:
        text = _version_text(file[0])
        if text is None:
            continue
        if text not in parsed:
            try:
                parsed[text] = Version(text)
            except InvalidVersion:
                parsed[text] = None
        version = parsed[text]
        if version is not None:
            by_version.setdefault(version, []).append(file)
    return dict(sorted(by_version.items(), reverse=True))


def _only_pure_wheels(files) -> bool:
    wheels = [file[0] for file in files if file[0].endswith(".whl")]
    return bool(wheels) and all(name.endswith("-none-any.whl") for name in wheels)


_SHARED: dict[str, str] = {}


def _shared(text: str | None) -> str | None:
    return text if text is None else _SHARED.setdefault(text, text)


def _version_text(filename: str) -> str | None:
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) in (5, 6) else None
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem.rsplit("-", 1)[1] if "-" in stem else None
    return None
def page_files(page: dict) -> list[File]:
    """The files of a trimmed page; one string per distinct requires-python
    (~70 of them among ~60,000 files)."""
    return [File(f["filename"], _shared(f.get("requires-python")), bool(f.get("yanked")), f.get("url"),
                 bool(f.get("metadata"))) for f in page["files"]]


def trim(data: dict, base: str = "") -> dict:
    """Only what the check reads: a project like cryptography is 1.7 MB of
    JSON, about 300 kB of it matters (URLs are kept for wheels that have
    PEP 658 metadata, to read their dependencies)."""
    from urllib.parse import urljoin

    files = []
    for entry in data["files"]:
        kept = {key: entry[key] for key in ("filename", "requires-python", "yanked") if entry.get(key) not in (None, False)}
        has_metadata = any(entry.get(key) for key in ("core-metadata", "data-dist-info-metadata", "dist-info-metadata"))
        if entry["filename"].endswith(".whl") and entry.get("url"):
            kept["url"] = urljoin(base, entry["url"])
            if has_metadata:
                kept["metadata"] = True
        files.append(kept)
    return {"name": data.get("name", ""), "files": files}

