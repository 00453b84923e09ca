"""What rules see: the document, its build stages, the chosen suite, answers.

The stage analysis decides, once per run, which stages are migrated and to
which Debian suite, so that every rule agrees: the apk rule only rewrites a
RUN whose stage's base image is being moved to Debian.
"""

from __future__ import annotations

import re

from migrator.document import Document, Instruction
from migrator.errors import InputError
from migrator.images import ImageRef, ImageSpec, alpine_tag, expand, image_table
from migrator.lazy_pattern import LazyPattern
from migrator.debian.suites import SUITES
from migrator.packages import PackageTable
from migrator.proposals import Answer, Decision, Option, Severity
from migrator.records import Record
from migrator.shell import ShellScript, script_of

_WORD = LazyPattern(r"\S+")
_JUST_A_VARIABLE = LazyPattern(r"\$\{?(\w+)\}?")
_ARG_VALUE = LazyPattern(r"([A-Za-z_][A-Za-z0-9_]*)(=)?(\"[^\"]*\"|'[^']*'|\S*)")


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
        self.global_args = _global_args(document)
        self.stages = _stages(document, self.global_args)
        self.images = image_table()
        self._ask_about_digests()
        self._ask_about_images()
        # the suite every migrated stage moves to; package names come from
        # the nearest index shipped (bullseye for an archived suite)
        self.image_suite = self._choose_suite(target)
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
                context=self.instruction_text(stage.instruction),
            ))
            if answer == "keep":
                stage.kind = None

    def _roots(self) -> list[Stage]:
        """Migrated stages with an image of their own (not built on a stage)."""
        return [stage for stage in self.stages if stage.kind and stage.parent is None and stage.new_image is None]

    def _ask_about_images(self) -> None:
        """Work out each Alpine stage's candidate suites, asking where the
        image has no current Debian tag of the same name."""
        current = set(SUITES)
        for stage in self.stages:
            if stage.parent is None and not stage.kind and stage.image is not None and not stage.unsupported:
                self._ask_about_other_image(stage)
            if stage.parent is not None or not stage.kind or stage.new_image:
                continue
            spec = stage.spec
            if spec is None:  # alpine:* -> debian:<suite>-slim, any suite
                stage.candidates = (*self.images.archived, *SUITES)
                continue
            if spec.decision:
                self._ask_replacement(stage)
                continue
            if stage.alpine_suffix and spec.suffix(stage.alpine_suffix) is None:
                stage.kind = None
                stage.unsupported = f"{spec.name} publishes no Debian variant of -alpine{stage.alpine_suffix}; this stage is left on Alpine"
                continue
            suites = spec.suites(stage.version) or ()
            now = tuple(s for s in suites if s in current)
            if not spec.knows(stage.version):
                stage.notes.append((f"{spec.name} {stage.version} is not in unalpine's table of published tags "
                                    "(newer than it, or a typo): check that the new tag exists", Severity.WARNING))
            line = spec.line_of(stage.version)
            if not now and line != stage.version:
                # a patch release with no Debian tag we can move to (older or
                # newer than the suites): its line's newest patch has one
                line_suites = spec.suites(line) or ()
                line_now = tuple(s for s in line_suites if s in current)
                archived_set = set(self.images.archived)
                if line_now or (not archived_set & set(suites) and archived_set & set(line_suites)):
                    stage.notes.append((
                        f"{spec.name}:{spec.tag(stage.version, '<suite>')} was never published for "
                        f"{', '.join(line_now) or ' or '.join(s for s in line_suites if s in archived_set)} "
                        f"(its Debian tags: {', '.join(suites) or 'none'}); the tag now names {line}, "
                        "its newest patch release", Severity.WARNING))
                    stage.version, suites, now = line, line_suites, line_now
            if now:
                stage.candidates = now
                newer = [s for s in spec.suites(line) or () if s in current and s not in now]
                if line != stage.version and newer and SUITES.index(newer[-1]) > SUITES.index(now[-1]):
                    stage.notes.append((f"{spec.name} {stage.version} images exist for {now[-1]}, not {newer[-1]}; "
                                        f"pin {line} to move to {newer[-1]}", Severity.INFO))
                continue
            archived = tuple(s for s in suites if s in self.images.archived)
            if archived or _oldest_current(spec, stage.version):
                # no current tag: the archived suite, or (when not even one
                # of those) a newer release of the same image, is a question
                self._ask_about_end_of_life(stage, archived[-1] if archived else None)
                continue
            stage.kind = None
            stage.unsupported = (
                f"no official {spec.name}:{spec.tag(stage.version, '<suite>')} image exists for "
                f"{', '.join((*self.images.archived, *SUITES))}; this stage is left on Alpine"
            )

    def _ask_about_other_image(self, stage: Stage) -> None:
        """An Alpine-tagged image the table does not know: Alpine-only
        official images get a warning, anything else a question."""
        ref = ImageRef.parse(stage.image.expanded)
        if not alpine_tag(ref.tag) or ref.is_official("alpine"):
            return
        if any(ref.is_official(name) for name in self.images.alpine_only):
            stage.unsupported = (f"{stage.image.expanded}: the official {ref.name} image publishes no Debian variant; "
                                 "this stage is left on Alpine")
            return
        answer = self.ask(Decision(
            key=f"UA101:image:{ref.prefix}{ref.name}:{ref.tag}",
            rule="UA101",
            question=(f"{stage.image.expanded} looks Alpine-based, and unalpine does not know its Debian variant: "
                      "keep it, or type the Debian-based image to use"),
            options=(
                Option("keep", "keep this stage on Alpine"),
                Option("other", "type the replacement image (e.g. name:tag-bookworm)", free_text=True),
            ),
            recommended="keep",
            line=stage.instruction.line,
            context=self.instruction_text(stage.instruction),
        ))
        if answer in ("keep", "other") or not answer.strip():
            stage.unsupported = f"{stage.image.expanded} is Alpine-based and was kept on Alpine (its apk lines too)"
            return
        stage.new_image = answer.strip()
        stage.kind = "debian"
        stage.notes.append((f"{stage.image.expanded} replaced by {stage.new_image}, as answered: "
                           "apk lines migrate as for a Debian image; check the image is Debian-based", Severity.WARNING))

    def _ask_about_end_of_life(self, stage: Stage, archived: str | None) -> None:
        """No current Debian tag: the archived suite (recommended when there
        is one), keep on Alpine, or the oldest newer release with a current
        tag (recommended when there is no archived one and it stays within
        the same major version)."""
        spec = stage.spec
        assert spec is not None
        upgrade = _oldest_current(spec, stage.version)
        options = []
        if archived:
            options.append(Option("archive", f"{spec.name}:{spec.tag(stage.version, archived)}: Debian {archived} from "
                                             "archive.debian.org (apt sources switched there; no security updates)"))
        options.append(Option("keep", "keep this stage on Alpine"))
        if upgrade:
            options.append(Option(f"upgrade:{upgrade[0]}", f"{spec.name}:{spec.tag(upgrade[0], upgrade[1])}: the oldest "
                                  f"newer {spec.name} with a current image; your code may not run on it unchanged"))
        same_major = upgrade is not None and upgrade[0].split(".")[0] == stage.version.split(".")[0]
        recommended = "archive" if archived else f"upgrade:{upgrade[0]}" if upgrade and same_major else "keep"
        if archived:
            question = (f"{spec.name} {stage.version or 'latest'} was last published for Debian {archived}, "
                        "which now lives only in Debian's archive and gets no security updates")
        else:
            question = f"{spec.name} {stage.version or 'latest'} has no Debian tag that names its suite"
        answer = self.ask(Decision(
            key=f"UA101:end-of-life:{spec.name}:{stage.version}",
            rule="UA101",
            question=question,
            options=tuple(options),
            recommended=recommended,
            line=stage.instruction.line,
            context=self.instruction_text(stage.instruction),
        ))
        if answer.startswith("upgrade:") and upgrade:
            stage.notes.append((f"moved from {spec.name} {stage.version} to {upgrade[0]}: "
                               "a newer release; test the application on it", Severity.WARNING))
            stage.version = upgrade[0]
            stage.candidates = tuple(s for s in spec.suites(upgrade[0]) or () if s in SUITES)
            stage.python_version = upgrade[0] if spec.name == "python" else stage.python_version
        elif answer == "archive" and archived:
            stage.candidates = (archived,)
        else:
            stage.kind = None

    def _ask_replacement(self, stage: Stage) -> None:
        """Deprecated or non-Debian images (openjdk, eclipse-temurin): the
        question names the maintained Debian-or-glibc replacement."""
        spec = stage.spec
        assert spec is not None
        temurin = self.images.images.get("eclipse-temurin")
        options: list[Option] = []
        choices: dict[str, tuple[str, str]] = {}
        if temurin is not None and "noble" in (temurin.suites(stage.version) or ()):
            tag = temurin.tag(stage.version, "noble")
            choices["temurin" if spec.name != "eclipse-temurin" else "ubuntu"] = ("eclipse-temurin", tag)
        if spec.name != "eclipse-temurin":
            now = tuple(s for s in spec.suites(stage.version) or () if s in SUITES)
            if now:
                choices["openjdk"] = (spec.name, spec.tag(stage.version, now[-1]))
        for value, (name, tag) in choices.items():
            label = f"{name}:{tag}"
            if name == "eclipse-temurin":
                label += " (Ubuntu 24.04 base: apt works; package names are Debian's, check them)"
            else:
                label += " (Debian, but no more updates upstream)"
            options.append(Option(value, label))
        options.append(Option("keep", "keep this stage on Alpine"))
        answer = self.ask(Decision(
            key=f"UA101:replace:{spec.name}:{stage.version}",
            rule="UA101",
            question=f"{spec.name}:{stage.version or 'latest'}-alpine: {spec.decision}",
            options=tuple(options),
            recommended=options[0].value,
            line=stage.instruction.line,
            context=self.instruction_text(stage.instruction),
        ))
        if answer not in choices:
            stage.kind = None
            return
        name, tag = choices[answer]
        ref = ImageRef.parse(stage.image.expanded)
        stage.new_image = ImageRef(ref.prefix, name, tag, None).render()

    def _choose_suite(self, target: str | None) -> str:
        """The newest suite every migrated stage's image has (or --target).
        A stage whose image lacks it keeps its own newest suite, with a
        warning, rather than failing the file."""
        roots = [stage for stage in self._roots() if stage.candidates]
        for stage in roots:
            if target in self.images.archived and stage.spec and target in (stage.spec.suites(stage.version) or ()):
                stage.candidates = (target, *stage.candidates)  # --target buster: asked for by name
            if target and target not in stage.candidates:
                spec_name = stage.spec.name if stage.spec else "debian"
                tag = stage.spec.tag(stage.version, target) if stage.spec else f"{target}-slim"
                raise InputError(
                    f"no official {spec_name}:{tag} image exists "
                    f"(published: {', '.join(stage.candidates)})",
                    line=stage.instruction.line,
                )
        if target:
            chosen = target
        elif not any(stage.spec is not None for stage in roots):
            chosen = self._suite_by_wheels(roots, self.images.default_suite)
        else:
            order = (*self.images.archived, *SUITES)
            # most stages first, then the newest suite
            chosen = max(order, key=lambda s: (sum(s in stage.candidates for stage in roots), order.index(s)))
        for stage in roots:
            if chosen in stage.candidates:
                stage.suite = chosen
            else:
                stage.suite = stage.candidates[-1]
                stage.notes.append((f"this stage moves to {stage.suite}, not {chosen}: its image has no {chosen} tag "
                                   "(files copied between stages of different suites may need other libraries)", Severity.WARNING))
        return chosen


    def _suite_by_wheels(self, roots: list[Stage], default: str) -> str:
        """alpine:* stages run the suite's own python3: the newest suite
        whose python3 has wheels for the pinned requirements (a question,
        asked only when that is not `default`), or `default` with a
        warning when none has."""
        if self.suite_advisor is None or not roots:
            return default
        indexes = {stage.index for stage in self.stages if _root(stage) in roots}
        current = tuple(s for s in SUITES if s in roots[0].candidates)
        suite, missing = self.suite_advisor(self.wheels, indexes, current)
        if default not in missing:
            return default  # the default has them, or there is nothing to judge
        first = roots[0]
        if suite is None:
            lacking = "; ".join(missing[default][:3]) + (" ..." if len(missing[default]) > 3 else "")
            first.notes.append((f"no Debian suite's python3 has wheels for every pinned requirement ({default}: {lacking}); "
                                f"{default} it is, and pip builds those from source", Severity.WARNING))
            return default
        lacking = "; ".join(missing[default][:3]) + (" ..." if len(missing[default]) > 3 else "")
        python = self.images.debian_python
        answer = self.ask(Decision(
            key="UA101:suite-by-wheels",
            rule="UA101",
            question=(f"The stage runs Debian's own python3. On {default} (Python {python.get(default)}) pip finds no wheel "
                      f"for: {lacking}. {suite} (Python {python.get(suite)}) has wheels for every pinned requirement. "
                      "Which suite?"),
            options=(
                Option(suite, f"debian:{suite}-slim, Python {python.get(suite)}: the pinned requirements install from wheels"),
                Option(default, f"debian:{default}-slim, Python {python.get(default)}: the newest; pip builds or fails on those"),
            ),
            recommended=suite,
            line=first.instruction.line,
            context=self.instruction_text(first.instruction),
        ))
        chosen = answer if answer in (suite, default) else suite
        if chosen != default:
            first.notes.append((f"moved to {chosen}, not {default}: its python3 ({python.get(chosen)}) has wheels for the "
                                f"pinned requirements, {default}'s ({python.get(default)}) has not", Severity.INFO))
        return chosen


def _root(stage: Stage) -> Stage:
    while stage.parent is not None:
        stage = stage.parent
    return stage


# _oldest_current by (the spec's identity, version): a function of the two
# alone (the spec is a row of the run's image table, never changed), asked
# for every stage on an image with no current tag. The entry keeps the spec,
# so its id cannot be reused.
_OLDEST: dict[tuple[int, str], tuple[ImageSpec, tuple[str, str] | None]] = {}


def _oldest_current(spec: ImageSpec, version: str) -> tuple[str, str] | None:
    """The oldest release line after `version`, of the same variant (php's
    -fpm), with a current Debian tag: (line, its newest suite)."""
    known = _OLDEST.get((id(spec), version))
    if known is not None and known[0] is spec:
        return known[1]
    if len(_OLDEST) >= 1024:
        _OLDEST.clear()
    found = _OLDEST[(id(spec), version)] = (spec, _work_out_oldest_current(spec, version))
    return found[1]


def _work_out_oldest_current(spec: ImageSpec, version: str) -> tuple[str, str] | None:
    variant = re.search(r"(-[a-z]+)$", version)
    suffix = variant.group(1) if variant else ""
    lines: list[tuple[tuple[int, ...], str, str]] = []
    for key, suites in spec.rows.items():
        numeric = re.fullmatch(r"(\d+(?:\.\d+)*)" + re.escape(suffix), key)
        if not numeric or numeric.group(1).count(".") + 1 != spec.line:
            continue
        now = [s for s in suites if s in SUITES]
        if now:
            lines.append((tuple(int(p) for p in numeric.group(1).split(".")), key, now[-1]))
    mine = tuple(int(p) for p in re.findall(r"\d+", version)[: spec.line]) or (0,)
    later = sorted(line for line in lines if line[0] > mine)
    return (later[0][1], later[0][2]) if later else None


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
    variable = _JUST_A_VARIABLE.fullmatch(raw)
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
