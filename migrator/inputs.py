"""What checking a file read besides the file itself, so that a result kept
from an earlier run (migrator.results) can be told still right or not.

Two kinds of input:

- files of the build context, read by the wheel check (requirement files,
  lock files, local projects): `note()` records each read with what it
  found, while a `Recording` is active (one per file checked, in the
  process checking it). A kept result is used again only when every read
  finds the same again.
- the package index's answers, which hold for a while (a day; an index that
  failed: a quarter of an hour): the index cache says until when each
  holds (`index_answer_holds_until`), and the recording keeps the earliest
  (`Recording.expiry`). The index client keeps answers in memory for every
  file of a run; what it worked an answer out from is collected while it
  does (`begin_collecting`), and said again each time the answer serves
  another file. What cannot be checked later (--offline without a cached
  answer: a later run may have one) counts as an answer that already
  stopped holding.
"""

from __future__ import annotations

from _thread import get_ident  # threading itself costs ~1 ms of a start

from migrator.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Hashable


class Recording(Record):
    """The inputs one file's check used."""

    __slots__ = ("reads", "keepable", "expiries")

    def __init__(self) -> None:
        # (kind, folder-relative argument, what was found): marshal-able values
        self.reads: list[tuple[str, str, Hashable]] = []
        self.keepable = True  # False: the result came from a failure that may not happen again
        # When the index answers it used stop holding (the index client's
        # threads add to it too: list.append is atomic, a min() update is not).
        self.expiries: list[float] = []

    def expiry(self) -> float:
        """The earliest moment an index answer this file used stops holding."""
        return min(self.expiries, default=float("inf"))


_ACTIVE: Recording | None = None
# Per thread, the collectors open in it (begin_collecting), innermost last.
_COLLECTING: dict[int, list[list[float]]] = {}


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


def not_keepable() -> None:
    """The file's result came out of something that went wrong (an internal
    error the wheel check caught): work it out again next time."""
    if _ACTIVE is not None:
        _ACTIVE.keepable = False


def index_answer_holds_until(moment: float) -> None:
    """An index answer (or the lack of one: 0) used now stops holding at `moment`."""
    stack = _COLLECTING.get(get_ident())
    if stack:
        for holder in stack:  # this thread's own: no other thread changes them
            if moment < holder[0]:
                holder[0] = moment
    if _ACTIVE is not None:
        _ACTIVE.expiries.append(moment)


def digest(data: str | bytes) -> str:
    """A short hex digest of `data`: how a read's content is recorded, and
    how kept results are keyed (hashlib is imported only here: ~2.5 ms)."""
    from hashlib import blake2b

    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return blake2b(data, digest_size=16).hexdigest()


def begin_collecting() -> list[float]:
    """Collect, in this thread, until when the answers used from now on hold
    (until end_collecting): [the earliest moment], for a cache in memory to
    say again for each file it serves."""
    holder = [float("inf")]
    _COLLECTING.setdefault(get_ident(), []).append(holder)
    return holder


def end_collecting() -> None:
    stack = _COLLECTING[get_ident()]
    stack.pop()
    if not stack:
        del _COLLECTING[get_ident()]
