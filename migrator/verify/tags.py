"""UA903: every FROM names a tag that was published; and the stage each
instruction is in, with its image's Debian suite, for the other checks."""

from __future__ import annotations

import re

from migrator.document import Document, Instruction
from migrator.images import ImageRef, expand, image_table
from migrator.stages import global_args
from migrator.verify.records import Problem, Verification, VerifyStage

# The suites whose full package index the resolver can download.
RESOLVABLE = ("bullseye", "bookworm", "trixie")
_DEBIAN_TAG = re.compile(r"^(?P<release>[a-z]+|\d+(?:\.\d+)?)(?:-\d{8})?(?:-slim)?$")


def _from_image(instruction: Instruction) -> tuple[str, str | None]:
    words = instruction.args.split()
    words = [word for word in words if not word.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
    return image, name


def check_images(document: Document, result: Verification) -> dict[int, VerifyStage]:
    """Check each FROM; return the stage of each instruction's line."""
    variables = {name: arg.value for name, arg in global_args(document).items()}
    table = image_table()
    by_name: dict[str, VerifyStage] = {}
    stage_of: dict[int, VerifyStage] = {}
    current: VerifyStage | None = None
    index = 0
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            raw, name = _from_image(instruction)
            image = expand(raw, variables)
            label = name or str(index)
            index += 1
            parent = by_name.get(image.lower())
            if parent is not None:
                current = VerifyStage(label, parent.image, parent.suite, parent.base, parent)
                current.parent = parent
            else:
                current = VerifyStage(label, image, *_image_suite(image, instruction.line, table, result))
            current.line = instruction.line
            stage_of[instruction.line] = current
            if name:
                by_name[name.lower()] = current
        elif current is not None:
            stage_of[instruction.line] = current
    return stage_of


def _image_suite(image: str, line: int, table, result: Verification) -> tuple[str | None, str]:
    """(suite, base kind) of an image, checking that its tag was published."""
    if "$" in image:
        result.notes.append((line, f"{image}: the tag depends on a build argument; not checked"))
        return None, ""
    if image.lower() == "scratch":
        return None, ""
    ref = ImageRef.parse(image)
    tag = ref.tag or "latest"
    if ref.is_official("debian"):
        match = _DEBIAN_TAG.match(tag)
        release = table.debian_tags.get(match.group("release").split(".")[0]) if match else None
        if release is None:
            result.problems.append(Problem(line, "UA903", f"{image}: debian has no tag {tag}"))
            return None, ""
        return release, "debian"
    spec = table.official(ref)
    if spec is None:
        result.notes.append((line, f"{image}: not an image unalpine knows the tags of; not checked"))
        return None, ""
    if ref.is_official("alpine") or tag.endswith("alpine") or "-alpine" in tag:
        return None, ""
    kind = "python" if spec.base == "python" else "debian"  # other images: a slim Debian plus their own files
    if spec.published(tag):
        return _codename(tag, table.debian_tags), kind
    for suite in reversed(RESOLVABLE):  # python:3.12-slim is the newest suite's image
        if spec.published(f"{tag}-{suite}"):
            return suite, kind
    for template in (spec.debian, spec.bare):
        shape = re.escape(template).replace(r"\{version\}", "(?P<version>.+?)")
        shape = shape.replace(r"\{suite\}", "(?P<suite>[a-z]+)").replace(r"\{suffix\}", "(?:-[a-z]+)?")
        match = re.fullmatch(shape, tag)
        if match and match.group("suite") in table.debian_tags:
            version = match.groupdict().get("version") or ""
            known = spec.suites(version)
            where = f"has tags for {', '.join(known)}" if known else "has no Debian tags"
            result.problems.append(Problem(
                line, "UA903", f"{image}: no such tag was published ({spec.name} {version or '(latest)'} {where})"
            ))
            return None, ""
    result.notes.append((line, f"{image}: a tag outside unalpine's table of {spec.name} tags; not checked"))
    return None, ""


def _codename(tag: str, debian_tags: dict[str, str]) -> str | None:
    for word in re.split(r"[-_.]", tag):
        if word.isalpha() and word in debian_tags:
            return debian_tags[word]
    return None
