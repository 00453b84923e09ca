"""The input-gathering step of the wheel check, as the CLI configures it: it
runs once per Dockerfile between parse and rules, so the rules stay pure
functions of what was gathered (a migrator.wheels.evidence.Evidence). A Dockerfile
without pip, poetry, uv or pipenv costs one regex search and no import."""

from __future__ import annotations

import os

from migrator import inputs
from migrator.lazy_pattern import LazyPattern

TYPE_CHECKING = False  # typing and pathlib cost ~6 ms of a start: this module is imported by every run
if TYPE_CHECKING:
    from pathlib import Path

    from migrator.document import Document
    from migrator.wheels.evidence import Evidence

DEFAULT_ARCHES = ("amd64", "arm64")
# Docker's architecture names the check knows (compat.ARCHES maps them to wheel tags).
KNOWN_ARCHES = ("amd64", "arm64", "386", "arm/v7", "ppc64le", "s390x", "riscv64")
_INSTALLERS = LazyPattern(r"\b(?:pip[0-9.]*|poetry|uv|pipenv)\b")


class WheelCheck:
    """How the CLI configured the check: one per run, used for every file."""

    def __init__(self, offline: bool = False, context: Path | None = None, arches: tuple[str, ...] = DEFAULT_ARCHES,
                 cache_root: Path | None = None, environ: dict[str, str] | None = None):
        self.offline = offline
        self.context = context  # --context; default: the Dockerfile's folder
        self.arches = arches
        self.cache_root = cache_root  # default: $XDG_CACHE_HOME/unalpine/index
        self.environ = environ  # default: os.environ
        self._clients: dict = {}  # one index client per set of indexes, per run
        # The indexes for a file's own --index-url/--extra-index-url: the
        # environment and pip.conf are read once per run, not once per file.
        self._urls: dict[tuple, list[str]] = {}
        self._cache = None  # migrator.wheels.cache.Cache, and the memo beside it: made for the first file with pip lines
        self._memo = None

    def context_folder(self, path: str) -> str:
        """The build context of the Dockerfile at `path`: --context, else its folder."""
        return self.context or (os.getcwd() if path in ("-", "") else os.path.dirname(path) or ".")

    def answers_memo(self):
        """The memo of answers worked out by earlier runs (migrator.datacache.Memo), beside the index cache."""
        if self._cache is None:
            from migrator.wheels.cache import Cache, memo_for

            self._cache = Cache(self.cache_root)
            self._memo = memo_for(self._cache.root)
        return self._memo

    def cache_folder(self) -> str:
        """The folder of the index cache this check reads and fills."""
        self.answers_memo()  # makes the cache (its folder: cache_root, else the user cache's)
        return self._cache.root

    def gather(self, document: "Document", path: str) -> "Evidence | None":
        text = document.text
        # Substrings first: most files without pip then compile no regex.
        if not ("pip" in text or "poetry" in text or "uv" in text) or not _INSTALLERS.search(text):
            return None
        try:
            return _gather(self, document, path)
        except Exception as error:  # a bug here must not cost the file its migration
            if os.environ.get("UNALPINE_TRACEBACK"):
                raise
            inputs.not_keepable()
            from migrator.wheels.evidence import Evidence
            from migrator.wheels.requirements import Found

            return Evidence(Found(), {}, list(self.arches), skipped=(
                f"internal error in the wheel check: {type(error).__name__}: {error} "
                "(UNALPINE_TRACEBACK=1 shows where; please report it)"))


def _gather(check: WheelCheck, document: "Document", path: str) -> "Evidence":
    """The requirements, the index's answers for them and their dependencies."""
    from migrator.wheels.evidence import Evidence
    from migrator.wheels.requirements import find

    found = find(document, check.context_folder(path), check.answers_memo())
    if not found.requirements and not found.unreadable and not found.projects:
        return Evidence(found, {}, list(check.arches))
    from migrator.wheels.index import Client
    from migrator.wheels.index_urls import choose_urls

    asked = (found.index_url, tuple(found.extra_index_urls))
    urls = check._urls.get(asked)
    if urls is None:
        environ = os.environ if check.environ is None else check.environ
        urls = check._urls[asked] = choose_urls(found.index_url, found.extra_index_urls, environ, check._memo)
    urls = list(urls)  # each file's evidence its own list
    evidence = Evidence(found, {}, list(check.arches), urls)
    evidence.memo = check._memo
    if not urls:
        evidence.skipped = "no http(s) index to ask"
        return evidence
    key = tuple(urls)
    client = check._clients.get(key)
    if client is None:
        client = check._clients[key] = Client(urls, check._cache, offline=check.offline)
    names = sorted({r.name for r in found.requirements})
    evidence.pages = client.pages(names)
    if len(evidence.pages) == len(names):
        from migrator.wheels.dependencies import walk

        evidence.dependencies, evidence.dependency_notes = walk(client, found.requirements, evidence.pages, check._memo)
        names = sorted({*names, *(r.name for r in evidence.dependencies)})
    evidence.failed = client.failures()
    evidence.uncached = sorted({name for name in client.uncached if name in names})
    evidence.oldest = max((page.age for page in evidence.pages.values() if page is not None), default=0.0)
    if evidence.failed and len(evidence.pages) < len(names):
        evidence.skipped = "; ".join(evidence.failed.values())
    elif check.offline and evidence.uncached:
        evidence.skipped = f"--offline and no cached index answer for {', '.join(evidence.uncached)}"
    return evidence
