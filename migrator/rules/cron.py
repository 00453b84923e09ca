"""UA304 cron: busybox crond becomes Debian's cron.

busybox gave Alpine a cron daemon (`crond`) that reads one crontab per user
from /etc/crontabs/<user>. Debian's is Vixie cron, package `cron`, program
`cron`; it reads /etc/cron.d (with a user field) and the crontabs that
`crontab -u USER FILE` installs in /var/spool/cron/crontabs (mode 0600), and
not /etc/crontabs. So, with one question for the file (recommended: do it):

- `cron` is installed in the stage before the first use
  (migrator.installs);
- `crond` (in a RUN, a CMD or ENTRYPOINT in either form, an exec-form
  `sh -c` script) becomes `cron`, its flags mapped where Debian's cron has
  them (`-f`), dropped where it does the same by default (`-b`, `-S`), and
  dropped with a warning where it has no equivalent (`-l N`, `-L FILE`,
  `-d N`, `-c DIR`: Debian's cron logs through syslog only, and its -l and
  -L mean other things);
- a crontab the file writes to /etc/crontabs/<user> is installed where
  Debian's cron reads it: `crontab -u <user> /etc/crontabs/<user>` after a
  COPY/ADD of it (a new RUN line), at the end of a RUN that writes it (and
  `mkdir -p /etc/crontabs` first: Debian has no such folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrator.busybox_options import Unsupported, parse_options
from migrator.context import RuleContext, Stage
from migrator.document import Instruction
from migrator.installs import Need, installed, provides
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules import rule
from migrator.shell import Command, ShellScript, Word, command_script, string_script
from migrator.word_edits import RunPlan

ID = "UA304"
KEY = f"{ID}:cron"
PACKAGE = "cron"
# busybox crond's getopt string is "l:L:fbSc:d:" (miscutils/crond.c)
_FLAGS = {"f", "b", "S"}
_VALUES = {"l", "L", "c", "d"}
# flag -> (what Debian's cron gets, why it is dropped: None keeps it quietly, "" drops it quietly)
_MAPPED = {"f": "-f", "b": "", "S": ""}
_DROPPED = {
    "l": "busybox's log level; Debian's cron logs through syslog (its -l means LSB names in /etc/cron.d)",
    "L": "busybox's log file; Debian's cron logs through syslog only (its -L is a log level)",
    "d": "busybox's debug level to stderr; Debian's cron logs through syslog only",
    "c": "busybox's crontab folder; Debian's cron reads /etc/cron.d and /var/spool/cron/crontabs only",
}
_CRONTABS = LazyPattern(r"(?<![\w.-])/etc/crontabs/([a-z_][a-z0-9_.-]*)")
_SHELLS = LazyPattern(r"^(?:/usr)?(?:/bin/)?(?:sh|bash|ash|dash)$")
_JSON_STRING = LazyPattern(r'"(?:[^"\\]|\\.)*"')


def _is_crond(command: Command) -> bool:
    return (command.name or "").rsplit("/", 1)[-1] == "crond"


def _answer(ctx: RuleContext, line: int, context: str) -> str:
    return ctx.ask(Decision(
        key=KEY,
        rule=ID,
        question=("busybox's crond and its /etc/crontabs are not on Debian: install Debian's cron, run it as "
                  "`cron` (flags mapped) and install the crontabs with `crontab -u`?"),
        options=(
            Option("migrate", "install cron, crond -> cron, crontabs installed with crontab -u"),
            Option("keep", "leave crond and the crontabs as they are (they fail on Debian)"),
        ),
        recommended="migrate",
        line=line,
        context=context,
    ))


# The key, in RuleContext.memo, of {id(stage): its uses}: _uses is asked
# three times per stage (the install need, the question, the rewrite), and
# walked every command of every script each time: ~5% of a fleet run.
_USES = object()


def _uses(ctx: RuleContext, stage: Stage) -> list[tuple[Instruction, int, str, object]]:
    """Every crond command and /etc/crontabs write of a stage, in file order:
    (instruction, file offset, "crond" or "crontab", the script or users)."""
    known = ctx.memo.get(_USES)
    if known is None:
        known = ctx.memo[_USES] = {}
    found = known.get(id(stage))
    if found is None:
        found = known[id(stage)] = _find_uses(ctx, stage)
    return found


def _find_uses(ctx: RuleContext, stage: Stage) -> list[tuple[Instruction, int, str, object]]:
    found = []
    for instruction in stage.instructions:
        # (the array's words first: finding their spans takes a regex, compiled on first use)
        array = instruction.json_args if instruction.command in ("CMD", "ENTRYPOINT") else None
        elements = _elements(instruction) if array and array[0].rsplit("/", 1)[-1] == "crond" else None
        if elements and elements[0][2].rsplit("/", 1)[-1] == "crond":
            found.append((instruction, elements[0][0], "exec", elements))
        for script in _scripts(ctx, instruction):
            for command in script.commands:
                name = (command.name or "").rsplit("/", 1)[-1]  # (as _is_crond reads it; once per command)
                if name == "crond":
                    found.append((instruction, script.file_span(command.start, command.end)[0], "crond", (script, command)))
                elif name == "crontab":  # Debian's crontab comes with cron
                    found.append((instruction, script.file_span(command.start, command.end)[0], "crontab", None))
        if instruction.command in ("COPY", "ADD"):
            users = _copied_crontabs(instruction)
            if users:
                found.append((instruction, instruction.start, "copy", users))
        elif instruction.command == "RUN":
            script = ctx.script(instruction)
            if script is not None and not script.has_errors:
                users = _written_crontabs(script)
                if users and not any(_is_crond(c) for c in script.commands):
                    first = script.commands[0] if script.commands else None
                    offset = script.file_span(first.start, first.end)[0] if first else instruction.start
                    found.append((instruction, offset, "write", (script, users)))
    return found


_REDIRECT = LazyPattern(r"(?:>>?|>\|)\s*[\"']?/etc/crontabs/([a-z_][a-z0-9_.-]*)")
_WRITERS = {"cp", "mv", "install", "ln"}  # their last word is what they write


def _written_crontabs(script: ShellScript) -> list[str]:
    """The users whose /etc/crontabs/<user> a RUN writes: a redirect into
    it, tee, or the destination of cp/mv/install/ln (not a file it only
    reads or removes)."""
    # Both patterns need the folder's name: a script without it is not
    # searched (a small file's run compiled them for nothing).
    users = [match.group(1) for match in _REDIRECT.finditer(script.text)] if "/etc/crontabs/" in script.text else []
    for command in script.commands:
        name = (command.name or "").rsplit("/", 1)[-1]
        if name not in _WRITERS and name != "tee":
            continue  # (most commands: no word list made for them)
        words = [word.value or "" for word in command.words[1:]]
        targets = words[-1:] if name in _WRITERS else words
        users += [match.group(1) for target in targets
                  if target.startswith("/etc/crontabs/") and (match := _CRONTABS.fullmatch(target))]
    return list(dict.fromkeys(users))


def _scripts(ctx: RuleContext, instruction: Instruction) -> list[ShellScript]:
    """The shell scripts an instruction runs: a RUN's, a shell-form CMD's,
    an exec-form `sh -c` string's (written without escapes)."""
    if instruction.command == "RUN":
        script = ctx.script(instruction)
        return [script] if script is not None and not script.has_errors else []
    if instruction.command not in ("CMD", "ENTRYPOINT"):
        return []
    script = command_script(instruction)
    if script is not None:
        return [] if script.has_errors else [script]
    array = instruction.json_args
    elements = _elements(instruction) if array is not None and len(array) >= 3 and array[1] == "-c" else None
    if elements and len(elements) >= 3 and _SHELLS.match(elements[0][2]) and elements[1][2] == "-c":
        start, end, value = elements[2]
        if ctx.text[start:end] == f'"{value}"':
            script = string_script(start + 1, value)
            return [] if script.has_errors else [script]
    return []


def _elements(instruction: Instruction) -> list[tuple[int, int, str]] | None:
    """An exec-form array's strings: (file start, file end, value) of each,
    quotes included in the span; None when not exec form."""
    array = instruction.json_args
    if array is None:
        return None
    start = instruction.command_start or instruction.args_start
    text = instruction.logical.text
    spans = [(m.start(), m.end()) for m in _JSON_STRING.finditer(text, start)][: len(array)]
    if len(spans) != len(array):
        return None
    return [(*instruction.file_span(a, b), value) for (a, b), value in zip(spans, array)]


def _copied_crontabs(instruction: Instruction) -> list[str]:
    """The users whose /etc/crontabs/<user> a COPY/ADD writes."""
    array = instruction.json_args
    if array is None and "/etc/crontabs" not in instruction.args:
        return []  # (the destination below must hold it: most COPYs are not split into words)
    words = array if array is not None else instruction.args.split()
    words = [word for word in words if not word.startswith("--")]
    if len(words) < 2:
        return []
    destination = words[-1]
    match = re.fullmatch(r"/etc/crontabs/([a-z_][a-z0-9_.-]*)", destination) if destination.startswith("/etc/crontabs/") else None
    if match:
        return [match.group(1)]
    if destination.rstrip("/") == "/etc/crontabs" and destination.endswith("/"):
        users = [source.rstrip("/").rsplit("/", 1)[-1] for source in words[:-1]]
        return [user for user in users if re.fullmatch(r"[a-z_][a-z0-9_.-]*", user)]
    return []


def _migrating(ctx: RuleContext) -> list[tuple[Stage, list]]:
    """(stage, its uses) for the stages whose cron is migrated (asked once)."""
    out = []
    for stage in ctx.migrated():
        uses = _uses(ctx, stage)
        if not uses:
            continue
        instruction, offset = uses[0][0], uses[0][1]
        if _answer(ctx, ctx.line_of(offset), ctx.line_text(offset)) != "migrate":
            continue
        out.append((stage, uses))
    return out


@provides
def _needs(ctx: RuleContext) -> Iterator[Need]:
    for stage, uses in _migrating(ctx):
        if PACKAGE not in installed(ctx, stage):
            yield Need(stage, uses[0][1], PACKAGE, ID, "busybox crond becomes Debian's cron")


@rule(ID, "cron", "busybox crond becomes Debian's cron: installed, flags mapped, crontabs installed with crontab -u")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    migrating = {id(stage) for stage, _ in _migrating(ctx)}
    for stage in ctx.migrated():
        uses = _uses(ctx, stage)
        if uses and id(stage) not in migrating:
            for _, offset, kind, _ in uses:
                yield Finding(ID, ctx.line_of(offset), "crond and /etc/crontabs left as they are: Debian has no crond, "
                              "and its cron reads /etc/cron.d and crontab -u's crontabs")
            continue
        made = False  # /etc/crontabs exists already (a COPY into it, or a RUN that made it)
        for instruction, offset, kind, detail in uses:
            line = ctx.line_of(offset)
            if kind == "crond":
                script, command = detail
                yield from _crond(ctx, instruction, script, command, line)
            elif kind == "exec":
                yield from _exec_crond(detail, line)
            elif kind == "crontab":
                continue
            elif kind == "copy":
                yield from _after_copy(ctx, instruction, detail, line)
                made = True
            else:
                script, users = detail
                yield from _after_write(ctx, instruction, script, users, line, made)
                made = True


def _crond(ctx: RuleContext, instruction: Instruction, script: ShellScript, command: Command,
           line: int) -> Iterator[Edit | Finding]:
    try:
        parsed = parse_options(list(command.words[1:]), _VALUES, _FLAGS)
    except Unsupported as why:
        yield Finding(ID, line, f"crond left as is ({why}): Debian's cron reads its options differently")
        return
    plan = RunPlan(ctx.document, instruction, script, ID)
    plan.replace(command.words[0], _program(command.words[0].value or "crond"))
    dropped = []
    for piece in parsed.pieces:
        out = []
        for letter in piece.letters:
            if letter in _MAPPED:
                if _MAPPED[letter]:
                    out.append(_MAPPED[letter])
            else:
                value = piece.value.text if piece.value is not None else ""
                dropped.append(f"-{letter} {value}".strip() + f" ({_DROPPED[letter]})")
        if piece.value_word is not None:
            plan.delete(piece.value_word)
        if " ".join(out) != piece.word.text:
            if out:
                plan.replace(piece.word, " ".join(out))
            else:
                plan.delete(piece.word)
    yield from plan.render()
    yield Finding(ID, line, "busybox crond → Debian's cron", Severity.INFO)
    for what in dropped:
        yield Finding(ID, line, f"crond {what}: dropped")


def _exec_crond(elements: list[tuple[int, int, str]], line: int) -> Iterator[Edit | Finding]:
    """`["crond", "-f", "-l", "2"]` → `["cron", "-f"]`: element by element,
    a dropped element with the separator before it."""
    import json

    words = [Word(start, end, f'"{value}"', value) for start, end, value in elements]
    try:
        parsed = parse_options(words[1:], _VALUES, _FLAGS)
    except Unsupported as why:
        yield Finding(ID, line, f"crond left as is ({why}): Debian's cron reads its options differently")
        return
    if parsed.operands:
        yield Finding(ID, line, "crond left as is (unexpected arguments): Debian's cron reads its options differently")
        return
    yield Edit(elements[0][0], elements[0][1], json.dumps(_program(elements[0][2])), ID)
    previous_end = {word.start: words[index - 1].end for index, word in enumerate(words) if index}
    dropped = []
    for piece in parsed.pieces:
        out = [_MAPPED[letter] for letter in piece.letters if _MAPPED.get(letter)]
        dropped += [f"-{letter} {piece.value.value if piece.value is not None else ''}".strip() + f" ({_DROPPED[letter]})"
                    for letter in piece.letters if letter in _DROPPED]
        if out and piece.value_word is None and len(out) == 1:
            if out[0] != piece.word.value:
                yield Edit(piece.word.start, piece.word.end, json.dumps(out[0]), ID)
        elif out:
            yield Edit(piece.word.start, piece.word.end, ", ".join(json.dumps(flag) for flag in out), ID)
        else:
            yield Edit(previous_end[piece.word.start], piece.word.end, "", ID)
        if piece.value_word is not None:
            yield Edit(previous_end[piece.value_word.start], piece.value_word.end, "", ID)
    yield Finding(ID, line, "busybox crond → Debian's cron", Severity.INFO)
    for what in dropped:
        yield Finding(ID, line, f"crond {what}: dropped")


def _program(written: str) -> str:
    """crond as written → cron (Debian's is /usr/sbin/cron)."""
    return "/usr/sbin/cron" if "/" in written else "cron"


def _install_lines(users: list[str]) -> str:
    return " && ".join(f"crontab -u {user} /etc/crontabs/{user}" for user in users)


def _after_copy(ctx: RuleContext, instruction: Instruction, users: list[str], line: int) -> Iterator[Edit | Finding]:
    newline = ctx.document.newline
    stop = instruction.stop
    text = ctx.text
    lead = "" if stop > 0 and text[stop - 1] == "\n" else newline
    indent = text[instruction.start : instruction.start + len(text[instruction.start :]) - len(text[instruction.start :].lstrip(" \t"))]
    yield Edit(stop, stop, f"{lead}{indent}RUN {_install_lines(users)}{newline if not lead else ''}", ID)
    yield Finding(ID, line, f"Debian's cron does not read /etc/crontabs: the copied crontab is installed with crontab -u "
                  f"{', '.join(users)} (new RUN line)", Severity.INFO)


def _after_write(ctx: RuleContext, instruction: Instruction, script: ShellScript, users: list[str],
                 line: int, made: bool) -> Iterator[Edit | Finding]:
    first = next((c for c in script.commands), None)
    end = script.statement_end()
    if first is None or not end:
        return
    start = script.file_span(first.start, first.end)[0]
    if not made and not any(command.name == "mkdir" and any((word.value or "").rstrip("/") == "/etc/crontabs" for word in command.words)
               for command in script.commands):
        yield Edit(start, start, "mkdir -p /etc/crontabs && ", ID)
    at = script.file_span(end - 1, end)[1]
    yield Edit(at, at, f" && {_install_lines(users)}", ID)
    yield Finding(ID, line, f"Debian's cron does not read /etc/crontabs (nor has the folder): the crontab is installed "
                  f"with crontab -u {', '.join(users)}", Severity.INFO)
