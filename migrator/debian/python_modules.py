"""The standard-library modules Debian's python3 ships apart, per suite.

Read from mappings/debian/python-modules.toml, which
mappings/refresh_python_modules.py derives from Debian's Contents indexes:
module -> the package that ships it (ensurepip in python3-venv, lib2to3 and
distutils in their own packages while the Python had them, _gdbm, tkinter,
idlelib), and the suite's python3 version.
"""

from __future__ import annotations

import functools
import os


def _path() -> str:
    # installed: migrator/mappings beside this package; in a checkout: ../mappings
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for folder in (os.path.join(here, "mappings"), os.path.join(os.path.dirname(here), "mappings")):
        path = os.path.join(folder, "debian", "python-modules.toml")
        if os.path.isfile(path):
            return path
    return os.path.join(os.path.dirname(here), "mappings", "debian", "python-modules.toml")


@functools.cache
def _table() -> dict[str, dict[str, str]]:
    import tomllib

    with open(_path(), "rb") as handle:
        return tomllib.load(handle)


def apart(suite: str) -> dict[str, str]:
    """Module -> Debian package, for the modules `suite`'s python3 lacks
    until that package is installed ({} for a suite the file lacks)."""
    return {module: package for module, package in _table().get(suite, {}).items() if module != "python"}


def python_version(suite: str) -> str | None:
    return _table().get(suite, {}).get("python")
