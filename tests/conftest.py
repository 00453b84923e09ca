"""The whole suite runs offline: the wheel check's index is a loopback
server serving recorded answers (tests/indexserver.py), pip's own config of
this machine is ignored, and the index cache lives in a temporary folder.
Tests marked `network` talk to the real index themselves."""

from __future__ import annotations

import os
import tempfile

from indexserver import IndexServer

_server: IndexServer | None = None
_cache: tempfile.TemporaryDirectory | None = None


def pytest_configure(config) -> None:
    global _server, _cache
    _server = IndexServer().__enter__()
    _cache = tempfile.TemporaryDirectory(prefix="unalpine-test-cache-")
    os.environ["PIP_INDEX_URL"] = _server.url
    os.environ.pop("PIP_EXTRA_INDEX_URL", None)
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    os.environ["XDG_CACHE_HOME"] = _cache.name


def pytest_unconfigure(config) -> None:
    if _server is not None:
        _server.__exit__(None, None, None)
    if _cache is not None:
        _cache.cleanup()


def index_url() -> str:
    assert _server is not None
    return _server.url
