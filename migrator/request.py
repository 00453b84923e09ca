"""What a run was asked to do, as plain values (RunRequest: the command
line's options, built by migrator.cli), and how it talks and what it shows
given whether a person is at the terminal (Mode)."""

from __future__ import annotations

import sys

from migrator.console import isatty
from migrator.records import Record


class RunRequest(Record):
    """What the person asked for, as plain values (the command line's options)."""

    __slots__ = (
        "paths", "stdin_filename", "diff", "write", "check", "verify", "build", "compare", "backup", "format",
        "yes", "answers", "save_answers", "target", "mappings", "no_builtin", "strict", "explain",
        "offline", "context", "arch", "jobs", "quiet", "show_config", "commit", "branch", "report",
    )

    def __init__(self, paths: list[str] = (), stdin_filename: str | None = None, diff: bool = False,
                 write: bool = False, check: bool = False, verify: bool = False, build: bool = False,
                 compare: bool = False, backup: bool = False,
                 format: str = "text", yes: bool = False, answers: str | None = None,
                 save_answers: str | None = None, target: str | None = None, mappings: list[str] = (),
                 no_builtin: bool = False, strict: bool = False, explain: str | None = None,
                 offline: bool = False, context: str | None = None, arch: list[str] | None = None,
                 jobs: int | None = None, quiet: bool = False, show_config: str | None = None,
                 commit: bool = False, branch: str | None = None, report: str | None = None):
        self.paths = list(paths)
        self.stdin_filename = stdin_filename
        self.diff = diff
        self.write = write
        self.check = check
        self.verify = verify
        self.build = build  # --build: build the migrated files with docker or podman
        self.compare = compare  # --build --compare: the originals too
        self.backup = backup
        self.format = format  # text, json, sarif, github, gitlab, checkstyle
        self.yes = yes
        self.answers = answers
        self.save_answers = save_answers
        self.target = target
        self.mappings = list(mappings)
        self.no_builtin = no_builtin
        self.strict = strict
        self.explain = explain
        self.offline = offline
        self.context = context
        self.arch = arch
        self.jobs = jobs
        self.quiet = quiet
        self.show_config = show_config  # --show-config PATH
        self.commit = commit  # --commit: a branch and a commit in each repository (with --write)
        self.branch = branch  # --branch NAME for --commit
        self.report = report  # --report FILE.md

    @property
    def stdin_mode(self) -> bool:
        return "-" in self.paths

    @property
    def machine(self) -> bool:
        """A report for other tools goes to stdout instead of the diff."""
        return self.format != "text"

    @property
    def keep_details(self) -> bool:
        """Every outcome is kept whole to the end (a report or commit message needs it)."""
        return self.machine or self.commit or bool(self.report)


class Mode(Record):
    """How this run talks and what it shows, given the request and whether a
    person is at the terminal."""

    __slots__ = ("prompting", "ask_to_write", "show_diff")

    def __init__(self, request: RunRequest):
        stdin_mode = request.stdin_mode
        # --check is a CI gate: it never asks, and decides with the recommended answers.
        self.prompting = (
            isatty(sys.stdin) and isatty(sys.stderr) and not stdin_mode and not request.check and not request.yes
        )
        self.ask_to_write = (
            not (request.diff or request.write or request.check or request.machine or request.verify
                 or request.build)
            and not stdin_mode
            and isatty(sys.stdin)
            and isatty(sys.stdout)
        )
        self.show_diff = request.diff or (
            not request.check and not request.write and not request.machine and not stdin_mode and not request.verify
            and not request.build
        )
        if stdin_mode and not (request.diff or request.check or request.machine):
            self.show_diff = False  # `-` is a filter: the result goes to stdout
