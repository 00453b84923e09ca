"""Which package indexes pip in the image would ask: the Dockerfile's own
`--index-url`/`-i`/`--extra-index-url` (pip lines and requirement files),
else PIP_INDEX_URL/PIP_EXTRA_INDEX_URL, else pip.conf, else PyPI."""

from __future__ import annotations

import os
from stat import S_ISREG

from migrator.datacache import MISSING

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.datacache import Memo

PYPI = "https://pypi.org/simple/"


def pip_config_urls(environ: dict[str, str] | None = None, memo: Memo | None = None) -> tuple[str | None, list[str]]:
    """index-url and extra-index-url from pip's config files, read the way pip
    does (global, then user, then site; [global] then [install]). With a
    memo, files read in an earlier run (same paths, sizes and modification
    times) are not read again: configparser alone costs ~1 ms to import."""
    environ = os.environ if environ is None else environ
    named = environ.get("PIP_CONFIG_FILE")
    if named == os.devnull:
        return None, []
    home = os.path.expanduser("~")
    xdg = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    files = ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", os.path.join(home, ".pip", "pip.conf"),
             os.path.join(xdg, "pip", "pip.conf")]
    if environ.get("VIRTUAL_ENV"):
        files.append(os.path.join(environ["VIRTUAL_ENV"], "pip.conf"))
    if named:
        files.append(named)
    found = []
    for path in files:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            continue
        if S_ISREG(info.st_mode):
            found.append((path, info.st_size, info.st_mtime_ns))
    if not found:
        return None, []  # the usual case: configparser is not needed
    if memo is None:
        return _read_pip_config([path for path, _, _ in found])
    key = tuple(found)
    known = memo.get("pip.conf", key)
    if known is MISSING:
        known = _read_pip_config([path for path, _, _ in found])
        memo.put("pip.conf", key, (known[0], tuple(known[1])))
    return known[0], list(known[1])


def _read_pip_config(files: list[str]) -> tuple[str | None, list[str]]:
    import configparser

    primary: str | None = None
    extra: list[str] = []
    parser = configparser.RawConfigParser()
    for path in files:
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
    for section in ("global", "install"):
        if parser.has_option(section, "index-url"):
            primary = parser.get(section, "index-url").strip()
        if parser.has_option(section, "extra-index-url"):
            extra = parser.get(section, "extra-index-url").split()
    return primary, extra


_CONFIG_KEYS = ("PIP_CONFIG_FILE", "HOME", "XDG_CONFIG_HOME", "VIRTUAL_ENV")
_CONFIGS: dict[tuple, tuple[str | None, list[str]]] = {}


def choose_urls(dockerfile_primary: str | None, dockerfile_extra: list[str],
                environ: dict[str, str] | None = None, memo: Memo | None = None) -> list[str]:
    """The indexes pip in the image would ask, primary first. Only http(s)
    indexes are asked (a file:// index of this machine is not the image's)."""
    environ = os.environ if environ is None else environ
    # pip's config files are read once per run, not once per Dockerfile
    config_key = tuple(environ.get(key) for key in _CONFIG_KEYS)
    if config_key not in _CONFIGS:
        _CONFIGS[config_key] = pip_config_urls(environ, memo)
    config_primary, config_extra = _CONFIGS[config_key]
    primary = dockerfile_primary or environ.get("PIP_INDEX_URL") or config_primary or PYPI
    if dockerfile_primary or dockerfile_extra:
        extra = list(dockerfile_extra)
    else:
        extra = environ.get("PIP_EXTRA_INDEX_URL", "").split() or config_extra
    urls = []
    for url in [primary, *extra]:
        url = url.rstrip("/") + "/"
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls
