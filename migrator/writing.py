"""Putting a run's checked files in place: every changed file is written
(atomically; with a batch's staged files, by moving them into place), and a
stopped run takes back what it staged."""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any

    from migrator.console import Console
    from migrator.report.text import Tally

EXIT_ERROR = 2  # as migrator.orchestrate.EXIT_ERROR


def write_changed(changed: list, unverified: list, settings: Any, backup: bool, console: Console,
                  tally: Tally, code: int) -> int:
    """Write every changed file; say what happened, in file order; returns
    the exit code so far."""
    from migrator.output import atomic_write

    failed = commit_all([run for run in changed if run.staged])
    not_verified = {id(run) for run in unverified}  # by identity: outcomes compare field by field
    for run in changed:
        if id(run) in not_verified:
            console.error(f"{run.path}: not written: --verify found problems")
            continue
        error = run.write_error  # the bytes could not be staged while checking
        if not error:
            try:
                if settings.write_tag is not None:
                    if id(run) in failed:  # staged while checking (batch.check_file), moved by commit_all
                        raise failed[id(run)]
                else:
                    atomic_write(run.real, run.text.encode("utf-8"), backup=backup)
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


def commit_all(runs: list) -> dict[int, OSError]:
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


def discard_staged(jobs: list, settings: Any) -> None:
    """Remove every temporary file this run may have staged, including one a
    stopped worker was still writing (they are named by the run's tag)."""
    from migrator.output import discard, temp_path

    tag = settings.write_tag
    names = [job.real for job in jobs] + ([job.real + ".bak" for job in jobs] if settings.backup else [])
    discard([(temp_path(name, tag), name) for name in names])
