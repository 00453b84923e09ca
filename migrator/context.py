"""What rules see: the document, its build stages, the chosen suite, answers.

The stage analysis decides, once per run, which stages are migrated and to
which Debian suite, so that every rule agrees: the apk rule only rewrites a
RUN whose stage's base image is being moved to Debian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrator.document import Document, Instruction
from migrator.errors import InputError
from migrator.images import ImageRef, alpine_tag, expand, python_images
from migrator.packages import SUITES, PackageTable
from migrator.proposals import Answer, Decision, Option
from migrator.shell import ShellScript, script_of

_ARG_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(=)?(\"[^\"]*\"|'[^']*'|\S*)")


@dataclass
class ArgDefault:
    name: str
    value: str  # unquoted
    span: tuple[int, int] | None  # file span of the value as written (quotes included)
    instruction: Instruction


@dataclass
class ImageWord:
    """The image reference of a FROM (or of the ARG default feeding it)."""

    raw: str  # as written
    span: tuple[int, int]  # file span of `raw`
    expanded: str  # with global ARG defaults substituted
    via_arg: ArgDefault | None = None  # set when the FROM is just `${ARG}`


@dataclass
class Stage:
    index: int
    instruction: Instruction  # its FROM
    name: str | None  # from `AS name`
    image: ImageWord | None
    parent: "Stage | None" = None  # when FROM names an earlier stage
    # "python" (official python image), "debian" (alpine:*), or None when the
    # stage is not migrated (another base, or the user chose to keep it).
    kind: str | None = None
    python_version: str | None = None  # as written after expansion, "" for latest
    unsupported: str = ""  # why a python alpine stage cannot be migrated
    instructions: list[Instruction] = field(default_factory=list)


class RuleContext:
    def __init__(self, document: Document, path: str, target: str | None, table: PackageTable,
                 answers: dict[str, Answer], strict: bool = False):
        self.document = document
        self.text = document.text
        self.path = path
        self.table = table
        self.answers = answers
        self.strict = strict
        self.pending: list[Decision] = []
        self._scripts: dict[int, ShellScript | None] = {}
        self.asked: list[str] = []
        self.global_args = _global_args(document)
        self.stages = _stages(document, self.global_args)
        self._ask_about_digests()
        self.suite = self._choose_suite(target)
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

    def line_of(self, offset: int) -> int:
        return self.document.line_of(offset)

    def script(self, instruction: Instruction) -> ShellScript | None:
        """The parsed shell of a RUN (None for other instructions, exec form
        or another interpreter), parsed once however many rules ask."""
        if instruction.command != "RUN":
            return None
        if instruction.start not in self._scripts:
            self._scripts[instruction.start] = script_of(instruction, self.text)
        return self._scripts[instruction.start]

    def migrated(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.kind]

    def _ask_about_digests(self) -> None:
        """A digest pins the Alpine image's bytes; no Debian image has that
        digest, so migrating the stage means giving the pin up."""
        for stage in self.stages:
            if stage.parent is not None or not stage.kind or not ImageRef.parse(stage.image.expanded).digest:
                continue
            answer = self.ask(Decision(
                key=f"UA101:digest:{stage.instruction.line}",
                rule="UA101",
                question=f"{stage.image.expanded} is pinned by digest; a Debian image cannot keep that digest",
                options=(
                    Option("drop", "migrate: drop the digest, keep a tag, re-pin after the first build"),
                    Option("keep", "keep this stage on its Alpine image"),
                ),
                recommended="drop",
                line=stage.instruction.line,
                context=self.text[stage.instruction.start : stage.instruction.stop].rstrip("\r\n"),
            ))
            if answer == "keep":
                stage.kind = None

    def _choose_suite(self, target: str | None) -> str:
        images = python_images()
        common = list(SUITES)
        for stage in self.stages:
            if stage.kind != "python" or stage.parent is not None:
                continue  # a stage built on another has that one's python
            suites = images.suites_for(stage.python_version)
            if suites is None:
                # python:2.7-alpine and the like: nothing to move to; the
                # base-image rule says so and the stage stays as it is
                stage.kind = None
                stage.unsupported = (
                    f"no official python:{stage.python_version}-slim image exists for "
                    f"{', '.join(SUITES)}; this stage is left on Alpine"
                )
                continue
            if target and target not in suites:
                raise InputError(
                    f"no official python:{stage.python_version}-slim-{target} image exists "
                    f"(published: {', '.join(suites)})",
                    line=stage.instruction.line,
                )
            common = [suite for suite in common if suite in suites]
        if target:
            return target
        if not any(stage.kind == "python" for stage in self.stages):
            return images.default_suite
        if not common:
            lines = ", ".join(str(s.instruction.line) for s in self.stages if s.kind == "python" and s.parent is None)
            raise InputError(f"the python versions of lines {lines} share no Debian suite; choose one with --target")
        return common[-1]


def _global_args(document: Document) -> dict[str, ArgDefault]:
    """ARG defaults declared before the first FROM: the only ones FROM sees."""
    found: dict[str, ArgDefault] = {}
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword != "ARG":
            continue
        args = instruction.args
        for match in _ARG_VALUE.finditer(args):
            if not match.group(2):
                continue
            written = match.group(3)
            value = written[1:-1] if written[:1] in "\"'" and len(written) >= 2 else written
            start = instruction.args_start + match.start(3)
            span = instruction.file_span(start, start + len(written)) if written else None
            found[match.group(1)] = ArgDefault(match.group(1), value, span, instruction)
    return found


def _stages(document: Document, args: dict[str, ArgDefault]) -> list[Stage]:
    variables = {name: arg.value for name, arg in args.items()}
    stages: list[Stage] = []
    by_name: dict[str, Stage] = {}
    current: Stage | None = None
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            current = _stage_of(instruction, len(stages), variables, args, by_name)
            stages.append(current)
            if current.name:
                by_name[current.name.lower()] = current
        elif current is not None:
            current.instructions.append(instruction)
    return stages


def _stage_of(instruction: Instruction, index: int, variables: dict[str, str],
              args: dict[str, ArgDefault], by_name: dict[str, Stage]) -> Stage:
    text = instruction.logical.text
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[instruction.args_start :])]
    if not words:
        raise InputError("FROM needs an image", line=instruction.line)
    start, end = (instruction.args_start + words[0][0], instruction.args_start + words[0][1])
    raw = text[start:end]
    name = None
    if len(words) >= 3 and text[instruction.args_start + words[1][0] : instruction.args_start + words[1][1]].upper() == "AS":
        name = text[instruction.args_start + words[2][0] : instruction.args_start + words[2][1]]
    expanded = expand(raw, variables)
    image = ImageWord(raw, instruction.file_span(start, end), expanded)
    variable = re.fullmatch(r"\$\{?(\w+)\}?", raw)
    if variable and variable.group(1) in args and args[variable.group(1)].span:
        image.via_arg = args[variable.group(1)]
    stage = Stage(index, instruction, name, image)
    parent = by_name.get(expanded.lower())
    if parent is not None:
        stage.parent = parent
        stage.kind = parent.kind
        stage.python_version = parent.python_version
        return stage
    ref = ImageRef.parse(expanded)
    if ref.is_official("python"):
        match = alpine_tag(ref.tag)
        if match:
            stage.kind = "python"
            stage.python_version = match.group("version") or ""
    elif ref.is_official("alpine"):
        stage.kind = "debian"
    return stage
