"""The engine: edits applied from the end, refusals, rounds of questions."""

import pytest

from migrator.engine import Settings, Unresolved, migrate
from migrator.errors import InputError
from migrator.proposals import Decision, Edit, Option, OverlappingEdits, apply_edits
from migrator.rules import Rule, all_rules
from rulekit import Recorded


def test_edits_apply_from_the_end_and_keep_untouched_bytes():
    text = "abc def ghi"
    assert apply_edits(text, [Edit(0, 3, "X"), Edit(8, 11, "YYYY"), Edit(4, 4, "+")]) == "X +def YYYY"


def test_identical_edits_collapse_and_insertions_keep_their_order():
    assert apply_edits("ab", [Edit(1, 1, "x"), Edit(1, 1, "y"), Edit(1, 1, "x")]) == "axyb"
    assert apply_edits("ab", [Edit(0, 1, "Z"), Edit(0, 1, "Z")]) == "Zb"


def test_overlapping_edits_are_refused():
    with pytest.raises(OverlappingEdits):
        apply_edits("abcdef", [Edit(0, 3, "x", "UA1"), Edit(2, 4, "y", "UA2")])


def test_overlapping_deletions_delete_their_union():
    # Both rules want these bytes gone: no disagreement to refuse.
    assert apply_edits("abcdefgh", [Edit(1, 4, "", "UA1"), Edit(3, 6, "", "UA2")]) == "agh"
    assert apply_edits("abcdefgh", [Edit(1, 6, "", "UA1"), Edit(2, 3, "", "UA2"), Edit(1, 1, "+", "UA3")]) == "a+gh"


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(1, 4, "", "UA1"), Edit(3, 6, "y", "UA2")],  # a deletion and a replacement
        [Edit(1, 4, "x", "UA1"), Edit(3, 6, "", "UA2")],
        [Edit(1, 4, "", "UA1"), Edit(2, 2, "y", "UA2")],  # an insertion inside a deletion
    ],
)
def test_a_deletion_overlapping_anything_but_a_deletion_is_refused(edits):
    with pytest.raises(OverlappingEdits):
        apply_edits("abcdefgh", edits)


def fixed(edits):
    return Rule("UA999", "test", "a rule that proposes fixed edits", lambda ctx: iter(edits))


def test_engine_refuses_overlapping_rules_with_a_clear_error():
    text = "FROM alpine:3.19\n"
    with pytest.raises(InputError) as error:
        migrate(text, "Dockerfile", Settings(), Recorded(), rules=[fixed([Edit(0, 4, "X", "UA1"), Edit(2, 6, "Y", "UA2")])])
    assert str(error.value).startswith("Dockerfile: internal error, refusing to write: rules UA1 and UA2")


def test_engine_refuses_a_result_that_does_not_parse():
    text = "FROM alpine:3.19\n"
    with pytest.raises(InputError) as error:
        migrate(text, "Dockerfile", Settings(), Recorded(), rules=[fixed([Edit(0, 4, "FORM", "UA1")])])
    assert "the result does not parse" in str(error.value)
    assert "\n" not in str(error.value)


def test_parse_errors_name_file_and_line():
    with pytest.raises(InputError) as error:
        migrate("FROM alpine\nRUN <<EOF\nno end\n", "svc/Dockerfile", Settings(), Recorded())
    assert str(error.value) == "svc/Dockerfile:2: unterminated heredoc <<EOF in RUN"


def asking(ctx):
    first = ctx.ask(Decision("T:first", "UA999", "first?", (Option("a", "a"), Option("b", "b")), "a"))
    if first == "b":
        # a question that only exists once the first one is answered
        ctx.ask(Decision("T:second", "UA999", "second?", (Option("c", "c"), Option("d", "d")), "c"))
    return iter([Edit(0, 0, f"# {first}\n", "UA999")])


def test_questions_are_resolved_in_rounds_until_none_is_new():
    resolver = Recorded({"T:first": "b"})
    result = migrate("FROM alpine\n", "Dockerfile", Settings(), resolver, rules=[Rule("UA999", "t", "t", asking)])
    assert result.text == "# b\nFROM alpine\n"
    assert [d.key for d in resolver.seen] == ["T:first", "T:second"]
    assert [a.value for a in result.answers] == ["b", "c"]


def test_unresolved_questions_propagate():
    with pytest.raises(Unresolved) as error:
        migrate("FROM python:3.9-alpine@sha256:" + "0" * 64 + "\n", "Dockerfile", Settings(), Recorded(open_ok=False))
    assert [d.key for d in error.value.decisions] == ["UA101:digest:1"]


def test_rule_ids_are_unique_and_stable():
    ids = [rule.id for rule in all_rules()]
    assert ids == sorted(set(ids))
    assert {"UA101", "UA201", "UA301", "UA401"} <= set(ids)


def test_rules_run_once_when_every_answer_is_the_recommended_one():
    calls = []

    def counting(ctx):
        calls.append(1)
        return asking(ctx)

    rule = Rule("UA999", "t", "t", counting)
    result = migrate("FROM alpine\n", "Dockerfile", Settings(), Recorded(), rules=[rule])
    assert result.text == "# a\nFROM alpine\n"
    assert [answer.decision.key for answer in result.answers] == ["T:first"]
    assert len(calls) == 1
    # Another answer needs a second round; it brings a new question, answered
    # with its recommended value, so no third.
    calls.clear()
    result = migrate("FROM alpine\n", "Dockerfile", Settings(), Recorded({"T:first": "b"}), rules=[rule])
    assert result.text == "# b\nFROM alpine\n"
    assert len(calls) == 2


def gated(ctx):
    # Like a digest pin: keeping the stage makes the package question moot.
    stage = ctx.ask(Decision("T:stage", "UA999", "migrate?", (Option("drop", "d"), Option("keep", "k")), "drop"))
    if stage == "drop":
        ctx.ask(Decision("T:package", "UA999", "package?", (Option("x", "x"), Option("y", "y")), "x"))
    return iter([Edit(0, 0, f"# {stage}\n", "UA999")])


def test_a_question_made_moot_by_an_earlier_answer_is_never_asked():
    rule = Rule("UA999", "t", "t", gated)
    resolver = Recorded({"T:stage": "keep"})
    result = migrate("FROM alpine\n", "Dockerfile", Settings(), resolver, rules=[rule])
    assert [d.key for d in resolver.seen] == ["T:stage"]
    assert [a.decision.key for a in result.answers] == ["T:stage"]
    # With the recommended answer both are asked, in one round.
    resolver = Recorded()
    migrate("FROM alpine\n", "Dockerfile", Settings(), resolver, rules=[rule])
    assert [d.key for d in resolver.seen] == ["T:stage", "T:package"]


def test_many_answers_that_are_not_the_recommended_ones_are_fine():
    def many(ctx):
        for n in range(20):
            ctx.ask(Decision(f"T:{n}", "UA999", f"q{n}?", (Option("a", "a"), Option("b", "b")), "a"))
        return iter([])

    resolver = Recorded({"T:": "b"})
    result = migrate("FROM alpine\n", "Dockerfile", Settings(), resolver, rules=[Rule("UA999", "t", "t", many)])
    assert [a.value for a in result.answers] == ["b"] * 20
    assert len(resolver.seen) == 20  # each asked once
