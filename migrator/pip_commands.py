"""pip commands as a RUN line holds them: `pip ...`, `python -m pip ...` and
`uv pip ...`, and which subcommand they run. The wheel check reads what
`pip install` installs; UA501/UA503 rewrite pip run with Debian's python3.
Both ask here, each with the programs it means (any pip, or only
/usr/bin's)."""

from __future__ import annotations

from migrator.lazy_pattern import LazyPattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# any pip or python: /usr/local/bin/pip3, /opt/venv/bin/pip, python3.12
ANY_PIP = LazyPattern(r"^(?:.*/)?pip(?:3(?:\.\d+)?)?$")
ANY_PYTHON = LazyPattern(r"^(?:.*/)?python(?:3(?:\.\d+)?)?$")
# Debian's own pip and python3 (the programs above, narrowed: a pip
# elsewhere is a venv's or the image's own): UA501, UA503, UA504
SYSTEM_PIP = LazyPattern(r"^(?:/usr/bin/)?pip3?(?:\.\d+)?$")
SYSTEM_PYTHON = LazyPattern(r"^(?:/usr/bin/)?python3?(?:\.\d+)?$")


def pip_subcommand(values: Sequence[str | None], subcommands: tuple[str, ...], pip: LazyPattern = ANY_PIP,
                   python: LazyPattern = ANY_PYTHON, uv: bool = True) -> int | None:
    """The index in `values` (a command's words; None for one that is not
    literal) of its pip subcommand when the command is `pip`, `python -m pip`
    or (with `uv`) `uv pip`, and the first word after the options is one of
    `subcommands`; else None (another program, pip freeze, ...)."""
    if not values or values[0] is None:
        return None
    name = values[0]
    if pip.match(name):
        rest = 1
    elif python.match(name) and list(values[1:3]) == ["-m", "pip"]:
        rest = 3
    elif uv and name == "uv" and list(values[1:2]) == ["pip"]:
        rest = 2
    else:
        return None
    for index in range(rest, len(values)):
        word = values[index]
        if word in subcommands:
            return index
        if word is None or not word.startswith("-"):
            return None  # pip freeze, pip list, ...
    return None
