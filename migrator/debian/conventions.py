"""How Alpine and Debian name the same things: the subpackage suffixes that
have no Debian package (PATTERN_DROPS), and the Debian names Alpine's
naming conventions suggest for a name (checked against an index by the
callers: the package table and the name resolver)."""

from __future__ import annotations

from migrator.lazy_pattern import LazyPattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.debian.name_index import DebianIndex

_PY_PREFIXES = ("py3-", "py-")

PATTERN_DROPS: tuple[tuple[str, str], ...] = (
    (
        "-pyc",
        "Alpine splits precompiled Python bytecode into *-pyc subpackages; Debian "
        "byte-compiles at install time, so there is nothing to install",
    ),
    ("-openrc", "OpenRC service scripts; containers do not run an init system"),
    ("-doc", "documentation; Debian's slim images do not even keep /usr/share/doc"),
    ("-lang", "translations (message catalogs) of a program"),
    ("-bash-completion", "shell completion for interactive shells"),
    ("-zsh-completion", "shell completion for interactive shells"),
    ("-fish-completion", "shell completion for interactive shells"),
    ("-dbg", "debug symbols"),
)


def py_suffix(apk: str) -> str | None:
    for p in _PY_PREFIXES:
        if apk.startswith(p) and len(apk) > len(p):
            return apk[len(p):]
    return None


def suggest_candidates(apk: str) -> list[str]:
    """Debian names that Alpine→Debian naming conventions suggest for ``apk``.

    Not checked against an index; ``PackageTable.lookup`` keeps those that exist.
    """
    out: list[str] = []

    def add(*names: str) -> None:
        for n in names:
            if n and n not in out:
                out.append(n)

    py = py_suffix(apk)
    if py is not None:
        add(f"python3-{py}", f"python3-{py.replace('_', '-')}", f"python3-{py.removeprefix('python-')}",
            f"python3-{py.removeprefix('py')}")
        return out
    if apk.startswith("perl-"):
        add(f"lib{apk[5:]}-perl")
        return out
    if apk.startswith(("ttf-", "font-")):
        stem = apk.split("-", 1)[1]
        add(f"fonts-{stem}", f"fonts-{stem}-core", f"fonts-{stem}-extra", f"ttf-{stem}")
        return out
    if apk.startswith("ruby-"):
        add(apk)
        return out
    for suffix in ("-dev", "-static"):
        if apk.endswith(suffix):
            stem = apk[: -len(suffix)]
            bare = stem.removeprefix("lib")
            add(f"lib{bare}-dev", f"{stem}-dev", f"lib{bare.replace('-', '')}-dev", f"lib{bare}1-dev",
                f"lib{bare}2-dev", f"lib{bare}3-dev", f"lib{bare}0-dev")
            return out
    if apk.endswith("-libs"):
        stem = apk[: -len("-libs")]
        bare = stem.removeprefix("lib")
        add(f"lib{bare}", f"lib{bare}1", f"lib{bare}2", f"lib{bare}3", f"lib{bare}0", stem, f"lib{bare}-dev")
        return out
    if apk.endswith("-doc"):
        add(apk)
        return out
    if apk.endswith(("-utils", "-tools", "-client", "-progs")):
        add(apk, apk.rsplit("-", 1)[0])
        return out
    add(apk)
    if apk.startswith("lib"):
        add(f"{apk}-dev")
    else:
        add(f"lib{apk}", f"lib{apk}-dev")
    return out


_SONAME_TAIL = LazyPattern(r"^[-.]?[0-9][0-9.]*[a-z]?(t64)?(-[0-9][0-9.]*)?(-dev)?$|^t64$")


def soname_candidates(apk: str, idx: DebianIndex) -> list[str]:
    """libfoo → libfoo6, libfoo-2.0-0, libfoo1t64 ...; foo-dev → libfoo2-dev ..."""
    dev = apk.endswith("-dev")
    stem = apk[:-4] if dev else apk.removesuffix("-libs")
    bare = stem.removeprefix("lib")
    if not bare or apk.startswith(("py3-", "py-", "perl-")):
        return []
    out = []
    for name in idx.with_prefix(f"lib{bare}"):
        tail = name[len(f"lib{bare}"):]
        if dev != tail.endswith("-dev"):
            continue
        if _SONAME_TAIL.match(tail):
            out.append(name)
    return out[:6]
