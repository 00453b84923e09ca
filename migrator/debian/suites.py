"""The Debian suites unalpine ships indexes for, and which of them answers
for a suite only Debian's archive still serves."""

from __future__ import annotations

import functools
import os

from migrator.data_files import data_dir

SUITES: tuple[str, ...] = ("bullseye", "bookworm", "trixie")  # oldest → newest


def index_suite(suite: str) -> str:
    """The suite whose shipped indexes answer for `suite`: itself, or for a
    suite only archive.debian.org still serves (images.toml `archived`), the
    nearest one shipped (`archived_index`). The one place this is decided:
    the mapping table, the name indexes, the images and --verify all ask here,
    so a caller holding an image's suite (buster) cannot reach an index that
    does not exist."""
    if suite in SUITES:
        return suite
    archived, nearest = _archived()
    if suite in archived:
        return nearest
    raise ValueError(f"unknown Debian suite {suite!r} (known: {', '.join((*archived, *SUITES))})")


@functools.cache
def _archived() -> tuple[tuple[str, ...], str]:
    import tomllib

    with open(os.path.join(data_dir(), "images.toml"), "rb") as handle:
        data = tomllib.load(handle)
    return tuple(data["archived"]), data["archived_index"]
