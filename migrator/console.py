"""Where a run talks to a person: stderr for people, stdout for the diff or
report, and the progress bar of a long batch (drawn only at a terminal)."""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import IO, Any


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
                emit(text)
        else:
            emit(text)


def isatty(stream: IO[Any] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def emit(text: str) -> None:
    """Write to stdout as UTF-8 bytes, with no newline translation. A file
    name that is not UTF-8 (held as surrogates, as os.fsdecode gives it)
    comes out as the bytes it has on disk."""
    if not text:
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    else:  # a text-only stdout (e.g. captured in-process)
        sys.stdout.write(text)
        sys.stdout.flush()


def progress(outcomes: Any, total: int, console: Console, enabled: bool) -> Any:
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
