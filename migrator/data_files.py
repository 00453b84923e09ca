"""Where unalpine's shipped data lives (mappings/: the package table, the
image table, the Debian and Alpine indexes, the wheel knowledge)."""

from __future__ import annotations

import os


def data_dir() -> str:
    """The folder holding packages.toml and debian/ (installed or in the repo)."""
    # Installed, migrator/mappings/ sits beside this module; in a checkout it
    # is ../mappings. Both are found without importlib.resources (and the
    # zipfile machinery it imports at start-up), and without pathlib (~3 ms
    # of every start with what it imports).
    here = os.path.dirname(os.path.realpath(__file__))
    for folder in (os.path.join(here, "mappings"), os.path.join(os.path.dirname(here), "mappings")):
        if os.path.isfile(os.path.join(folder, "packages.toml")):
            return folder
    try:
        from importlib import resources

        path = str(resources.files("migrator.mappings"))
        if os.path.isfile(os.path.join(path, "packages.toml")):
            return path
    except (ModuleNotFoundError, TypeError, NotImplementedError):
        pass
    return os.path.join(os.path.dirname(here), "mappings")
