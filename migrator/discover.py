"""Find the Dockerfiles named on the command line.

Files named explicitly are taken whatever their name. Folders are searched
for the names Docker and Podman users give their build files:

- inside a git work tree, as git sees them: tracked files plus untracked
  files that are not ignored (`git ls-files -co --exclude-standard`), so a
  build output or vendored tree in .gitignore is never rewritten;
- elsewhere (or without git) by walking the folder, skipping version-control
  and tool folders.

Either way a symlink never leads out of the folder given: symlinked folders
are not followed (a loop or a link to `/` must not turn a run into a crawl),
and a symlinked file is taken only when its target is inside that folder.
"""

from __future__ import annotations

import fnmatch
import os

from migrator.compose_names import is_compose_name
from migrator.records import Frozen

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


# Every pattern holds one of these (tests/test_discover.py checks it): a
# name without them is no Dockerfile, and most names a walk meets
# (requirements.txt, app.py...) are told so without seven fnmatch calls.
_PATTERN_WORDS = ("ockerfile", "Containerfile")


def is_dockerfile_name(name: str) -> bool:
    """Dockerfiles and compose files (whose image: values migrate too)."""
    if name.endswith(EXCLUDED_SUFFIXES):
        return False
    if _PATTERN_WORDS[0] not in name and _PATTERN_WORDS[1] not in name:
        return is_compose_name(name)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PATTERNS) or is_compose_name(name)


class Found(Frozen):
    """A file to check: `path` as shown to the user (normalised, relative if
    given relative), `real` the file the bytes live in (symlinks resolved):
    what we write."""

    __slots__ = ()

    def __new__(cls, path, real) -> Found:
        return tuple.__new__(cls, (path, real))


def _walk(root: str) -> list[tuple[str, str | None]]:
    """(path, real) of the build files under `root`; `real` is the file's
    real path when no symlink leads to it (then it is the real path of root
    plus the names walked: no realpath of its own), else None.

    Symlinked folders are not followed. One scandir per folder tells folders,
    regular files and symlinks apart without a stat of each (os.walk plus an
    islink, isfile and realpath per name cost ~45 ms per 2,000 folders)."""
    found: list[tuple[str, str | None]] = []
    folders = [(root, os.path.realpath(root))]
    while folders:
        folder, real_folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # unreadable: skipped, as os.walk does
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
                link = entry.is_symlink()
            except OSError:
                continue
            if is_dir:
                if not link and name not in SKIPPED_DIRS and not name.endswith(".egg-info"):
                    folders.append((entry.path, os.path.join(real_folder, name)))  # entry.path: join(folder, name)
            elif is_dockerfile_name(name):
                path = entry.path
                if link:
                    # isfile: not a dangling link; its target must be inside root
                    if os.path.isfile(path) and _inside(path, root):
                        found.append((path, None))
                elif entry.is_file(follow_symlinks=False):  # not a fifo, socket or device
                    found.append((path, os.path.join(real_folder, name)))
    return found


def in_git_work_tree(folder: str) -> bool:
    """Whether `folder` is inside a git work tree (a `.git` folder, or the
    `.git` file of a worktree or submodule, in it or above it)."""
    current = os.path.realpath(folder)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def _git_files(root: str) -> list[str] | None:
    """Files under `root` as git sees them, or None when git cannot say (not
    installed, not a repository it trusts): then the folder is walked."""
    import subprocess  # only for folders inside a work tree (~2 ms to import)

    try:
        done = subprocess.run(
            ["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    # Paths come relative to root, NUL-separated, unquoted; a path in the
    # index more than once (a merge conflict) is one file.
    names = sorted({os.fsdecode(name) for name in done.stdout.split(b"\0") if name})
    return [os.path.join(root, name) for name in names if is_dockerfile_name(os.path.basename(name))]


def _inside(path: str, root: str) -> bool:
    real_root = os.path.realpath(root)
    return os.path.commonpath([os.path.realpath(path), real_root]) == real_root


def _search(root: str) -> list[tuple[str, str | None]]:
    """(path, real path or None when not known yet) of the build files in `root`."""
    files = _git_files(root) if in_git_work_tree(root) else None
    if files is None:
        return _walk(root)
    return [
        (path, None)
        for path in files
        # isfile: skips dangling symlinks, sockets, fifos, files git still
        # tracks but that were deleted, and submodules
        if os.path.isfile(path) and (not os.path.islink(path) or _inside(path, root))
    ]


def discover(paths: list[str]) -> list[Found]:
    """Expand files and folders into a sorted list of distinct Dockerfiles.

    Raises NotFound for the first path that does not exist (before any file
    is read, so a typo never leaves a run half done).
    """
    for path in paths:
        if not os.path.lexists(path) or (os.path.islink(path) and not os.path.exists(path)):
            raise NotFound(path)
    candidates: list[tuple[str, str | None]] = []
    for path in paths:
        if os.path.isdir(path):
            candidates.extend(_search(path))
        else:
            candidates.append((path, None))
    by_real: dict[str, str] = {}
    for path, known in sorted(((os.path.normpath(p), real) for p, real in candidates), key=_first):
        real = known or os.path.realpath(path)
        # Two spellings of one file (`.` and `./Dockerfile`, or a symlink to a
        # file already found) are one file: the first name in sorted order wins.
        by_real.setdefault(real, path)
    return sorted((Found(shown, real) for real, shown in by_real.items()), key=lambda f: f.path)


def _first(pair: tuple) -> str:
    return pair[0]
