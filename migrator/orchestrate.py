"""One run of unalpine, from a plain description of what was asked to an
exit code, in named steps:

    explain | gather the files -> choose the mode -> prepare the settings ->
    check every file -> decide the exit code -> build (--build) -> write ->
    save the answers -> report

Every file is checked first, then written: a file is all-or-nothing, a file
that cannot be migrated (exit 2) does not stop the others, and when any
question is left open (exit 3) nothing at all is written. The command line
(migrator.cli) only parses arguments into a RunRequest.
"""

from __future__ import annotations

import os
import sys

from migrator.console import isatty, progress
from migrator.errors import InputError
from migrator.options import Options, explain, show_config
from migrator.request import Mode, RunRequest  # noqa: F401 (RunRequest: the orchestrator's input)

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any, Callable

    from migrator.console import Console

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_ERROR = 2
EXIT_UNRESOLVED = 3
EXIT_VERIFY = 4
EXIT_INTERRUPTED = 130


def execute(request: RunRequest, console: Console, ready: Callable[[], None] = lambda: None) -> int:
    """The whole run; `ready` is called once everything is loaded, just
    before the files are checked. InputError, KeyboardInterrupt and
    BrokenPipeError reach the caller."""
    if request.explain:
        return explain(request)
    if request.show_config is not None:
        return show_config(request)
    return Run(request, console).execute(ready)


class Run:
    """The state one run carries from step to step."""

    def __init__(self, request: RunRequest, console: Console):
        self.request = request
        self.console = console
        self.stdin_mode = request.stdin_mode
        self.jobs: list = []
        self.mode: Mode | None = None
        self.saved: dict[str, str] = {}
        self.settings: Any = None
        self.prompter: Any = None
        self.tally: Any = None
        self.files: list = []
        self.open_files: list = []
        self.unverified: list = []
        self.changed: list = []
        self.wrote = False
        self.engine: str | None = None  # --build: docker or podman
        self.configs: dict[str, Any] = {}  # configuration files in use, by path
        self.saved_by_config: dict[str, dict[str, str]] = {}
        self.options = Options(request)
        self.excluded = 0  # files left out by a configuration's exclude
        self.left_alone: dict[int, str] = {}  # --commit: why a changed file was not written, by id()

    def execute(self, ready: Callable[[], None]) -> int:
        code = self.find_engine()
        if code is not None:
            return code
        code = self.gather_files()
        if code is not None:
            return code
        self.mode = Mode(self.request)
        self.prepare_settings()
        ready()
        code = self.check_files()
        if code is not None:
            return code
        code = self.decide_exit_code()
        code = self.build_files(code)
        code = self.write_files(code)
        code = self.save_answers(code)
        return self.report(code)

    # -- the steps -------------------------------------------------------------

    def find_engine(self) -> int | None:
        """--build: the container engine on PATH; exit 2 before any work when there is none."""
        if not self.request.build:
            return None
        from migrator.build import find_engine

        self.engine, problem = find_engine()
        if self.engine is None:
            self.console.error(f"unalpine: {problem}")
            return EXIT_ERROR
        return None

    def gather_files(self) -> int | None:
        """The files to check (stdin, or discovered under the paths); an exit
        code when there are none to be had."""
        from migrator.batch import FileJob

        request = self.request
        if self.stdin_mode:
            from migrator.output import decode

            name = request.stdin_filename or "-"
            try:
                self.jobs = [FileJob(name, "-", decode(sys.stdin.buffer.read(), name))]
            except InputError as error:
                self.console.error(str(error))
                return EXIT_ERROR
        else:
            from migrator.discover import NotFound, discover

            try:
                self.jobs = [FileJob(found.path, found.real) for found in discover(list(request.paths))]
            except NotFound as error:
                self.console.error(str(error))
                return EXIT_ERROR
        self.apply_configuration()
        return None

    def apply_configuration(self) -> None:
        """Each file's configuration file (config.py), and the files its
        exclude globs leave out (only files found by searching a folder)."""
        from migrator.config import ConfigFinder

        finder = ConfigFinder()
        named = {os.path.normpath(path) for path in self.request.paths}
        kept = []
        for job in self.jobs:
            if self.stdin_mode:
                config = finder.for_path(self.request.stdin_filename or os.path.join(os.curdir, "-"), False)
            else:
                config = finder.for_path(job.path, False)
            if config.source and config.excludes(job.path) and os.path.normpath(job.path) not in named:
                self.excluded += 1
                continue
            if config.source:
                job.config = config.source
                self.configs[config.source] = config
            kept.append(job)
        self.jobs = kept

    def prepare_settings(self) -> None:
        """The saved answers, the mapping table, the wheel check, and how each
        file's questions are answered; the same for each configuration file."""
        from migrator.batch import RunSettings

        request, mode = self.request, self.mode
        if request.answers:
            from migrator import resolve

            self.saved = resolve.load_answers(request.answers)
        options = self.options
        engine = options.engine_settings(request.target, request.mappings, request.context, request.arch)
        settings = RunSettings(engine, options.resolver_factory(self.saved, request.answers or ""),
                               keep_original=request.keep_details or request.compare, verify=request.verify)
        settings.want_diff = request.keep_details or mode.show_diff or (request.check and request.diff)
        # SARIF carries the fixes; the other CI formats show each rewritten
        # instruction, so a --check that fails on rewrites alone still points at lines
        settings.want_rewrites = request.format in ("sarif", "github", "gitlab", "checkstyle")
        # what the summary does not count is dropped right after it (check_files)
        settings.want_answers = request.keep_details or bool(request.save_answers) or mode.prompting
        # a quiet run shows no informational finding, and without details nothing keeps one
        settings.want_notes = not request.quiet or request.keep_details
        if request.write and not mode.prompting and not self.stdin_mode and not request.build:
            # staged by the workers while checking; not with --build, which may still hold a file back
            from migrator.output import new_tag

            settings.write_tag = new_tag()
            settings.backup = request.backup
        for source, config in self.configs.items():
            engine, factory, self.saved_by_config[source] = options.configured(config, self.saved)
            settings.variants[source] = (engine, factory)
        # the rules' structured results: only the JSON report and --verify read them
        # (batch.check_file drops them otherwise)
        for engine in [settings.engine, *(engine for engine, _ in settings.variants.values())]:
            engine.details = settings.keep_original or settings.verify
        self.keep_results(settings)
        self.settings = settings

    def keep_results(self, settings: Any) -> None:
        """A batch reads and keeps whole-file results (migrator.results), per
        configuration file; not with a prompt (a person may answer otherwise)."""
        from migrator.results import FROM_FILES

        request = self.request
        if self.mode.prompting or self.stdin_mode or len(self.jobs) < FROM_FILES or os.environ.get("UNALPINE_NO_CACHE"):
            return
        settings.kept[""] = self.options.kept_results(settings.engine, self.saved, request.answers or "")
        for source, (engine, _) in settings.variants.items():
            answers_name = request.answers or self.configs[source].get("answers") or ""
            settings.kept[source] = self.options.kept_results(engine, self.saved_by_config[source], answers_name)

    def check_files(self) -> int | None:
        """Check every file, in order; show what each gives; write nothing yet.
        An exit code when the person quit."""
        from migrator import resolve
        from migrator.batch import check_all, check_file, default_workers
        from migrator.report.text import Tally, tell

        request, mode, settings, jobs, console = self.request, self.mode, self.settings, self.jobs, self.console
        if mode.prompting:
            # One resolver for the whole run, in this process: an answer given at
            # the prompt is reused for the other files of the batch.
            self.prompter = resolve.Prompter()
            shared = {"": resolve.Answers(self.prompter, self.saved, request.answers or "", note=console.info)}
            for source in self.configs:
                answers_name = request.answers or self.configs[source].get("answers") or ""
                shared[source] = resolve.Answers(self.prompter, self.saved_by_config[source], answers_name,
                                                 note=console.info)
            outcomes: Any = (check_file(job, settings, shared[job.config]) for job in jobs)
        else:
            workers = request.jobs if request.jobs is not None else default_workers(len(jobs))
            outcomes = check_all(jobs, settings, workers)
        show_progress = (
            not mode.prompting and not self.stdin_mode and not request.quiet and len(jobs) > 1
            and isatty(sys.stderr)
        )
        self.tally = tally = Tally()
        files = self.files
        try:
            for outcome in progress(outcomes, len(jobs), console, show_progress):
                tally.add(outcome)
                tell(outcome, console)
                if outcome.ok and not request.machine and (mode.show_diff or (request.check and request.diff)):
                    console.out(outcome.diff)
                if not request.keep_details:
                    # Shown and counted; keep only what writing and --save-answers
                    # still need (a fleet of 10,000 files must fit in memory).
                    outcome.diff = ""
                    outcome.findings = []
                    outcome.suppressed = []
                    outcome.said = []
                    if not request.save_answers:
                        outcome.answers = []
                    if not (request.write or mode.ask_to_write or self.stdin_mode or request.build):
                        outcome.text = ""
                    if not (outcome.changed or outcome.open_questions or outcome.answers or outcome.error
                            or outcome.verification is not None or self.stdin_mode):
                        continue  # unchanged and nothing to remember: counted, done
                files.append(outcome)
        except resolve.QuitRun:
            console.error("unalpine: quit; nothing was written")
            return EXIT_UNRESOLVED
        except BaseException:
            # Ctrl-C or a bug: stop the workers, then take back what they staged.
            if settings.write_tag is not None:
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()
                from migrator.writing import discard_staged

                discard_staged(jobs, settings)
            raise
        return None

    def decide_exit_code(self) -> int:
        """The exit code the checking gives; lists the open questions."""
        from migrator.report.text import report_open

        files, console = self.files, self.console
        self.open_files = [run for run in files if run.open_questions]
        code = EXIT_OK
        if any(run.error for run in files):
            code = EXIT_ERROR
        if self.open_files:
            code = EXIT_UNRESOLVED
            report_open(self.open_files, console)
        self.unverified = [run for run in files if run.verification is not None and not run.verification.ok]
        if self.unverified:
            code = max(code, EXIT_VERIFY)
        self.changed = [run for run in files if run.ok and run.changed]
        if self.request.check and self.changed:
            code = max(code, EXIT_CHANGES)
            for run in self.changed:
                console.info(f"would migrate {run.path}")
        return code

    def build_files(self, code: int) -> int:
        """--build: build each migrated file that passed the checks (with
        --compare its original too) and say how it went; a file that fails to
        build is not written (exit 4)."""
        if self.engine is None or self.open_files:
            return code
        from migrator.build import build, summary
        from migrator.compose_names import is_compose_name

        console, request = self.console, self.request
        unverified = {id(run) for run in self.unverified}  # by identity: outcomes compare field by field
        failed: set[int] = set()
        for run in self.changed:
            if id(run) in unverified or is_compose_name(os.path.basename(run.real)):
                continue
            context = request.context or os.path.dirname(os.path.abspath(run.real))
            console.info(f"{run.path}: building with {self.engine}...")
            original = build(self.engine, run.original, run.real, context, "original") if request.compare else None
            migrated = build(self.engine, run.text, run.real, context, "migrated")
            say = console.info if migrated.ok else console.error
            for line in summary(run.path, self.engine, migrated, original):
                say(line)
            if not migrated.ok:
                failed.add(id(run))
                console.error(f"{run.path}: not written: the build failed")
                code = max(code, EXIT_VERIFY)
        self.changed = [run for run in self.changed if id(run) not in failed]
        return code

    def write_files(self, code: int) -> int:
        """Write (never when a question is open anywhere), or print stdin's result."""
        request, settings, files = self.request, self.settings, self.files
        write = request.write and not self.open_files
        if not write and settings.write_tag is not None:
            from migrator.output import discard

            for run in files:
                discard(run.staged)
        if self.mode.ask_to_write and self.changed and not self.open_files:
            from migrator import resolve

            self.prompter = self.prompter or resolve.Prompter()
            count = len(self.changed)
            write = self.prompter.confirm(f"Write these changes to {count} file{'s' if count > 1 else ''}?")
        self.wrote = write
        repositories: list = []
        if write and request.commit:
            repositories = self.plan_commits()
        if self.stdin_mode and not (request.diff or request.check or request.machine):
            if files[0].ok:
                self.console.out(files[0].text if files[0].changed else self.jobs[0].text or "")
        elif write:
            from migrator.writing import discard_staged, write_changed

            try:
                code = write_changed(self.changed, self.unverified, settings, request.backup, self.console,
                                     self.tally, code)
            except BaseException:  # Ctrl-C while writing: what is not moved into place yet goes
                if settings.write_tag is not None:
                    discard_staged(self.jobs, settings)
                raise
        if repositories:
            code = self.commit_repositories(repositories, code)
        return code

    def plan_commits(self) -> list:
        """--commit: the repositories of the changed files, checked before
        anything is written; the files of one that must be left alone are
        not written either."""
        from migrator import gitcommit
        from migrator.output import discard

        ours = {os.path.abspath(temporary) for outcome in self.changed for temporary, _ in outcome.staged}
        repositories, outside = gitcommit.plan(self.changed, self.branch_for, ours)
        left = set()
        for repository in repositories:
            if repository.problem:
                self.console.error(f"{repository.root}: not committed, files left as they are: {repository.problem}")
                left.update(id(outcome) for outcome in repository.outcomes)
                for outcome in repository.outcomes:
                    self.left_alone[id(outcome)] = repository.problem
                for outcome in repository.outcomes:
                    discard(outcome.staged)
        for outcome in outside:
            self.console.info(f"{outcome.path}: not in a git repository: written, not committed")
        self.changed = [outcome for outcome in self.changed if id(outcome) not in left]
        return [repository for repository in repositories if not repository.problem]

    def branch_for(self, root: str) -> str:
        return self.request.branch or f"unalpine/debian-{self.suite_for(root)}"

    def suite_for(self, root: str) -> str:
        """The suite a repository's files move to: --target, its configuration's, or the default."""
        if self.request.target:
            return self.request.target
        from migrator.config import ConfigFinder

        target = ConfigFinder().for_path(os.path.join(root, ".")).get("target")
        if target:
            return target
        from migrator.images import image_table

        return image_table().default_suite

    def commit_repositories(self, repositories: list, code: int) -> int:
        from migrator import gitcommit

        for repository in repositories:
            written = sum(1 for outcome in repository.outcomes if outcome.written)
            if not written:
                continue  # nothing changed there after all: never touched
            branch, suite = self.branch_for(repository.root), self.suite_for(repository.root)
            problem = gitcommit.commit(repository, branch, suite)
            if problem:
                self.console.error(f"{repository.root}: {problem}")
                code = max(code, EXIT_ERROR)
            else:
                self.console.info(f"{repository.root}: committed {written} file{'s' if written != 1 else ''} "
                                  f"on branch {branch}")
        return code

    def write_markdown(self, code: int) -> int:
        from migrator.gitcommit import group_by_repository
        from migrator.output import atomic_write
        from migrator.report.markdown import markdown_report

        text = markdown_report(group_by_repository(self.files), self.request.verify, code, self.left_alone)
        path = self.request.report
        try:
            if os.path.exists(path):
                atomic_write(os.path.realpath(path), text.encode("utf-8"))
            else:  # a new file: written beside itself, then moved into place
                temporary = f"{path}.{os.getpid()}.unalpine-tmp"
                try:
                    with open(temporary, "xb") as handle:
                        handle.write(text.encode("utf-8"))
                    os.replace(temporary, path)
                finally:
                    if os.path.exists(temporary):
                        os.unlink(temporary)
        except OSError as error:
            self.console.error(f"{self.request.report}: cannot write: {error.strerror or error}")
            return max(code, EXIT_ERROR)
        return code

    def save_answers(self, code: int) -> int:
        """--save-answers: the answers used, the saved ones not used, and the open questions."""
        request = self.request
        if not request.save_answers:
            return code
        from migrator import resolve

        used = [answer for run in self.files for answer in run.answers if answer.source != resolve.SOURCE_OPEN]
        used_keys = {answer.decision.key for answer in used}
        kept = {key: value for key, value in self.saved.items() if key not in used_keys}
        opened = [decision for run in self.open_files for decision in run.open_questions]
        try:
            resolve.save_answers(request.save_answers, resolve.dump_answers(used, kept, opened))
        except OSError as error:
            self.console.error(f"{request.save_answers}: cannot write: {error.strerror or error}")
            code = max(code, EXIT_ERROR)
        return code

    def report(self, code: int) -> int:
        """The report in the format asked for on stdout, or the summary on
        stderr; --report FILE.md."""
        request, console, files = self.request, self.console, self.files
        if request.report:
            code = self.write_markdown(code)
        if request.machine:
            from migrator.report.formats import machine_report

            console.out(machine_report(request.format, files, request.target, code))
        elif not self.stdin_mode:
            from migrator.report.text import summary

            self.tally.excluded = self.excluded
            summary(self.tally, files, console, wrote=self.wrote, check=request.check)
            if request.verify:
                verified = sum(1 for run in files if run.verification is not None)
                console.info(f"unalpine: --verify: {verified - len(self.unverified)} of {verified} "
                             f"file{'s' if verified != 1 else ''} passed")
        return code
