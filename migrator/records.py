"""A base for the mutable records every run builds (instructions, stages, outcomes).

Why not dataclasses: importing it pulls in inspect, ast, dis and tokenize, and
decorating a class compiles its methods at import; together that was ~15 ms
of every start, more than the whole work on a small Dockerfile. Mutable
records subclass `Record`, list their fields in `__slots__` and write their
`__init__`; `Record` gives them what the dataclasses gave: a readable repr
and equality by fields. Immutable ones subclass `Frozen`: named tuples whose
fields are the parameters of the `__new__` they write.
"""

from __future__ import annotations

try:  # the C field accessor collections.namedtuple itself uses
    from _collections import _tuplegetter
except ImportError:  # a Python without it: the same through a property
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)


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


class Frozen(tuple):
    """An immutable record: a tuple with named fields, as collections.namedtuple
    makes, equal and ordered as tuples. A subclass writes `__new__(cls, a, b=1)`
    returning `tuple.__new__(cls, (a, b))`; its parameters name the fields.

    Why not namedtuple: it compiles each class's `__new__` with eval at import,
    ~50 µs a class, ~1.2 ms of a small file's run for the two dozen records
    every run defines; a `__new__` written out is compiled once, into the
    bytecode cache."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__new__.__code__
        cls._fields = code.co_varnames[1 : code.co_argcount]
        cls.__match_args__ = cls._fields
        for index, name in enumerate(cls._fields):
            setattr(cls, name, _tuplegetter(index, f"Alias for field number {index}"))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{type(self).__name__}({shown})"

    def __getnewargs__(self) -> tuple:
        return tuple(self)  # pickle (worker processes) rebuilds through __new__

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))

    def _replace(self, **changes: object) -> Frozen:
        unknown = changes.keys() - set(self._fields)
        if unknown:
            raise ValueError(f"Got unexpected field names: {sorted(unknown)!r}")
        return type(self)(*[changes.get(name, value) for name, value in zip(self._fields, self)])
