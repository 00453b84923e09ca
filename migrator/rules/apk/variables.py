"""Variables that hold apk's package lists (`apk add $PACKAGES`): their
names rewritten where they are defined (an ENV or ARG, or a shell assignment
in the RUN), or a question when something else reads them too."""

from __future__ import annotations

from collections.abc import Iterator

from migrator.apk_commands import APK_COMMANDS, parse_apk
from migrator.context import RuleContext, Stage
from migrator.document import Instruction
from migrator.package_variables import Definition, build_definitions, reference, references, shell_definitions
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.rules.apk.names import package, unpinned
from migrator.rules.apk.plan import ID, Edits, FileState
from migrator.shell import Word

def package_variables(ctx: RuleContext, file: FileState) -> Iterator[Edit | Finding]:
    """Variables that hold apk's package lists: rewritten where they are
    defined when apk is all that reads them, else a question."""
    uses, in_run = _apk_uses(ctx)
    local_names = {(start, name) for start, name in uses if start is not None}
    for (start, name), apk_uses in uses.items():
        if start is not None:
            run = apk_uses[0][1]  # the RUN the variable belongs to
            definitions = in_run[(start, name)]
            seen = references(ctx.text, name, run.start, run.stop)
        else:
            definitions = build_definitions(ctx.document, name)
            shadowed = [uses[key][0][1] for key in local_names if key[1] == name]
            seen = [offset for offset in references(ctx.text, name)
                    if not any(r.start <= offset < r.stop for r in shadowed)]
        if not definitions:
            continue
        others = [offset for offset in seen if not any(a <= offset < b for _, _, (a, b) in apk_uses)]
        if others:
            kept = yield from _read_elsewhere(ctx, name, definitions[0], apk_uses, others)
            if kept:
                continue
        yield from _rewrite(ctx, file, start, name, definitions, apk_uses, others)


Uses = dict[tuple[int | None, str], list[tuple[Stage, Instruction, tuple[int, int]]]]


def _apk_uses(ctx: RuleContext) -> tuple[Uses, dict[tuple[int, str], list[Definition]]]:
    """Where apk add/del reads a variable as its package list, by scope:
    (RUN offset, name) for a variable the RUN's shell defines, else (None,
    name); and the shell definitions found, by (RUN offset, name)."""
    uses: Uses = {}
    in_run: dict[tuple[int, str], list[Definition]] = {}  # (RUN offset, name) -> its shell definitions
    for stage, instruction, script, command in ctx.commands():
        call = parse_apk(command) if command.name in APK_COMMANDS else None
        if call is None or not call.subcommand or call.subcommand.value not in ("add", "del", "delete"):
            continue
        for word in call.operands:
            name = reference(word.text) if word.value is None else None
            if name is None:
                continue
            local = (instruction.start, name)
            if local not in in_run:
                in_run[local] = shell_definitions(script, instruction, ctx.document, name)
            scope = local if in_run[local] else (None, name)
            uses.setdefault(scope, []).append((stage, instruction, script.file_span(word.start, word.end)))
    return uses, in_run


def _read_elsewhere(ctx: RuleContext, name: str, first: Definition, apk_uses: list, others: list[int]):
    """A variable something besides apk reads too: asked whether its names
    change where it is defined (a generator: findings are yielded, True
    returned when its Alpine names are kept)."""
    apk_line = ctx.line_of(apk_uses[0][2][0])
    other_line = ctx.line_of(others[0])
    stays_alpine = any(not _stage_of(ctx, offset) for offset in others)
    answer = ctx.ask(Decision(
        key=f"{ID}:variable:{name}",
        rule=ID,
        question=(f"{name} (line {first.line}) lists packages for apk on line {apk_line}, and is also used "
                  f"on line {other_line}: rewrite its Alpine names to Debian ones where it is defined?"),
        options=(
            Option("map", f"rewrite the names where {name} is defined (line {other_line} sees them too)"),
            Option("keep", f"keep the Alpine names (apt-get fails on them; fix {name} by hand)"),
        ),
        recommended="keep" if stays_alpine else "map",
        line=first.line,
        context=ctx.line_text(apk_uses[0][2][0]),
    ))
    if answer == "keep":
        yield Finding(ID, first.line, f"{name} (line {first.line}) feeds apk on line {apk_line} and is also used "
                      f"on line {other_line}: its Alpine names are kept, apt-get will fail on them")
        return True
    yield Finding(ID, first.line, f"{name} (line {first.line}) feeds apk on line {apk_line} and is also used "
                  f"on line {other_line}: its names are now Debian's there too")
    return False


def _rewrite(ctx: RuleContext, file: FileState, start: int | None, name: str, definitions: list[Definition],
             apk_uses: list, others: list[int]) -> Iterator[Edit | Finding]:
    """Each definition's names become Debian's: a shell definition with its
    RUN's plan (FileState.assignments), an ENV or ARG at once."""
    first = definitions[0]
    apk_line = ctx.line_of(apk_uses[0][2][0])
    stage = _stage_of(ctx, first.instruction.start) or apk_uses[0][0]
    held: list[str] = []
    for definition in definitions:
        pairs = []
        for word in definition.words:
            names = yield from _variable_word(ctx, stage, name, word.value, definition.line)
            pairs.append((word, names))
        held.extend(n for _, names in pairs for n in names if n not in held)
        pairs = [_quoted_if_unquoted(definition, word, names) for word, names in pairs]
        if start is not None:
            file.assignments.setdefault(start, []).append(pairs)
        else:
            plan = Edits(ctx, definition.instruction, definition.source)
            plan.write_names(pairs)
            yield from plan.render()
    file.variables[(start, name)] = held
    if not others:
        yield Finding(ID, first.line, f"{name} holds packages for apk (line {apk_line}): its names are now Debian's",
                      Severity.INFO)


def _quoted_if_unquoted(definition: Definition, word: Word, names: list[str]) -> tuple[Word, list[str]]:
    """`X=libxslt` written without quotes holds one word: two Debian names
    there (`libxslt1.1 xsltproc`) need quotes, or ENV reads a second pair
    and the shell a command."""
    text = definition.source.text
    quoted = word.start > 0 and text[word.start - 1] in "\"' \t" or _inside_quotes(text, word.start)
    if quoted or len(dict.fromkeys(names)) < 2:
        return word, names
    return word, ['"' + " ".join(dict.fromkeys(names)) + '"']


def _inside_quotes(text: str, end: int) -> bool:
    """Whether text[end] lies inside a quote opened before it (a value whose
    closing quote is missing runs on into the next words)."""
    quote = ""
    index = 0
    while index < end:
        char = text[index]
        if quote != "'" and char == "\\":
            index += 2
            continue
        if quote and char == quote:
            quote = ""
        elif not quote and char in "\"'":
            quote = char
        index += 1
    return bool(quote)


def _variable_word(ctx: RuleContext, stage: Stage, variable: str, value: str, line: int):
    """The Debian names for one name in a package variable (a generator:
    findings are yielded, the names returned)."""
    result = yield from package(ctx, stage, value, line, ctx.document.lines[line - 1].content(ctx.text))
    if result.pip:
        yield Finding(ID, line, f"{unpinned(value)} in {variable} stands for pip install {' '.join(result.pip)}, which a package "
                      "list cannot say: removed from it, install that with pip")
    return result.names


def _stage_of(ctx: RuleContext, offset: int) -> Stage | None:
    """The migrated stage an offset lies in, if any."""
    for stage in ctx.migrated():
        if any(i.start <= offset < i.stop for i in [stage.instruction, *stage.instructions]):
            return stage
    return None
