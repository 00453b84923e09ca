"""UA101 base-image: official *:*-alpine images → their Debian tags, alpine → debian.

Only the image word changes (or the ARG default that feeds it); `--platform`,
`AS name` and everything else on the line stay as written. A stage moved to
a suite that only archive.debian.org still serves gets one RUN after its FROM
that points apt there, when the stage (or one built on it) runs apt-get.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.images import ImageRef, alpine_tag
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import rule
from migrator.apk_commands import APK_COMMANDS

ID = "UA101"
ARCHIVE = "http://archive.debian.org/debian"
# programs whose presence means the stage talks to apt (apk lines become apt-get)
_APT_USERS = APK_COMMANDS | {"apt-get", "apt", "/usr/bin/apt-get"}


@rule(ID, "base-image", "Move an Alpine base image to the matching Debian slim image")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    for stage in ctx.stages:
        if stage.parent is not None or stage.image is None:
            continue
        line = stage.instruction.line
        if stage.unsupported:
            yield Finding(ID, line, stage.unsupported)
            continue
        if not stage.kind:
            ref = ImageRef.parse(stage.image.expanded)
            if alpine_tag(ref.tag) and ref.name != "alpine":
                yield Finding(ID, line, f"{stage.image.expanded} is Alpine-based; left as is")
            continue
        word = stage.image
        if word.via_arg is not None:
            # FROM ${BASE}: the image lives in the ARG default.
            arg = word.via_arg
            assert arg.span is not None
            written = ctx.text[arg.span[0] : arg.span[1]]
            quote = written[0] if written[:1] in "\"'" else ""
            new = _migrate(arg.value, stage, ctx)
            yield Edit(arg.span[0], arg.span[1], f"{quote}{new}{quote}", ID)
            yield Finding(ID, arg.instruction.line, f"ARG {arg.name} feeds FROM on line {line}: its default now names {new}", Severity.INFO)
        else:
            new = _migrate(word.raw, stage, ctx)
            yield Edit(word.span[0], word.span[1], new, ID)
        written = alpine_tag(ImageRef.parse(word.via_arg.value if word.via_arg else word.raw).tag)
        if stage.spec is not None and written and "$" in (written.group("version") or "") and not stage.version:
            yield Finding(ID, line, f"the version in {word.raw} comes from a variable with no default here: "
                                    f"{new} is right only if that version has a {stage.suite} tag")
        if ImageRef.parse(word.expanded).digest:
            yield Finding(ID, line, f"the digest of {word.expanded} was dropped: re-pin {new} to a digest after the first build")
        for note, severity in stage.notes:
            yield Finding(ID, line, note, severity)
        if stage.spec is not None and stage.spec.note and stage.new_image is None:
            yield Finding(ID, line, stage.spec.note, Severity.INFO)
        if stage.suite in ctx.images.archived:
            yield from _archive_sources(ctx, stage)
        if (stage.new_image or "").startswith(ImageRef.parse(word.expanded).prefix + "eclipse-temurin:") and _family_runs_apt(ctx, stage):
            yield Finding(ID, line, f"{stage.new_image} is Ubuntu 24.04 (noble): apt-get works there, but the package "
                                    f"names were taken from Debian {ctx.suite}; check any that fail")


def _migrate(raw: str, stage: Stage, ctx: RuleContext) -> str:
    """The new image reference, keeping variables and prefixes as written."""
    ref = ImageRef.parse(raw)
    if stage.new_image is not None:
        return stage.new_image
    if stage.spec is None:  # alpine:*
        return ImageRef(ref.prefix, "debian", f"{stage.suite or ctx.image_suite}-slim", None).render()
    match = alpine_tag(ref.tag)
    assert match is not None, "a migrated official image always has an alpine tag"
    version = match.group("version") or ""
    if version and stage.version != ctx.expand(version) and "$" not in version:
        version = stage.version  # another release: the line, or the one the question chose
    suffix = stage.spec.suffix(match.group("suffix") or "") or ""
    return ImageRef(ref.prefix, ref.name, stage.spec.tag(version, stage.suite or ctx.image_suite, suffix), None).render()


def _archive_sources(ctx: RuleContext, stage: Stage) -> Iterator[Edit | Finding]:
    """Point apt at archive.debian.org, once, right after the FROM, when
    the stage or one built on it runs apt-get (the old suite's images list
    deb.debian.org in /etc/apt/sources.list, which no longer has it)."""
    line = stage.instruction.line
    yield Finding(ID, line, f"Debian {stage.suite} is archived: it gets no security updates; plan the move to a current release")
    if not _family_runs_apt(ctx, stage):
        return
    instruction = stage.instruction
    text = ctx.text
    newline = "\r\n" if text[: instruction.stop].endswith("\r\n") else "\n"
    at = instruction.stop
    lead = "" if text[:at].endswith("\n") else newline
    run = f"RUN echo 'deb {ARCHIVE} {stage.suite} main' > /etc/apt/sources.list"
    yield Edit(at, at, f"{lead}{run}{newline if lead == '' else ''}", ID)
    yield Finding(ID, line, f"added a RUN after line {line} that points apt at archive.debian.org "
                            f"(deb.debian.org no longer serves {stage.suite})", Severity.INFO)


def _family_runs_apt(ctx: RuleContext, root: Stage) -> bool:
    """Whether the stage, or any stage built on it, runs apt (or apk, which becomes apt-get)."""
    return any(_runs_apt(ctx, stage) for stage in ctx.stages if any(s is root for s in stage.lineage()))



def _runs_apt(ctx: RuleContext, stage: Stage) -> bool:
    for instruction in stage.instructions:
        script = ctx.script(instruction)
        if script is not None and any(command.name in _APT_USERS for command in script.commands):
            return True
    return False
