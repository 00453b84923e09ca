"""--verify: checks that a migrated Dockerfile would build, without Docker.

UA901 the file parses; UA902 every shell-form RUN passes `bash -n`; UA903
every FROM names a tag that was published; UA904 every `apt-get install`
resolves on its stage's Debian suite (dependencies, virtual names,
conflicts), counted from what the base image already has. The installs that
resolve are measured: packages pulled in and their Installed-Size, the size
report. UA905 every program a RUN, CMD, ENTRYPOINT or HEALTHCHECK runs is in
the image at that point. Verification is a plain function of the text; the
CLI prints it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

from migrator.document import Document, Instruction, parse
from migrator.errors import InputError
from migrator.images import ImageRef, expand, image_table
from migrator.shell import ShellScript, script_of
from migrator.stages import global_args

# The suites whose full package index the resolver can download.
RESOLVABLE = ("bullseye", "bookworm", "trixie")
_DEBIAN_TAG = re.compile(r"^(?P<release>[a-z]+|\d+(?:\.\d+)?)(?:-\d{8})?(?:-slim)?$")
# apt-get options that take a value as the next word
_OPTION_ARGS = {"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file"}


@dataclass(frozen=True)
class Problem:
    line: int
    check: str  # UA901..UA904
    message: str
    package: str = ""


@dataclass
class Install:
    """What one RUN's apt-get installs add to its stage."""

    line: int
    stage: str
    suite: str
    requested: list[str]
    packages: list[tuple[str, str, int]]  # name, version, Installed-Size (KiB)

    @property
    def size_kib(self) -> int:
        return sum(size for _, _, size in self.packages)


@dataclass
class Saving:
    """What the build packages the wheel check removed would have installed
    in a stage, on top of everything the stage still installs."""

    line: int  # the stage's FROM
    suite: str
    removed: list[str]  # Debian names
    packages: list[tuple[str, str, int]]

    @property
    def size_kib(self) -> int:
        return sum(size for _, _, size in self.packages)


@dataclass
class Verification:
    problems: list[Problem] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    savings: list[Saving] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # things not checked, and why

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Stage:
    name: str
    image: str  # as expanded
    suite: str | None
    base: str  # "python", "debian" or "" (not a base the resolver knows)
    system: object = None  # depsolver.System once an install needs it
    line: int = 0  # its FROM
    parent: "_Stage | None" = None  # the stage it is built FROM
    # What its apt-get installs put in, in file order: (file offset of the
    # install, the packages it adds: resolved, or the names alone offline)
    added: list = field(default_factory=list)


def verify(text: str, path: str = "", removed: dict[int, list[str]] | None = None) -> Verification:
    """Check `text`. `removed` maps a stage's FROM line to the Debian build
    packages the wheel check took out of it, to measure what that saves."""
    result = Verification()
    try:
        document = parse(text)
    except InputError as error:
        result.problems.append(Problem(error.line, "UA901", f"does not parse: {error.message}"))
        return result
    _check_shell(document, text, result)
    stages = _check_images(document, result)
    _check_installs(document, text, stages, result)
    _check_programs(document, text, stages, result)
    if removed:
        _measure_savings(stages, removed, result)
    result.problems.sort(key=lambda problem: (problem.line, problem.check))
    return result


# -- UA902 -----------------------------------------------------------------------


def _check_shell(document: Document, text: str, result: Verification) -> None:
    bash = shutil.which("bash")
    for instruction in document.instructions:
        script = script_of(instruction, text) if instruction.command == "RUN" else None
        if script is None:
            continue
        if bash is None:
            result.notes.append((instruction.line, "bash is not installed here: RUN syntax not checked"))
            return
        process = subprocess.run([bash, "-n"], input=script.text, capture_output=True, text=True, timeout=30)
        if process.returncode != 0:
            message = process.stderr.strip().splitlines()[0] if process.stderr.strip() else "syntax error"
            message = re.sub(r"^\S*bash: (?:line \d+: )?", "", message)
            result.problems.append(Problem(instruction.line, "UA902", f"bash -n: {message}"))


# -- UA903 -----------------------------------------------------------------------


def _from_image(instruction: Instruction) -> tuple[str, str | None]:
    words = instruction.args.split()
    words = [word for word in words if not word.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
    return image, name


def _check_images(document: Document, result: Verification) -> dict[int, _Stage]:
    """Check each FROM; return the stage of each instruction's line."""
    variables = {name: arg.value for name, arg in global_args(document).items()}
    table = image_table()
    by_name: dict[str, _Stage] = {}
    stage_of: dict[int, _Stage] = {}
    current: _Stage | None = None
    index = 0
    for instruction in document.instructions:
        if instruction.keyword == "FROM":
            raw, name = _from_image(instruction)
            image = expand(raw, variables)
            label = name or str(index)
            index += 1
            parent = by_name.get(image.lower())
            if parent is not None:
                current = _Stage(label, parent.image, parent.suite, parent.base, parent)
                current.parent = parent
            else:
                current = _Stage(label, image, *_image_suite(image, instruction.line, table, result))
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


# -- UA904 -----------------------------------------------------------------------


def apt_installs(script: ShellScript) -> list[tuple[list[tuple[int, str | None]], bool]]:
    """The `apt-get install` / `apt install` commands of a script: their
    package words (source offset, literal value or None when it expands
    something) and whether --no-install-recommends is given."""
    found = []
    for command in script.commands:
        if command.name not in ("apt-get", "apt"):
            continue
        words = list(command.words[1:])
        names: list[tuple[int, str | None]] = []
        action = None
        recommends = True
        skip_next = False
        for word in words:
            value = word.value
            if skip_next:
                skip_next = False
                continue
            if value is not None and value.startswith("-"):
                option = value.split("=", 1)[0]
                if option in _OPTION_ARGS and "=" not in value:
                    skip_next = True
                if value in ("--no-install-recommends", "-oAPT::Install-Recommends=false"):
                    recommends = False
                continue
            if action is None:
                action = value
                continue
            if action == "install":
                names.append((word.start, value))
        if action == "install":
            found.append((names, not recommends))
    return found


def _system(stage: _Stage):
    from migrator.debian import depsolver, packages_index

    if isinstance(stage.system, _Stage):  # FROM an earlier stage: start from its packages
        stage.system = _system(stage.system).copy()
    elif stage.system is None:
        index = packages_index.load_suite(stage.suite)
        stage.system = depsolver.python_slim(index) if stage.base == "python" else depsolver.minbase(index)
    return stage.system


def _check_installs(document: Document, text: str, stage_of: dict[int, _Stage], result: Verification) -> None:
    from migrator.debian.packages_index import IndexUnavailable

    offline: dict[str, str] = {}
    for instruction in document.instructions:
        stage = stage_of.get(instruction.line)
        script = script_of(instruction, text) if instruction.command == "RUN" else None
        if stage is None or script is None:
            continue
        installs = apt_installs(script)
        if not installs:
            continue
        if stage.suite not in RESOLVABLE:
            result.notes.append((instruction.line, f"apt-get install on {stage.image}: its Debian suite is not known; not checked"))
            continue
        requested: list[str] = []
        packages: list[tuple[str, str, int]] = []
        failed = False
        for names, no_recommends in installs:
            if not no_recommends:
                result.notes.append((instruction.line, "apt-get install without --no-install-recommends also installs "
                                     "Recommends; they are not resolved or counted here"))
            literal = [(offset, value) for offset, value in names if value is not None and not value.startswith(("/", "./"))]
            for offset, value in names:
                if value is None:
                    line = document.line_of(script.file_span(offset, offset + 1)[0])
                    result.notes.append((line, "a package word that expands a variable; not checked"))
            if not literal:
                continue
            try:
                system = _system(stage) if stage.suite not in offline else None
            except IndexUnavailable as error:
                offline[stage.suite] = str(error)
                system = None
            at = script.file_span(min(offset for offset, _ in names), min(offset for offset, _ in names) + 1)[0]
            if system is None:
                _check_names_offline(document, script, stage.suite, literal, offline[stage.suite], result)
                stage.added.append((at, {value.partition("=")[0] for _, value in literal}))
                continue
            resolution = system.resolve([value for _, value in literal])
            lines = {value.partition("=")[0]: document.line_of(script.file_span(offset, offset + 1)[0]) for offset, value in literal}
            for problem in resolution.problems:
                line = lines.get(problem.name, instruction.line)
                result.problems.append(Problem(line, "UA904", problem.message, problem.name))
            if resolution.problems:
                failed = True  # apt-get would install nothing: no size to report
                continue
            system.installed.update((package.name, package) for package in resolution.new)
            stage.added.append((at, {value.partition("=")[0] for _, value in literal} | resolution.names))
            requested += [value for _, value in literal]
            packages += [(p.name, p.version, p.installed_size) for p in resolution.new]
        if requested and not failed:
            result.installs.append(Install(instruction.line, stage.name, stage.suite, requested, packages))


# -- UA905 -----------------------------------------------------------------------

# Programs that install other programs: where a stage (or one it is built on)
# runs one, or copies files in from elsewhere, a program may come from there.
_INSTALLERS = {"pip", "pip3", "pipx", "uv", "poetry", "pipenv", "conda", "mamba", "micromamba", "npm", "yarn", "pnpm",
               "gem", "bundle", "cargo", "go", "composer", "easy_install"}


def _check_programs(document: Document, text: str, stage_of: dict[int, _Stage], result: Verification) -> None:
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
        if stage.suite in RESOLVABLE and stage.base and _image_programs_known(stage):
            index = CommandIndex.load(stage.suite)
            for use in found:
                program = "busybox" if use.busybox is not None else use.program  # `busybox httpd` runs busybox
                if (program in mentioned[key] or python_image_program(program) and stage.base == "python"
                        or program not in index or program in index.pip_or_npm):
                    continue
                if open_ended[key] and program not in busybox_applets():
                    continue
                have = image_programs(stage.suite, stage.base)
                if program in have or program in _installed_programs(stage, use.offset, index):
                    continue
                package = index.packages(program)[0]
                result.problems.append(Problem(document.line_of(use.offset), "UA905",
                                               f"not in {stage.image}; package {package} has it", program))
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


def _image_programs_known(stage: _Stage) -> bool:
    """Whether unalpine lists the programs of the stage's image: debian's
    slim images and the official python ones."""
    root = stage
    while root.parent is not None:
        root = root.parent
    ref = ImageRef.parse(root.image)
    return ref.is_official("debian") or ref.is_official("python")


def _installed_programs(stage: _Stage, offset: int, index) -> set[str]:
    """The programs of what the stage (and those it is built on) installed
    before file offset `offset`."""
    packages: set[str] = set()
    current: _Stage | None = stage
    while current is not None:
        packages.update(name for at, names in current.added if current is not stage or at < offset for name in names)
        current = current.parent
    return index.programs(packages)


def _measure_savings(stage_of: dict[int, _Stage], removed: dict[int, list[str]], result: Verification) -> None:
    from migrator.debian.packages_index import IndexUnavailable

    for line, names in sorted(removed.items()):
        stage = stage_of.get(line)
        if stage is None or stage.line != line or stage.suite not in RESOLVABLE or not names:
            continue
        try:
            system = _system(stage).copy()
        except IndexUnavailable:
            return  # already said: dependencies are not resolved offline
        resolution = system.resolve(names)
        if resolution.ok:
            packages = [(p.name, p.version, p.installed_size) for p in resolution.new]
            result.savings.append(Saving(line, stage.suite, list(names), packages))


def describe_saving(saving: Saving) -> str:
    from migrator.debian.depsolver import human_size

    count = len(saving.packages)
    return (f"the wheel check saves {count} package{'s' if count != 1 else ''}, {human_size(saving.size_kib)} "
            f"on {saving.suite}: {', '.join(saving.removed)} and what only they need are no longer installed")


def _check_names_offline(document, script, suite, literal, reason, result) -> None:
    """Without the full index: the shipped name lists say whether each name
    exists (dependencies are not resolved)."""
    from migrator.debian.name_index import DebianIndex

    names = DebianIndex.load(suite)
    for offset, value in literal:
        name = value.partition("=")[0]
        line = document.line_of(script.file_span(offset, offset + 1)[0])
        if name not in names:
            result.problems.append(Problem(line, "UA904", f"{name} is not a package of {suite}", name))
    note = f"dependencies not resolved ({reason}); names checked against the shipped {suite} list"
    if not any(note == text for _, text in result.notes):
        result.notes.append((0, note))


def describe(install: Install) -> str:
    """"this RUN installs 14 packages, 212 MB (gcc, libc6-dev and 12 dependencies)"."""
    from migrator.debian.depsolver import human_size

    count = len(install.packages)
    if not count:
        return f"this RUN installs nothing new on {install.suite} (already in the image)"
    named = [name for name, _, _ in install.packages if name in {r.partition("=")[0] for r in install.requested}]
    extra = count - len(named)
    what = ", ".join(named) + (f" and {extra} dependenc{'y' if extra == 1 else 'ies'}" if extra else "")
    return (f"this RUN installs {count} package{'s' if count != 1 else ''}, {human_size(install.size_kib)} "
            f"on {install.suite}: {what}")


def report_lines(path: str, verification: Verification) -> tuple[list[str], list[str], list[str]]:
    """(errors, warnings, info) lines for stderr: `PATH:LINE: UA904 error: pkg: message`."""
    errors = [
        f"{path}:{problem.line}: {problem.check} error: " + (f"{problem.package}: " if problem.package else "") + problem.message
        for problem in verification.problems
    ]
    warnings = [f"{path}:{line}: verify warning: {text}" if line else f"{path}: verify warning: {text}"
                for line, text in verification.notes if not line]
    info = [f"{path}:{line}: verify: {text}" for line, text in verification.notes if line]
    info += [f"{path}:{install.line}: UA904 {describe(install)}" for install in verification.installs]
    info += [f"{path}:{saving.line}: UA904 {describe_saving(saving)}" for saving in verification.savings]
    return errors, warnings, info


def _packages_json(packages: list[tuple[str, str, int]]) -> list[dict]:
    return [{"name": n, "version": v, "installed_size_kib": s} for n, v, s in packages]


def as_json(verification: Verification) -> dict:
    return {
        "ok": verification.ok,
        "problems": [
            {"line": p.line, "check": p.check, "package": p.package or None, "message": p.message}
            for p in verification.problems
        ],
        "installs": [
            {
                "line": install.line,
                "stage": install.stage,
                "suite": install.suite,
                "requested": install.requested,
                "packages": _packages_json(install.packages),
                "installed_size_kib": install.size_kib,
                "summary": describe(install),
            }
            for install in verification.installs
        ],
        "savings": [
            {
                "line": saving.line,
                "suite": saving.suite,
                "removed": saving.removed,
                "packages": _packages_json(saving.packages),
                "installed_size_kib": saving.size_kib,
                "summary": describe_saving(saving),
            }
            for saving in verification.savings
        ],
        "not_checked": [{"line": line or None, "message": text} for line, text in verification.notes],
    }


def install_lines(text: str) -> list[tuple[int, str | None, list[str]]]:
    """Every `apt-get install` of a file: (line, the stage's suite or None,
    the literal package words). For tests and tools that replay them."""
    document = parse(text)
    stage_of = _check_images(document, Verification())
    found = []
    for instruction in document.instructions:
        stage = stage_of.get(instruction.line)
        script = script_of(instruction, text) if instruction.command == "RUN" else None
        if stage is None or script is None:
            continue
        for names, _ in apt_installs(script):
            words = [value for _, value in names if value is not None and not value.startswith(("/", "./"))]
            if words:
                found.append((instruction.line, stage.suite, words))
    return found


def removed_by_wheels(wheels: dict | None, table) -> dict[int, list[str]]:
    """From UA601's report: each stage's FROM line → the Debian names of the
    apk build packages the wheel check removed there."""
    removed: dict[int, list[str]] = {}
    for stage in (wheels or {}).get("stages", ()):
        names: list[str] = []
        for apk in stage.get("removed", ()):
            mapping = table.lookup(apk, stage["suite"], "python")
            if mapping.kind == "map":
                names += [name for name in mapping.names if name not in names]
        if names:
            removed[stage["line"]] = names
    return removed
