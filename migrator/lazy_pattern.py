"""Regular expressions compiled on first use.

A module-level re.compile runs at import, on every start, whether or not the
file at hand ever needs the pattern: in a small file's run 14 of the 19
module-level patterns of the common path were never used (~1 ms of compiling
out of ~30). A LazyPattern answers the same methods; the first one asked for
compiles the pattern and stores the compiled pattern's bound methods in the
object's slots, so later calls cost what a compiled pattern's own do.
"""

from __future__ import annotations

import re

_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
               "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    __slots__ = ("_source", "_flags", *_ATTRIBUTES)

    def __init__(self, source: str, flags: int = 0):
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str):
        # Called only while a slot is still empty, that is before first use.
        compiled = re.compile(self._source, self._flags)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source!r})"
