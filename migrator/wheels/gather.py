"""The input-gathering step of the wheel check, as the CLI configures it: it
runs once per Dockerfile between parse and rules, so the rules stay pure
functions of what was gathered (migrator.wheels.evidence). A Dockerfile
without pip, poetry, uv or pipenv costs one regex search and no import."""

from __future__ import annotations

import os

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
        self._cache = None  # migrator.wheels.cache.Cache, and the memo beside it: made for the first file with pip lines
        self._memo = None

    def gather(self, document: "Document", path: str) -> "Evidence | None":
        text = document.text
        # Substrings first: most files without pip then compile no regex.
        if not ("pip" in text or "poetry" in text or "uv" in text) or not _INSTALLERS.search(text):
            return None
        from migrator.wheels.evidence import Evidence, gather

        try:
            return gather(self, document, path)
        except Exception as error:  # a bug here must not cost the file its migration
            if os.environ.get("UNALPINE_TRACEBACK"):
                raise
            from migrator.wheels.requirements import Found

            return Evidence(Found(), {}, list(self.arches), skipped=(
                f"internal error in the wheel check: {type(error).__name__}: {error} "
                "(UNALPINE_TRACEBACK=1 shows where; please report it)"))
