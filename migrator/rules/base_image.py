"""UA101 base-image: python:*-alpine → python:*-slim-<suite>, alpine → debian.

Only the image word changes (or the ARG default that feeds it); `--platform`,
`AS name` and everything else on the line stay as written.
"""

from __future__ import annotations

from typing import Iterator

from migrator.context import RuleContext, Stage
from migrator.images import ImageRef, alpine_tag, minor_of, python_images
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import rule

ID = "UA101"


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
            if "alpine" in (ref.tag or "") or ref.name == "alpine":
                yield Finding(ID, line, f"{stage.image.expanded} is Alpine-based but not an official python or alpine image; left as is")
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
        if ImageRef.parse(word.expanded).digest:
            yield Finding(ID, line, f"the digest of {word.expanded} was dropped: re-pin {new} to a digest after the first build")
        if stage.kind == "python":
            images = python_images()
            warning = images.patch_warning(stage.python_version, ctx.suite)
            if warning:
                yield Finding(ID, line, warning)
            newest = (images.suites_for(minor_of(stage.python_version)) or (ctx.suite,))[-1]
            if not warning and newest != ctx.suite and minor_of(stage.python_version) != stage.python_version:
                yield Finding(ID, line, f"python {stage.python_version} images exist for {ctx.suite}, not {newest}; "
                                        f"pin {minor_of(stage.python_version)} to move to {newest}", Severity.INFO)


def _migrate(raw: str, stage: Stage, ctx: RuleContext) -> str:
    """The new image reference, keeping variables and prefixes as written."""
    ref = ImageRef.parse(raw)
    if stage.kind == "debian":
        return ImageRef(ref.prefix, "debian", f"{ctx.suite}-slim", None).render()
    match = alpine_tag(ref.tag)
    assert match is not None, "a python stage always has an alpine tag"
    version = match.group("version")
    tag = f"{version}-slim-{ctx.suite}" if version else f"slim-{ctx.suite}"
    return ImageRef(ref.prefix, ref.name, tag, None).render()
