"""Resolvers: where the answers to the rules' Decisions come from.

The engine sees one resolver per run, `Answers`, which answers each Decision
from (1) the saved answers file (--answers), then (2) an answer the person
gave for the same key earlier in this run, then (3) its fallback:

- `TakeRecommended` (--yes): the recommended option, reported on stderr;
- `Prompter` (a terminal): asks with questionary;
- `LeaveOpen` (no terminal, no --yes): records the Decision as unresolved and
  lets the rules carry on with the recommended option, so that one run lists
  every open question of a file, including those that only come up after an
  earlier one is answered. The CLI then refuses to write anything (exit 3).

questionary (and prompt_toolkit) are imported only when a prompt is shown.
"""

from __future__ import annotations

import os
import sys
from migrator.errors import InputError
from migrator.proposals import Answer, Decision

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import IO, Any, Callable, Mapping, Protocol, Sequence

    class Fallback(Protocol):
        def answer(self, decision: Decision, path: str) -> Answer: ...

SOURCE_FILE = "answers-file"
SOURCE_YES = "yes"
SOURCE_PROMPT = "prompt"
SOURCE_OPEN = "unresolved"


def where(path: str, decision: Decision) -> str:
    return f"{path}:{decision.line}" if decision.line else path


def accepts(decision: Decision, value: str) -> bool:
    """Whether `value` is a valid answer: an option's value, or any text when
    one of the options takes free text."""
    if decision.option(value) is not None:
        return True
    return bool(value) and any(option.free_text for option in decision.options)


class TakeRecommended:
    """--yes (and --check): take the recommended option and say so."""

    def __init__(self, report: Callable[[str], None], verb: str = "chose"):
        self.report = report
        self.verb = verb  # --check says "would choose": it writes nothing

    def answer(self, decision: Decision, path: str) -> Answer:
        self.report(
            f"{where(path, decision)}: {decision.rule} {self.verb} {decision.recommended!r} for: {decision.question}"
        )
        return Answer(decision, decision.recommended, SOURCE_YES)


class LeaveOpen:
    """No terminal and no --yes: remember what was asked, answer nothing real."""

    def __init__(self) -> None:
        self.open: dict[str, list[Decision]] = {}

    def answer(self, decision: Decision, path: str) -> Answer:
        self.open.setdefault(path, []).append(decision)
        return Answer(decision, decision.recommended, SOURCE_OPEN)


class SkipFile(Exception):
    """The person chose to leave this file as it is (the others go on)."""


class QuitRun(Exception):
    """The person chose to stop: nothing is written."""


class Prompter:
    """Ask each Decision at the terminal with questionary.

    `input`/`output` are prompt_toolkit objects (None: the real terminal, with
    the prompt drawn on stderr so stdout can still be redirected); `stream`
    receives the file:line and context shown above each question.
    """

    # Offered under every question, after the rule's own options.
    SKIP = "unalpine:skip-file"
    QUIT = "unalpine:quit"

    def __init__(self, input: Any = None, output: Any = None, stream: IO[str] | None = None):
        self.input = input
        self.output = output
        self.stream = stream
        self._last_header = ""  # questions about the same lines share one header

    def _io(self) -> dict[str, Any]:
        output = self.output
        if output is None:
            from prompt_toolkit.output import create_output

            output = self.output = create_output(stdout=sys.stderr)
        kwargs: dict[str, Any] = {"output": output}
        if self.input is not None:
            kwargs["input"] = self.input
        return kwargs

    def _say(self, text: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(text)
        stream.flush()

    def answer(self, decision: Decision, path: str) -> Answer:
        import questionary

        header = f"\n{where(path, decision)}: {decision.rule}\n"
        if decision.context:
            header += "".join(f"    {line}\n" for line in decision.context.rstrip("\n").split("\n"))
        if header != self._last_header:
            self._say(header)
            self._last_header = header
        options = sorted(decision.options, key=lambda option: option.value != decision.recommended)
        choices: list[Any] = [
            questionary.Choice(
                title=option.label + ("  (recommended)" if option.value == decision.recommended else ""),
                value=option.value,
            )
            for option in options
        ]
        choices += [
            questionary.Separator(),
            questionary.Choice(title=f"skip this file (leave {path} as it is)", value=self.SKIP),
            questionary.Choice(title="quit, write nothing", value=self.QUIT),
        ]
        # unsafe_ask: Ctrl-C raises KeyboardInterrupt (the run stops, nothing
        # is written) instead of quietly answering None.
        value = questionary.select(decision.question, choices=choices, **self._io()).unsafe_ask()
        if value == self.SKIP:
            raise SkipFile(path)
        if value == self.QUIT:
            raise QuitRun()
        option = decision.option(value)
        if option is not None and option.free_text:
            value = questionary.text(
                option.label + ":",
                validate=lambda text: bool(text.strip()) or "type a value, or press Ctrl-C to stop",
                **self._io(),
            ).unsafe_ask().strip()
        return Answer(decision, value, SOURCE_PROMPT)

    def confirm(self, message: str, default: bool = False) -> bool:
        import questionary

        return bool(questionary.confirm(message, default=default, **self._io()).unsafe_ask())


class Answers:
    """The resolver the engine gets: saved answers, then earlier answers of
    this run, then the fallback. Set `path` before migrating each file."""

    def __init__(
        self,
        fallback: Fallback,
        saved: Mapping[str, str] | None = None,
        saved_from: str = "",
        note: Callable[[str], None] | None = None,
    ):
        self.fallback = fallback
        self.saved = dict(saved or {})
        self.saved_from = saved_from
        self.note = note
        self.path = "-"
        # Answers a person gave at the prompt, reused for the same key in the
        # other files of the batch (a fleet asks each question once).
        self.given: dict[str, Answer] = {}
        self.reused: set[str] = set()

    def resolve(self, decisions: Sequence[Decision]) -> dict[str, Answer]:
        answers: dict[str, Answer] = {}
        for decision in decisions:
            answers[decision.key] = self._one(decision)
        return answers

    def _one(self, decision: Decision) -> Answer:
        if decision.key in self.saved:
            value = self.saved[decision.key]
            if not accepts(decision, value):
                choices = ", ".join(option.value for option in decision.options)
                raise InputError(
                    f"answer {value!r} for {decision.key!r} is not one of: {choices}",
                    self.saved_from,
                )
            return Answer(decision, value, SOURCE_FILE)
        earlier = self.given.get(decision.key)
        if earlier is not None and accepts(decision, earlier.value):
            # Said once per question, at its first reuse, not once per file.
            if self.note and decision.key not in self.reused:
                self.note(
                    f"{where(self.path, decision)}: {decision.rule} using your earlier answer "
                    f"{earlier.value!r} for: {decision.question} (here and in every other file that asks it)"
                )
            self.reused.add(decision.key)
            return Answer(decision, earlier.value, earlier.source)
        answer = self.fallback.answer(decision, self.path)
        if answer.source == SOURCE_PROMPT:
            self.given[decision.key] = answer
        return answer


# --- answers files -----------------------------------------------------------


def load_answers(path: str) -> dict[str, str]:
    """Read an answers file: string values keyed by Decision.key, either at the
    top level or in an `[answers]` table."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError("no such answers file", path) from None
    except OSError as error:
        raise InputError(f"cannot read answers file: {error.strerror or error}", path) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", path) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})", path) from None
    table = data.get("answers", data) if isinstance(data.get("answers"), dict) else data
    answers: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise InputError(f"answer for {key!r} must be a string, not {type(value).__name__}", path)
        answers[key] = value
    return answers


def _toml_string(text: str) -> str:
    import json

    # A JSON string is a valid TOML basic string, except that TOML also wants
    # DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> str:
    return " ".join(text.split())


def dump_answers(
    used: Sequence[Answer],
    kept: Mapping[str, str] | None = None,
    open_questions: Sequence[Decision] = (),
) -> str:
    """The text of an answers file.

    `used`: the answers of this run; `kept`: saved answers this run did not
    need (kept so one file can serve a whole fleet); `open_questions`: written
    as commented-out entries with the options listed, to be filled in.
    """
    lines = [
        "# unalpine answers: one entry per question, keyed by its stable key.",
        "# Use with: unalpine --answers THIS_FILE ...",
        "[answers]",
    ]
    seen: set[str] = set()
    for answer in used:
        decision = answer.decision
        if decision.key in seen or answer.source == SOURCE_OPEN:
            continue
        seen.add(decision.key)
        lines.append(f"# {decision.rule}: {_comment(decision.question)}")
        lines.append(f"{_toml_string(decision.key)} = {_toml_string(answer.value)}")
    for key, value in sorted((kept or {}).items()):
        if key not in seen:
            seen.add(key)
            lines.append(f"{_toml_string(key)} = {_toml_string(value)}")
    for decision in open_questions:
        if decision.key in seen:
            continue
        seen.add(decision.key)
        options = ", ".join(
            option.value + (" (or any text)" if option.free_text else "") for option in decision.options
        )
        lines.append(f"# {decision.rule}: {_comment(decision.question)}")
        lines.append(f"# options: {options}; recommended: {decision.recommended}")
        lines.append(f"# {_toml_string(decision.key)} = {_toml_string(decision.recommended)}")
    return "\n".join(lines) + "\n"


def save_answers(path: str, text: str) -> None:
    from migrator.output import atomic_write

    if os.path.exists(path):
        atomic_write(os.path.realpath(path), text.encode("utf-8"))
    else:
        with open(path, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
