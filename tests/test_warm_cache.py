"""A warm run never touches the network: every answer of the index is
cached, negative ones too (a project it does not have, metadata it does not
offer, an index that could not be asked), so a second run over a fleet
makes no request, and with the network gone prints the same bytes.

The index is the loopback server of tests/indexserver.py (its own instance
here, so it can be stopped); it also stands in for pypi.org, so that the
JSON API of sdist-only releases is asked as it would be of PyPI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from indexserver import IndexServer
from migrator.wheels.cache import Cache
from migrator.wheels.index import Client
from migrator.wheels.pages import File

# unalpine's own main, with the loopback server taking pypi.org's place
# (index.PYPI_HOST: where the JSON API is asked); nothing else is changed.
LAUNCH = (
    "import sys, migrator.wheels.index as index; index.PYPI_HOST = sys.argv.pop(1); "
    "from migrator.cli import main; sys.exit(main(sys.argv[1:]))"
)

def fleet_files(private_index: str) -> dict[str, str]:
    return {
    # a requirements file beside the Dockerfile, wheels with PEP 658 metadata and their dependencies
    "shop/Dockerfile": (
        "FROM python:3.8-alpine\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev openssl-dev cargo \\\n"
        "    && pip install --no-cache-dir -r requirements.txt \\\n    && apk del .build-deps\n"
    ),
    "shop/requirements.txt": "cryptography==3.4.7\nDjango==3.2.4\n",
    # the requirements file is not in the folder (it comes from elsewhere at build time)
    "billing/Dockerfile": (
        "FROM python:3.11-alpine3.19\nCOPY requirements.txt /tmp/\n"
        "RUN apk add gcc musl-dev postgresql-dev && pip install -r /tmp/requirements.txt\n"
    ),
    # an sdist-only pin: its metadata is asked of PyPI's JSON API, which answers 404
    "cli/Dockerfile": "FROM python:3.10-alpine\nRUN apk add --no-cache gcc musl-dev \\\n && pip install docopt==0.6.2 six==1.16.0\n",
    # a private index that fails (503), and one that cannot be reached at all
    "internal/Dockerfile": (
        "FROM python:3.12-alpine\n"
        f"RUN apk add gcc musl-dev libffi-dev && pip install --extra-index-url {private_index} bcrypt==4.1.2\n"
    ),
    "vpn/Dockerfile": "FROM python:3.12-alpine\nRUN pip install -i http://127.0.0.1:9/simple/ flask\n",
    # a project the index does not have, in a multi-stage file, and a compose file
    "worker/Dockerfile": (
        "FROM python:3.9-alpine AS build\nRUN apk add gcc musl-dev && pip wheel -w /wheels no-such-project-xyz==1.0 pyyaml\n"
        "FROM python:3.9-alpine\nCOPY --from=build /wheels /wheels\nRUN pip install /wheels/*.whl && adduser -D worker\n"
        "USER worker\n"
    ),
    "worker/docker-compose.yml": "services:\n  worker:\n    build: .\n  cache:\n    image: python:3.9-alpine\n",
}


class FailingIndex:
    """An index on loopback that answers every request 503 and counts them."""

    def __init__(self) -> None:
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                requests.append(self.path)
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_fleet(root: Path, private_index: str) -> Path:
    for name, text in fleet_files(private_index).items():
        path = root / "fleet" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "fleet"


def run(server: IndexServer, fleet: Path, cache: Path, wrap: list[str] = ()) -> tuple[bytes, bytes, int]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PIP_INDEX_URL=server.url, PIP_CONFIG_FILE=os.devnull,
               NO_COLOR="1")
    env.pop("UNALPINE_NO_CACHE", None)
    process = subprocess.run([*wrap, sys.executable, "-c", LAUNCH, server.root, "--yes", "--diff", "-j", "2", "."],
                             cwd=fleet, env=env, capture_output=True, timeout=120)
    assert b"Traceback" not in process.stderr, process.stderr.decode()
    return process.stdout, process.stderr, process.returncode


def test_a_warm_batch_asks_nothing_and_prints_the_same_bytes_with_the_network_gone(tmp_path):
    server, private = IndexServer().__enter__(), FailingIndex()
    fleet, cache = write_fleet(tmp_path, private.url), tmp_path / "cache"
    try:
        cold = run(server, fleet, cache)
        asked, asked_private = list(server.requests), list(private.requests)
        warm = run(server, fleet, cache)
        assert server.requests == asked, f"a warm run asked {server.requests[len(asked):]}"
        assert private.requests == asked_private, f"a warm run asked the failing index {private.requests[len(asked_private):]}"
    finally:
        server.__exit__(None, None, None)
        private.stop()
    # The first run asked for the negative answers too (which the second then did not ask again).
    assert "/pypi/docopt/0.6.2/json" in asked and "/simple/no-such-project-xyz/" in asked and asked_private
    stderr = warm[1].decode()
    assert "docopt 0.6.2: the index has no metadata to read its dependencies from" in stderr
    assert "http://127.0.0.1:9/simple/ could not be reached ([Errno 111] Connection refused); not asked again until" in stderr
    assert f"{private.url} could not be reached (HTTP 503); not asked again until" in stderr
    assert "no-such-project-xyz==1.0: not found on the index" in stderr
    assert "wheel cryptography-3.4.7-cp36-abi3-manylinux2014_x86_64.whl" in stderr  # the positive answers too
    assert warm == cold
    # The server is gone (nothing listens on its port): the same bytes.
    assert run(server, fleet, cache) == warm
    # No network at all (no route even to loopback), where this machine allows a namespace of one's own.
    if shutil.which("unshare") and subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0:
        assert run(server, fleet, cache, ["unshare", "--net"]) == warm


def test_negative_answers_are_kept_a_day_and_a_failed_index_a_short_time(tmp_path):
    cache = Cache(tmp_path)
    with IndexServer() as server:
        client = Client([server.url], cache)
        assert client.pages(["no-such-project-xyz"]) == {"no-such-project-xyz": None}
        assert client.metadata("docopt", "0.6.2", None) is None  # not PyPI: nothing to ask
        sdist = File("docopt-0.6.2.tar.gz", None, False, f"{server.root}files/docopt/docopt-0.6.2.tar.gz.missing")
        assert client.metadata("docopt", "0.6.2", sdist) is None  # a range request answered 404
        asked = list(server.requests)
        again = Client([server.url], cache)
        assert again.pages(["no-such-project-xyz"]) == {"no-such-project-xyz": None}
        assert again.metadata("docopt", "0.6.2", sdist) is None and again.metadata_absent("docopt", "0.6.2", sdist)
        assert server.requests == asked
        # --offline knows there is nothing to read, rather than nothing cached
        offline = Client([server.url], cache, offline=True)
        assert offline.metadata("docopt", "0.6.2", sdist) is None and offline.metadata_absent("docopt", "0.6.2", sdist)
    # A day later the index is asked again.
    stale = Cache(tmp_path, expiry=0.0)
    assert not stale.get_absent(sdist.url + "#METADATA") and stale.get_absent(sdist.url + "#METADATA", any_age=True)

    failing = Client(["http://127.0.0.1:9/simple/"], cache, timeout=2)
    assert failing.pages(["django"]) == {}
    why = failing.failed["http://127.0.0.1:9/simple/"]
    assert "Connection refused" in why and "not asked again until" in why
    # The next run takes the failure from the cache, word for word, and asks nothing.
    assert cache.get_failure("http://127.0.0.1:9/simple/") == why
    later = Client(["http://127.0.0.1:9/simple/"], cache)
    assert later.pages(["flask"]) == {} and later.failed == {"http://127.0.0.1:9/simple/": why}
    # After FAILED_EXPIRY it is asked again.
    from migrator.wheels import cache as cache_module

    fetched_then = time.time() - cache_module.FAILED_EXPIRY - 1
    cache.put_failure("http://127.0.0.1:9/simple/", why, fetched_then)
    assert cache.get_failure("http://127.0.0.1:9/simple/") is None


@pytest.mark.parametrize("offline", [False, True])
def test_a_cached_failure_is_not_a_reason_offline(tmp_path, offline):
    """--offline never asks, so it takes cached pages of any age even of an
    index whose last try failed."""
    cache = Cache(tmp_path)
    with IndexServer() as server:
        Client([server.url], cache).pages(["six"])
    cache.put_failure(server.url, "it failed", time.time())
    pages = Client([server.url], cache, offline=offline).pages(["six"])
    assert "six" in pages  # the fresh page is used either way: the failure only stops asking


def test_one_tls_context_serves_every_request_of_a_run():
    # http.client would build a context (loading the CA certificates, ~10 ms)
    # per connection: after cached failures expire, a fleet run probes each
    # private index again.
    import ssl
    import urllib.request

    from migrator.wheels import index

    opener = index._opener()
    assert index._opener() is opener
    handlers = [h for h in opener.handlers if isinstance(h, urllib.request.HTTPSHandler)]
    assert len(handlers) == 1 and isinstance(handlers[0]._context, ssl.SSLContext)
    assert handlers[0]._context.verify_mode == ssl.CERT_REQUIRED and handlers[0]._context.check_hostname
