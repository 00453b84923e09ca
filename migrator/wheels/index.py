"""A client of the PEP 691 JSON simple API (`/simple/NAME/` with
`Accept: application/vnd.pypi.simple.v1+json`), which PyPI, its mirrors and
private indexes speak.

Which indexes: migrator.wheels.index_urls; what a page holds:
migrator.wheels.pages. Short timeouts and bounded retries; an index that
fails once is not asked again for cache.FAILED_EXPIRY (by this run or the
next ones: the failure is cached, and the warning says until when), so an
unreachable index costs one timeout, not one per project or per run. Every
other answer is cached too, negative ones included (a project or metadata
that is not there): a warm run asks nothing. The network is touched nowhere
else.
"""

from __future__ import annotations

import time
from _thread import allocate_lock  # threading itself (~1 ms) only when threads are started

from migrator import inputs
from migrator.wheels.cache import Cache, Stored
from migrator.wheels.pages import File, Page, compact, page_files, trim

PYPI_HOST = "https://pypi.org/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
TIMEOUT = 5.0  # seconds per request
ATTEMPTS = 2  # a timeout or 5xx is tried once more; a refused connection is not
WORKERS = 8

_OPENER = None


def _opener():
    """urllib's opener with one TLS context for every request of the run.
    urlopen() without a context makes http.client build a new default
    context per connection, loading the system's CA certificates each time
    (~10 ms): after the failures of private indexes expire, a fleet run
    probes each again, and that was most of its CPU. A race at the first
    request builds two openers, one of them kept: harmless."""
    global _OPENER
    if _OPENER is None:
        import ssl
        import urllib.request

        _OPENER = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    return _OPENER


class Unreachable(Exception):
    pass


class NotOffered(Exception):
    """The server answered, but does not offer what was asked (no range
    requests, no such file): an answer, cached like a 404."""

class Client:
    def __init__(self, urls: list[str], cache: Cache | None = None, offline: bool = False,
                 timeout: float = TIMEOUT):
        self.urls = urls
        self.cache = cache
        self.offline = offline
        self.timeout = timeout
        self.failed: dict[str, str] = {}  # index url -> why it could not be asked (and until when it is not asked)
        self.uncached: list[str] = []  # projects --offline had no cached answer for
        self._lock = allocate_lock()
        # One answer per project per run: a fleet asks about the same projects
        # file after file; re-reading the cache, rebuilding the File objects
        # and regrouping Page.releases each time was most of a fleet's run.
        self._known: dict[str, object] = {}
        self._texts: dict[str, str | None] = {}
        self._absent: set[str] = set()  # URLs that offer nothing (this run, or cached)
        # What migrator.wheels.dependencies read from this client's pages and
        # metadata, by (project, specifier, extras): kept as long as they are.
        self.readings: dict[tuple, tuple] = {}
        # Until when each answer kept above holds ("page"/"text"/"failed",
        # and its key): said again (inputs) each time it serves a file, so
        # a file's kept result (migrator.results) holds no longer than they.
        self._until: dict[tuple, float] = {}

    def pages(self, names: list[str]) -> dict[str, Page | None]:
        """Each project's files over all indexes; None for a project no index
        has; a name missing from the result could not be checked."""
        names = list(dict.fromkeys(names))
        # Threads only for the projects not read yet this run: in a fleet most
        # are known after the first files, and starting threads to look them
        # up in a dict cost more than the lookups.
        known = self._known
        unread = [name for name in names if name not in known]
        if not unread:  # a fleet's usual case: every page read for an earlier file
            for name in names:
                self._holds(("page", name))
            return {name: known[name] for name in names if known[name] is not _UNKNOWN}
        if len(unread) > 1 and not self.offline:
            # What the cache holds is read here; threads only for the pages
            # the index must give (a warm run starts none).
            fetch = []
            for name in unread:
                page = self._worked_out(("page", name), self._read_page, name, True)
                if page is _FETCH:
                    fetch.append(name)
                else:
                    self._known[name] = page
            if len(fetch) > 1:
                from concurrent.futures import ThreadPoolExecutor  # only when the index is asked

                with ThreadPoolExecutor(max_workers=min(WORKERS, len(fetch))) as pool:
                    list(pool.map(self._page, fetch))
        results = [self._page(name) for name in names]
        return {name: result for name, result in zip(names, results) if result is not _UNKNOWN}

    def _page(self, name: str):
        known = self._known.get(name, _NOT_READ)
        if known is _NOT_READ:
            known = self._known[name] = self._worked_out(("page", name), self._read_page, name)
        else:
            self._holds(("page", name))
        return known

    def _worked_out(self, key: tuple, work, *args):
        """work(*args), noting until when the answers it used hold (key: see _until)."""
        holder = inputs.begin_collecting()
        try:
            return work(*args)
        finally:
            inputs.end_collecting()
            self._until[key] = holder[0]

    def _holds(self, key: tuple) -> None:
        """An answer kept in memory serves one more file: say until when it holds."""
        inputs.index_answer_holds_until(self._until.get(key, float("inf")))

    def failures(self) -> dict[str, str]:
        """Why each index that failed could not be asked (a file's warning says it)."""
        with self._lock:
            failed = dict(self.failed)
        for index in failed:
            self._holds(("failed", index))
        return failed

    def _read_page(self, name: str, cached_only: bool = False):
        """The project's Page over all indexes, None when none has it,
        _UNKNOWN when it cannot be known (_FETCH: `cached_only` and an index
        must be asked)."""
        stored: list[tuple] = []
        oldest = 0.0
        fetched: list[float] = []  # when each index's answer was fetched
        for url in self.urls:
            cached = self.cache.get(url, name, any_age=self.offline) if self.cache else None
            if cached is not None:
                page, age, when = cached
            elif self.offline:
                with self._lock:
                    self.uncached.append(name)
                inputs.index_answer_holds_until(0)  # a later run may have the answer: nothing to keep
                return _UNKNOWN
            elif self._has_failed(url):
                return _UNKNOWN
            elif cached_only:
                return _FETCH
            else:
                try:
                    data, age = self._fetch(url, name), 0.0
                except Unreachable as error:
                    self._fail(url, str(error))
                    return _UNKNOWN
                # stored as it is read back: a fresh answer and a cached one give the same Page
                fresh = None if data is None else compact(page_files(data))
                when = self.cache.put(url, name, fresh) if self.cache else None
                page = None if fresh is None else Stored(fresh[2], (fresh[0], fresh[1], fresh[3]))
            oldest = max(oldest, age)
            fetched.append(when)
            if page is not None:
                stored.append(page)
        if not stored:
            return None
        if len(stored) == 1:
            result = Page.from_compact(name, stored[0], oldest)
        else:
            # on several indexes: all their files, each index's in its order, grouped again
            result = Page(name, tuple(File(*file) for releases, others, _, _ in (page.compact() for page in stored)
                                      for file in (*(f for _, group in releases for f in group), *others)), oldest)
        if self.cache and None not in fetched:
            result.stamp = (tuple(self.urls), name, tuple(fetched))
        return result

    def _has_failed(self, index: str) -> bool:
        """Whether `index` failed in this run, or in one that cached the
        failure less than FAILED_EXPIRY ago (then it counts for this run too)."""
        with self._lock:
            if index in self.failed:
                self._holds(("failed", index))
                return True
        why = self._worked_out(("failed", index), self.cache.get_failure, index) if self.cache else None
        if why is None:
            return False
        with self._lock:
            self.failed.setdefault(index, why)
        return True

    def _fail(self, index: str, error: str) -> None:
        """Note that `index` failed: not asked again by this run, nor (the
        failure cached) by any other for FAILED_EXPIRY; the warning says so."""
        from migrator.wheels.cache import FAILED_EXPIRY

        now = time.time()
        until = time.strftime("%H:%M UTC", time.gmtime(now + FAILED_EXPIRY))
        why = f"{error}; not asked again until {until}" if self.cache else error
        with self._lock:
            if index in self.failed:
                return
            self.failed[index] = why
        if self.cache:
            self._worked_out(("failed", index), self.cache.put_failure, index, why, now)
        else:
            self._until[("failed", index)] = now + FAILED_EXPIRY
            inputs.index_answer_holds_until(now + FAILED_EXPIRY)

    def metadata_absent(self, name: str, version: str, file: File | None) -> bool:
        """Whether metadata() found the index offers no metadata for this
        release (as opposed to not knowing: --offline with nothing cached)."""
        return any(url in self._absent for url in self._metadata_urls(name, file, version))

    def _metadata_urls(self, name: str, file: File | None, version: str) -> list[str]:
        urls = []
        if file is not None and file.url:
            urls.append(file.url + (".metadata" if file.metadata else "#METADATA"))
        if any(url.startswith(PYPI_HOST) for url in self.urls):
            urls.append(f"{PYPI_HOST}pypi/{name}/{version}/json")
        return urls

    def metadata_source(self, name: str, version: str, file: File | None) -> str | None:
        """Where metadata() reads a release's metadata from (its cache key:
        what is there never changes), following the same choice."""
        if file is not None and file.metadata and file.url:
            return file.url + ".metadata"
        if file is not None and file.url and (not self.offline or self._text(file.url + "#METADATA") is not None):
            return file.url + "#METADATA"
        if any(url.startswith(PYPI_HOST) for url in self.urls):
            return f"{PYPI_HOST}pypi/{name}/{version}/json"
        return None

    def metadata(self, name: str, version: str, file: File | None) -> str | None:
        """A release's core metadata: its wheel's PEP 658 file, or (for older
        wheels PyPI has none for) PyPI's JSON API; from the cache or the
        index. None when neither is offered or the index cannot be asked."""
        if file is not None and file.metadata and file.url:
            return self._text(file.url + ".metadata")
        if file is not None and file.url:
            if not self.offline:
                return self._text(file.url + "#METADATA", lambda _: self._wheel_metadata(file))
            # --offline: what an online run read out of the wheel, when it did
            # (else PyPI's JSON answer, below, if that was cached instead)
            known = self._text(file.url + "#METADATA")
            if known is not None:
                return known
        if any(url.startswith(PYPI_HOST) for url in self.urls):
            def requires_dist(body: str) -> str | None:
                import json

                try:
                    requires = json.loads(body)["info"].get("requires_dist") or []
                except (ValueError, KeyError, TypeError):
                    return None
                return f"Name: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)

            return self._text(f"{PYPI_HOST}pypi/{name}/{version}/json", requires_dist)
        return None

    def _wheel_metadata(self, file: File) -> str | None:
        """METADATA read out of the wheel itself with HTTP range requests (the
        zip's directory at the end, then the one member), as pip's fast-deps
        does, for indexes that offer no PEP 658 file."""
        import io
        import zipfile

        class Remote(io.RawIOBase):
            def __init__(reader) -> None:
                tail = self._get_range(file.url, "bytes=-65536")
                reader.size = tail[1]
                reader.chunks = {reader.size - len(tail[0]): tail[0]}
                reader.position = 0

            def seekable(reader) -> bool:
                return True

            def readable(reader) -> bool:
                return True

            def seek(reader, offset: int, whence: int = 0) -> int:
                reader.position = {0: offset, 1: reader.position + offset, 2: reader.size + offset}[whence]
                return reader.position

            def tell(reader) -> int:
                return reader.position

            def readinto(reader, buffer) -> int:
                want = min(len(buffer), reader.size - reader.position)
                if want <= 0:
                    return 0
                for start, data in reader.chunks.items():
                    if start <= reader.position and reader.position + want <= start + len(data):
                        piece = data[reader.position - start : reader.position - start + want]
                        break
                else:
                    end = min(reader.size, reader.position + max(want, 65536)) - 1
                    data = self._get_range(file.url, f"bytes={reader.position}-{end}")[0]
                    reader.chunks[reader.position] = data
                    piece = data[:want]
                buffer[: len(piece)] = piece
                reader.position += len(piece)
                return len(piece)

        try:
            with zipfile.ZipFile(io.BufferedReader(Remote(), 65536)) as wheel:
                name = next(n for n in wheel.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
                headers = wheel.read(name).decode("utf-8", "replace").split("\n\n", 1)[0].splitlines()
                keep = ("name:", "version:", "requires-python:", "requires-dist:")
                return "".join(line + "\n" for line in headers if line.lower().startswith(keep))
        except (NotOffered, zipfile.BadZipFile, StopIteration, OSError, ValueError, KeyError):
            return None  # an answer: this wheel's metadata cannot be read this way (Unreachable is not)

    def _get_range(self, url: str, byte_range: str) -> tuple[bytes, int]:
        """(bytes, total size of the file) for one HTTP range."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, headers={"Range": byte_range, "User-Agent": "unalpine"})
        try:
            with _opener().open(request, timeout=self.timeout) as response:
                body = response.read()
                total = response.headers.get("Content-Range", "").rpartition("/")[2]
                if response.status != 206 or not total.isdigit():
                    raise NotOffered(f"{url}: no range requests")
                return body, int(total)
        except urllib.error.HTTPError as error:
            if error.code < 500:
                raise NotOffered(f"{url}: HTTP {error.code}") from None
            raise Unreachable(f"{url} could not be read (HTTP {error.code})") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise Unreachable(f"{url} could not be read ({getattr(error, 'reason', error)})") from None

    def _text(self, url: str, keep=None) -> str | None:
        """The text at `url` (or what `keep` makes of it), cached for good;
        asked once per run (a fleet reads the same metadata file after file,
        and an index that offers none is not asked again)."""
        if url not in self._texts:
            self._texts[url] = self._worked_out(("text", url), self._read_text, url, keep)
        else:
            self._holds(("text", url))
        return self._texts[url]

    def _read_text(self, url: str, keep=None) -> str | None:
        cached = self.cache.get_text(url) if self.cache else None
        if cached is not None:
            return cached
        if self.cache and self.cache.get_absent(url, any_age=self.offline):
            with self._lock:
                self._absent.add(url)
            return None
        if self.offline:
            inputs.index_answer_holds_until(0)  # a later run may have the answer: nothing to keep
            return None
        index = next((u for u in self.urls if url.startswith(u.split("/simple")[0])), self.urls[0] if self.urls else "")
        if self._has_failed(index):
            return None
        try:
            if "#" in url:  # not a URL to get: `keep` reads it itself
                text = keep("") if keep is not None else None
            else:
                answer = self._get(url, "*/*")
                text = None if answer is None else answer[0].decode("utf-8", "replace")
                if text is not None and keep is not None:
                    text = keep(text)
        except Unreachable as error:
            self._fail(index, str(error))
            return None
        # Not there, or nothing readable in it: an answer too, kept as long as a page.
        if text is None:
            with self._lock:
                self._absent.add(url)
            if self.cache:
                self.cache.put_absent(url)
        elif self.cache:
            self.cache.put_text(url, text)
        return text

    def _fetch(self, index_url: str, name: str) -> dict | None:
        """The project's page, trimmed to what the check reads; None on 404."""
        import json

        base = f"{index_url}{name}/"
        answer = self._get(base, ACCEPT)
        if answer is None:
            return None
        body, kind = answer
        if "json" not in kind:
            raise Unreachable(f"{index_url} does not answer in PEP 691 JSON (got {kind or 'no content type'})")
        try:
            return trim(json.loads(body), base)
        except (ValueError, KeyError, TypeError) as error:
            raise Unreachable(f"{index_url} gave an unreadable answer ({error})") from None

    def _get(self, url: str, accept: str) -> tuple[bytes, str] | None:
        """(body, content type), None on 404; Unreachable after bounded retries."""
        import gzip
        import socket
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            url, headers={"Accept": accept, "Accept-Encoding": "gzip", "User-Agent": "unalpine"},
        )
        last = ""
        for _ in range(ATTEMPTS):
            try:
                with _opener().open(request, timeout=self.timeout) as response:
                    body = response.read()
                    if response.headers.get("Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                    return body, response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                last = f"HTTP {error.code}"
                if error.code < 500:
                    break
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                last = str(reason) or type(reason).__name__
                if isinstance(reason, (ConnectionRefusedError, socket.gaierror)):
                    break
            except (ValueError, KeyError, OSError) as error:
                last = f"unreadable answer ({error})"
                break
        index = url.split("/simple/")[0] + "/simple/" if "/simple/" in url else url
        raise Unreachable(f"{index} could not be reached ({last})")


_UNKNOWN = object()
_NOT_READ = object()
_FETCH = object()
