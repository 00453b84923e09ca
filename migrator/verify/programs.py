"""UA905: every program a RUN, CMD, ENTRYPOINT or HEALTHCHECK runs is in
the image at that point."""

from __future__ import annotations

from migrator.document import Document
from migrator.images import ImageRef
from migrator.shell import script_of
from migrator.verify.records import Problem, Verification, VerifyStage
from migrator.verify.tags import RESOLVABLE

# Programs that install other programs: where a stage (or one it is built on)
# runs one, or copies files in from elsewhere, a program may come from there.
_INSTALLERS = {"pip", "pip3", "pipx", "uv", "poetry", "pipenv", "conda", "mamba", "micromamba", "npm", "yarn", "pnpm",
               "gem", "bundle", "cargo", "go", "composer", "easy_install"}


def check_programs(document: Document, text: str, stage_of: dict[int, VerifyStage], result: Verification) -> None:
    """UA905: every program a RUN, CMD, ENTRYPOINT or HEALTHCHECK runs is in
    the image at that point: a builtin or a function of the script (not a
    program, migrator.programs), the base image's own programs
    (migrator.debian.commands: minbase; python's also ca-certificates' and
    /usr/local/bin), or a program of what the stage's apt installs put in
    before it (their resolved dependencies too). Not checked: a program no
    Debian package ships (the project's own, a downloaded binary), one that
    pip or npm can install too, one a stage that runs a language package
    manager or copies files in could have brought (busybox's applets are
    checked there all the same: no pip project gives them), one whose name a
    path of an earlier instruction ends in, and stages on images whose own
    programs unalpine does not list (official images other than debian and
    python, unknown tags)."""
    from migrator.debian.commands import CommandIndex, busybox_applets, image_programs, python_image_program
    from migrator.programs import uses

    mentioned: dict[int, set[str]] = {}  # id(stage) -> names paths end in, so far
    open_ended: dict[int, bool] = {}  # id(stage) -> a package manager ran, or files came in

    def check(stage: VerifyStage, found, before: int | None) -> None:
        """The programs of `found` are in the image at offset `before` (None: the stage's end)."""
        if not (stage.suite in RESOLVABLE and stage.base and _image_programs_known(stage)):
            return
        key = id(stage)
        index = CommandIndex.load(stage.suite)
        for use in found:
            program = "busybox" if use.busybox is not None else use.program  # `busybox httpd` runs busybox
            if (program in mentioned[key] or python_image_program(program) and stage.base == "python"
                    or program not in index or program in index.pip_or_npm):
                continue
            if open_ended[key] and program not in busybox_applets():
                continue
            have = image_programs(stage.suite, stage.base)
            if program in have or program in _installed_programs(stage, len(text) if before is None else before, index):
                continue
            package = index.packages(program)[0]
            result.problems.append(Problem(document.line_of(use.offset), "UA905",
                                           f"not in {stage.image}; package {package} has it", program))

    # CMD, ENTRYPOINT and HEALTHCHECK run in the finished image: an ENTRYPOINT
    # written before the RUN that installs its program is fine.
    finished: list[tuple[VerifyStage, list]] = []
    for instruction in document.instructions:
        stage = stage_of.get(instruction.line)
        if stage is None or instruction.keyword == "FROM":
            continue
        key = id(stage)
        if key not in mentioned:
            parent = stage.parent
            mentioned[key] = set(mentioned.get(id(parent), ())) if parent is not None else set()
            open_ended[key] = open_ended.get(id(parent), False) if parent is not None else False
        script = script_of(instruction, text) if instruction.command == "RUN" else None
        found = uses(instruction, text, script)
        if instruction.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            finished.append((stage, found))
        else:
            for use in found:
                check(stage, [use], use.offset)
        if instruction.keyword in ("COPY", "ADD") and (instruction.flag("from") is not None or instruction.keyword == "ADD"):
            open_ended[key] = True
        if any(use.program in _INSTALLERS for use in found):
            open_ended[key] = True
        if any(use.program.startswith("python") for use in found) and " -m pip" in instruction.logical.text:
            open_ended[key] = True
        if instruction.keyword in ("RUN", "COPY", "ADD"):
            mentioned[key].update(word.rstrip("/").rsplit("/", 1)[-1] for word in instruction.args.split() if "/" in word)
            if instruction.keyword in ("COPY", "ADD"):
                mentioned[key].update(word for word in instruction.args.split() if not word.startswith("-"))
    for stage, found in finished:
        check(stage, found, None)


def _image_programs_known(stage: VerifyStage) -> bool:
    """Whether unalpine lists the programs of the stage's image: debian's
    slim images and the official python ones."""
    root = stage
    while root.parent is not None:
        root = root.parent
    ref = ImageRef.parse(root.image)
    return ref.is_official("debian") or ref.is_official("python")


def _installed_programs(stage: VerifyStage, offset: int, index) -> set[str]:
    """The programs of what the stage (and those it is built on) installed
    before file offset `offset`."""
    packages: set[str] = set()
    current: VerifyStage | None = stage
    while current is not None:
        packages.update(name for at, names in current.added if current is not stage or at < offset for name in names)
        current = current.parent
    return index.programs(packages)
