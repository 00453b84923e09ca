"""The per-file step of a run, and running it over many files in order.

`check_file` is a plain function of one file and the run's settings: read,
migrate, diff. It touches nothing outside its result, so a batch can run it
on several processes; what it would have said (``--yes`` reports, findings)
comes back in the result and the CLI prints it in file order, so the output
is the same bytes whatever the scheduling. New per-file steps belong here.
"""

from __future__ import annotations

import os

from migrator.compose_names import is_compose_name
from migrator.errors import InputError
from migrator.records import Record
from migrator.resolve import QuitRun, SkipFile

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator

    from migrator.engine import Settings
    from migrator.proposals import Answer, Decision, Finding

# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 64
# Files checked before the workers are forked (see check_all).
WARM_UP = 8


class FileJob(Record):  # slotted: a fleet holds thousands
    __slots__ = ("path", "real", "text", "config")

    def __init__(self, path: str, real: str, text: str | None = None, config: str = ""):
        self.path = path  # as shown
        self.real = real  # the file the bytes live in ("-": stdin)
        self.text = text  # already read (stdin)
        self.config = config  # the configuration file that applies ("": none; RunSettings.variants)


class FileOutcome(Record):  # slotted: a fleet holds thousands
    """What checking one file found. Holds the new text only when it differs."""

    __slots__ = (
        "path", "real", "original", "text", "changed", "diff", "findings", "answers", "open_questions",
        "report", "said", "error", "skipped", "written", "verification", "staged", "write_error", "rewrites",
        "suppressed",
    )

    def __init__(self, path: str, real: str):
        self.path = path
        self.real = real
        self.original = ""
        self.text = ""
        self.changed = False
        self.diff = ""
        self.findings: list[Finding] = []
        self.answers: list[Answer] = []
        self.open_questions: list[Decision] = []
        self.report: dict = {}  # rules' structured results (engine.Result.report)
        # Lines said while checking (e.g. --yes reports), printed on stderr in file order.
        self.said: list[str] = []
        self.error = ""
        self.skipped = False  # the person chose "skip this file"
        self.written = False
        self.verification: Any = None  # migrator.verify.Verification, with --verify
        # With RunSettings.write_tag: the new bytes, already in temporary files
        # beside the file (output.stage), for the CLI to commit once every file
        # is checked; or why they could not be written.
        self.staged: list[tuple[str, str]] = []
        self.write_error = ""
        # With RunSettings.want_rewrites: the edits, as report.issues.Rewrite (SARIF's fixes).
        self.rewrites: list = []
        self.suppressed: list[Finding] = []  # what ignore comments kept from happening (engine.Result)

    @property
    def ok(self) -> bool:
        return not self.error and not self.open_questions and not self.skipped


class RunSettings(Record):
    """Everything check_file needs besides the file. `resolver(said)` makes the
    answers source for one file (`said` collects what it reports); the CLI's
    interactive resolver is passed to check_file directly instead."""

    __slots__ = ("engine", "resolver", "keep_original", "verify", "write_tag", "backup", "want_diff",
                 "want_rewrites", "want_answers", "want_notes", "variants", "kept")

    def __init__(
        self,
        engine: Settings,
        resolver: Callable[[Callable[[str], None]], Any],
        keep_original: bool = False,
        verify: bool = False,
    ):
        self.engine = engine
        self.resolver = resolver
        self.keep_original = keep_original  # the JSON report and --save-answers need more than the diff
        self.verify = verify  # --verify: check that the result would build
        # --write in a batch: each changed file's new bytes are staged by the
        # process that checked it (output.stage, temporary files carrying this
        # tag), so the writing is spread over the workers too; None: not staged.
        self.write_tag: str | None = None
        self.backup = False  # --backup: stage NAME.bak with the original bytes too
        # Whether anything shows the diff (--write alone does not: the diff
        # of every changed file was made and thrown away).
        self.want_diff = True
        self.want_rewrites = False  # keep the edits with their positions (SARIF fixes)
        # Whether the answers come back whole (--save-answers, reports, a
        # prompt); else only whether --yes took one, which is all the summary
        # counts: each answer holds its question and options, and unpickling
        # them in the CLI's process was half the cost of a worker's outcome.
        self.want_answers = True
        # Whether the text of the informational findings is shown or kept
        # (a quiet run that keeps no details only counts them by rule): in a
        # quiet fleet run they were ~85% of the findings a worker pickled
        # and the CLI's process unpickled (2.2 of 2.6 MB over 2,000 files).
        self.want_notes = True
        # Per configuration file (FileJob.config): its own engine settings and
        # resolver factory; files without one use `engine` and `resolver`.
        self.variants: dict[str, tuple[Settings, Callable[[Callable[[str], None]], Any]]] = {}
        # Results kept by earlier runs (migrator.results.KeptResults), per
        # configuration file as `variants` ("": the command line's); empty:
        # none are read or kept (one file, a prompt, UNALPINE_NO_CACHE).
        self.kept: dict[str, Any] = {}


def _internal_error(path: str, error: Exception) -> str:
    return (f"{path}: internal error, file left as is: {type(error).__name__}: {error} "
            "(UNALPINE_TRACEBACK=1 shows where; please report it)")


def check_file(job: FileJob, run: RunSettings, resolver: Any = None) -> FileOutcome:
    """Read, migrate and diff one file. Never raises for a problem with the
    file: the error is in the outcome, and the file is left alone."""
    from migrator.engine import Unresolved
    from migrator.output import read_text, unified_diff

    outcome = FileOutcome(job.path, job.real)
    said = outcome.said
    kept = run.kept.get(job.config) if resolver is None and job.real != "-" else None
    engine, make_resolver = run.variants.get(job.config, (run.engine, run.resolver)) if job.config \
        else (run.engine, run.resolver)
    if resolver is None:
        resolver = make_resolver(said.append)
    if hasattr(resolver, "path"):
        resolver.path = job.path
    try:
        original = job.text if job.text is not None else read_text(job.real, job.path)
        result = kept.find(original, job.path, said) if kept is not None else None
        if result is None:
            result = _migrate(original, job.path, engine, resolver, kept, said)
    except InputError as error:
        outcome.error = str(error.located(job.path))
        return outcome
    except Unresolved as error:  # a resolver other than ours may raise it
        outcome.open_questions = list(error.decisions)
        return outcome
    except SkipFile:
        outcome.skipped = True
        return outcome
    except (KeyboardInterrupt, QuitRun):
        raise
    except Exception as error:  # a bug in a rule must not sink the whole fleet
        if os.environ.get("UNALPINE_TRACEBACK"):
            raise
        outcome.error = _internal_error(job.path, error)
        return outcome
    from migrator.proposals import Answer
    from migrator.resolve import SOURCE_OPEN, SOURCE_YES

    outcome.open_questions = [answer.decision for answer in result.answers if answer.source == SOURCE_OPEN]
    outcome.findings = result.findings if run.want_notes else _without_notes(result.findings)
    outcome.suppressed = result.suppressed
    outcome.answers = result.answers
    if not run.want_answers:
        took_yes = next((answer for answer in result.answers if answer.source == SOURCE_YES), None)
        # Without its question and options: only the summary reads it.
        outcome.answers = [Answer(None, took_yes.value, took_yes.source)] if took_yes is not None else []
    outcome.report = result.report
    outcome.changed = result.changed
    if result.changed:
        outcome.text = result.text
        if run.want_diff:
            outcome.diff = unified_diff(original, result.text, job.path)
    if run.keep_original:
        outcome.original = original
    if run.want_rewrites and result.changed:
        outcome.rewrites = _rewrites(original, result.edits, is_compose_name(os.path.basename(job.path)))
    if run.verify and not outcome.open_questions and not _verify(outcome, result.text, job.path, engine):
        return outcome
    if run.write_tag is not None and outcome.changed and not outcome.open_questions and job.real != "-" \
            and (outcome.verification is None or outcome.verification.ok):
        from migrator.output import stage

        try:
            outcome.staged = stage(job.real, outcome.text.encode("utf-8"), run.backup, run.write_tag)
        except OSError as error:
            outcome.write_error = f"{job.path}: cannot write: {error.strerror or error}"
        outcome.text = ""  # on disk already: not carried back from a worker
    if not run.keep_original:
        outcome.report = {}  # only the JSON report shows it: not carried back from a worker
    return outcome


def _migrate(original: str, path: str, engine: Settings, resolver: Any, kept: Any, said: list[str]) -> Any:
    """engine.migrate (or the compose reader), keeping the result for later
    runs when `kept` (migrator.results.KeptResults) is given."""
    from migrator import inputs
    from migrator.engine import migrate

    recording = inputs.start() if kept is not None else None
    try:
        if is_compose_name(os.path.basename(path)):
            from migrator.compose import migrate_compose  # image: values only

            result = migrate_compose(original, path, engine, resolver)
        else:
            result = migrate(original, path, engine, resolver)
    finally:
        if recording is not None:
            inputs.stop()
    if recording is not None:
        kept.keep(original, path, result, said, recording)
    return result


def _without_notes(findings: list) -> list:
    """The findings as a quiet run's summary counts them: an informational
    one keeps its rule, line and severity, not its text."""
    from migrator.proposals import Finding, Severity

    return [finding if finding.severity is not Severity.INFO else Finding(finding.rule, finding.line, "", finding.severity)
            for finding in findings]


def _verify(outcome: FileOutcome, text: str, path: str, engine: Settings) -> bool:
    """--verify on the migrated text; False when --verify itself failed
    (the file's error says so)."""
    from migrator.verify import removed_by_wheels, verify

    try:
        removed = {}
        if outcome.report.get("wheels"):
            from migrator.packages import PackageTable

            removed = removed_by_wheels(outcome.report["wheels"], engine.table or PackageTable.load())
        outcome.verification = verify(text, path, removed)
    except (KeyboardInterrupt, QuitRun):
        raise
    except Exception as error:  # nor a bug in --verify: this file fails, the others are reported
        if os.environ.get("UNALPINE_TRACEBACK"):
            raise
        outcome.error = _internal_error(path, error)
        outcome.text = ""
        return False
    return True


def _rewrites(original: str, edits: list, compose: bool = False) -> list:
    """The edits as positions in the original file, each with the line of
    the instruction it falls in (so a report can tie it to that finding;
    in a compose file, the line of the edit itself)."""
    from bisect import bisect_right

    from migrator.document import parse
    from migrator.proposals import ordered_edits
    from migrator.report.issues import Rewrite

    starts = [0] + [index + 1 for index, char in enumerate(original) if char == "\n"]
    nodes = [] if compose else [(node.start, node.line) for node in parse(original).nodes]
    node_starts = [start for start, _ in nodes]

    def position(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    # In the order apply_edits applies them (identical edits once, deletions
    # that overlap as one; edits at the same place in the order the rules made
    # them), and insertions at one place as one (under the first rule's id,
    # even when another rule made part of it): SARIF gives fixes of different
    # results no order, and a reader applying them all must not have to guess it.
    ordered: list = []
    for edit in ordered_edits(edits):
        last = ordered[-1] if ordered else None
        if last is not None and edit.start == edit.end == last.start == last.end:
            ordered[-1] = type(edit)(edit.start, edit.end, last.replacement + edit.replacement, last.rule)
        else:
            ordered.append(edit)
    rewrites = []
    for edit in ordered:
        at = bisect_right(node_starts, edit.start) - 1
        line = nodes[at][1] if at >= 0 else position(edit.start)[0]
        (start_line, start_column), (end_line, end_column) = position(edit.start), position(edit.end)
        rewrites.append(Rewrite(edit.rule or "unalpine", line, start_line, start_column, end_line, end_column,
                                edit.replacement))
    return rewrites


# --- many files ---------------------------------------------------------------

_SETTINGS: RunSettings | None = None


def _check_in_worker(job: FileJob) -> FileOutcome:
    assert _SETTINGS is not None
    return check_file(job, _SETTINGS)


def _start_worker(settings: RunSettings) -> None:
    global _SETTINGS
    _SETTINGS = settings
    # Ctrl-C is the parent's to handle: it stops the pool (nothing is written
    # before every file is checked), without a traceback from each worker.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker worked out for later runs is saved when it leaves
    # (check_all closes the pool when every file is checked).
    from multiprocessing import util

    util.Finalize(None, _save_caches, exitpriority=0)


def _save_caches() -> None:
    """Save what this worker worked out that later runs reuse: the wheel
    check's and the name resolver's answers (migrator.datacache.Memo), as
    cli.run does for the main process."""
    import sys

    datacache = sys.modules.get("migrator.datacache")
    if datacache is not None:
        datacache.save_memos()


def _warm_tables() -> None:
    """Build, before the fork, every part of the derived Debian indexes the
    first files loaded (the name resolver's: a package name the mapping
    table does not know), so the workers share them instead of each building
    what it needs (~60 ms per suite).

    Only those suites: a fleet whose first files needed no resolver most
    likely needs it seldom or never (the realistic corpus of fleet.py: not
    once in 2,000 files), and loading the default suite's indexes anyway
    cost ~55 ms of every batch, with the second core idle. A worker that
    meets an unknown name later loads the index itself."""
    from migrator.debian import indexes
    from migrator.debian.name_index import DebianIndex

    for suite in sorted({index.suite for index in indexes.loaded()}):
        indexes.DerivedIndex.load(suite).warm()
        DebianIndex.load(suite)


def default_workers(count: int) -> int:
    if count < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def check_all(jobs: list[FileJob], settings: RunSettings, workers: int = 1) -> Iterator[FileOutcome]:
    """check_file over every job, yielding outcomes in the jobs' order.

    With workers > 1 the files are checked by forked processes (they inherit
    the loaded mapping table and rules, nothing is re-read); the order of the
    results does not depend on which finishes first."""
    if workers <= 1 or len(jobs) < 2:
        for job in jobs:
            yield check_file(job, settings)
        return
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: one process it is
        yield from (check_file(job, settings) for job in jobs)
        return
    # The first files are checked here, before forking: what they load on
    # first use (rule modules, tree-sitter, Debian name indexes, the wheel
    # check's modules and index pages) is then loaded once and shared by the
    # workers, not loaded again in each.
    warm = min(WARM_UP, len(jobs) - 1)
    for job in jobs[:warm]:
        yield check_file(job, settings)
    rest = jobs[warm:]
    _warm_tables()
    if any(is_compose_name(os.path.basename(job.path)) for job in rest):
        from migrator.compose import load_parser

        load_parser()
    # Small chunks keep both processes busy to the end; big enough that the
    # pickling of results stays a small part of the work.
    chunk = max(1, min(32, len(rest) // (workers * 8)))
    with context.Pool(workers, initializer=_start_worker, initargs=(settings,)) as pool:
        yield from pool.imap(_check_in_worker, rest, chunksize=chunk)
        # Let the workers leave on their own, saving what they worked out
        # (the pool's exit would kill them: fine for Ctrl-C, not here).
        pool.close()
        pool.join()

