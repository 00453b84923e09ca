"""Coder and loader subpackages (migrator.debian.names): Alpine splits some
format modules of a plugin-loading library into subpackages named after the
format (imagemagick-svg, imagemagick-heic: Alpine names them
``<main>-<format>``); Debian packages them by another scheme. Which Debian
package holds each module, per suite, is in mappings/debian/plugins.toml
(mappings/refresh_plugins.py reads it from Contents-amd64 and Packages).

The coder's name comes from the APKBUILD where it shows the module files the
subpackage moves (its ``plugins``: ``.../coders/svg.*``), else from the
package's name. The answer is the Debian package holding that module; where
the family's main Debian package (Debian's ``imagemagick``) already installs
it, the why says so."""

from __future__ import annotations

import functools
import os
import re

from migrator.alpine.facts import facts as alpine_facts, origin_info
from migrator.debian.name_evidence import Builder
from migrator.debian.resolution import Evidence

__all__ = ["coder_of", "coder_side", "holders"]

# Alpine's main package of the family -> the family in plugins.toml
_FAMILIES = {"imagemagick": "imagemagick"}
_TITLES = {"imagemagick": "ImageMagick"}
_MODULE = re.compile(r"/coders/([a-z0-9]+)\.")


def _path() -> str:
    from migrator.data_files import data_dir

    return os.path.join(data_dir(), "debian", "plugins.toml")


@functools.cache
def _table() -> dict:
    import tomllib

    try:
        with open(_path(), "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}


def holders(family: str, suite: str) -> dict[str, tuple[str, ...]]:
    """module -> the Debian packages of `suite` that ship it."""
    out: dict[str, tuple[str, ...]] = {}
    for package, modules in _table().get(suite, {}).get(family, {}).items():
        if isinstance(modules, list) and package != "with_main":
            for module in modules:
                out[module] = (*out.get(module, ()), package)
    return out


def coder_of(apk: str, alpine) -> tuple[str, str, list[str], str] | None:
    """(family, main package, coder names, where the names come from) for an
    Alpine coder subpackage, else None."""
    main, _, fmt = apk.partition("-")
    family = _FAMILIES.get(main)
    if family is None or not fmt:
        return None
    if alpine is not None and alpine.origin.endswith("/" + main):
        moved = sorted({m.group(1) for p in alpine.plugins for m in [_MODULE.search(p)] if m})
        if moved:
            return family, main, moved, f"its APKBUILD ({alpine.origin}) moves {', '.join(alpine.plugins)} into it"
    if not re.fullmatch(r"[a-z0-9]+", fmt):
        return None  # imagemagick-dev, imagemagick-c++, imagemagick-perlmagick-doc: not a format
    return family, main, [fmt], f"Alpine names its {_TITLES[family]} coder subpackages {main}-<format>"


def coder_side(b: Builder, apk: str, coder: tuple[str, str, list[str], str]) -> bool:
    """Evidence for the Debian packages holding the coders; False when the
    suite's table has none of them (the rest of the resolver then decides)."""
    family, main, coders, how = coder
    found = holders(family, b.suite)
    info = _table().get(b.suite, {}).get(family, {})
    with_main = set(info.get("with_main", ()))
    title = _TITLES[family]
    alpine_text = f"{apk} is a coder subpackage: {how}"
    parent = alpine_facts(main) if alpine_facts(apk) is None else None
    if parent is not None:
        # the shipped facts know the APKBUILD, from a version that lists no such subpackage
        pkgver = origin_info(parent.origin).get("pkgver", "?")
        alpine_text += f"; the stored {parent.origin}/APKBUILD (pkgver {pkgver}) does not list {apk}, so its files are not shown"
    added = False
    for coder_name in coders:
        for package in found.get(coder_name, ()):
            real = b.real(package)
            if real is None:
                continue
            text = (f"Debian {b.suite}'s {package} ships {title}'s {coder_name} coder "
                    f"(modules-Q16/coders/{coder_name}.so, Contents-amd64)")
            if package in with_main:
                text += f"; Debian's {info.get('main', main)} installs {package} already (by its Depends), so beside {main} it adds nothing"
            b.add(package, "coder", text, 8)
            b.add(package, "alpine", alpine_text, 0)
            added = True
    return added

