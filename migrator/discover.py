"""Find the Dockerfiles named on the command line.

Files named explicitly are taken whatever their name. Folders are searched
recursively for the names Docker and Podman users give their build files;
version-control and tool folders are skipped and symlinked folders are never
followed (a symlink loop or a link to `/` must not turn a run into a crawl).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

# Names matched case-sensitively, the way people write them.
PATTERNS = (
    "Dockerfile",
    "dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
)

# Files that match a pattern above but are not build files: backups (ours are
# NAME.bak), editor and patch leftovers, and BuildKit's per-Dockerfile ignore
# files (`Dockerfile.dockerignore`, `app.Dockerfile.dockerignore`).
EXCLUDED_SUFFIXES = (".bak", ".orig", ".rej", ".swp", ".swo", "~", ".dockerignore", ".tmp")

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "_darcs",
        ".jj",
        "node_modules",
        ".venv",
        "venv",
        ".env",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
        ".direnv",
        ".idea",
        ".terraform",
    }
)


class NotFound(Exception):
    """A path given on the command line does not exist."""

    def __init__(self, path: str):
        super().__init__(f"{path}: no such file or directory")
        self.path = path


def is_dockerfile_name(name: str) -> bool:
    if name.endswith(EXCLUDED_SUFFIXES):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PATTERNS)


@dataclass(frozen=True)
class Found:
    path: str  # as shown to the user (normalised, relative if given relative)
    real: str  # the file the bytes live in (symlinks resolved): what we write


def _walk(root: str) -> list[str]:
    found: list[str] = []
    # os.walk does not descend into symlinked directories by default
    # (followlinks=False); it still lists them in `dirs`, so prune them here too.
    for folder, dirs, files in os.walk(root, onerror=None):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not os.path.islink(os.path.join(folder, d))
        )
        for name in files:
            if is_dockerfile_name(name):
                path = os.path.join(folder, name)
                if os.path.isfile(path):  # skips dangling symlinks, sockets, fifos
                    found.append(path)
    return found


def discover(paths: list[str]) -> list[Found]:
    """Expand files and folders into a sorted list of distinct Dockerfiles.

    Raises NotFound for the first path that does not exist (before any file
    is read, so a typo never leaves a run half done).
    """
    for path in paths:
        if not os.path.lexists(path) or (os.path.islink(path) and not os.path.exists(path)):
            raise NotFound(path)
    candidates: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            candidates.extend(_walk(path))
        else:
            candidates.append(path)
    by_real: dict[str, str] = {}
    for path in sorted(os.path.normpath(p) for p in candidates):
        real = os.path.realpath(path)
        # Two spellings of one file (`.` and `./Dockerfile`, or a symlink to a
        # file already found) are one file: the first name in sorted order wins.
        by_real.setdefault(real, path)
    return sorted((Found(shown, real) for real, shown in by_real.items()), key=lambda f: f.path)
