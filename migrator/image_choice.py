"""Which Debian image and suite each Alpine stage moves to (UA101's
questions): a digest pin, an image unalpine does not know, an image with
no current Debian tag (archived suite or a newer release), a deprecated
image's replacement, and the one suite every migrated stage agrees on."""

from __future__ import annotations

import re

from migrator.debian.suites import SUITES
from migrator.errors import InputError
from migrator.images import ImageRef, ImageSpec, alpine_tag
from migrator.proposals import Decision, Option, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from migrator.document import Instruction
    from migrator.images import ImageTable
    from migrator.stages import Stage


class ImageChoice:
    """Asks the questions through `ask` (the rule context's) and changes
    the stages in place: their candidates, suite, kind and notes."""

    def __init__(self, stages: list[Stage], images: ImageTable, ask: Callable[[Decision], str],
                 instruction_text: Callable[[Instruction], str], wheels: object = None, suite_advisor: object = None):
        self.stages = stages
        self.images = images
        self.ask = ask
        self.instruction_text = instruction_text
        self.wheels = wheels  # what the wheel check gathered, or None
        self.suite_advisor = suite_advisor  # see RuleContext.suite_advisor

    def choose(self, target: str | None) -> str:
        """The suite every migrated stage moves to, after the questions."""
        self._ask_about_digests()
        self._ask_about_images()
        return self._choose_suite(target)

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
        indexes = {stage.index for stage in self.stages if stage.root in roots}
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
