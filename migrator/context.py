"""What rules see: the document, its build stages, the chosen suite, answers.

The stage analysis (migrator.stages) and the image choice
(migrator.image_choice) decide, once per run, which stages are migrated and
to which Debian suite, so that every rule agrees: the apk rule only rewrites
a RUN whose stage's base image is being moved to Debian.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from migrator.document import Document, Instruction
from migrator.image_choice import ImageChoice
from migrator.images import expand, image_table
from migrator.packages import PackageTable
from migrator.proposals import Answer, Decision
from migrator.shell import Command, ShellScript, script_of
from migrator.stages import ArgDefault, ImageWord, Stage, global_args, stages_of

__all__ = ["RuleContext", "Stage", "ArgDefault", "ImageWord"]

_NOT_ASKED = object()


class RuleContext:
    def __init__(self, document: Document, path: str, target: str | None, table: PackageTable,
                 answers: dict[str, Answer], strict: bool = False, wheels: object = None,
                 suite_advisor: object = None):
        self.document = document
        # Which suite's python3 has wheels for the pinned requirements of
        # alpine:* stages (migrator.wheels.suites.advise, handed in by the
        # engine: the context does not call the wheel check itself), or None.
        self.suite_advisor = suite_advisor
        self.text = document.text
        self.path = path
        self.table = table
        self.answers = answers
        self.strict = strict
        self.pending: list[Decision] = []
        # RUN lines the wheel check parsed already (a file with pip lines)
        self._scripts: dict[int, ShellScript | None] = dict(wheels.found.scripts) if wheels is not None else {}
        self.asked: list[str] = []
        self.wheels = wheels  # what the wheel check gathered (migrator.wheels.evidence.Evidence), or None
        # the wheel plan of this round, once built (migrator.wheels.plan.plan_of,
        # which the rules call: the context itself never calls the wheel check)
        self.wheel_plan = None
        self.report: dict[str, object] = {}  # structured results for the report, by topic
        self.details = True  # whether anything reads them (engine.Settings.details)
        # What rules and their helpers work out once per context, by a key of
        # their own (a WeakKeyDictionary per module cost the import of weakref,
        # ~0.3 ms of every run): it goes with the context.
        self.memo: dict[object, object] = {}
        # commands()'s tuples, by stage index: ~10 walks of the same stages
        # per round (every rule, install placement, the wheel plan), each
        # asking for every instruction's script again.
        self._commands: dict[int, list[tuple[Stage, Instruction, ShellScript, Command]]] = {}
        self.global_args = global_args(document)
        self.stages = stages_of(document, self.global_args)
        self.images = image_table()
        # the suite every migrated stage moves to; package names come from
        # the nearest index shipped (bullseye for an archived suite)
        choice = ImageChoice(self.stages, self.images, self.ask, self.instruction_text, wheels, suite_advisor)
        self.image_suite = choice.choose(target)
        self.suite = self.images.index_suite(self.image_suite)
        # Stages built on another follow it, now that digests and python
        # versions may have kept their base on Alpine.
        for stage in self.stages:
            if stage.parent is not None:
                stage.kind = stage.parent.kind

    def ask(self, decision: Decision) -> str:
        """The answer to `decision`: known, or (provisionally) the recommended
        value while the engine collects the question to resolve."""
        if decision.key not in self.asked:
            self.asked.append(decision.key)
        answer = self.answers.get(decision.key)
        if answer is not None:
            return answer.value
        if all(pending.key != decision.key for pending in self.pending):
            self.pending.append(decision)
        return decision.recommended

    def expand(self, word: str) -> str:
        """`word` with the global ARG defaults substituted, as FROM sees it."""
        return expand(word, {name: arg.value for name, arg in self.global_args.items()})

    def line_of(self, offset: int) -> int:
        return self.document.line_of(offset)

    def line_text(self, offset: int) -> str:
        """The file line holding `offset`, without its line end."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return self.text[start : len(self.text) if end < 0 else end].rstrip("\r")

    def instruction_text(self, instruction: Instruction) -> str:
        """An instruction as written, for a question's context."""
        return self.text[instruction.start : instruction.stop].rstrip("\r\n")

    def script(self, instruction: Instruction) -> ShellScript | None:
        """The parsed shell of a RUN (None for other instructions, exec form
        or another interpreter), parsed once however many rules ask."""
        # Asked ~30 times per file (every rule, every instruction): one dict
        # lookup when known, None kept for the instructions that are not RUN.
        found = self._scripts.get(instruction.start, _NOT_ASKED)
        if found is _NOT_ASKED:
            found = self._scripts[instruction.start] = (
                script_of(instruction, self.text) if instruction.command == "RUN" else None)
        return found

    def migrated(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.kind]

    def commands(self, stages: Iterable[Stage] | None = None) -> Iterator[tuple[Stage, Instruction, ShellScript, Command]]:
        """Every command of every RUN of `stages` (the migrated ones unless
        told), in order: (stage, instruction, its script, command). A RUN
        whose shell did not parse is skipped: rules leave it as it is."""
        for stage in self.migrated() if stages is None else stages:
            found = self._commands.get(stage.index)
            if found is None:
                found = self._commands[stage.index] = [
                    (stage, instruction, script, command) for instruction in stage.instructions
                    if (script := self.script(instruction)) is not None and not script.has_errors
                    for command in script.commands
                ]
            yield from found
