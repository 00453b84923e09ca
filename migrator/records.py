"""A base for the mutable records every run builds (instructions, stages, outcomes).

Why not dataclasses: importing it pulls in inspect, ast, dis and tokenize, and
decorating a class compiles its methods at import; together that was ~15 ms
of every start, more than the whole work on a small Dockerfile. Immutable
records are named tuples (collections is imported by `re` anyway); mutable
ones subclass `Record`, list their fields in `__slots__` and write their
`__init__`. `Record` gives them what the dataclasses gave: a readable repr
and equality by fields.
"""

from __future__ import annotations


def _fields(cls: type) -> tuple[str, ...]:
    """The slot names of `cls` and its bases, base classes first."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        slots = klass.__dict__.get("__slots__", ())
        names.extend((slots,) if isinstance(slots, str) else slots)
    return tuple(name for name in names if not name.startswith("_"))


class Record:
    __slots__ = ()
    __hash__ = None  # mutable: equal by value, so not hashable (as with @dataclass)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name, '?')!r}" for name in _fields(type(self)))
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _fields(type(self)))
