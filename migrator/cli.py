"""The `unalpine` command: the only place that talks to a person.

Every file is checked first, then written: a file is all-or-nothing, a file
that cannot be migrated (exit 2) does not stop the others, and when any
question is left open (exit 3) nothing at all is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any, Sequence

from migrator import __version__
from migrator.errors import InputError

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_ERROR = 2
EXIT_UNRESOLVED = 3
EXIT_INTERRUPTED = 130

# Kept in step with migrator.packages.SUITES (not imported here: --help and
# --version must not load the package table).
TARGETS = ("bullseye", "bookworm", "trixie")

EPILOG = """\
modes:
  With no mode, at a terminal: show the diff, then ask whether to write.
  With no mode and no terminal: same as --diff.

questions:
  Where the right rewrite is not certain, a rule asks a question. At a
  terminal each is asked (recommended option first); --yes takes the
  recommended option and says so on stderr; --answers FILE answers from a
  saved file. With no terminal and no --yes, open questions are listed and
  nothing is written (exit 3).

exit codes:
  0  done, or nothing to do
  1  --check: some file would change
  2  usage or input error (message names the file and line); files that
     migrated cleanly are still written with --write
  3  questions left unanswered; nothing was written
  When several apply, the highest code wins.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unalpine",
        description="Migrate Alpine-based Python Dockerfiles to Debian slim images, "
        "changing as few bytes as possible.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument(
        "--stdin-filename", metavar="NAME", help="the name to show for '-' in messages and diffs"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors on stderr")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


@dataclass
class FileRun:
    path: str  # as shown
    real: str  # where to write
    original: str = ""
    text: str = ""
    result: Any = None  # engine.Result
    error: str = ""
    open_questions: list = field(default_factory=list)
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.result is not None and self.result.changed

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.error and not self.open_questions


class Console:
    def __init__(self, quiet: bool):
        self.quiet = quiet

    def error(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    warn = error

    def info(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(args.quiet)
    try:
        return _run(args, parser, console)
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


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, console: Console) -> int:
    if args.explain:
        table = _load_table(args)
        print(table.explain(args.explain, args.target))
        return EXIT_OK
    if not args.paths:
        parser.error("no paths given (use . for the current folder, or - to read stdin)")
    stdin_mode = "-" in args.paths
    if stdin_mode and len(args.paths) > 1:
        parser.error("'-' (stdin) cannot be combined with other paths")
    if args.backup and not args.write:
        parser.error("--backup needs --write")

    from migrator.discover import NotFound, discover

    if stdin_mode:
        files = [FileRun(args.stdin_filename or "-", "-")]
    else:
        try:
            files = [FileRun(found.path, found.real) for found in discover(list(args.paths))]
        except NotFound as error:
            console.error(str(error))
            return EXIT_ERROR

    # Which mode, and can we talk to a person?
    terminal = _isatty(sys.stdin) and _isatty(sys.stderr) and not stdin_mode
    ask_to_write = (
        not (args.diff or args.write or args.check or args.json)
        and not stdin_mode
        and _isatty(sys.stdin)
        and _isatty(sys.stdout)
    )
    show_diff = args.diff or (not args.check and not args.write and not args.json and not stdin_mode)
    if stdin_mode and not (args.diff or args.check or args.json):
        show_diff = False  # `-` is a filter: the result goes to stdout

    from migrator import resolve

    saved: dict[str, str] = {}
    if args.answers:
        saved = resolve.load_answers(args.answers)
    prompter = None
    if args.yes:
        fallback: Any = resolve.TakeRecommended(console.error)
    elif terminal and not args.check:
        fallback = prompter = resolve.Prompter()
    else:
        fallback = resolve.LeaveOpen()
    resolver = resolve.Answers(fallback, saved, args.answers or "", note=console.info)

    table = _load_table(args)
    from migrator.engine import Settings, Unresolved, migrate
    from migrator.output import decode, read_text

    # 1. Check every file; write nothing yet.
    for run in files:
        try:
            if run.real == "-":
                run.original = decode(sys.stdin.buffer.read(), run.path)
            else:
                run.original = read_text(run.real, run.path)
            resolver.path = run.path
            settings = Settings(target=args.target, table=table, strict=args.strict)
            run.result = migrate(run.original, run.path, settings, resolver)
        except InputError as error:
            run.error = str(error.located(run.path))
            console.error(run.error)
            continue
        except Unresolved as error:  # a resolver other than ours may raise it
            run.open_questions = list(error.decisions)
        except Exception as error:  # a bug in a rule must not sink the whole fleet
            if os.environ.get("UNALPINE_TRACEBACK"):
                raise
            run.error = (
                f"{run.path}: internal error, file left as is: {type(error).__name__}: {error} "
                "(UNALPINE_TRACEBACK=1 shows where; please report it)"
            )
            run.result = None
            console.error(run.error)
            continue
        if isinstance(fallback, resolve.LeaveOpen):
            run.open_questions += fallback.open.pop(run.path, [])
        # Findings of a file with open questions describe guesses, not what
        # will happen: they are shown on the run that answers them.
        if run.result is not None and not run.open_questions:
            for finding in run.result.findings:
                line = f"{run.path}:{finding.line}: {finding.rule}"
                if finding.severity.value == "warning":
                    console.warn(f"{line} warning: {finding.message}")
                else:
                    console.info(f"{line} {finding.message}")

    open_files = [run for run in files if run.open_questions]
    errored = [run for run in files if run.error]
    code = EXIT_OK
    if errored:
        code = EXIT_ERROR
    if open_files:
        code = EXIT_UNRESOLVED
        _report_open(open_files, console)

    # 2. Show.
    diffs = {run.path: _diff(run) for run in files if run.ok}
    if args.json:
        pass  # printed at the end, once we know what was written
    elif show_diff or (args.check and args.diff):
        _emit("".join(diffs.values()))

    changed = [run for run in files if run.ok and run.changed]
    if args.check and changed:
        code = max(code, EXIT_CHANGES)
        for run in changed:
            console.info(f"would migrate {run.path}")

    # 3. Write (never when a question is open anywhere).
    write = args.write and not open_files
    if ask_to_write and changed and not open_files:
        from migrator.resolve import Prompter

        prompter = prompter or Prompter()
        count = len(changed)
        write = prompter.confirm(f"Write these changes to {count} file{'s' if count > 1 else ''}?")
    if stdin_mode and not (args.diff or args.check or args.json):
        if files[0].ok:
            _emit(files[0].result.text)
    elif write:
        from migrator.output import atomic_write

        for run in changed:
            try:
                atomic_write(run.real, run.result.text.encode("utf-8"), backup=args.backup)
            except OSError as error:
                run.error = f"{run.path}: cannot write: {error.strerror or error}"
                console.error(run.error)
                code = max(code, EXIT_ERROR)
                continue
            run.written = True
            console.info(f"wrote {run.path}")

    if args.save_answers:
        used = [answer for run in files if run.result is not None for answer in run.result.answers]
        used_keys = {answer.decision.key for answer in used}
        kept = {key: value for key, value in saved.items() if key not in used_keys}
        opened = [decision for run in open_files for decision in run.open_questions]
        try:
            resolve.save_answers(args.save_answers, resolve.dump_answers(used, kept, opened))
        except OSError as error:
            console.error(f"{args.save_answers}: cannot write: {error.strerror or error}")
            code = max(code, EXIT_ERROR)

    if args.json:
        _emit(json.dumps(_report(files, diffs, args, code), indent=2, ensure_ascii=False) + "\n")

    if not args.json:
        _summary(files, args, console, write)
    return code


def _diff(run: FileRun) -> str:
    from migrator.output import unified_diff

    return unified_diff(run.result.original, run.result.text, run.path)


def _report_open(open_files: list[FileRun], console: Console) -> None:
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


def _summary(files: list[FileRun], args: argparse.Namespace, console: Console, wrote: bool) -> None:
    if len(files) == 1 and files[0].real == "-":
        return
    if not files:
        console.info("unalpine: no Dockerfiles found")
        return

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    changed = [run for run in files if run.ok and run.changed]
    parts = []
    if wrote:
        parts.append(count(sum(run.written for run in changed), "file") + " migrated")
    else:
        parts.append(count(len(changed), "file") + (" would be migrated" if changed else " to migrate"))
    parts.append(f"{sum(1 for run in files if run.ok and not run.changed)} unchanged")
    opened = sum(1 for run in files if run.open_questions)
    if opened:
        parts.append(f"{opened} with open questions")
    failed = sum(1 for run in files if run.error)
    if failed:
        parts.append(f"{failed} failed")
    console.info("unalpine: " + ", ".join(parts))


def _report(files: list[FileRun], diffs: dict[str, str], args: argparse.Namespace, code: int) -> dict:
    entries = []
    for run in files:
        result = run.result
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
                    for finding in (result.findings if result is not None else [])
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
                    for answer in (result.answers if result is not None else [])
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
                "diff": diffs.get(run.path, ""),
            }
        )
    return {"version": 1, "tool": f"unalpine {__version__}", "target": args.target, "exit": code, "files": entries}
