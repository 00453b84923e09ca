"""What the wheel check gathered for one Dockerfile, and the gathering itself:
the requirements read from the file and its build context, the index's
answers, and the dependencies walked from them."""

from __future__ import annotations

import os

from migrator.records import Record
from migrator.wheels.requirements import Found, find

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.document import Document
    from migrator.wheels.gather import WheelCheck
    from migrator.wheels.index import Page


class Evidence(Record):
    __slots__ = ("found", "pages", "arches", "urls", "skipped", "failed", "uncached", "oldest", "dependencies",
                 "dependency_notes", "memo")

    def __init__(self, found: Found, pages: dict[str, Page | None], arches: list[str], urls: list[str] | None = None,
                 skipped: str = ""):
        self.found = found
        self.pages = pages  # project -> its files (None: not on the index); absent: not checked
        self.arches = arches
        self.urls = urls if urls is not None else []  # the indexes asked
        self.skipped = skipped  # why the index was not asked at all
        self.failed: dict[str, str] = {}  # index url -> why it failed
        self.uncached: list[str] = []  # --offline: projects with no cached answer
        self.oldest = 0.0  # age in seconds of the oldest cached answer used
        self.dependencies: list = []  # Requirements the named ones pull in (dependencies.walk)
        self.dependency_notes: list[str] = []  # what the walk could not follow
        self.memo = None  # migrator.wheels.memo.Memo: answers of earlier runs, for the plan


def gather(check: "WheelCheck", document: "Document", path: str) -> Evidence:
    from migrator.wheels.cache import Cache
    from migrator.wheels.memo import memo_for

    if check._cache is None:
        check._cache = Cache(check.cache_root)
        check._memo = memo_for(check._cache.root)
    context = check.context or (os.getcwd() if path in ("-", "") else os.path.dirname(path) or ".")
    found = find(document, context, check._memo)
    if not found.requirements and not found.unreadable and not found.projects:
        return Evidence(found, {}, list(check.arches))
    from migrator.wheels.index import Client, choose_urls

    environ = os.environ if check.environ is None else check.environ
    urls = choose_urls(found.index_url, found.extra_index_urls, environ, check._memo)  # read only: no copy of os.environ per file
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
    evidence.failed = dict(client.failed)
    evidence.uncached = sorted({name for name in client.uncached if name in names})
    evidence.oldest = max((page.age for page in evidence.pages.values() if page is not None), default=0.0)
    if evidence.failed and len(evidence.pages) < len(names):
        evidence.skipped = "; ".join(evidence.failed.values())
    elif check.offline and evidence.uncached:
        evidence.skipped = f"--offline and no cached index answer for {', '.join(evidence.uncached)}"
    return evidence
