"""Which Python requirements a Dockerfile installs, read from the file itself
and from the build context.

Sources: the arguments of `pip install` (pip, pip3, `python -m pip`,
`uv pip install`, `pip wheel`) in RUN lines; the requirement and constraint
files they name (`-r`, `-c`, followed recursively); the project files that
`pip install .` installs (pyproject.toml, setup.cfg, setup.py read with libcst,
never executed); lock files that `poetry install`, `uv sync` and `pipenv`
install from. COPY/ADD (and bind mounts) tell which context file sits at the
path a RUN names. Whatever cannot be read statically is reported as
`Unreadable` with the reason, never guessed.
"""

from __future__ import annotations

import os
import posixpath
from functools import lru_cache
from stat import S_ISLNK

from migrator import inputs
from migrator.assignments import assignments
from migrator.document import Document, Instruction
from migrator.pip_commands import pip_subcommand
from migrator.records import Frozen, Record
from migrator.shell import Command, script_of
from migrator.wheels.requirement_text import (
    canonical_name, logical_lines, lock_entries, no_binary_names, parse_constraint, read_requirement, remembered,
)

# How pip reads a requirement string or file: migrator.wheels.requirement_text.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.datacache import Memo


class Requirement(Frozen):
    """name: canonical project name; specifier: "" for any version, e.g.
    "==3.4.7", ">=2,<3"; marker: "" or the PEP 508 marker text; text: as
    written; source: where it was read ("Dockerfile:5", "requirements.txt:3",
    "poetry.lock"); line: of the RUN in the Dockerfile that installs it;
    stage: index of the build stage; parent: for a dependency, "cryptography
    3.4.7", whose metadata asks for it."""

    __slots__ = ()

    def __new__(cls, name, specifier, marker, text, source, line, stage, extras=(), parent="") -> Requirement:
        return tuple.__new__(cls, (name, specifier, marker, text, source, line, stage, extras, parent))


class Unreadable(Frozen):
    """what: the word or file as written; why it cannot be read."""

    __slots__ = ()

    def __new__(cls, what, why, line, stage) -> Unreadable:
        return tuple.__new__(cls, (what, why, line, stage))


class LocalProject(Frozen):
    """A project built from the context (`pip install .`): it is built from
    source itself, so a compiler stays if it has extension modules. path:
    context-relative folder; compiled: why it needs a compiler ("" when it
    is pure Python as far as can be seen)."""

    __slots__ = ()

    def __new__(cls, path, compiled, line, stage) -> LocalProject:
        return tuple.__new__(cls, (path, compiled, line, stage))


class Found(Record):
    __slots__ = ("requirements", "unreadable", "projects", "constraints", "index_url", "extra_index_urls", "installs",
                 "no_binary", "scripts")

    def __init__(self) -> None:
        self.requirements: list[Requirement] = []
        self.unreadable: list[Unreadable] = []
        self.projects: list[LocalProject] = []
        self.constraints: dict[str, str] = {}  # name -> specifier (-c files)
        self.index_url: str | None = None  # --index-url / -i from the file's pip lines or requirement files
        self.extra_index_urls: list[str] = []
        self.installs = 0  # pip-like install commands seen
        self.no_binary: set[str] = set()  # --no-binary: canonical names, or ":all:"
        # Each RUN's parsed shell (by its offset), handed to the rules' context
        # so that a file's RUN lines are parsed once, not once here and again there.
        self.scripts: dict = {}

    def add_index(self, primary: str | None = None, extra: str | None = None) -> None:
        if primary and self.index_url is None:
            self.index_url = primary
        if extra and extra not in self.extra_index_urls:
            self.extra_index_urls.append(extra)


# pip install options that take a value (the next word unless written --opt=value).
_VALUE_OPTIONS = {
    "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--platform", "--python-version",
    "--implementation", "--abi", "--trusted-host", "--src", "--upgrade-strategy", "--progress-bar",
    "--cache-dir", "--log", "--timeout", "--retries", "--proxy", "--cert", "--client-cert",
    "--exists-action", "--global-option", "--config-settings", "-C", "--no-binary", "--only-binary",
    "-e", "--editable", "--root-user-action", "--report", "-w", "--wheel-dir", "--python", "-p",
    "--index-strategy", "--resolution", "--prerelease", "--keyring-provider", "--build-option",
    "--install-option", "--extra", "--python-platform",
}
# Commands that build native code for something other than pip: their
# compilers are not pip's to remove.
OTHER_BUILDS = {"make", "cmake", "gcc", "cc", "g++", "c++", "clang", "cargo", "rustc", "./configure",
                "configure", "meson", "ninja", "go", "npm", "yarn", "pnpm", "gem", "bundle", "cpanm"}


class _Stage:
    __slots__ = ("index", "workdir", "files")

    def __init__(self, index: int):
        self.index = index
        self.workdir = "/"
        self.files: dict[str, str] = {}  # image path -> context path (file or folder)


class _Context:
    """The build context on disk, and which of its paths each stage copied where."""

    def __init__(self, folder: str | os.PathLike, memo: Memo | None = None):
        self.folder = os.fspath(folder)
        self.memo = memo  # requirement strings read in earlier runs
        self._real_folder: str | None = None  # os.path.realpath(folder), once per file

    def local(self, stage: _Stage, image_path: str) -> str | None:
        """The context path of `image_path` in `stage`, from COPY/ADD/bind mounts."""
        image_path = posixpath.normpath(image_path)
        best = None
        for target, source in stage.files.items():
            if image_path == target:
                return source
            if image_path.startswith(target.rstrip("/") + "/") and (best is None or len(target) > len(best[0])):
                best = (target, posixpath.normpath(posixpath.join(source, image_path[len(target.rstrip("/")) + 1 :])))
        return best[1] if best else None

    def read(self, relative: str) -> str | None:
        text = self._read(relative)
        if inputs.recording():  # a kept result holds while this reads the same
            inputs.note("read", relative, None if text is None else inputs.digest(text))
        return text

    def _read(self, relative: str) -> str | None:
        joined = os.path.join(self.folder, relative)
        path = None
        if ".." not in relative:
            # Nothing there: realpath (an lstat per component of the folder,
            # twice) would end at a missing file too. Without a `..`, a
            # missing component or a dangling link cannot lead elsewhere.
            try:
                info = os.lstat(joined)
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError:
                info = None
            # A file right in the folder that is no link (requirements.txt,
            # nearly always): its real path is the folder's, joined.
            if info is not None and "/" not in relative and relative not in ("", ".") and not S_ISLNK(info.st_mode):
                path = os.path.join(self._real(), relative)
        if path is None:
            path = os.path.realpath(joined)
        base = self._real()
        if path != base and not path.startswith(base.rstrip(os.sep) + os.sep):
            return None  # outside the context: Docker would not send it either
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError):
            return None

    def _real(self) -> str:
        """os.path.realpath(folder), once per file."""
        if self._real_folder is None:
            self._real_folder = os.path.realpath(self.folder)
        return self._real_folder

    def is_dir(self, relative: str) -> bool:
        found = self._is_dir(relative)
        inputs.note("dir", relative, found)
        return found

    def _is_dir(self, relative: str) -> bool:
        return os.path.isdir(os.path.join(self.folder, relative))


def _project_seen(folder: str, local: str, memo: Memo | None):
    """What projects.read makes of the local project `local`, as plain data."""
    from pathlib import Path  # only for a local project (rare): pathlib costs ~3 ms to import

    from migrator.wheels import projects

    try:
        read = projects.read(Path(folder, local), memo)
    except projects.Unreadable as error:
        return ("unreadable", error.file, error.why)
    return ("read", tuple(read.requirements), read.compiled)


def observe(kind: str, folder: str, argument: str, memo: Memo | None = None):
    """What the read `kind` of the build context at `folder` finds now, as
    inputs.note recorded it when a result was worked out (migrator.results
    compares the two before using a kept result again)."""
    ctx = _Context(folder, memo)
    if kind == "read":
        text = ctx._read(argument)
        return None if text is None else inputs.digest(text)
    if kind == "dir":
        return ctx._is_dir(argument)
    if kind == "project":
        return _project_seen(folder, argument, memo)
    raise ValueError(f"unknown kind of input {kind!r}")


# The instructions after a FROM that find() reads.
_READ = frozenset(("WORKDIR", "COPY", "ADD", "ENV", "RUN"))


def find(document: Document, context: str | os.PathLike, memo: Memo | None = None) -> Found:
    """Every requirement the RUN lines of `document` install."""
    found = Found()
    ctx = _Context(context, memo)
    stages: list[_Stage] = []
    names: dict[str, _Stage] = {}
    for instruction in document.instructions:
        # The keyword is what runs: an ONBUILD (whose trigger would be) is skipped below.
        keyword = instruction.keyword
        if keyword == "FROM":
            words = instruction.args.split()
            stage = _Stage(len(stages))
            parent = names.get(words[0].lower()) if words else None
            if parent is not None:  # FROM an earlier stage: its files and workdir too
                stage.workdir, stage.files = parent.workdir, dict(parent.files)
            if len(words) >= 3 and words[1].upper() == "AS":
                names[words[2].lower()] = stage
            stages.append(stage)
            continue
        if not stages or keyword not in _READ:  # LABEL, EXPOSE, CMD, ONBUILD, ...: nothing to read
            continue
        stage = stages[-1]
        if keyword == "WORKDIR" and instruction.args.strip():
            stage.workdir = posixpath.join(stage.workdir, instruction.args.strip().strip("\"'"))
        elif keyword in ("COPY", "ADD"):
            _copy(instruction, stage)
        elif keyword == "ENV":
            _env(instruction, found)
        elif keyword == "RUN":
            _run(instruction, document, stage, ctx, found)
    return found


def _env(instruction: Instruction, found: Found) -> None:
    """ENV PIP_INDEX_URL / PIP_EXTRA_INDEX_URL: pip in the image reads them."""
    for assigned in assignments(instruction):
        key, value = assigned.name, assigned.value
        if "$" in value:
            continue
        if key == "PIP_INDEX_URL":
            found.add_index(primary=value)
        elif key == "PIP_EXTRA_INDEX_URL":
            for url in value.split():
                found.add_index(extra=url)


def _copy(instruction: Instruction, stage: _Stage) -> None:
    if instruction.flag("from") is not None:
        return  # from another stage or image: not the context
    words = instruction.json_args or instruction.args.split()
    if len(words) < 2 or any("$" in word for word in words):
        return
    for target, source in _copied(stage.workdir, tuple(words)):
        stage.files[target] = source


@lru_cache(maxsize=4096)
def _copied(workdir: str, words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(image path, context path) of what `COPY <words>` puts where, in
    order, run in `workdir`. Once per process: a fleet's files copy the
    same few files to the same few folders, and posixpath is Python code."""
    *sources, dest = words
    dest_path = posixpath.join(workdir, dest)
    into_folder = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
    copied = []
    for source in sources:
        source = posixpath.normpath(source.lstrip("/")) if source not in (".", "./") else "."
        if source == "." or into_folder and "*" not in source:
            target = dest_path if source == "." else posixpath.join(dest_path, posixpath.basename(source))
        else:
            target = dest_path
        if "*" in source:  # COPY requirements*.txt ./ : each match lands by its name
            folder = posixpath.dirname(source) or "."
            copied.append((posixpath.normpath(dest_path) + "/*", folder))
            continue
        copied.append((posixpath.normpath(target), source))
    return tuple(copied)


def _run(instruction: Instruction, document: Document, stage: _Stage, ctx: _Context, found: Found) -> None:
    for flag in instruction.flags:
        if flag.name == "mount" and flag.value and "type=bind" in flag.value:
            parts = dict(part.split("=", 1) for part in flag.value.split(",") if "=" in part)
            if "from" not in parts and ("target" in parts or "dst" in parts or "destination" in parts):
                target = parts.get("target") or parts.get("dst") or parts.get("destination")
                stage.files[posixpath.normpath(posixpath.join(stage.workdir, target))] = parts.get("source", ".")
    script = found.scripts[instruction.start] = script_of(instruction, document.text)
    if script is None:
        return
    for command in script.commands:
        # Most commands are not pip, poetry, uv or pipenv: their first word
        # tells (every program the tests below accept names one of these).
        first = command.words[0].value if command.words else None
        if first is None or not ("pip" in first or "python" in first or "uv" in first or "poetry" in first):
            continue
        words = [word.value for word in command.words]
        args = _pip_install_args(words)
        if args is not None:
            found.installs += 1
            _pip_args(command, args, instruction, stage, ctx, found)
            continue
        if words[:2] in (["poetry", "install"], ["uv", "sync"]) or words[:1] == ["pipenv"] and words[1:2] in (["install"], ["sync"]):
            found.installs += 1
            lock = {"poetry": "poetry.lock", "uv": "uv.lock", "pipenv": "Pipfile.lock"}[words[0]]
            _lock_file(posixpath.join(stage.workdir, lock), instruction, stage, ctx, found)


def _pip_install_args(words: list[str | None]) -> list[str | None] | None:
    """The words after `install`/`wheel`/`download` of a pip-like command, else None."""
    index = pip_subcommand(words, ("install", "wheel", "download"))
    return None if index is None else words[index + 1 :]


def _pip_args(command: Command, args: list[str | None], instruction: Instruction, stage: _Stage,
              ctx: _Context, found: Found) -> None:
    line = instruction.line
    where = f"Dockerfile:{line}"
    if "--no-index" in args:
        return  # installs from local wheels (built elsewhere): nothing for the index to say
    index = 0
    while index < len(args):
        word = args[index]
        if word is None:
            written = command.words[len(command.words) - len(args) + index].text
            found.unreadable.append(Unreadable(written, "expands a variable", line, stage.index))
            index += 1
            continue
        option, value = word, None
        if word.startswith("--") and "=" in word:
            option, value = word.split("=", 1)
        elif word.startswith("-") and option not in _VALUE_OPTIONS and option[:2] in ("-r", "-c", "-i", "-e"):
            option, value = word[:2], word[2:]
        elif word.startswith("-") and option in _VALUE_OPTIONS:
            value = args[index + 1] if index + 1 < len(args) else None
            index += 1
        if option.startswith("-"):
            if value is None and option in _FILE_OPTIONS:
                found.unreadable.append(Unreadable(word, "names a file through a variable", line, stage.index))
            else:
                _pip_option(option, value, stage.workdir, False, where, instruction, stage, ctx, found, set())
            index += 1
            continue
        _requirement(word, where, instruction, stage, ctx, found)
        index += 1


def _requirement(text: str, where: str, instruction: Instruction, stage: _Stage, ctx: _Context, found: Found,
                 relative_to: str | None = None) -> None:
    line = instruction.line
    text = text.strip()
    if text.startswith((".", "/")) and text.endswith(".whl"):
        return  # a wheel built earlier (often in another stage): nothing to compile here
    if text.startswith((".", "/")) or text == "." or text.startswith("file:"):
        path = text.removeprefix("file:").split("[", 1)[0].split("#", 1)[0]
        base = relative_to or stage.workdir
        _local_project(posixpath.join(base, path), text, instruction, stage, ctx, found)
        return
    parsed = remembered(ctx.memo, "requirement", read_requirement, text)
    if isinstance(parsed, str):
        found.unreadable.append(Unreadable(text, parsed, line, stage.index))
        return
    name, specifier, marker, extras = parsed
    found.requirements.append(Requirement(name, specifier, marker, text, where, line, stage.index, extras))


def _requirement_file(image_path: str, constraints: bool, instruction: Instruction, stage: _Stage,
                      ctx: _Context, found: Found, seen: set[str]) -> None:
    line = instruction.line
    local = ctx.local(stage, image_path)
    if local is None:
        found.unreadable.append(Unreadable(image_path, "no COPY or ADD puts this file into the image before it is used", line, stage.index))
        return
    if local in seen:
        return
    seen.add(local)
    text = ctx.read(local)
    if text is None:
        found.unreadable.append(Unreadable(local, "not found in the build context", line, stage.index))
        return
    folder = posixpath.dirname(image_path)
    for number, entry in logical_lines(text):
        where = f"{local}:{number}"
        words = entry.split()
        option = words[0]
        value = " ".join(words[1:]) or None
        if option.startswith("--") and "=" in option:
            option, value = option.split("=", 1)
        elif option[:2] in ("-r", "-c", "-i", "-e", "-f") and len(option) > 2:
            option, value = option[:2], option[2:]
        if option.startswith("-"):
            _pip_option(option, value or None, folder, constraints, where, instruction, stage, ctx, found, seen)
        elif "$" in entry:
            found.unreadable.append(Unreadable(entry, f"{where}: expands a variable", line, stage.index))
        elif constraints:
            parsed = remembered(ctx.memo, "constraint", parse_constraint, entry)
            if parsed is None:
                continue
            name, specifier = parsed
            found.constraints[name] = ",".join(filter(None, [found.constraints.get(name, ""), specifier]))
        else:
            _requirement(entry, where, instruction, stage, ctx, found, folder)


# -r/-c and whether the file they name holds constraints.
_FILE_OPTIONS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}


def _pip_option(option: str, value: str | None, folder: str, constraints: bool, where: str,
                instruction: Instruction, stage: _Stage, ctx: _Context, found: Found, seen: set[str]) -> None:
    """One pip option, on a command line or in a requirement file: another file
    to read, an index, --no-binary or an editable requirement. Paths start at
    `folder`; `constraints`: the option sits in a constraints file. Other
    options (--pre, --find-links, ...) do not change which wheels exist."""
    if option in _FILE_OPTIONS:
        if value is not None:
            _requirement_file(posixpath.join(folder, value), constraints or _FILE_OPTIONS[option],
                              instruction, stage, ctx, found, seen)
    elif option in ("-i", "--index-url"):
        found.add_index(primary=value)
    elif option == "--extra-index-url":
        found.add_index(extra=value)
    elif option == "--no-binary" and value:
        found.no_binary.update(no_binary_names(value))
    elif option in ("-e", "--editable") and value is not None:
        _requirement(value, where, instruction, stage, ctx, found, folder)


def _local_project(image_path: str, text: str, instruction: Instruction, stage: _Stage, ctx: _Context, found: Found) -> None:
    line = instruction.line
    local = ctx.local(stage, image_path)
    if local is None:  # COPY pyproject.toml src/ ./ : the folder is known by the files in it
        for name in ("pyproject.toml", "setup.py", "setup.cfg"):
            copied = ctx.local(stage, posixpath.join(image_path, name))
            if copied is not None and posixpath.basename(copied) == name:
                local = posixpath.dirname(copied) or "."
                break
    if local is None or not ctx.is_dir(local):
        found.unreadable.append(Unreadable(text, "a local project that is not in the build context", line, stage.index))
        return
    seen = _project_seen(ctx.folder, local, ctx.memo)
    inputs.note("project", local, seen)
    if seen[0] == "unreadable":
        found.unreadable.append(Unreadable(f"{local}/{seen[1]}", seen[2], line, stage.index))
        return
    _, requirements, compiled = seen
    for requirement, source in requirements:
        _requirement(requirement, f"{posixpath.normpath(posixpath.join(local, source))}", instruction, stage, ctx, found)
    found.projects.append(LocalProject(local, compiled, line, stage.index))


def _lock_file(image_path: str, instruction: Instruction, stage: _Stage, ctx: _Context, found: Found) -> None:
    line = instruction.line
    local = ctx.local(stage, image_path)
    text = ctx.read(local) if local else None
    if text is None:
        found.unreadable.append(Unreadable(posixpath.basename(image_path), "the lock file is not copied from the build context", line, stage.index))
        return
    try:
        pinned = lock_entries(posixpath.basename(local), text)
    except (ValueError, KeyError, TypeError) as error:  # json's and tomllib's decode errors are ValueErrors
        found.unreadable.append(Unreadable(local, f"cannot read the lock file ({error})", line, stage.index))
        return
    for name, version, marker in pinned:
        found.requirements.append(Requirement(canonical_name(name), f"=={version}", marker, f"{name}=={version}",
                                              local, line, stage.index))
