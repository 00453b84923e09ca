"""The Packages parser, the cache, and the resolver over small hand-written
indexes (real files on disk, the real parser). Agreement with apt itself on
real indexes is tests/test_debian_roots.py."""

import lzma
import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from migrator.debian import packages_index
from migrator.debian.depsolver import System, human_size, installed_from_status, minbase
from migrator.debian.packages_index import IndexUnavailable, load_files, parse_relations

PACKAGES = """\
Package: libc6
Version: 2.36-9
Architecture: amd64
Priority: required
Installed-Size: 12000
Provides: libc-any

Package: base-files
Version: 12.4
Architecture: amd64
Essential: yes
Priority: required
Installed-Size: 300

Package: apt
Version: 2.6.1
Architecture: amd64
Priority: required
Installed-Size: 4000
Depends: libc6 (>= 2.34)

Package: gcc
Version: 4:12.2.0-3
Architecture: amd64
Priority: optional
Installed-Size: 50
Depends: cpp (= 4:12.2.0-3), gcc-12 (>= 12.2.0-1~)
Recommends: libc6-dev | libc-dev

Package: cpp
Version: 4:12.2.0-3
Architecture: amd64
Installed-Size: 40
Depends: cpp-12
Multi-Arch: allowed

Package: cpp-12
Version: 12.2.0-14
Architecture: amd64
Installed-Size: 30000
Depends: libc6 (>= 2.36),
 libgmp10
Description: a continuation line
 that goes on

Package: gcc-12
Version: 12.2.0-14
Architecture: amd64
Installed-Size: 60000
Pre-Depends: libc6 (>= 2.30)
Depends: cpp-12 (= 12.2.0-14), binutils:any

Package: gcc-12
Version: 12.2.0-10
Architecture: amd64
Installed-Size: 59000
Depends: cpp-12 (= 12.2.0-10)

Package: libgmp10
Version: 2:6.2.1+dfsg1-1.1
Architecture: amd64
Installed-Size: 800

Package: binutils
Version: 2.40-2
Architecture: amd64
Installed-Size: 100
Depends: libc6

Package: libc6-dev
Version: 2.36-9
Architecture: amd64
Installed-Size: 13000
Depends: libc6 (= 2.36-9)
Provides: libc-dev

Package: musl-dev
Version: 1.2.3-1
Architecture: amd64
Installed-Size: 4000
Provides: libc-dev

Package: mawk
Version: 1.3.4
Architecture: amd64
Installed-Size: 200
Provides: awk

Package: gawk
Version: 5.2.1
Architecture: amd64
Installed-Size: 3000
Provides: awk

Package: needs-awk
Version: 1
Architecture: all
Installed-Size: 1
Depends: awk

Package: needs-any-libc-dev
Version: 1
Architecture: all
Installed-Size: 1
Depends: libc-dev

Package: either
Version: 1
Architecture: all
Installed-Size: 1
Depends: not-in-archive | gawk | mawk

Package: new-python
Version: 3.11.2-1
Architecture: amd64
Installed-Size: 100
Provides: python3-abi (= 3.11)

Package: wants-abi-311
Version: 1
Architecture: all
Installed-Size: 1
Depends: python3-abi (= 3.11)

Package: wants-abi-312
Version: 1
Architecture: all
Installed-Size: 1
Depends: python3-abi (>= 3.12)

Package: wants-mawk-as-abi
Version: 1
Architecture: all
Installed-Size: 1
Depends: awk (>= 1)

Package: broken
Version: 1
Architecture: all
Installed-Size: 1
Depends: ghost (>= 2)

Package: hates-apt
Version: 1
Architecture: all
Installed-Size: 1
Conflicts: apt

Package: breaks-old-libc
Version: 1
Architecture: all
Installed-Size: 1
Breaks: libc6 (<< 2.37)

Package: breaks-new-libc
Version: 1
Architecture: all
Installed-Size: 1
Breaks: libc6 (<< 2.20)
"""


@pytest.fixture
def index(tmp_path):
    path = tmp_path / "Packages.xz"
    path.write_bytes(lzma.compress(PACKAGES.encode()))
    return load_files([path], "testsuite")


@pytest.fixture
def system(index):
    return minbase(index)


def test_parse_relations():
    assert parse_relations("a (>= 1.0), b | c:any, d (<<2)") == (
        (("a", ">=", "1.0"),), (("b", "", ""), ("c", "", "")), (("d", "<<", "2"),)
    )


def test_parser_reads_fields_continuations_and_versions(index):
    assert [p.version for p in index.versions["gcc-12"]] == ["12.2.0-14", "12.2.0-10"]  # newest first
    assert index.candidate("cpp-12").depends == ((("libc6", ">=", "2.36"),), (("libgmp10", "", ""),))
    assert index.candidate("gcc-12").depends[0] == (("libc6", ">=", "2.30"),)  # Pre-Depends first
    assert index.candidate("cpp").multi_arch == "allowed"
    assert index.candidate("base-files").essential
    assert sorted(p.name for p, _ in index.providers["libc-dev"]) == ["libc6-dev", "musl-dev"]


def test_minbase_is_required_plus_apt(system):
    assert sorted(system.installed) == ["apt", "base-files", "libc6"]


def test_closure_sizes_and_no_recommends(system):
    result = system.resolve(["gcc"])
    assert result.ok
    assert [p.name for p in result.new] == ["gcc", "cpp", "cpp-12", "libgmp10", "gcc-12", "binutils"]
    assert "libc6-dev" not in result.names  # a Recommends, not followed
    assert result.size_kib == 50 + 40 + 30000 + 800 + 60000 + 100
    assert human_size(result.size_kib) == "93 MB"  # KiB to SI megabytes, as apt prints them
    assert human_size(900) == "922 kB" and human_size(5000) == "5.1 MB"


def test_installed_packages_are_not_pulled_again(system):
    assert system.resolve(["libc6", "apt"]).new == []


def test_pinned_version(system):
    assert [str(p) for p in system.resolve(["libgmp10=2:6.2.1+dfsg1-1.1"]).new] == ["libgmp10 2:6.2.1+dfsg1-1.1"]
    assert "version 9 of gcc-12 is not in testsuite" in system.resolve(["gcc-12=9"]).problems[0].message
    # like apt, dependencies are met by candidates only: the old gcc-12 wants
    # an old cpp-12 that is not the candidate
    result = system.resolve(["gcc-12=12.2.0-10"])
    assert "gcc-12 depends on cpp-12 (= 12.2.0-10)" in result.problems[0].message


def test_missing_name(system):
    result = system.resolve(["nonesuch"])
    assert [(p.name, p.message) for p in result.problems] == [("nonesuch", "nonesuch is not a package of testsuite")]


def test_virtual_name_with_several_providers_must_be_chosen(system):
    result = system.resolve(["libc-dev"])
    assert not result.ok
    assert "provided by libc6-dev, musl-dev" in result.problems[0].message


def test_virtual_name_with_one_provider_selects_it(index):
    result = System(index).resolve(["libc-any"])
    assert result.ok and [p.name for p in result.new] == ["libc6"]
    assert "selects libc6" in result.notes[0]


def test_dependency_on_virtual_takes_a_provider(system):
    # nothing ranks them: apt takes the provider its cache numbered last (mentioned last)
    assert system.resolve(["needs-awk"]).names == {"needs-awk", "gawk"}
    assert system.resolve(["mawk", "needs-awk"]).names == {"mawk", "needs-awk"}  # already chosen: met


def test_first_installable_alternative(system):
    assert system.resolve(["either"]).names == {"either", "gawk"}
    assert system.resolve(["mawk", "either"]).names == {"either", "mawk"}  # an alternative already met
    # apt-get marks every named package before resolving: a name later on
    # the line meets an or-group too
    assert system.resolve(["either", "mawk"]).names == {"either", "mawk"}


def test_versioned_provides(system):
    assert system.resolve(["wants-abi-311"]).names == {"wants-abi-311", "new-python"}
    assert not system.resolve(["wants-abi-312"]).ok
    # an unversioned Provides never meets a versioned dependency
    assert not system.resolve(["wants-mawk-as-abi"]).ok


def test_unsatisfiable_dependency_names_the_requested_package(system):
    result = system.resolve(["gcc", "broken"])
    assert [p.name for p in result.problems] == ["broken"]
    assert "broken depends on ghost (>= 2)" in result.problems[0].message


def test_conflicts_and_breaks(system):
    assert "hates-apt conflicts apt" in system.resolve(["hates-apt"]).problems[0].message
    assert "breaks libc6 (<< 2.37)" in system.resolve(["breaks-old-libc"]).problems[0].message
    assert system.resolve(["breaks-new-libc"]).ok


def test_installed_from_dpkg_status(index, tmp_path):
    status = tmp_path / "status"
    status.write_text(
        "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\n"
        "Package: gcc\nStatus: deinstall ok config-files\nVersion: 4:12.2.0-3\nArchitecture: amd64\n"
    )
    assert sorted(installed_from_status(index, status).installed) == ["libc6"]


# -- download and cache ------------------------------------------------------


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """A local archive over real HTTP, holding the three indexes of `testsuite`."""
    root = tmp_path / "archive"
    for archive, dist in packages_index.sources("testsuite"):
        folder = root / archive.rsplit("/", 1)[-1] / "dists" / dist / "main" / "binary-amd64"
        folder.mkdir(parents=True)
        (folder / "Packages.xz").write_bytes(lzma.compress(PACKAGES.encode() if dist == "testsuite" else b""))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(packages_index, "ARCHIVE", url + "/debian")
    monkeypatch.setattr(packages_index, "SECURITY", url + "/debian-security")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(packages_index, "_LOADED", {})
    monkeypatch.setattr(packages_index, "STATS", packages_index.FetchStats())
    yield server
    server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_then_cache_then_offline(archive, tmp_path, monkeypatch):
    index = packages_index.load_suite("testsuite")
    assert index.candidate("gcc").version == "4:12.2.0-3"
    stats = packages_index.STATS
    assert (stats.downloads, stats.hits) == (3, 0) and stats.bytes > 0
    cached = tmp_path / "cache" / "unalpine" / "packages" / "testsuite_main_amd64_Packages.xz"
    assert cached.is_file() and cached.with_name(cached.name + ".pickle").is_file()

    monkeypatch.setattr(packages_index, "_LOADED", {})
    packages_index.load_suite("testsuite")
    assert (stats.downloads, stats.hits) == (3, 3)

    # old cache, archive gone: the old index is used and said to be stale
    archive.shutdown()
    archive.server_close()
    for path in cached.parent.glob("*.xz"):
        os.utime(path, (1, 1))
    monkeypatch.setattr(packages_index, "_LOADED", {})
    assert "gcc" in packages_index.load_suite("testsuite")
    assert len(stats.stale) == 3


def test_offline_without_cache_says_what_is_missing(archive, tmp_path):
    archive.shutdown()
    archive.server_close()
    with pytest.raises(IndexUnavailable) as raised:
        packages_index.load_suite("testsuite")
    message = str(raised.value)
    assert "cannot download http://127.0.0.1" in message
    assert str(tmp_path / "cache" / "unalpine" / "packages") in message


def test_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert packages_index.cache_dir() == tmp_path / "unalpine"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert packages_index.cache_dir() == Path(tmp_path / "home" / ".cache" / "unalpine")
