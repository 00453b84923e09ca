"""A PEP 691 index on 127.0.0.1 serving the recordings in tests/index/.

It is what the offline tests (and pip, as the oracle) talk to: the real HTTP
client, cache and JSON parsing run, only the answers are recorded. A wheel
file is served as a stub: a valid wheel holding only its dist-info (name and
version from the file name, which is all pip reads with --no-deps), also
offered as PEP 658 metadata; where tests/index/metadata/ holds the real
metadata of a wheel (recorded for the dependency walk), that is served, in
the .metadata file and inside the stub (which answers single HTTP ranges). pip chooses among the recorded files by their
names alone, so the stubs cannot steer its choice. Unknown projects are a
404, as on PyPI; so is PyPI's JSON API of one release
(`/pypi/NAME/VERSION/json`), as pypi.org answers it from this machine. Every
request is logged in `IndexServer.requests`.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import zipfile
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import parse_sdist_filename, parse_wheel_filename

RECORDINGS = Path(__file__).resolve().parent / "index"


@cache
def page(name: str, recordings: Path = RECORDINGS) -> dict | None:
    path = recordings / f"{name}.json.gz"
    if not path.is_file():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if len(parts) == 2 and parts[0] == "simple":
            data = page(parts[1], self.server.recordings)
            if data is None:
                return self._send(404, "text/plain", b"not found")
            files = [
                {
                    "filename": f["filename"],
                    "url": f"/files/{parts[1]}/{f['filename']}",
                    "hashes": {},
                    "requires-python": f.get("requires-python"),
                    "yanked": f.get("yanked", False),
                    "core-metadata": True,
                    "data-dist-info-metadata": True,
                    "dist-info-metadata": True,
                }
                for f in data["files"]
            ]
            body = json.dumps({"meta": {"api-version": "1.1"}, "name": data["name"], "files": files}).encode()
            return self._send(200, "application/vnd.pypi.simple.v1+json", body)
        if len(parts) == 3 and parts[0] == "files" and parts[2].endswith(".metadata"):
            recorded_metadata = self.server.recordings / "metadata" / parts[2]
            if recorded_metadata.is_file():
                return self._send(200, "text/plain", recorded_metadata.read_bytes())
            filename = parts[2][: -len(".metadata")]
            if filename.endswith(".whl"):
                name, version, _, _ = parse_wheel_filename(filename)
            else:
                name, version = parse_sdist_filename(filename)
            body = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
            return self._send(200, "text/plain", body)
        if len(parts) == 3 and parts[0] == "files" and parts[2].endswith(".whl"):
            recorded_metadata = self.server.recordings / "metadata" / f"{parts[2]}.metadata"
            metadata = recorded_metadata.read_text() if recorded_metadata.is_file() else None
            body = stub_wheel(parts[2], metadata)
            wanted = self.headers.get("Range", "")
            if wanted.startswith("bytes="):  # one range, as the wheel check's metadata reader asks
                first, _, last = wanted[len("bytes="):].partition("-")
                start = len(body) - int(last) if not first else int(first)
                end = len(body) - 1 if not first or not last else min(int(last), len(body) - 1)
                start = max(start, 0)
                return self._send(206, "application/octet-stream", body[start : end + 1],
                                  {"Content-Range": f"bytes {start}-{end}/{len(body)}"})
            return self._send(200, "application/octet-stream", body)
        self._send(404, "text/plain", b"not found")

    def _send(self, code: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        for header, value in (headers or {}).items():
            self.send_header(header, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def stub_wheel(filename: str, metadata: str | None = None) -> bytes:
    name, version, _, tags = parse_wheel_filename(filename)
    dist_info = "-".join(filename.split("-")[:2]) + ".dist-info"
    files = {
        f"{dist_info}/METADATA": metadata or f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: unalpine-tests\nRoot-Is-Purelib: true\n"
        + "".join(f"Tag: {tag}\n" for tag in sorted(map(str, tags))),
    }
    files[f"{dist_info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{dist_info}/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


class IndexServer:
    def __init__(self, recordings: Path = RECORDINGS) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.recordings = recordings  # another folder: a made-up index for one test
        self.server.requests = self.requests = []  # the path of every request, in order
        self.server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.url = f"{self.root}simple/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "IndexServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
