"""What checking a file read besides the file itself, so that a result kept
from an earlier run (migrator.results) can be told still right or not.

Two kinds of input:

- files of the build context, read by the wheel check (requirement files,
  lock files, local projects): `note()` records each read with what it
  found, while a `Recording` is active (one per file checked, in the
  process checking it). A kept result is used again only when every read
  finds the same again.
- the package index's answers, which hold for a while (a day; an index that
  failed: a quarter of an hour). They are remembered per process, not per
  file (one page serves every file that asks for it, read once), so the
  process keeps the earliest moment any answer it used stops holding
  (`index_expiry`); a file that asked the index is kept no longer than that.
  What cannot be checked later (--offline without a cached answer: a later
  run may have one) counts as an answer that already stopped holding.
"""

from __future__ import annotations

from migrator.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Hashable


class Recording(Record):
    """The inputs one file's check used."""

    __slots__ = ("reads", "asked_index", "keepable")

    def __init__(self) -> None:
        # (kind, folder-relative argument, what was found): marshal-able values
        self.reads: list[tuple[str, str, Hashable]] = []
        self.asked_index = False  # the wheel check asked (or meant to ask) the index
        self.keepable = True  # False: the result came from a failure that may not happen again


_ACTIVE: Recording | None = None
# When index answers this process used stop holding. A list: the index
# client's threads add to it (list.append is atomic, a min() update is not);
# index_expiry() folds it, between files, when no fetch is running.
_INDEX_EXPIRIES: list[float] = []


def start() -> Recording:
    """Record the inputs of the file about to be checked (replacing any other recording)."""
    global _ACTIVE
    _ACTIVE = Recording()
    return _ACTIVE


def stop() -> None:
    global _ACTIVE
    _ACTIVE = None


def recording() -> bool:
    """Whether a file's inputs are being recorded (a batch that keeps
    results): what is noted can be costly to work out (a digest needs
    hashlib, ~2.5 ms to import), so only then."""
    return _ACTIVE is not None


def note(kind: str, argument: str, found: Hashable) -> None:
    """A read of the build context (`kind` says which reader, see
    migrator.wheels.requirements.observe) and what it found."""
    if _ACTIVE is not None:
        _ACTIVE.reads.append((kind, argument, found))


def asked_index() -> None:
    """The file's wheel check uses the package index's answers."""
    if _ACTIVE is not None:
        _ACTIVE.asked_index = True


def not_keepable() -> None:
    """The file's result came out of something that went wrong (an internal
    error the wheel check caught): work it out again next time."""
    if _ACTIVE is not None:
        _ACTIVE.keepable = False


def index_answer_holds_until(moment: float) -> None:
    """An index answer (or the lack of one: 0) this process uses stops holding at `moment`."""
    _INDEX_EXPIRIES.append(moment)


def index_expiry() -> float:
    """The earliest moment an index answer this process used stops holding."""
    if not _INDEX_EXPIRIES:
        return float("inf")
    earliest = min(_INDEX_EXPIRIES)
    _INDEX_EXPIRIES[:] = [earliest]
    return earliest
