"""The record bases every run's data is made of (migrator.records)."""

from __future__ import annotations

import pickle
from collections import namedtuple

import pytest

from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.records import Frozen, Record


class Span(Frozen):
    __slots__ = ()

    def __new__(cls, start, end, label=""):
        return tuple.__new__(cls, (start, end, label))


def test_frozen_fields_are_the_parameters_of_new():
    span = Span(1, 4)
    assert Span._fields == ("start", "end", "label")
    assert (span.start, span.end, span.label) == (1, 4, "")
    assert Span(end=4, start=1, label="x") == (1, 4, "x")
    assert repr(span) == "Span(start=1, end=4, label='')"
    assert span._asdict() == {"start": 1, "end": 4, "label": ""}


def test_frozen_behaves_as_the_named_tuple_it_replaces():
    Twin = namedtuple("Span", "start end label", defaults=("",))
    ours, theirs = Span(1, 4), Twin(1, 4)
    assert ours == theirs and hash(ours) == hash(theirs) and repr(ours) == repr(theirs)
    assert sorted([Span(2, 3), Span(1, 9)]) == [Span(1, 9), Span(2, 3)]
    assert ours._replace(end=5) == theirs._replace(end=5)
    assert type(ours._replace(end=5)) is Span
    with pytest.raises(ValueError, match="unexpected field names"):
        ours._replace(stop=5)
    with pytest.raises(AttributeError):
        ours.start = 2
    with pytest.raises(AttributeError):
        ours.other = 2  # slotted: no instance dict


def test_records_survive_pickle_as_worker_results_do():
    decision = Decision("UA201:package:x", "UA201", "which?", (Option("a", "A"), Option("b", "B", True)), "a", 3)
    for value in (decision, Edit(1, 2, "x", "UA202"), Finding("UA101", 1, "m", Severity.INFO), Span(0, 0)):
        again = pickle.loads(pickle.dumps(value))
        assert again == value and type(again) is type(value) and repr(again) == repr(value)


def test_a_checked_new_still_checks():
    with pytest.raises(ValueError, match="bad edit span"):
        Edit(5, 2, "")


class Box(Record):
    __slots__ = ("width", "_cache")

    def __init__(self, width):
        self.width = width
        self._cache = None


def test_record_equality_and_repr_use_the_public_slots():
    assert Box(2) == Box(2) and Box(2) != Box(3)
    assert repr(Box(2)) == "Box(width=2)"
    with pytest.raises(TypeError):
        hash(Box(2))
