"""A Dockerfile's build stages as the rules see them: each FROM, its image
(with the global ARG defaults substituted), the stage it builds on, and
whether (and as what kind of base) it moves to Debian."""

from __future__ import annotations

import re

from migrator.assignments import assignments
from migrator.document import Document, Instruction
from migrator.errors import InputError
from migrator.images import ImageRef, ImageSpec, alpine_tag, expand, image_table
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Severity
from migrator.records import Record

_WORD = LazyPattern(r"\S+")
_JUST_A_VARIABLE = LazyPattern(r"\$\{?(\w+)\}?")
_VARIABLE_REFERENCE = LazyPattern(r"\$(?:\{(\w+)[^}]*\}|(\w+))")


class ArgDefault(Record):
    __slots__ = ("name", "value", "span", "instruction")

    def __init__(self, name: str, value: str, span: tuple[int, int] | None, instruction: Instruction):
        self.name = name
        self.value = value  # unquoted
        self.span = span  # file span of the value as written (quotes included)
        self.instruction = instruction


class ImageWord(Record):
    """The image reference of a FROM (or of the ARG default feeding it)."""

    __slots__ = ("raw", "span", "expanded", "via_arg")

    def __init__(self, raw: str, span: tuple[int, int], expanded: str):
        self.raw = raw  # as written
        self.span = span  # file span of `raw`
        self.expanded = expanded  # with global ARG defaults substituted
        self.via_arg: ArgDefault | None = None  # set when the FROM is just `${ARG}`


class Stage(Record):
    __slots__ = (
        "index", "instruction", "name", "image", "parent", "kind", "python_version", "unsupported",
        "instructions", "spec", "version", "alpine_suffix", "candidates", "suite", "new_image", "notes",
    )

    def __init__(self, index: int, instruction: Instruction, name: str | None, image: ImageWord | None):
        self.index = index
        self.instruction = instruction  # its FROM
        self.name = name  # from `AS name`
        self.image = image
        self.parent: Stage | None = None  # when FROM names an earlier stage
        # The package table's base kind once the stage moves to Debian: "python"
        # (official python image, its own CPython), "debian" (alpine:* and every
        # other official image: Debian's own packages); None when the stage is
        # not migrated (another base, or the user chose to keep it).
        self.kind: str | None = None
        self.python_version: str | None = None  # as written after expansion, "" for latest
        self.unsupported = ""  # why an Alpine stage cannot be migrated (a warning)
        self.instructions: list[Instruction] = []
        self.spec: ImageSpec | None = None  # the official image's table entry (None for alpine:*)
        self.version = ""  # the tag's version part, expanded ("" for the bare tag)
        self.alpine_suffix = ""  # a variant after `-alpine` (nginx's -perl)
        self.candidates: tuple[str, ...] = ()  # suites the stage's image can move to, oldest first
        self.suite: str | None = None  # the suite (or Ubuntu codename) its new tag names
        self.new_image: str | None = None  # a whole replacement image (answered questions)
        self.notes: list[tuple[str, Severity]] = []  # what the base-image rule reports

    def lineage(self) -> list["Stage"]:
        """This stage, then the stages it is built on, nearest first."""
        chain: list[Stage] = []
        stage: Stage | None = self
        while stage is not None:
            chain.append(stage)
            stage = stage.parent
        return chain

    @property
    def root(self) -> "Stage":
        """The first stage of its lineage: the one whose FROM names an image."""
        # (asked for every apk name the wheel plan judges, ~35k times a
        # fleet run: up the chain without making lineage()'s list)
        stage = self
        while stage.parent is not None:
            stage = stage.parent
        return stage


def global_args(document: Document) -> dict[str, ArgDefault]:
    """ARG defaults declared before the first FROM: the only ones FROM sees."""
    found: dict[str, ArgDefault] = {}
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword != "ARG":
            continue
        for assigned in assignments(instruction):
            span = instruction.file_span(assigned.start, assigned.end) if assigned.end > assigned.start else None
            found[assigned.name] = ArgDefault(assigned.name, assigned.value, span, instruction)
    return found


def stages_of(document: Document, args: dict[str, ArgDefault]) -> list[Stage]:
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


def _stage_by_pattern(raw: str, variables: dict[str, str], by_name: dict[str, Stage]) -> Stage | None:
    """The earlier stage a FROM names through a variable no global ARG gives
    a value (`FROM base-${TARGETARCH}` after `FROM base AS base-amd64` and
    `FROM base AS base-arm64`: buildkit fills in TARGETARCH per platform).
    The unset variables stand for any text, the rest must be written out;
    every stage the pattern can name must build on the same root image, else
    the FROM is left to the image rules."""
    if "$" not in raw:  # (most FROMs: no variable, so no pattern; ~2 regexes spared per stage)
        return None
    pieces: list[str] = []
    position = 0
    unset = False
    for reference in _VARIABLE_REFERENCE.finditer(raw):
        pieces.append(re.escape(raw[position : reference.start()].lower()))
        name = reference.group(1) or reference.group(2)
        if variables.get(name) or ":-" in reference.group(0) or ":+" in reference.group(0):
            pieces.append(re.escape(expand(reference.group(0), variables).lower()))
        else:
            pieces.append(".*")
            unset = True
        position = reference.end()
    pieces.append(re.escape(raw[position:].lower()))
    if not unset or not "".join(piece for piece in pieces if piece != ".*"):
        return None
    pattern = re.compile("".join(pieces))
    matches = [stage for key, stage in by_name.items() if pattern.fullmatch(key)]
    roots = {id(stage.root) for stage in matches}
    return matches[0] if len(roots) == 1 else None


def _stage_of(instruction: Instruction, index: int, variables: dict[str, str],
              args: dict[str, ArgDefault], by_name: dict[str, Stage]) -> Stage:
    text = instruction.logical.text
    words = [(m.start(), m.end()) for m in _WORD.finditer(text[instruction.args_start :])]
    if not words:
        raise InputError("FROM needs an image", line=instruction.line)
    start, end = (instruction.args_start + words[0][0], instruction.args_start + words[0][1])
    raw = text[start:end]
    name = None
    if len(words) >= 3 and text[instruction.args_start + words[1][0] : instruction.args_start + words[1][1]].upper() == "AS":
        name = text[instruction.args_start + words[2][0] : instruction.args_start + words[2][1]]
    expanded = expand(raw, variables)
    image = ImageWord(raw, instruction.file_span(start, end), expanded)
    variable = _JUST_A_VARIABLE.fullmatch(raw) if raw.startswith("$") else None
    if variable and variable.group(1) in args and args[variable.group(1)].span:
        image.via_arg = args[variable.group(1)]
    stage = Stage(index, instruction, name, image)
    parent = by_name.get(expanded.lower()) or _stage_by_pattern(raw, variables, by_name)
    if parent is not None:
        stage.parent = parent
        stage.kind = parent.kind
        stage.python_version = parent.python_version
        return stage
    ref = ImageRef.parse(expanded)
    if ref.is_official("alpine"):
        stage.kind = "debian"
        return stage
    match = alpine_tag(ref.tag)
    if match is None:
        # `node:${NODE_VERSION}-alpine` with no default expands to `-alpine`
        match = alpine_tag(ImageRef.parse(raw).tag)
        if match is None or "$" not in (match.group("version") or ""):
            return stage
    table = image_table()
    spec = table.official(ref)
    if spec is None:
        return stage  # the base-image rule asks or warns about it
    written = image.via_arg.value if image.via_arg else raw
    if alpine_tag(ImageRef.parse(written).tag) is None:
        # redis:${TAG:-7-alpine}: the Alpine part is inside a variable's default
        stage.unsupported = (f"{raw}: the Alpine tag is inside a variable's default, which unalpine does not "
                             f"rewrite; set it to the Debian tag by hand (for {expanded})")
        return stage
    stage.spec = spec
    stage.kind = spec.base
    stage.version = expand(match.group("version") or "", variables)
    stage.alpine_suffix = match.group("suffix") or ""
    if spec.name == "python":
        stage.python_version = stage.version
    return stage
