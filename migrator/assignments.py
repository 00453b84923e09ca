"""What an ENV or ARG instruction assigns: `NAME=VALUE` pairs (the value
quoted or not), and ENV's legacy `ENV NAME value words` form. One reader
for the stages (ARG defaults FROM sees), the package variables of the apk
rule, the wheel check's pip index settings and --verify."""

from __future__ import annotations

from migrator.lazy_pattern import LazyPattern
from migrator.records import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.document import Instruction

# NAME=VALUE, the value double-quoted (escapes kept), single-quoted, or bare
# up to a blank or a quote.
_PAIR = LazyPattern(r"""([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s"'\\]|\\.)*)""")
_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")


class Assignment(Frozen):
    """`name` given the value written at logical text[start:end] of its
    instruction (quotes included); `value`: unquoted."""

    __slots__ = ()

    def __new__(cls, name, value, start, end) -> Assignment:
        return tuple.__new__(cls, (name, value, start, end))


def unquoted(written: str) -> str:
    return written[1:-1] if written[:1] in "\"'" and len(written) >= 2 and written[-1] == written[0] else written


def assignments(instruction: Instruction) -> list[Assignment]:
    """The assignments of an ENV or ARG instruction, in order."""
    text = instruction.logical.text
    start = instruction.args_start
    args = text[start:]
    first = _NAME.match(args)
    if instruction.keyword == "ENV" and first and not args[first.end() :].startswith("="):
        # legacy `ENV NAME value words`: the rest of the line
        value = first.end() + len(args[first.end() :]) - len(args[first.end() :].lstrip())
        end = len(text.rstrip())
        return [Assignment(first.group(), unquoted(text[start + value : end]), start + value, end)]
    found = []
    for match in _PAIR.finditer(args):
        if match.start() and not args[match.start() - 1].isspace():
            continue  # NAME must start a word
        found.append(Assignment(match.group(1), unquoted(match.group(2)), start + match.start(2), start + match.end(2)))
    return found
