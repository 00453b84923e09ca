"""LazyPattern: compiled on first use, then the compiled pattern's own methods."""

import re

import pytest

from migrator.lazy_pattern import LazyPattern


def test_nothing_is_compiled_until_a_method_is_asked_for():
    pattern = LazyPattern(r"(\d*)<<(-?)([^<]*)\Z")
    with pytest.raises(AttributeError):
        object.__getattribute__(pattern, "match")  # the slot is still empty
    assert pattern.match("2<<-EOF").groups() == ("2", "-", "EOF")
    # now the slots hold the compiled pattern's bound methods
    assert object.__getattribute__(pattern, "search").__self__ is re.compile(r"(\d*)<<(-?)([^<]*)\Z")


def test_it_answers_like_the_compiled_pattern():
    lazy, compiled = LazyPattern(r"v(\d+)", re.I), re.compile(r"v(\d+)", re.I)
    text = "V1 v22 x"
    assert lazy.sub(r"<\1>", text) == compiled.sub(r"<\1>", text)
    assert lazy.findall(text) == compiled.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.fullmatch("v7").group(1) == "7" and lazy.search("xx") is None
    assert (lazy.pattern, lazy.flags, lazy.groups) == (compiled.pattern, compiled.flags, compiled.groups)
