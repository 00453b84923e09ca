"""The `unalpine` command: parses the command line into a plain run
description (request.RunRequest) and hands it to the orchestrator, which
does the run in named steps (migrator.orchestrate)."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from migrator import __version__
from migrator.console import Console
from migrator.errors import InputError
from migrator.orchestrate import EXIT_ERROR, EXIT_INTERRUPTED, execute
from migrator.request import RunRequest

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Sequence

# Kept in step with migrator.debian.suites.SUITES (not imported here: --help and
# --version must not load the package table).
# stretch and buster are archived: images exist, apt needs archive.debian.org
TARGETS = ("stretch", "buster", "bullseye", "bookworm", "trixie")
FORMATS = ("text", "json", "sarif", "github", "gitlab", "checkstyle")

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
     is not valid shell, a tag that was never published), or --build: the
     build failed; that file is not written
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
    _add_modes(parser.add_argument_group("modes"))
    _add_questions(parser.add_argument_group("questions"))
    _add_mappings(parser.add_argument_group("package mappings"))
    _add_wheel_check(parser.add_argument_group(
        "wheel check",
        "which requirements install from wheels on the Debian image (asks the package index; "
        "the only network use)",
    ))
    parser.add_argument(
        "--show-config", metavar="PATH",
        help="print the configuration that applies to PATH ([tool.unalpine] in pyproject.toml or "
        ".unalpine.toml, the nearest above it) and where each value comes from, then exit",
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


def _add_modes(modes: argparse._ArgumentGroup) -> None:
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
    modes.add_argument(
        "--build",
        action="store_true",
        help="build the migrated file for real (a temporary copy, in its build context) with docker or podman, "
        "whichever is on PATH; a file that fails to build is not written",
    )
    modes.add_argument(
        "--compare",
        action="store_true",
        help="with --build, build the original too and show build time, image size and layers side by side",
    )
    modes.add_argument("--backup", action="store_true", help="with --write, keep the original as NAME.bak")
    modes.add_argument(
        "--commit", action="store_true",
        help="with --write: in each git repository among the paths, commit the migrated files on a new branch "
        "(never pushed; a repository with other changes in its work tree is left alone)",
    )
    modes.add_argument("--branch", metavar="NAME", help="the branch --commit creates (default: unalpine/debian-SUITE)")
    modes.add_argument(
        "--report", metavar="FILE.md",
        help="write a Markdown report of the run (per repository and file: result, warnings, open questions; "
        "with --verify the sizes)",
    )
    modes.add_argument(
        "--format",
        choices=FORMATS,
        help="what stdout shows: text (the diff; default), json (unalpine's report: per file changed, "
        "findings, answers, diff), sarif (2.1.0, for code scanning), github (Actions annotations), "
        "gitlab (Code Quality), checkstyle (XML); the findings still go to stderr",
    )
    modes.add_argument("--json", action="store_true", help="short for --format json")


def _add_questions(questions: argparse._ArgumentGroup) -> None:
    questions.add_argument(
        "-y", "--yes", action="store_true", help="take the recommended answer to every question"
    )
    questions.add_argument("--answers", metavar="FILE.toml", help="answer questions from a saved answers file")
    questions.add_argument(
        "--save-answers",
        metavar="FILE.toml",
        help="write the answers used (and any open questions, commented out) to FILE",
    )


def _add_mappings(mapping: argparse._ArgumentGroup) -> None:
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


def _add_wheel_check(wheels: argparse._ArgumentGroup) -> None:
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


def run() -> None:
    """The command (console script, python -m migrator): main(), then leave
    without the interpreter's teardown. Freeing every module and object one by
    one took ~6 ms, a sixth of a small file's run, for memory the operating
    system takes back at once anyway. Output is flushed first; nothing else
    waits for the exit (files are closed as they are written; the worker pool
    and the index client's threads are joined inside main)."""
    code = main()
    # What would have waited for the exit: the answers the wheel check and
    # the name resolver worked out, kept for the next run (the memos'
    # atexit handler serves in-process callers).
    datacache = sys.modules.get("migrator.datacache")
    if datacache is not None:
        datacache.save_memos()
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
    threshold = gc.get_threshold()
    gc.disable()
    try:
        return _main(argv, collecting)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if collecting:
            gc.enable()


def _set_up(collecting: bool) -> None:
    """What the run loaded stays for the run: collect only what comes next,
    and seldom: nearly everything a file makes is freed by its reference
    count, and the default threshold (700 allocations) ran ~330 collections
    over a fleet of 2,000 files (4% of the run; 3 collections at 50,000)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    if collecting:
        gc.enable()


def _main(argv: Sequence[str] | None, collecting: bool) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(args.quiet)
    try:
        if not args.explain and args.show_config is None:
            _check_usage(args, parser)
        return execute(request_of(args), console, ready=lambda: _set_up(collecting))
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


def _check_usage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """What argparse cannot say itself; parser.error exits 2 with the usage."""
    if not args.paths:
        parser.error("no paths given (use . for the current folder, or - to read stdin)")
    if "-" in args.paths and len(args.paths) > 1:
        parser.error("'-' (stdin) cannot be combined with other paths")
    if args.backup and not args.write:
        parser.error("--backup needs --write")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if args.commit and not args.write:
        parser.error("--commit needs --write")
    if args.branch and not args.commit:
        parser.error("--branch needs --commit")
    if args.commit and "-" in args.paths:
        parser.error("--commit cannot be used with '-' (stdin)")
    if args.json and args.format not in (None, "json"):
        parser.error(f"--json is --format json: it cannot be combined with --format {args.format}")
    if args.compare and not args.build:
        parser.error("--compare needs --build")
    if args.build and "-" in args.paths:
        parser.error("--build needs a file and its folder, not '-' (stdin)")


def request_of(args: argparse.Namespace) -> RunRequest:
    """The parsed command line as the orchestrator's plain run description."""
    return RunRequest(
        paths=args.paths, stdin_filename=args.stdin_filename, diff=args.diff, write=args.write,
        check=args.check, verify=args.verify, build=args.build, compare=args.compare, backup=args.backup,
        format=args.format or ("json" if args.json else "text"), yes=args.yes,
        answers=args.answers, save_answers=args.save_answers, target=args.target, mappings=args.mappings,
        no_builtin=args.no_builtin, strict=args.strict, explain=args.explain, offline=args.offline,
        context=args.context, arch=args.arch, jobs=args.jobs, quiet=args.quiet, show_config=args.show_config,
        commit=args.commit, branch=args.branch, report=args.report,
    )
