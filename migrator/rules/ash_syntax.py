"""UA305 ash-syntax: shell syntax busybox ash reads and Debian's /bin/sh does not.

Alpine's /bin/sh is busybox ash, built with its bash extensions: `[[ ... ]]`,
`==` in `[ ]`, `source`, `function name {`, `${var:1:2}` and `${var/a/b}`,
`$'...'`, `&>` all work there. Debian's /bin/sh is dash, which stops on most
of them ("[[: not found", "source: not found", "Bad substitution", "[: a:
unexpected operator") and reads `&>` and `$'..'` otherwise; bookworm's and
bullseye's dash also lack `set -o pipefail` (trixie's has it). Tried with
dash -c in bullseye, bookworm and trixie roots.

bash is Essential in Debian (every image has it) and reads all of these as
ash does, so a stage whose RUN uses one gets `SHELL ["/bin/bash", "-c"]`
before that RUN: the RUN keeps its meaning, its text stays as written. A
stage (or one it builds on) that sets its own SHELL is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.context import RuleContext, Stage
from migrator.proposals import Edit, Finding, Severity
from migrator.rules import rule

ID = "UA305"
SHELL = 'SHELL ["/bin/bash", "-c"]'
# Parameter expansion operators dash lacks: substrings, replacement, case.
_BASH_EXPANSIONS = {":", "/", "//", "/#", "/%", "^", "^^", ",", ",,"}
# The suites whose dash has no `set -o pipefail` (trixie's dash 0.5.12 has it).
_NO_PIPEFAIL = {"buster", "bullseye", "bookworm"}
# Text each construct _ash_only looks for is written with (its tokens are the
# script's own text): a script with none of them is not walked (a walk of
# every RUN's tree was ~3% of a fleet run).
_MARKS = ("[[", "==", "source", "pipefail", "function", "${", "$'", "&>")


@rule(ID, "ash-syntax", "A RUN that uses ash's bash extensions gets SHELL [\"/bin/bash\", \"-c\"]: Debian's /bin/sh is dash")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    given: set[int] = set()  # indexes of the stages this rule gave bash (the stages built on them have it too)
    for stage in ctx.migrated():
        if _sets_shell(stage, given):
            continue
        for instruction in stage.instructions:
            if instruction.keyword != "RUN":
                continue  # (an ONBUILD RUN runs in another build, with that build's shell)
            script = ctx.script(instruction)
            if script is None or script.has_errors or not any(mark in script.text for mark in _MARKS):
                continue
            found = _ash_only(script.tree.root_node, ctx.suite)
            if found is None:
                continue
            start = ctx.document.text.rfind("\n", 0, instruction.start) + 1  # the line's start, indentation kept
            yield Edit(start, start, SHELL + ctx.document.newline, ID)
            given.add(stage.index)
            yield Finding(ID, instruction.line, f"{found} is ash syntax that Debian's /bin/sh (dash) does not read: "
                          f"{SHELL} added before this RUN (bash is in every Debian image)", Severity.INFO)
            break  # SHELL holds for the rest of the stage


def _sets_shell(stage: Stage, given: set[int]) -> bool:
    return any(s.index in given or any(instruction.command == "SHELL" for instruction in s.instructions)
               for s in stage.lineage())


def _ash_only(root, suite: str | None) -> str | None:
    """The first construct of the tree that dash does not read as ash does."""
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "test_command":
            first = node.children[0].type if node.children else ""
            if first == "[[":
                return "[[ ... ]]"
            if any(child.type == "binary_expression" and any(op.type == "==" for op in child.children)
                   for child in node.children):
                return "== in [ ]"
        elif kind == "command":
            name = node.child_by_field_name("name")
            word = name.text.decode("utf-8", "replace") if name is not None else ""
            if word == "source":
                return "source"
            if word == "test" and any(child.type == "==" for child in node.children):
                return "== in test"
            if word == "set" and suite in _NO_PIPEFAIL and _pipefail(node):
                return f"set -o pipefail ({suite}'s dash has no pipefail)"
        elif kind == "function_definition" and node.children and node.children[0].type == "function":
            return "function NAME"
        elif kind == "expansion" and any(child.type in _BASH_EXPANSIONS for child in node.children):
            return node.text.decode("utf-8", "replace")
        elif kind == "ansi_c_string":
            return "$'...'"
        elif kind == "file_redirect" and node.children and node.children[0].type in ("&>", "&>>"):
            return node.children[0].type
        stack.extend(reversed(node.children))
    return None


def _pipefail(command) -> bool:
    words = [child.text.decode("utf-8", "replace") for child in command.children[1:]]
    return any(word == "pipefail" and index > 0 and words[index - 1].startswith("-") and words[index - 1].endswith("o")
               for index, word in enumerate(words))
