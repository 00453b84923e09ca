"""Which programs a Dockerfile instruction runs.

RUN (shell form, heredocs, exec form), CMD, ENTRYPOINT and HEALTHCHECK each
run programs: the first word of every simple command of their shell, the
first element of their exec form, and what those hand on to (`sh -c
'...'`, `exec`, `env`, `nohup`, `timeout`, `xargs`, `gosu user`, `tini --`,
`busybox wget`). Shell builtins and keywords, and functions the script
defines, are not programs. Words that expand something are skipped: what
they run is not known.

Used by the busybox-applets rule (UA302) before a migration and by
--verify's program check after it, so that both read the same programs.
"""

from __future__ import annotations

from migrator.document import Instruction, json_array
from migrator.document_lines import LogicalLine
from migrator.records import Record
from migrator.shell import Command, ShellScript, Word, script_of

# bash's and dash's builtins and keywords (what runs without a program).
BUILTINS = frozenset("""
. : [ [[ ]] { } ! alias bg bind break builtin caller case cd command compgen complete compopt continue coproc
declare dirs disown do done echo elif else enable esac eval exec exit export false fc fg fi for function getopts
hash help history if in jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return
select set shift shopt source suspend test then time times trap true type typeset ulimit umask unalias unset
until wait while
""".split())
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
# Programs that run the program named by a later word: how many words (or
# which options with a value) come before it.
_WRAPPERS = {
    "exec": 0, "command": 0, "nohup": 0, "time": 0, "setsid": 0, "stdbuf": 0, "env": 0, "nice": 0,
    "timeout": 1, "xargs": 0, "sudo": 0, "gosu": 1, "su-exec": 1, "chpst": 0, "tini": 0, "tini-static": 0,
    "dumb-init": 0, "catatonit": 0, "busybox": 0,
}
# Options of a wrapper that take the next word as their value.
_WRAPPER_VALUES = {
    "nice": {"-n", "--adjustment"}, "timeout": {"-s", "--signal", "-k", "--kill-after"},
    "xargs": {"-n", "-L", "-P", "-I", "-d", "-s", "-E", "-a", "--max-args", "--max-procs", "--delimiter"},
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-U", "-r", "-t", "--user", "--group"},
    "stdbuf": {"-i", "-o", "-e"}, "env": {"-u", "--unset", "-C", "--chdir", "-S"}, "tini": {"-s", "-e", "-p"},
    "chpst": {"-u", "-U", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c", "-r", "-t"},
}


class Use(Record):
    """One program a command runs.

    `program` is the name looked up (a path's last part), `written` the word
    as written, `offset` its file offset (for exec form and `sh -c` strings:
    the instruction's command), `busybox` the file span of a `busybox` word
    it is run through (or None), `instruction` where it is."""

    __slots__ = ("program", "written", "offset", "busybox", "instruction", "exec_form")

    def __init__(self, program: str, written: str, offset: int, instruction: Instruction,
                 busybox: tuple[int, int] | None = None, exec_form: bool = False):
        self.program = program
        self.written = written
        self.offset = offset
        self.instruction = instruction
        self.busybox = busybox
        self.exec_form = exec_form


def uses(instruction: Instruction, text: str, script: ShellScript | None = None) -> list[Use]:
    """The programs `instruction` runs, in order. `script` is its parsed
    shell when the caller has it (a RUN's)."""
    command = instruction.command
    if command not in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK") or instruction.keyword == "ONBUILD":
        return []
    start = instruction.command_start
    if start is None:  # HEALTHCHECK NONE
        return []
    array = instruction.json_args if command != "HEALTHCHECK" else json_array(instruction.logical.text[start:])
    if array is not None:
        offset = instruction.file_span(start, start + 1)[0]
        return _exec_form(array, offset, instruction)
    if command == "RUN":
        script = script if script is not None else script_of(instruction, text)
    else:
        script = ShellScript(_shell_form(instruction, start))
    if script is None or script.has_errors:
        return []
    return _script_uses(script, instruction, None)


def _shell_form(instruction: Instruction, start: int) -> LogicalLine:
    """The logical text of a shell-form CMD/ENTRYPOINT/HEALTHCHECK from its
    command on, mapped to the file."""
    logical = instruction.logical
    out = LogicalLine()
    for logical_start, file_start, length in logical.pieces:
        piece_start = max(start, logical_start)
        piece_end = logical_start + length
        if piece_start < piece_end:
            out.add(file_start + piece_start - logical_start, logical.text[piece_start:piece_end])
    return out


def _exec_form(array: list[str], offset: int, instruction: Instruction) -> list[Use]:
    words = list(array)
    found: list[Use] = []
    busybox = None
    while words:
        name = _program(words[0])
        if not words[0] or name is None:
            return found
        if name in SHELLS and "-c" in words[1:]:
            found.append(Use(name, words[0], offset, instruction, exec_form=True))
            script_text = words[words.index("-c") + 1] if words.index("-c") + 1 < len(words) else ""
            inner = LogicalLine()
            inner.add(offset, script_text)
            script = ShellScript(inner)
            if not script.has_errors:
                found += [Use(u.program, u.written, offset, instruction) for u in _script_uses(script, instruction, None)]
            return found
        rest = _handed_on(name, words[1:])
        if name == "busybox" and rest is not None:
            busybox = (offset, offset)  # `busybox wget` runs wget: the use is wget's, through busybox
            words = rest
            continue
        if name not in BUILTINS:
            found.append(Use(name, words[0], offset, instruction, busybox, exec_form=True))
        busybox = None
        if rest is None:
            return found
        words = rest
    return found


def _script_uses(script: ShellScript, instruction: Instruction, _unused) -> list[Use]:
    functions = _functions(script)
    found: list[Use] = []
    for command in script.commands:
        found += _command_uses(script, command, instruction, functions)
    return found


def _command_uses(script: ShellScript, command: Command, instruction: Instruction, functions: set[str]) -> list[Use]:
    words = command.words  # a tuple: only ever sliced below, never changed
    found: list[Use] = []
    busybox: tuple[int, int] | None = None
    while words:
        word = words[0]
        name = _program(word.value) if word.value is not None else None
        if name is None or name in functions:
            return found
        if name in BUILTINS:
            rest = _handed_on(name, [w.value or "" for w in words[1:]]) if name in _WRAPPERS else None
            if rest is None:
                return found
            words = words[len(words) - len(rest):]
            continue
        offset = script.file_span(word.start, word.end)[0]
        if name in SHELLS and any(w.value == "-c" for w in words[1:]):
            found.append(Use(name, word.value, offset, instruction, busybox))
            index = [w.value for w in words].index("-c") + 1
            if index < len(words) and words[index].value is not None:
                found += _string_script(script, words[index], instruction)
            return found
        # (most programs hand on to nothing: no word list made for them)
        rest = _handed_on(name, [w.value or "" for w in words[1:]]) if name in _WRAPPERS else None
        if name == "busybox" and rest is not None:
            busybox = (offset, script.file_span(words[1].start, words[1].end)[0])
            words = words[1:]
            continue
        found.append(Use(name, word.value, offset, instruction, busybox))
        busybox = None
        if rest is None:
            return found
        words = words[len(words) - len(rest):]
    return found


def _string_script(script: ShellScript, word: Word, instruction: Instruction) -> list[Use]:
    """The programs of the script in `sh -c 'script'`, located at the word."""
    offset = script.file_span(word.start, word.end)[0]
    inner = LogicalLine()
    inner.add(offset, word.value or "")
    parsed = ShellScript(inner)
    if parsed.has_errors:
        return []
    return [Use(u.program, u.written, offset, instruction) for u in _script_uses(parsed, instruction, None)]


def _handed_on(name: str, words: list[str]) -> list[str] | None:
    """The words from the program `name` hands on to, or None."""
    if name not in _WRAPPERS:
        return None
    if name == "command" and words[:1] in (["-v"], ["-V"]):
        return None
    if name == "busybox":  # `busybox wget`: the applet; `busybox --install`: busybox itself
        return words if words and not words[0].startswith("-") else None
    rest = _skip(words, _WRAPPER_VALUES.get(name, set()), env=name == "env")
    rest = rest[_WRAPPERS[name]:]
    if name in ("tini", "tini-static", "dumb-init") and rest[:1] == ["--"]:
        rest = rest[1:]
    return rest or None


def _skip(words: list[str], with_value: set[str], env: bool = False) -> list[str]:
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return words[index + 1:]
        if word.startswith("-") and word != "-":
            index += 2 if word in with_value else 1
            continue
        if env and "=" in word:
            index += 1
            continue
        break
    return words[index:]


def _after_options(words: list[Word], with_value: set[str]) -> list[Word]:
    index = 0
    while index < len(words) and (words[index].value or "").startswith("-"):
        index += 2 if words[index].value in with_value else 1
    return words[index:]


def _program(word: str | None) -> str | None:
    """The name a word runs, or None when it is no program name (a
    variable, an assignment, a relative path)."""
    if not word or "$" in word or ("=" in word and "=" in word.partition("/")[0]):
        return None
    if "/" in word:
        if not word.startswith("/"):
            return None  # ./run.sh, bin/start: the project's own
        directory, _, name = word.rpartition("/")
        if directory not in ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"):
            return None
        return name or None
    return word


def _functions(script: ShellScript) -> frozenset[str]:
    return script.function_names()
