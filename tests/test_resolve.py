import io
import subprocess
import sys
import tomllib

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from migrator.errors import InputError
from migrator.proposals import Answer, Decision, Option
from migrator.resolve import (
    Answers,
    LeaveOpen,
    Prompter,
    QuitRun,
    SkipFile,
    TakeRecommended,
    dump_answers,
    load_answers,
)

DOWN = "\x1b[B"
ENTER = "\r"


def decision(key="UA201:package:foo-dev", recommended="drop", line=4):
    return Decision(
        key=key,
        rule="UA201",
        question="No Debian package is known for foo-dev. What should replace it?",
        options=(
            Option("keep", "keep the name foo-dev"),
            Option("drop", "drop it"),
            Option("other", "type a Debian package name", free_text=True),
        ),
        recommended=recommended,
        line=line,
        context="RUN apk add --no-cache foo-dev",
    )


@pytest.fixture
def pipe():
    with create_pipe_input() as inp:
        yield inp


def test_yes_takes_recommended_and_says_so():
    said = []
    resolver = Answers(TakeRecommended(said.append))
    resolver.path = "svc/Dockerfile"
    answers = resolver.resolve([decision()])
    assert answers["UA201:package:foo-dev"].value == "drop"
    assert answers["UA201:package:foo-dev"].source == "yes"
    assert said == [
        "svc/Dockerfile:4: UA201 chose 'drop' for: No Debian package is known for foo-dev. What should replace it?"
    ]


def test_saved_answers_come_first_and_are_checked():
    resolver = Answers(TakeRecommended(lambda _: None), {"UA201:package:foo-dev": "keep"}, "answers.toml")
    assert resolver.resolve([decision()])["UA201:package:foo-dev"] == Answer(decision(), "keep", "answers-file")
    # free text is fine when an option takes it
    resolver = Answers(LeaveOpen(), {"UA201:package:foo-dev": "libfoo-dev"}, "answers.toml")
    assert resolver.resolve([decision()])["UA201:package:foo-dev"].value == "libfoo-dev"
    # but not when none does
    strict = Decision("UA101:x", "UA101", "Which?", (Option("a", "A"), Option("b", "B")), "a", 1)
    resolver = Answers(LeaveOpen(), {"UA101:x": "c"}, "answers.toml")
    with pytest.raises(InputError) as info:
        resolver.resolve([strict])
    assert str(info.value) == "answers.toml: answer 'c' for 'UA101:x' is not one of: a, b"


def test_leave_open_records_every_question_per_file():
    fallback = LeaveOpen()
    resolver = Answers(fallback)
    resolver.path = "a/Dockerfile"
    resolver.resolve([decision(), decision("UA201:package:bar-dev")])
    resolver.path = "b/Dockerfile"
    resolver.resolve([decision()])
    assert [d.key for d in fallback.open["a/Dockerfile"]] == ["UA201:package:foo-dev", "UA201:package:bar-dev"]
    assert len(fallback.open["b/Dockerfile"]) == 1


def test_prompt_recommended_is_first(pipe):
    stream = io.StringIO()
    resolver = Answers(Prompter(pipe, DummyOutput(), stream))
    resolver.path = "Dockerfile"
    pipe.send_text(ENTER)  # the cursor starts on the first choice: the recommended one
    answer = resolver.resolve([decision()])["UA201:package:foo-dev"]
    assert (answer.value, answer.source) == ("drop", "prompt")
    shown = stream.getvalue()
    assert "Dockerfile:4: UA201" in shown
    assert "RUN apk add --no-cache foo-dev" in shown


def test_prompt_other_option(pipe):
    resolver = Answers(Prompter(pipe, DummyOutput(), io.StringIO()))
    pipe.send_text(DOWN + ENTER)  # drop (recommended), keep, other
    assert resolver.resolve([decision()])["UA201:package:foo-dev"].value == "keep"


def test_prompt_free_text_then_reused_for_the_next_file(pipe):
    notes = []
    resolver = Answers(Prompter(pipe, DummyOutput(), io.StringIO()), note=notes.append)
    resolver.path = "a/Dockerfile"
    pipe.send_text(DOWN + DOWN + ENTER + "libfoo-dev" + ENTER)
    assert resolver.resolve([decision()])["UA201:package:foo-dev"].value == "libfoo-dev"
    # The same question in another file of the batch is not asked again.
    resolver.path = "b/Dockerfile"
    again = resolver.resolve([decision(line=9)])["UA201:package:foo-dev"]
    assert again.value == "libfoo-dev"
    assert again.decision.line == 9
    assert notes == [
        "b/Dockerfile:9: UA201 using your earlier answer 'libfoo-dev' for: "
        "No Debian package is known for foo-dev. What should replace it? "
        "(here and in every other file that asks it)"
    ]
    # Said once: a third file reuses the answer without a word.
    resolver.path = "c/Dockerfile"
    assert resolver.resolve([decision(line=2)])["UA201:package:foo-dev"].value == "libfoo-dev"
    assert len(notes) == 1


def test_prompt_offers_skip_and_quit_under_every_question(pipe):
    stream = io.StringIO()
    resolver = Answers(Prompter(pipe, DummyOutput(), stream))
    resolver.path = "a/Dockerfile"
    # drop (recommended), keep, other, then skip and quit below a separator
    pipe.send_text(DOWN * 3 + ENTER)
    with pytest.raises(SkipFile):
        resolver.resolve([decision()])
    pipe.send_text(DOWN * 4 + ENTER)
    with pytest.raises(QuitRun):
        resolver.resolve([decision("UA201:package:bar-dev")])


def test_questions_about_the_same_lines_share_one_header(pipe):
    stream = io.StringIO()
    resolver = Answers(Prompter(pipe, DummyOutput(), stream))
    resolver.path = "Dockerfile"
    pipe.send_text(ENTER + ENTER + ENTER)
    resolver.resolve([decision(), decision("UA201:package:bar-dev"), decision("UA201:package:baz-dev", line=7)])
    shown = stream.getvalue()
    assert shown.count("Dockerfile:4: UA201") == 1
    assert shown.count("Dockerfile:7: UA201") == 1


def test_prompt_ctrl_c_raises(pipe):
    resolver = Answers(Prompter(pipe, DummyOutput(), io.StringIO()))
    pipe.send_text("\x03")
    with pytest.raises(KeyboardInterrupt):
        resolver.resolve([decision()])


def test_confirm(pipe):
    prompter = Prompter(pipe, DummyOutput(), io.StringIO())
    pipe.send_text("y")
    assert prompter.confirm("Write?") is True
    pipe.send_text(ENTER)
    assert prompter.confirm("Write?") is False  # the default is no


def test_answers_file_round_trip(tmp_path):
    odd = 'UA201:package:"quoted"\\back\x7fslash'
    used = [
        Answer(decision(), "libfoo-dev", "prompt"),
        Answer(decision(odd), "drop", "yes"),
        Answer(decision("UA201:package:open"), "drop", "unresolved"),  # not a real answer
    ]
    text = dump_answers(used, kept={"UA999:old": "x"}, open_questions=[decision("UA201:package:open")])
    path = tmp_path / "answers.toml"
    path.write_text(text)
    assert tomllib.loads(text)["answers"] == {"UA201:package:foo-dev": "libfoo-dev", odd: "drop", "UA999:old": "x"}
    assert load_answers(str(path)) == {"UA201:package:foo-dev": "libfoo-dev", odd: "drop", "UA999:old": "x"}
    assert '# "UA201:package:open" = "drop"' in text
    assert "# options: keep, drop, other (or any text); recommended: drop" in text


def test_answers_file_top_level_keys_and_errors(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('"UA201:package:foo-dev" = "keep"\n')
    assert load_answers(str(path)) == {"UA201:package:foo-dev": "keep"}
    path.write_text('"UA201:package:foo-dev" = 3\n')
    with pytest.raises(InputError, match="must be a string"):
        load_answers(str(path))
    path.write_text("[answers\n")
    with pytest.raises(InputError) as info:
        load_answers(str(path))
    assert str(info.value).startswith(f"{path}: not valid TOML")
    with pytest.raises(InputError, match="no such answers file"):
        load_answers(str(tmp_path / "missing.toml"))


def test_importing_the_cli_does_not_import_questionary():
    code = (
        "import sys, migrator.cli, migrator.resolve;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('questionary', 'prompt_toolkit')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
