"""The input-gathering step of the wheel check: read the requirements from the
Dockerfile and its build context, and ask the index (or the cache) about
them. It runs once per Dockerfile between parse and rules, so the rules stay
pure functions of what was gathered."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.document import Document
    from migrator.wheels.index import Page
    from migrator.wheels.requirements import Found

DEFAULT_ARCHES = ("amd64", "arm64")
# A Dockerfile with none of these words installs no Python requirements:
# it costs one regex search, no import.
_INSTALLERS = re.compile(r"\b(?:pip[0-9.]*|poetry|uv|pipenv)\b")


@dataclass
class Evidence:
    found: "Found"
    pages: dict[str, "Page | None"]  # project -> its files (None: not on the index); absent: not checked
    arches: list[str]
    urls: list[str] = field(default_factory=list)  # the indexes asked
    skipped: str = ""  # why the index was not asked at all
    failed: dict[str, str] = field(default_factory=dict)  # index url -> why it failed
    uncached: list[str] = field(default_factory=list)  # --offline: projects with no cached answer
    oldest: float = 0.0  # age in seconds of the oldest cached answer used
    dependencies: list = field(default_factory=list)  # Requirements the named ones pull in (dependencies.walk)
    dependency_notes: list[str] = field(default_factory=list)  # what the walk could not follow


@dataclass
class WheelCheck:
    """How the CLI configured the check: one per run, used for every file."""

    offline: bool = False
    context: Path | None = None  # --context; default: the Dockerfile's folder
    arches: tuple[str, ...] = DEFAULT_ARCHES
    cache_root: Path | None = None  # default: $XDG_CACHE_HOME/unalpine/index
    environ: dict[str, str] | None = None  # default: os.environ
    _clients: dict = field(default_factory=dict, repr=False)  # one client per set of indexes, per run

    def gather(self, document: "Document", path: str) -> Evidence | None:
        if not _INSTALLERS.search(document.text):
            return None
        try:
            return self._gather(document, path)
        except Exception as error:  # a bug here must not cost the file its migration
            if os.environ.get("UNALPINE_TRACEBACK"):
                raise
            from migrator.wheels.requirements import Found

            return Evidence(Found(), {}, list(self.arches), skipped=(
                f"internal error in the wheel check: {type(error).__name__}: {error} "
                "(UNALPINE_TRACEBACK=1 shows where; please report it)"))

    def _gather(self, document: "Document", path: str) -> Evidence | None:
        from migrator.wheels import requirements

        context = self.context or (Path.cwd() if path in ("-", "") else Path(path).parent)
        found = requirements.find(document, context)
        if not found.requirements and not found.unreadable and not found.projects:
            return Evidence(found, {}, list(self.arches))
        from migrator.wheels.cache import Cache
        from migrator.wheels.index import Client, choose_urls

        environ = os.environ if self.environ is None else self.environ
        urls = choose_urls(found.index_url, found.extra_index_urls, dict(environ))
        evidence = Evidence(found, {}, list(self.arches), urls)
        if not urls:
            evidence.skipped = "no http(s) index to ask"
            return evidence
        key = tuple(urls)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = Client(urls, Cache(self.cache_root), offline=self.offline)
        names = sorted({r.name for r in found.requirements})
        evidence.pages = client.pages(names)
        if len(evidence.pages) == len(names):
            from migrator.wheels.dependencies import walk

            evidence.dependencies, evidence.dependency_notes = walk(client, found.requirements, evidence.pages)
            names = sorted({*names, *(r.name for r in evidence.dependencies)})
        evidence.failed = dict(client.failed)
        evidence.uncached = sorted({name for name in client.uncached if name in names})
        evidence.oldest = max((page.age for page in evidence.pages.values() if page is not None), default=0.0)
        if evidence.failed and len(evidence.pages) < len(names):
            evidence.skipped = "; ".join(evidence.failed.values())
        elif self.offline and evidence.uncached:
            evidence.skipped = f"--offline and no cached index answer for {', '.join(evidence.uncached)}"
        return evidence
