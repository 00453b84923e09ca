"""UA904: every `apt-get install` resolves on its stage's Debian suite
(dependencies, virtual names, conflicts), counted from what the base image
already has; the installs that resolve are measured (packages pulled in,
their Installed-Size), and so is what the wheel check's removals save."""

from __future__ import annotations

from migrator.document import Document, parse
from migrator.shell import ShellScript, script_of
from migrator.verify.records import Install, Problem, Saving, Verification, VerifyStage
from migrator.verify.tags import RESOLVABLE, check_images

# apt-get options that take a value as the next word
_OPTION_ARGS = {"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file"}


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


def system_of(stage: VerifyStage):
    from migrator.debian import depsolver, packages_index

    if isinstance(stage.system, VerifyStage):  # FROM an earlier stage: start from its packages
        stage.system = system_of(stage.system).copy()
    elif stage.system is None:
        index = packages_index.load_suite(stage.suite)
        stage.system = depsolver.python_slim(index) if stage.base == "python" else depsolver.minbase(index)
    return stage.system


def check_installs(document: Document, text: str, stage_of: dict[int, VerifyStage], result: Verification) -> None:
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
                system = system_of(stage) if stage.suite not in offline else None
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


def measure_savings(stage_of: dict[int, VerifyStage], removed: dict[int, list[str]], result: Verification) -> None:
    from migrator.debian.packages_index import IndexUnavailable

    for line, names in sorted(removed.items()):
        stage = stage_of.get(line)
        if stage is None or stage.line != line or stage.suite not in RESOLVABLE or not names:
            continue
        try:
            system = system_of(stage).copy()
        except IndexUnavailable:
            return  # already said: dependencies are not resolved offline
        resolution = system.resolve(names)
        if resolution.ok:
            packages = [(p.name, p.version, p.installed_size) for p in resolution.new]
            result.savings.append(Saving(line, stage.suite, list(names), packages))


def install_lines(text: str) -> list[tuple[int, str | None, list[str]]]:
    """Every `apt-get install` of a file: (line, the stage's suite or None,
    the literal package words). For tests and tools that replay them."""
    document = parse(text)
    stage_of = check_images(document, Verification())
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
