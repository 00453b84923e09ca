"""Taking whole commands out of a RUN's shell script without breaking it:
which source spans go, with one joining operator or separator each; a body
left empty (of an `if`, a loop, a subshell) keeps a `true`; a statement
whose removal would put a `-word` first in the RUN (read by buildkit as a
flag of RUN) becomes `true` instead."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tree_sitter import Node

    from migrator.shell import Command, ShellScript


def removal(script: ShellScript, commands: list[Command]) -> list[tuple[int, int, str]] | None:
    """How to take `commands` out of the script: source spans and what
    replaces each. A span also takes one joining operator or separator;
    a body left empty (of an `if`, a loop, a subshell) becomes `true`,
    since an empty body is a syntax error. None when nothing of the
    whole script would be left."""
    removed: dict[int, Node] = {}
    for command in commands:
        node = _statement(command.node)
        removed[node.id] = node
    # A list whose operands all go, goes as a whole.
    changed = True
    while changed:
        changed = False
        for node in list(removed.values()):
            parent = node.parent
            if parent is not None and parent.type == "list" and parent.id not in removed:
                operands = [c for c in parent.children if c.is_named and c.type != "comment"]
                if all(o.id in removed for o in operands):
                    for operand in operands:
                        removed.pop(operand.id, None)
                    lifted = _statement(parent)
                    removed[lifted.id] = lifted
                    changed = True
    spans: list[tuple[int, int, str]] = []
    bodies: dict[int, list[Node]] = {}
    for node in removed.values():
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "list":
            siblings = [c for c in parent.children if c.type != "comment"]
            index = next(i for i, c in enumerate(siblings) if c.id == node.id)
            start, end = script.span(node)
            if index + 2 < len(siblings):
                following = script.span(siblings[index + 2])[0]
                spans.append((start, end, "true") if _flag_after(script, start, following) else (start, following, ""))
            else:
                spans.append((script.span(siblings[index - 2])[1], end, ""))
        else:
            bodies.setdefault(parent.id, []).append(node)
    for nodes in bodies.values():
        result = _remove_from_body(script, nodes, removed)
        if result is None:
            return None
        spans.extend(result)
    return _merge(spans)

def _flag_after(script: ShellScript, start: int, following: int) -> bool:
    """Whether removing text[start:following] would put a word that
    starts with `-` first in the RUN, where buildkit reads it as a flag
    of RUN (`RUN --no-cache`); such a statement becomes `true` instead."""
    return script.text[:start].strip() == "" and script.text[following:].startswith("-")

def _remove_from_body(script: ShellScript, nodes: list[Node], removed: dict[int, Node]) -> list[tuple[int, int, str]] | None:
    parent = nodes[0].parent
    siblings = [c for c in parent.children if c.type != "comment"]
    spans = []
    for node in nodes:
        index = next(i for i, c in enumerate(siblings) if c.id == node.id)
        start, end = script.span(node)
        following = _neighbour(siblings, index, +1, removed)
        if following is not None:
            after = script.span(following)[0]
            spans.append((start, end, "true") if _flag_after(script, start, after) else (start, after, ""))
            continue
        previous = _neighbour(siblings, index, -1, removed)
        if previous is not None:
            spans.append((script.span(previous)[1], end, ""))
            continue
        if parent.type == "program":
            return None
        # nothing of this body is left: it keeps one `true`
        first, last = min(nodes, key=lambda n: n.start_byte), max(nodes, key=lambda n: n.end_byte)
        return [(script.span(first)[0], script.span(last)[1], "true")]
    return spans


def _statement(node: Node) -> Node:
    while node.parent is not None and node.parent.type in ("redirected_statement", "negated_command"):
        node = node.parent
    return node


def _neighbour(siblings: list[Node], index: int, step: int, removed: dict[int, Node]) -> Node | None:
    """The nearest statement that stays, past separators, in one direction;
    None when a keyword (`then`, `done`, ...) or the end comes first."""
    position = index + step
    while 0 <= position < len(siblings):
        sibling = siblings[position]
        if sibling.type in _SEPARATORS or sibling.id in removed:
            position += step
            continue
        return sibling if _is_statement(sibling) else None
    return None


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping deletions (neighbours removed together) become one."""
    merged: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(spans):
        if merged and start < merged[-1][1] and not replacement and not merged[-1][2]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
        else:
            merged.append((start, end, replacement))
    return merged


_SEPARATORS = {";", "&", ";;"}


def _is_statement(node: Node) -> bool:
    return node.is_named and node.type not in ("comment", "heredoc_body")
