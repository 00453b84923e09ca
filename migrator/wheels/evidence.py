"""What the wheel check gathered for one Dockerfile: the requirements read
from the file and its build context, the index's answers, and the
dependencies walked from them. Gathered by migrator.wheels.gather; read by
the plan (UA601) and the report."""

from __future__ import annotations

from migrator.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.wheels.pages import Page
    from migrator.wheels.requirements import Found


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
        self.memo = None  # migrator.datacache.Memo: answers of earlier runs, for the plan
