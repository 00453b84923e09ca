"""The house rule on function length (docs/architecture.md, issue 17): no
function or method of migrator/ is longer than 80 lines unless a reason is
written at its top, in a comment line starting `# Long:` among its first
lines (after the signature and docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "migrator"
LIMIT = 80
# Known exceptions, with why they are not split yet.
KNOWN = {
    # the resolver's Alpine-side evidence, reworked rule by rule by its owner
    # during issue 16; to be split along its rules when that settles
    "debian/alpine_evidence.py:alpine_side",
}


def long_functions(package: Path) -> list[str]:
    """`path:name (N lines)` of each function over LIMIT lines without a
    `# Long:` reason at its top."""
    found = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            if length <= LIMIT:
                continue
            first = node.body[0]
            after_docstring = first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                else node.body[0].lineno - 1
            top = lines[node.lineno - 1 : after_docstring + 3]
            if any(line.strip().startswith("# Long:") for line in top):
                continue
            found.append(f"{path.relative_to(package).as_posix()}:{node.name} ({length} lines)")
    return found


def test_no_function_is_over_80_lines_without_a_reason():
    found = [entry for entry in long_functions(PACKAGE) if entry.split(" ")[0] not in KNOWN]
    assert not found, ("split these along their steps, or write why they stay whole at their top "
                       f"(a comment line starting '# Long:'): {found}")


def test_the_check_sees_a_long_function_and_its_reason(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f"def whole():\n    \"\"\"Doc.\"\"\"\n{body}")
    assert long_functions(tmp_path) == [f"long.py:whole ({LIMIT + 2} lines)"]
    (tmp_path / "long.py").write_text(f"def whole():\n    \"\"\"Doc.\"\"\"\n    # Long: one table, row by row\n{body}")
    assert long_functions(tmp_path) == []
