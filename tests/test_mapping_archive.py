"""The table against the committed Debian indexes (offline), and against the
live archive (``-m network``, skipped when the archive is unreachable)."""

from __future__ import annotations

import gzip
import importlib.util
import lzma
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from migrator.debian.name_index import DebianIndex
from migrator.debian.suites import SUITES
from migrator.packages import BASE_KINDS, PackageTable

REPO = Path(__file__).resolve().parent.parent
MAPPINGS = REPO / "mappings"


@pytest.fixture(scope="module")
def table() -> PackageTable:
    return PackageTable.load()


def emitted(table: PackageTable, suite: str) -> dict[str, set[str]]:
    """Debian name -> the apk entries (and bases) that can emit it on suite."""
    out: dict[str, set[str]] = {}
    for apk in table.names():
        for base in BASE_KINDS:
            m = table.lookup(apk, suite, base)
            # an unknown name's "keep" choice is the user's own Alpine name
            names = list(m.names) + [n for c in m.choices for n in c.names
                                     if not (m.kind == "unknown" and c.value == "keep")]
            for n in names:
                out.setdefault(n, set()).add(f"{apk} ({base})")
    return out


# ---------------------------------------------------------------- the index files


@pytest.mark.parametrize("suite", SUITES)
def test_index_file_format(suite):
    text = lzma.decompress((MAPPINGS / "debian" / f"{suite}.txt.xz").read_bytes()).decode("utf-8")
    lines = text.splitlines()
    assert re.fullmatch(rf"# {suite} main amd64, fetched \d{{4}}-\d\d-\d\d from .+", lines[0]), lines[0]
    names = lines[1:]
    assert names == sorted(set(names)), "names must be sorted and unique"
    assert all(n and " " not in n and not n.startswith("#") for n in names)
    assert len(names) > 50_000


@pytest.mark.parametrize("suite", SUITES)
def test_index_has_packages_and_provides(suite):
    idx = DebianIndex.load(suite)
    for name in ("libc6", "python3", "gcc", "build-essential", "ca-certificates", "libc6-dev"):
        assert name in idx
    # a Provides-only name: mail-transport-agent is virtual in every suite
    assert "mail-transport-agent" in idx
    assert "no-such-package-xyz" not in idx
    assert idx.header.startswith(f"# {suite} main amd64")


def test_index_is_cached_per_suite():
    assert DebianIndex.load("bookworm") is DebianIndex.load("bookworm")
    assert DebianIndex.load("bookworm") is not DebianIndex.load("trixie")


def test_index_unknown_suite():
    # an archived suite (buster) reads its stand-in's index (test_verify); a made-up one fails
    with pytest.raises(ValueError):
        DebianIndex.load("hamm")


def test_known_suite_differences_in_the_indexes():
    """The facts the table's per-suite entries rely on."""
    bull, book, trix = (DebianIndex.load(s) for s in SUITES)
    assert "libgdk-pixbuf2.0-dev" in book and "libgdk-pixbuf2.0-dev" not in trix
    assert "libpcre3-dev" in book and "libpcre3-dev" not in trix
    assert "bind9-dnsutils" in book and "bind9-dnsutils" in trix
    assert "libssl1.1" in bull and "libssl1.1" not in book
    assert "libssl3t64" in trix and "libssl3t64" not in book
    assert "su-exec" not in trix and "gosu" in trix
    assert "python2" in bull and "python2" not in book
    assert "wkhtmltopdf" in book and "wkhtmltopdf" not in trix


# ---------------------------------------------------------------- every emitted name exists


@pytest.mark.parametrize("suite", SUITES)
def test_every_name_the_table_emits_exists(table, suite):
    idx = DebianIndex.load(suite)
    missing = {name: sorted(who) for name, who in emitted(table, suite).items() if name not in idx}
    assert not missing, f"Debian {suite} lacks: {missing}"


def test_every_name_in_the_file_exists_in_some_suite():
    """Typos in layers that no lookup reaches (e.g. a `to` every suite overrides)."""
    import tomllib

    data = tomllib.loads((MAPPINGS / "packages.toml").read_text("utf-8"))
    indexes = [DebianIndex.load(s) for s in SUITES]

    def names(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("to", "names") and isinstance(v, list):
                    yield from v
                elif k != "pip":
                    yield from names(v)
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, str):  # suites.X = ["name"] shorthand
                    yield v
                else:
                    yield from names(v)

    bad = sorted(
        f"{apk}: {n}" for apk, entry in data["packages"].items()
        for n in names(entry) if not any(n in idx for idx in indexes)
    )
    assert not bad


def test_py3_section_names_exist_in_some_suite(table):
    indexes = [DebianIndex.load(s) for s in SUITES]
    bad = {}
    for suffix, (pypi, deb) in table.py3_names().items():
        for name in deb or (f"python3-{suffix}",):
            if not any(name in idx for idx in indexes):
                bad[suffix] = name
    assert not bad, f"[py3] Debian names in no suite: {bad}"


@pytest.mark.parametrize("suite", SUITES)
def test_py3_lookups_emit_only_existing_names(table, suite):
    idx = DebianIndex.load(suite)
    for suffix in table.py3_names():
        for base in BASE_KINDS:
            m = table.lookup(f"py3-{suffix}", suite, base)
            for name in list(m.names) + [n for c in m.choices for n in c.names if c.value != "keep"]:
                assert name in idx, (suffix, suite, base, name)


def test_py3_section_maps_on_the_newest_suite(table):
    """A [py3] entry whose Debian name exists nowhere recent is a typo."""
    for suffix in table.py3_names():
        m = table.lookup(f"py3-{suffix}", "trixie", "debian")
        assert m.kind == "map", (suffix, m.why)


def test_coverage(table):
    assert len(table.names()) >= 400


# ---------------------------------------------------------------- live archive


def _archive_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://deb.debian.org/debian/dists/trixie/Release", timeout=10) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


@pytest.mark.network
def test_live_archive_still_has_every_table_name(table, tmp_path):
    if not _archive_reachable():
        pytest.skip("the Debian archive is unreachable")
    spec = importlib.util.spec_from_file_location("refresh", MAPPINGS / "refresh_debian_indexes.py")
    refresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(refresh)
    for suite in SUITES:
        try:
            path = refresh.refresh(suite, refresh.MIRRORS, tmp_path)
        except (urllib.error.URLError, OSError, TimeoutError, SystemExit) as exc:
            pytest.skip(f"cannot download {suite}: {exc}")
        lines = lzma.decompress(path.read_bytes()).decode().splitlines()
        assert lines[0].startswith(f"# {suite} main amd64, fetched ")
        live = set(lines[1:])
        missing = sorted(n for n in emitted(table, suite) if n not in live)
        assert not missing, f"gone from live {suite}: {missing} (run mappings/refresh_debian_indexes.py)"


# ---------------------------------------------------------------- the refresh script, offline


def _refresh_module():
    spec = importlib.util.spec_from_file_location("refresh_offline", MAPPINGS / "refresh_debian_indexes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _contents_and_sources(dist: str) -> dict[str, bytes]:
    return {
        f"{dist}/main/Contents-amd64.gz": gzip.compress(b"usr/bin/a   utils/a\n"),
        f"{dist}/main/source/Sources.xz": lzma.compress(b"Package: a\nBinary: a, b\n"),
    }


def test_refresh_parses_packages_and_provides():
    refresh = _refresh_module()
    text = (
        b"Package: libssl3t64\nVersion: 3.5\nProvides: libssl3 (= 3.5), libssl-abi:any\n\n"
        b"Package: mawk\nProvides: awk\n\nPackage: zlib1g\n"
    )
    assert refresh.names_from_packages(text) == {"libssl3t64", "libssl3", "libssl-abi", "mawk", "awk", "zlib1g"}


def test_refresh_falls_back_to_the_archive_host(tmp_path, monkeypatch):
    """A suite gone from the main mirror is read from the archive; a missing
    -updates suite is skipped; the header carries the Release date."""
    refresh = _refresh_module()
    main, archive = "https://main.example/debian", "https://archive.example/debian"
    files = {
        f"{archive}/dists/oldsuite/Release": b"Origin: Debian\nDate: Sat, 01 Jan 2000 00:00:00 UTC\n",
        f"{archive}/dists/oldsuite/main/binary-amd64/Packages.xz": lzma.compress(b"Package: b\n\nPackage: a\nProvides: c\n"),
        **_contents_and_sources(f"{archive}/dists/oldsuite"),
    }
    fetched = []

    def fake_fetch(url):
        fetched.append(url)
        if url in files:
            return files[url]
        raise refresh.NotFound(url)

    monkeypatch.setattr(refresh, "fetch", fake_fetch)
    path = refresh.refresh("oldsuite", (main, archive), tmp_path)["names"]
    lines = lzma.decompress(path.read_bytes()).decode().splitlines()
    assert re.fullmatch(r"# oldsuite main amd64, fetched \d{4}-\d\d-\d\d from Sat, 01 Jan 2000 00:00:00 UTC", lines[0])
    assert lines[1:] == ["a", "b", "c"]
    assert f"{main}/dists/oldsuite/Release" in fetched
    assert any("oldsuite-updates" in u for u in fetched)


def test_refresh_merges_updates(tmp_path, monkeypatch):
    refresh = _refresh_module()
    m = "https://m.example/debian"
    files = {
        f"{m}/dists/s/Release": b"Date: D\n",
        f"{m}/dists/s/main/binary-amd64/Packages.xz": lzma.compress(b"Package: a\n"),
        f"{m}/dists/s-updates/main/binary-amd64/Packages.gz": __import__("gzip").compress(b"Package: u\n"),
        **_contents_and_sources(f"{m}/dists/s"),
    }

    def fake_fetch(url):
        if url in files:
            return files[url]
        raise refresh.NotFound(url)

    monkeypatch.setattr(refresh, "fetch", fake_fetch)
    path = refresh.refresh("s", (m,), tmp_path)["names"]
    assert lzma.decompress(path.read_bytes()).decode().splitlines()[1:] == ["a", "u"]


def test_refresh_no_mirror_serves_the_suite(tmp_path, monkeypatch):
    refresh = _refresh_module()

    def fake_fetch(url):
        raise refresh.NotFound(url)

    monkeypatch.setattr(refresh, "fetch", fake_fetch)
    with pytest.raises(SystemExit, match="no mirror serves nosuite"):
        refresh.refresh("nosuite", ("https://x.example/debian",), tmp_path)
