"""--commit: in each git repository among the migrated files, on a new
branch, one commit of the files unalpine changed, with a message that says
what changed and why. Never pushes. A repository whose work tree has other
changes, or that has the branch already, is left alone (its files are not
written either); a repository where nothing changed is never touched.

Plain `git` subprocesses: the person's own git, configuration, identity and hooks.
"""

from __future__ import annotations

import os
import subprocess

from migrator import __version__
from migrator.records import Record
from migrator.report.changes import explain


class Repository(Record):
    __slots__ = ("root", "outcomes", "problem")

    def __init__(self, root: str):
        self.root = root
        self.outcomes: list = []
        self.problem = ""  # why it is left alone, if it is


def _git(root: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_DIR")}
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, input=input, env=env)


class RepositoryFinder:
    """The git work tree each file is in (the nearest: a nested repository
    owns its files), asked once per folder."""

    def __init__(self) -> None:
        self._by_folder: dict[str, str] = {}

    def root_of(self, path: str) -> str:
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._by_folder:
            try:
                done = _git(folder, "rev-parse", "--show-toplevel")
            except OSError:  # no git at all
                self._by_folder[folder] = ""
            else:
                self._by_folder[folder] = done.stdout.strip() if done.returncode == 0 else ""
        return self._by_folder[folder]


def group_by_repository(outcomes: list, finder: RepositoryFinder | None = None) -> list[tuple[str, list]]:
    """(root, outcomes) in the order the files came; root "" for files in no repository."""
    finder = finder or RepositoryFinder()
    groups: dict[str, list] = {}
    for outcome in outcomes:
        root = finder.root_of(outcome.real) if outcome.real != "-" else ""
        groups.setdefault(root, []).append(outcome)
    return list(groups.items())


def _other_changes(root: str, nested: set[str], ours: set[str]) -> list[str]:
    """What `git status` shows in the work tree, less the repositories that
    sit inside it (an untracked clone in a folder of clones) and this run's
    own staged files (`ours`, absolute paths)."""
    done = _git(root, "status", "--porcelain", "-z", "--untracked-files=all")  # all: a nested clone shows as itself, not as its parent folder
    if done.returncode != 0:
        return [done.stderr.strip() or "git status failed"]
    entries = [entry for entry in done.stdout.split("\0") if entry]
    changes = []
    skip_next = False
    for entry in entries:
        if skip_next:  # the source of a rename
            skip_next = False
            continue
        status, name = entry[:2], entry[3:]
        if status[0] in "RC":
            skip_next = True
        full = os.path.normpath(os.path.join(root, name))
        if status == "??" and (full in nested or full in ours or os.path.exists(os.path.join(full, ".git"))):
            continue  # another repository inside this one (a clone in a folder of clones), or our own file
        changes.append(name)
    return changes


def plan(changed: list, branch_of, ours: set[str] = frozenset()) -> tuple[list[Repository], list]:
    """The repositories the changed files are in, each checked before
    anything is written (`problem` set: leave it alone); and the files in no
    repository. `branch_of(root)` names the branch for a repository."""
    groups = group_by_repository(changed)
    roots = {os.path.normpath(root) for root, _ in groups if root}
    repositories, outside = [], []
    for root, outcomes in groups:
        if not root:
            outside.extend(outcomes)
            continue
        repository = Repository(root)
        repository.outcomes = outcomes
        others = _other_changes(root, roots - {os.path.normpath(root)}, ours)
        branch = branch_of(root)
        if others:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            repository.problem = f"the work tree has other changes ({shown})"
        elif _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").returncode == 0:
            repository.problem = f"a branch {branch} exists already"
        elif _git(root, "check-ref-format", f"refs/heads/{branch}").returncode != 0:
            repository.problem = f"{branch!r} is not a valid branch name"
        repositories.append(repository)
    return repositories, outside


def message(root: str, outcomes: list, suite: str) -> str:
    """The commit message: a subject, then per file what changed and why."""
    names = [os.path.relpath(os.path.abspath(outcome.real), root) for outcome in outcomes]
    subject = (f"Move {names[0]} from Alpine to Debian slim ({suite})" if len(names) == 1
               else f"Move {len(names)} Dockerfiles from Alpine to Debian slim ({suite})")
    body = [f"unalpine {__version__} rewrote these files for Debian slim images, changing as few "
            "bytes as possible; what changed and why:"]
    for name, outcome in zip(names, outcomes):
        body += ["", name]
        sections = explain(outcome)
        for title, lines in sections.items():
            body.append(f"  {title}:")
            body += [f"  - {line}" for line in lines]
    return subject + "\n\n" + "\n".join(body) + "\n"


def commit(repository: Repository, branch: str, suite: str) -> str:
    """Branch, add and commit the written files; "" or what went wrong."""
    written = [outcome for outcome in repository.outcomes if outcome.written]
    if not written:
        return ""
    root = repository.root
    done = _git(root, "checkout", "-q", "-b", branch)
    if done.returncode != 0:
        return f"cannot create branch {branch}: {done.stderr.strip()}"
    files = [os.path.relpath(os.path.abspath(outcome.real), root) for outcome in written]
    done = _git(root, "add", "--", *files)
    if done.returncode == 0:
        done = _git(root, "commit", "-q", "-F", "-", input=message(root, written, suite))
    if done.returncode != 0:
        return (f"commit failed on branch {branch}, the changes are left there uncommitted: "
                f"{(done.stderr or done.stdout).strip()}")
    return ""
