"""Index answers cached on disk: $XDG_CACHE_HOME/unalpine/index/ (default
~/.cache/unalpine/index/), one JSON file per index and project, with the time
it was fetched. Fresh answers (younger than the expiry) are used without
asking the index; --offline uses any cached answer, however old."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from migrator.datacache import cache_dir as user_cache_dir

FORMAT = "v2"  # v2 keeps wheel URLs for PEP 658 metadata; older answers are not read
EXPIRY = 24 * 3600  # seconds: releases appear daily; a day-old answer is good enough to plan a migration


def folder() -> Path:
    return Path(user_cache_dir()) / "index" / FORMAT


class Cache:
    def __init__(self, root: Path | None = None, expiry: float = EXPIRY):
        self.root = root or folder()
        self.expiry = expiry

    def _path(self, index_url: str, name: str) -> Path:
        digest = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        return self.root / digest / f"{name}.json"

    def get(self, index_url: str, name: str, any_age: bool = False) -> tuple[dict | None, float] | None:
        """(page or None for "not on this index", age in seconds), or None
        when nothing usable is cached."""
        try:
            with open(self._path(index_url, name), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        age = time.time() - entry.get("fetched", 0)
        if not any_age and not 0 <= age < self.expiry:
            return None
        return entry.get("page"), age

    def get_text(self, url: str) -> str | None:
        """A file stored under its URL (wheel metadata: immutable, no expiry)."""
        try:
            return (self.root / "metadata" / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".txt")).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put_text(self, url: str, text: str) -> None:
        self._write(self.root / "metadata" / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".txt"), text)

    def put(self, index_url: str, name: str, page: dict | None) -> None:
        """Store, atomically; a cache that cannot be written is no error."""
        self._write(self._path(index_url, name), json.dumps({"index": index_url, "fetched": time.time(), "page": page}))

    def _write(self, path: Path, text: str) -> None:
        import tempfile  # only when something is stored: a warm cache is only read (~2 ms of a start)

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except OSError:
            pass
