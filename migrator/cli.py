"""The `unalpine` command: the only place that talks to a person.

Every file is checked first, then written: a file is all-or-nothing, a file
that cannot be migrated (exit 2) does not stop the others, and when any
question is left open (exit 3) nothing at all is written.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

from migrator import __version__
from migrator.errors import InputError

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import IO, Any, Sequence

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_ERROR = 2
EXIT_UNRESOLVED = 3
EXIT_VERIFY = 4
EXIT_INTERRUPTED = 130

# Kept in step with migrator.packages.SUITES (not imported here: --help and
# --version must not load the package table).
# stretch and buster are archived: images exist, apt needs archive.debian.org
TARGETS = ("stretch", "buster", "bullseye", "bookworm", "trixie")

EPILOG = """\
modes:
  With no mode, at a terminal: show the diff, then ask whether to write.
  With no mode and no terminal: same as --diff.

questions:
  Where the right rewrite is not certain, a rule asks a question. At a
  terminal each is asked (recommended option first); --yes takes the
  recommended option and says so on stderr; --answers FILE answers from a
  saved file. With no terminal and no --yes, open questions are listed and
  nothing is written (exit 3). --check never asks: it decides with the
  recommended answers.

exit codes:
  0  done, or nothing to do
  1  --check: some file would change (--check never exits 3)
  2  usage or input error (message names the file and line); files that
     migrated cleanly are still written with --write
  3  questions left unanswered; nothing was written
  4  --verify: a check failed (a package that does not install, a RUN that
     is not valid shell, a tag that was never published); that file is not
     written
  When several apply, the highest code wins.
"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    # argparse builds a formatter for every add_argument, and the default one
    # imports shutil (and with it bz2, lzma, ...) to ask for the terminal
    # width: ~2 ms of every start. os can answer that.
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            try:
                width = int(os.environ["COLUMNS"])
            except (KeyError, ValueError):
                try:
                    width = os.get_terminal_size(sys.__stdout__.fileno()).columns
                except (AttributeError, ValueError, OSError):
                    width = 80
            width -= 2
        super().__init__(prog, indent_increment, max_help_position, width)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unalpine",
        description="Migrate Alpine-based Python Dockerfiles to Debian slim images, "
        "changing as few bytes as possible.",
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Dockerfiles, or folders to search for Dockerfile, Dockerfile.*, *.Dockerfile, "
        "*.dockerfile, Containerfile, Containerfile.*; '-' reads stdin and writes stdout",
    )
    modes = parser.add_argument_group("modes")
    modes.add_argument("--diff", action="store_true", help="show a unified diff, write nothing")
    rw = modes.add_mutually_exclusive_group()
    rw.add_argument("-w", "--write", action="store_true", help="write the changes in place (atomically)")
    rw.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any file would change (with --diff, also show the diff)",
    )
    modes.add_argument(
        "--verify",
        action="store_true",
        help="check that the result would build: apt-get installs resolve on the stage's suite (with their "
        "sizes), RUNs pass bash -n, FROM tags exist; downloads Debian's package index once per suite",
    )
    modes.add_argument("--backup", action="store_true", help="with --write, keep the original as NAME.bak")
    modes.add_argument(
        "--json",
        action="store_true",
        help="print a JSON report (per file: changed, findings, answers, diff) instead of the diff",
    )
    questions = parser.add_argument_group("questions")
    questions.add_argument(
        "-y", "--yes", action="store_true", help="take the recommended answer to every question"
    )
    questions.add_argument("--answers", metavar="FILE.toml", help="answer questions from a saved answers file")
    questions.add_argument(
        "--save-answers",
        metavar="FILE.toml",
        help="write the answers used (and any open questions, commented out) to FILE",
    )
    mapping = parser.add_argument_group("package mappings")
    mapping.add_argument("--target", choices=TARGETS, help="Debian suite to migrate to")
    mapping.add_argument(
        "--mappings",
        metavar="FILE.toml",
        action="append",
        default=[],
        help="overlay apk-to-Debian mappings from FILE (repeatable; later files win)",
    )
    mapping.add_argument("--no-builtin", action="store_true", help="do not load the built-in mappings")
    mapping.add_argument("--strict", action="store_true", help="treat unknown apk packages as errors")
    mapping.add_argument(
        "--explain", metavar="NAME", help="show how the apk package NAME is mapped, then exit"
    )
    wheels = parser.add_argument_group(
        "wheel check",
        "which requirements install from wheels on the Debian image (asks the package index; "
        "the only network use)",
    )
    wheels.add_argument("--offline", action="store_true", help="never use the network: cached index answers only")
    wheels.add_argument(
        "--context", metavar="DIR", help="the build context requirement files are read from (default: each Dockerfile's folder)"
    )
    wheels.add_argument(
        "--arch",
        action="append",
        metavar="ARCH",
        help="architecture to check wheels for (repeatable; default: amd64 and arm64; "
        "a FROM --platform wins)",
    )
    parser.add_argument(
        "--stdin-filename", metavar="NAME", help="the name to show for '-' in messages and diffs"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, metavar="N",
        help="check files on N processes (default: one per core for big batches); output is the same",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors on stderr")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


class Console:
    """stderr for people, stdout for the diff/report; both keep clear of the
    progress bar when one is shown."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None  # a tqdm bar while one is drawn

    def error(self, text: str) -> None:
        if self.bar is not None:
            with self.bar.external_write_mode(file=sys.stderr):
                print(text, file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    warn = error

    def info(self, text: str) -> None:
        if not self.quiet:
            self.error(text)

    def out(self, text: str) -> None:
        if self.bar is not None and text:
            with self.bar.external_write_mode(file=sys.stdout):
                _emit(text)
        else:
            _emit(text)


def _isatty(stream: IO[Any] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def _emit(text: str) -> None:
    """Write to stdout as UTF-8 bytes, with no newline translation."""
    if not text:
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:  # a text-only stdout (e.g. captured in-process)
        sys.stdout.write(text)
        sys.stdout.flush()


def run() -> None:
    """The command (console script, python -m migrator): main(), then leave
    without the interpreter's teardown. Freeing every module and object one by
    one took ~6 ms, a sixth of a small file's run, for memory the operating
    system takes back at once anyway. Output is flushed first; nothing else
    waits for the exit (files are closed as they are written; the worker pool
    and the index client's threads are joined inside main)."""
    code = main()
    # What would have waited for the exit: the wheel check's answers, kept
    # for the next run (its atexit handler serves in-process callers).
    memo = sys.modules.get("migrator.wheels.memo")
    if memo is not None:
        memo.save_all()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left before the end: as in main()
        code = EXIT_ERROR
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up allocates thousands of long-lived objects (modules, classes,
    # the tables), and the cyclic garbage collector would scan them again and
    # again: ~3 ms of a small file's run, in some 25 collections. It stays off
    # until the run is set up (_set_up), which then freezes everything alive
    # out of its sight (also keeping forked workers' pages shared).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv, collecting)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _set_up(collecting: bool) -> None:
    """What the run loaded stays for the run: collect only what comes next."""
    gc.freeze()
    if collecting:
        gc.enable()


def _main(argv: Sequence[str] | None, collecting: bool) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(args.quiet)
    try:
        return _run(args, parser, console, collecting)
    except KeyboardInterrupt:
        console.error("unalpine: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `unalpine --diff . | head`: the reader left. Say nothing more, and
        # keep Python from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except InputError as error:
        console.error(str(error))
        return EXIT_ERROR


def _load_table(args: argparse.Namespace) -> Any:
    from migrator import packages

    # packages.MappingError is an InputError naming the mapping file: main()
    # prints it as one line and exits 2.
    return packages.PackageTable.load(overlays=list(args.mappings), builtin=not args.no_builtin)


class Tally:
    """The closing summary's counts, gathered as the outcomes go by (the
    outcomes themselves are not all kept: a fleet can be big)."""

    def __init__(self) -> None:
        self.scanned = 0
        self.changed = 0
        self.unchanged = 0
        self.warned = 0
        self.took_yes = 0
        self.opened = 0
        self.skipped = 0
        self.failed = 0
        self.by_rule: dict[str, int] = {}

    def add(self, outcome: Any) -> None:
        self.scanned += 1
        if outcome.error:
            self.failed += 1
        elif outcome.skipped:
            self.skipped += 1
        elif outcome.open_questions:
            self.opened += 1
        elif outcome.changed:
            self.changed += 1
        else:
            self.unchanged += 1
        if outcome.ok:
            if any(finding.severity.value == "warning" for finding in outcome.findings):
                self.warned += 1
            if any(answer.source == "yes" for answer in outcome.answers):
                self.took_yes += 1
            for finding in outcome.findings:
                self.by_rule[finding.rule] = self.by_rule.get(finding.rule, 0) + 1


def _wheel_check(args: argparse.Namespace) -> Any:
    from migrator.wheels.gather import DEFAULT_ARCHES, KNOWN_ARCHES, WheelCheck

    if args.context and not os.path.isdir(args.context):
        raise InputError(f"--context {args.context}: not a folder")
    arches = tuple(dict.fromkeys(arch.removeprefix("linux/") for arch in args.arch)) if args.arch else DEFAULT_ARCHES
    unknown = [arch for arch in arches if arch not in KNOWN_ARCHES]
    if unknown:
        raise InputError(f"--arch {unknown[0]}: not one of {', '.join(KNOWN_ARCHES)}")
    return WheelCheck(offline=args.offline, context=_path(args.context) if args.context else None, arches=arches)


def _path(name: str) -> Any:
    from pathlib import Path  # only with --context: pathlib costs ~3 ms of a start

    return Path(name)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, console: Console, collecting: bool) -> int:
    if args.explain:
        from migrator.images import image_table

        table = _load_table(args)
        suite = image_table().index_suite(args.target) if args.target else None
        if suite != args.target:
            print(f"{args.target} is archived: its names are checked against {suite}, the nearest package index unalpine ships")
        print(table.explain(args.explain, suite))
        return EXIT_OK
    if not args.paths:
        parser.error("no paths given (use . for the current folder, or - to read stdin)")
    stdin_mode = "-" in args.paths
    if stdin_mode and len(args.paths) > 1:
        parser.error("'-' (stdin) cannot be combined with other paths")
    if args.backup and not args.write:
        parser.error("--backup needs --write")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")

    from migrator.batch import FileJob, RunSettings, check_all, check_file, default_workers
    from migrator.resolve import QuitRun

    if stdin_mode:
        from migrator.output import decode

        name = args.stdin_filename or "-"
        try:
            jobs = [FileJob(name, "-", decode(sys.stdin.buffer.read(), name))]
        except InputError as error:
            console.error(str(error))
            return EXIT_ERROR
    else:
        from migrator.discover import NotFound, discover

        try:
            jobs = [FileJob(found.path, found.real) for found in discover(list(args.paths))]
        except NotFound as error:
            console.error(str(error))
            return EXIT_ERROR

    # Which mode, and can we talk to a person? --check is a CI gate: it never
    # asks, and decides with the recommended answers.
    prompting = (
        _isatty(sys.stdin) and _isatty(sys.stderr) and not stdin_mode and not args.check and not args.yes
    )
    ask_to_write = (
        not (args.diff or args.write or args.check or args.json or args.verify)
        and not stdin_mode
        and _isatty(sys.stdin)
        and _isatty(sys.stdout)
    )
    show_diff = args.diff or (
        not args.check and not args.write and not args.json and not stdin_mode and not args.verify
    )
    if stdin_mode and not (args.diff or args.check or args.json):
        show_diff = False  # `-` is a filter: the result goes to stdout

    from migrator import resolve

    saved: dict[str, str] = {}
    if args.answers:
        saved = resolve.load_answers(args.answers)

    def resolver_for_one_file(say: Any) -> Any:
        # Runs in the worker that checks the file: what it says comes back
        # with the outcome and is printed in file order.
        if args.yes:
            fallback: Any = resolve.TakeRecommended(say)
        elif args.check:
            fallback = resolve.TakeRecommended(say, verb="would choose")
        else:
            fallback = resolve.LeaveOpen()
        return resolve.Answers(fallback, saved, args.answers or "", note=say)

    from migrator.engine import Settings

    settings = RunSettings(
        Settings(target=args.target, table=_load_table(args), strict=args.strict, wheels=_wheel_check(args)),
        resolver_for_one_file,
        keep_original=args.json,
        verify=args.verify,
    )
    settings.want_diff = args.json or show_diff or (args.check and args.diff)
    if args.write and not prompting and not stdin_mode:
        from migrator.output import new_tag

        settings.write_tag = new_tag()
        settings.backup = args.backup
    _set_up(collecting)
    prompter = None
    if prompting:
        # One resolver for the whole run, in this process: an answer given at
        # the prompt is reused for the other files of the batch.
        prompter = resolve.Prompter()
        shared = resolve.Answers(prompter, saved, args.answers or "", note=console.info)
        outcomes: Any = (check_file(job, settings, shared) for job in jobs)
    else:
        workers = args.jobs if args.jobs is not None else default_workers(len(jobs))
        outcomes = check_all(jobs, settings, workers)
    show_progress = (
        not prompting and not stdin_mode and not args.quiet and len(jobs) > 1 and _isatty(sys.stderr)
    )

    # 1. Check every file, in order; show what each gives; write nothing yet.
    tally = Tally()
    files = []
    try:
        for outcome in _progress(outcomes, len(jobs), console, show_progress):
            tally.add(outcome)
            _tell(outcome, console)
            if outcome.ok and not args.json and (show_diff or (args.check and args.diff)):
                console.out(outcome.diff)
            if not args.json:
                # Shown and counted; keep only what writing and --save-answers
                # still need (a fleet of 10,000 files must fit in memory).
                outcome.diff = ""
                outcome.findings = []
                outcome.said = []
                if not args.save_answers:
                    outcome.answers = []
                if not (args.write or ask_to_write or stdin_mode):
                    outcome.text = ""
                if not (outcome.changed or outcome.open_questions or outcome.answers or outcome.error
                        or outcome.verification is not None or stdin_mode):
                    continue  # unchanged and nothing to remember: counted, done
            files.append(outcome)
    except QuitRun:
        console.error("unalpine: quit; nothing was written")
        return EXIT_UNRESOLVED
    except BaseException:
        # Ctrl-C or a bug: stop the workers, then take back what they staged.
        if settings.write_tag is not None:
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()
            _discard_staged(jobs, settings)
        raise

    open_files = [run for run in files if run.open_questions]
    code = EXIT_OK
    if any(run.error for run in files):
        code = EXIT_ERROR
    if open_files:
        code = EXIT_UNRESOLVED
        _report_open(open_files, console)

    unverified = [run for run in files if run.verification is not None and not run.verification.ok]
    if unverified:
        code = max(code, EXIT_VERIFY)
    changed = [run for run in files if run.ok and run.changed]
    if args.check and changed:
        code = max(code, EXIT_CHANGES)
        for run in changed:
            console.info(f"would migrate {run.path}")

    # 2. Write (never when a question is open anywhere).
    write = args.write and not open_files
    if not write and settings.write_tag is not None:
        from migrator.output import discard

        for run in files:
            discard(run.staged)
    if ask_to_write and changed and not open_files:
        prompter = prompter or resolve.Prompter()
        count = len(changed)
        write = prompter.confirm(f"Write these changes to {count} file{'s' if count > 1 else ''}?")
    if stdin_mode and not (args.diff or args.check or args.json):
        if files[0].ok:
            console.out(files[0].text if files[0].changed else jobs[0].text or "")
    elif write:
        try:
            code = _write(changed, unverified, settings, args, console, tally, code)
        except BaseException:  # Ctrl-C while writing: what is not moved into place yet goes
            if settings.write_tag is not None:
                _discard_staged(jobs, settings)
            raise

    if args.save_answers:
        used = [answer for run in files for answer in run.answers if answer.source != resolve.SOURCE_OPEN]
        used_keys = {answer.decision.key for answer in used}
        kept = {key: value for key, value in saved.items() if key not in used_keys}
        opened = [decision for run in open_files for decision in run.open_questions]
        try:
            resolve.save_answers(args.save_answers, resolve.dump_answers(used, kept, opened))
        except OSError as error:
            console.error(f"{args.save_answers}: cannot write: {error.strerror or error}")
            code = max(code, EXIT_ERROR)

    if args.json:
        import json

        console.out(json.dumps(_report(files, args, code), indent=2, ensure_ascii=False) + "\n")
    elif not stdin_mode:
        _summary(tally, files, console, wrote=write, check=args.check)
        if args.verify:
            verified = sum(1 for run in files if run.verification is not None)
            console.info(f"unalpine: --verify: {verified - len(unverified)} of {verified} "
                         f"file{'s' if verified != 1 else ''} passed")
    return code


def _write(changed: list, unverified: list, settings: Any, args: argparse.Namespace, console: Console,
           tally: Tally, code: int) -> int:
    """Write every changed file; say what happened, in file order; returns
    the exit code so far."""
    from migrator.output import atomic_write

    failed = _commit_all([run for run in changed if run.staged])
    not_verified = {id(run) for run in unverified}  # by identity: outcomes compare field by field
    for run in changed:
        if id(run) in not_verified:
            console.error(f"{run.path}: not written: --verify found problems")
            continue
        error = run.write_error  # the bytes could not be staged while checking
        if not error:
            try:
                if settings.write_tag is not None:
                    if id(run) in failed:  # staged while checking (batch.check_file), moved by _commit_all
                        raise failed[id(run)]
                else:
                    atomic_write(run.real, run.text.encode("utf-8"), backup=args.backup)
            except OSError as exc:
                error = f"{run.path}: cannot write: {exc.strerror or exc}"
        if error:
            run.error = error
            console.error(error)
            tally.failed += 1
            code = max(code, EXIT_ERROR)
            continue
        run.written = True
        console.info(f"wrote {run.path}")
    return code


def _commit_all(runs: list) -> dict[int, OSError]:
    """Move every staged file into place (output.commit); the errors, by
    id() of the outcome. Each rename waits for the disk (the file it
    replaces is freed: with ext4's `discard` option, synchronously); a few
    threads let the waits overlap (1,961 renames: 0.20 s on one thread,
    0.075 s on four, 0.06 s on eight)."""
    from migrator.output import commit

    failed: dict[int, OSError] = {}
    pending = iter(runs)

    def work() -> None:
        for run in pending:  # next() on a shared iterator: each run once (the GIL)
            try:
                commit(run.staged)
            except OSError as error:
                failed[id(run)] = error

    if len(runs) < 64:
        work()
        return failed
    import threading

    threads = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failed


def _discard_staged(jobs: list, settings: Any) -> None:
    """Remove every temporary file this run may have staged, including one a
    stopped worker was still writing (they are named by the run's tag)."""
    from migrator.output import discard, temp_path

    tag = settings.write_tag
    names = [job.real for job in jobs] + ([job.real + ".bak" for job in jobs] if settings.backup else [])
    discard([(temp_path(name, tag), name) for name in names])


def _tell(outcome: Any, console: Console) -> None:
    """What checking one file said, on stderr."""
    for line in outcome.said:
        console.error(line)
    if outcome.error:
        console.error(outcome.error)
    if outcome.skipped:
        console.info(f"{outcome.path}: skipped; left as it is")
    # Findings of a file with open questions describe guesses, not what
    # will happen: they are shown on the run that answers them.
    if not outcome.ok:
        return
    for finding in outcome.findings:
        line = f"{outcome.path}:{finding.line}: {finding.rule}"
        if finding.severity.value == "warning":
            console.warn(f"{line} warning: {finding.message}")
        else:
            console.info(f"{line} {finding.message}")
    if outcome.verification is not None:
        from migrator.verify import report_lines

        errors, warnings, info = report_lines(outcome.path, outcome.verification)
        for line in errors + warnings:
            console.error(line)
        for line in info:
            console.info(line)


def _progress(outcomes: Any, total: int, console: Console, enabled: bool) -> Any:
    """Pass the outcomes through; when the batch runs longer than a second
    (UNALPINE_PROGRESS_AFTER seconds), draw a progress bar on stderr.
    tqdm is imported only then."""
    if not enabled:
        yield from outcomes
        return
    try:
        delay = float(os.environ.get("UNALPINE_PROGRESS_AFTER", "1"))
    except ValueError:
        delay = 1.0
    start = time.monotonic()
    done = 0
    bar = None
    try:
        for outcome in outcomes:
            yield outcome
            done += 1
            if bar is not None:
                bar.update(1)
            elif done < total and time.monotonic() - start >= delay:
                from tqdm import tqdm

                bar = tqdm(total=total, initial=done, file=sys.stderr, unit="file", leave=False,
                           dynamic_ncols=True, desc="unalpine")
                console.bar = bar
    finally:
        if bar is not None:
            console.bar = None
            bar.close()

def _report_open(open_files: list, console: Console) -> None:
    total = sum(len(run.open_questions) for run in open_files)
    console.error(
        f"unalpine: {total} question{'s need' if total != 1 else ' needs'} an answer; nothing was written. "
        "Answer them at a terminal, take the recommended answers with --yes, "
        "or use --answers FILE (--save-answers FILE writes a template)."
    )
    for run in open_files:
        for decision in run.open_questions:
            where = f"{run.path}:{decision.line}" if decision.line else run.path
            options = ", ".join(
                option.value + (" (or any text)" if option.free_text else "") for option in decision.options
            )
            console.error(
                f"{where}: {decision.rule} {decision.question} [key {decision.key}; "
                f"options: {options}; recommended: {decision.recommended}]"
            )


def _summary(tally: Tally, files: list, console: Console, wrote: bool, check: bool) -> None:
    if not tally.scanned:
        console.info("unalpine: no Dockerfiles found")
        return

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    parts = [count(tally.scanned, "file") + " scanned"]
    if wrote:
        parts.append(f"{sum(run.written for run in files)} migrated")
    else:
        parts.append(f"{tally.changed} would be migrated" if tally.changed else "0 to migrate")
    parts.append(f"{tally.unchanged} unchanged")
    if tally.warned:
        parts.append(f"{tally.warned} with warnings")
    if tally.took_yes:
        taken = "recommended answers assumed" if check else "answers taken by --yes"
        parts.append(f"{tally.took_yes} with {taken}")
    if tally.opened:
        parts.append(f"{tally.opened} with open questions")
    if tally.skipped:
        parts.append(f"{tally.skipped} skipped")
    if tally.failed:
        parts.append(f"{tally.failed} failed")
    console.info("unalpine: " + ", ".join(parts))
    if tally.by_rule:
        console.info(
            "unalpine: findings by rule: "
            + ", ".join(f"{rule} {n}" for rule, n in sorted(tally.by_rule.items()))
        )

def _verify_json(verification: Any) -> dict | None:
    if verification is None:
        return None
    from migrator.verify import as_json

    return as_json(verification)


def _report(files: list, args: argparse.Namespace, code: int) -> dict:
    entries = []
    for run in files:
        entries.append(
            {
                "path": run.path,
                "changed": bool(run.ok and run.changed),
                "written": run.written,
                "error": run.error or None,
                "findings": [
                    {
                        "rule": finding.rule,
                        "line": finding.line,
                        "severity": finding.severity.value,
                        "message": finding.message,
                    }
                    for finding in run.findings
                ],
                "answers": [
                    {
                        "key": answer.decision.key,
                        "rule": answer.decision.rule,
                        "line": answer.decision.line,
                        "question": answer.decision.question,
                        "value": answer.value,
                        "source": answer.source,
                    }
                    for answer in run.answers
                    if answer.source != "unresolved"
                ],
                "unresolved": [
                    {
                        "key": decision.key,
                        "rule": decision.rule,
                        "line": decision.line,
                        "question": decision.question,
                        "options": [
                            {"value": option.value, "label": option.label, "free_text": option.free_text}
                            for option in decision.options
                        ],
                        "recommended": decision.recommended,
                    }
                    for decision in run.open_questions
                ],
                "diff": run.diff if run.ok else "",
                # UA601's evidence: requirements, their wheels, the build packages removed
                "wheels": run.report.get("wheels") if run.ok else None,
                "verify": _verify_json(run.verification),
            }
        )
    return {"version": 1, "tool": f"unalpine {__version__}", "target": args.target, "exit": code, "files": entries}
