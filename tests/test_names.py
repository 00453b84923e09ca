"""The derived Debian indexes (Contents, Sources, base set) and the resolver
of Alpine names the mapping table does not settle."""

from __future__ import annotations

import importlib.util
import lzma
import marshal
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.debian.indexes import DerivedIndex, derived_path, parse
from migrator.debian.names import resolve
from migrator.debian.name_index import DebianIndex
from migrator.debian.suites import SUITES
from migrator.packages import PackageTable

REPO = Path(__file__).resolve().parent.parent
# CI has the shared folder beside the clone; a git worktree may sit one level deeper
ORACLE = next((p for p in (REPO.parent / "shared" / "oracle-dev.tsv", REPO.parent.parent / "shared" / "oracle-dev.tsv")
               if p.is_file()), REPO.parent / "shared" / "oracle-dev.tsv")


@pytest.fixture(scope="module")
def table() -> PackageTable:
    return PackageTable.load()


def _refresh_module():
    spec = importlib.util.spec_from_file_location("refresh_derived", REPO / "mappings" / "refresh_debian_indexes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- the shipped files


@pytest.mark.parametrize("suite", SUITES)
def test_derived_file_format(suite):
    text = lzma.decompress(Path(derived_path(suite)).read_bytes()).decode("utf-8")
    lines = text.splitlines()
    assert re.fullmatch(rf"# {suite} main amd64 derived indexes, fetched \d{{4}}-\d\d-\d\d from .+", lines[0])
    sections = [ln[1:] for ln in lines if ln.startswith("@")]
    assert sections == ["pc", "so", "bin", "include", "source", "transitional", "base"]
    idx = parse(suite, text)
    assert len(idx.pc) > 3000 and len(idx.so) > 5000 and len(idx.bin) > 30000 and len(idx.source) > 30000
    names = DebianIndex.load(suite)
    for src, bins in list(idx.source.items())[::500]:
        assert all(b in names for b in bins), src


def test_sources_by_norm_finds_what_a_line_regex_finds():
    # sources_by_norm searches the normalised names with str.find; the
    # spec is a regex over the lines: the key, then digits unless the key
    # ends with one.
    from migrator.debian.indexes import normalise

    idx = DerivedIndex.load("trixie")
    names = list(idx.source)
    lines = [normalise(name) for name in names]
    keys = {line[:cut] for line in lines[::701] for cut in (len(line), len(line) - 1, 3, 5) if cut > 0}
    keys |= {"tidyhtml", "softhsm", "softhsm2", "openssl", "libxml2", "python3", "x", "zzz-none"}
    for key in sorted(keys):
        digits = "[0-9]*" if not key[-1:].isdigit() else ""
        pattern = re.compile(rf"{re.escape(key)}{digits}")
        expected = [name for name, line in zip(names, lines) if pattern.fullmatch(line)]
        assert idx.sources_by_norm(key) == expected, key


@pytest.mark.parametrize("suite", ["trixie"])
def test_the_cached_built_index_answers_as_the_text(suite):
    # The user's cache keeps a derived index with every part built (marshal);
    # read back, it must answer every query as one built from the file's text.
    import marshal

    from migrator.debian.indexes import _built, _rebuilt

    text = lzma.decompress(Path(derived_path(suite)).read_bytes()).decode("utf-8")
    kept = _rebuilt(suite, marshal.loads(marshal.dumps(_built(parse(suite, text)))))
    fresh = parse(suite, text)
    assert kept.header == fresh.header and kept.base_set == fresh.base_set and kept.transitional == fresh.transitional
    for name in ("pc", "so", "bin", "include", "source"):
        assert dict(getattr(kept, name).raw_items()) == dict(getattr(fresh, name).raw_items())
    for package in ("libssl3t64", "curl", "gcc-14", "libxml2-dev", "nonesuch"):
        assert kept.source_of(package) == fresh.source_of(package)
        assert kept.command_count(package) == fresh.command_count(package)
    for key in ("tidyhtml", "softhsm", "openssl", "libxml2"):
        assert kept.sources_by_norm(key) == fresh.sources_by_norm(key)
    for prefix in ("libssl.so.", "libz.", "libx"):
        assert kept.sonames(prefix) == fresh.sonames(prefix)
    assert kept.pc_modules("lib") == fresh.pc_modules("lib")


@pytest.mark.parametrize("suite", SUITES)
def test_base_set_is_a_minbase_root(suite):
    base = DerivedIndex.load(suite).base_set
    # apt's and dpkg's own dependencies are there, build tools are not
    assert {"libc6", "dpkg", "apt", "passwd", "debianutils", "libstdc++6", "zlib1g", "perl-base", "coreutils"} <= base
    assert not {"gcc", "make", "python3", "curl", "usrmerge", "gawk"} & base
    assert 60 < len(base) < 120


def test_bookworm_base_set_matches_debootstrap_minbase():
    # a bookworm `debootstrap --variant=minbase` root has 88 packages (design notes)
    assert len(DerivedIndex.load("bookworm").base_set) == 88


@pytest.mark.parametrize("suite", SUITES)
def test_derived_indexes_know_well_known_files(suite):
    idx = DerivedIndex.load(suite)
    assert idx.pc["zlib"] == ("zlib1g-dev",)
    assert "libpq-dev" in idx.pc["libpq"]
    assert idx.bin["run-parts"] == ("debianutils",)
    assert "libxml2-dev" in idx.include["libxml2"]
    assert idx.source_of("libgeoip-dev") == "geoip"
    assert "libgeoip-dev" in idx.binaries("geoip")


def test_build_derived_from_archive_files():
    """The refresh script's reader on small real-format Packages, Contents and Sources."""
    refresh = _refresh_module()
    packages = textwrap.dedent("""\
        Package: libc6
        Priority: required
        Depends: libgcc-s1

        Package: libgcc-s1
        Priority: optional

        Package: dpkg
        Essential: yes
        Pre-Depends: libc6, tar (>= 1.0) | star

        Package: tar
        Priority: required

        Package: libfoo2
        Description: the foo library

        Package: libfoo-dev
        Depends: libfoo2

        Package: foo-tools
        Description: transitional package for foo-utils

        Package: foo-utils
        Depends: awk

        Package: mawk
        Provides: awk
    """).encode()
    contents = textwrap.dedent("""\
        usr/bin/foo                                             utils/foo-utils
        usr/lib/x86_64-linux-gnu/libfoo.so.2                    libs/libfoo2
        usr/lib/x86_64-linux-gnu/libfoo.so.2.0.1                libs/libfoo2
        usr/lib/x86_64-linux-gnu/pkgconfig/foo.pc               libdevel/libfoo-dev
        usr/include/foo/foo.h                                   libdevel/libfoo-dev
        usr/include/x86_64-linux-gnu/foo/arch.h                 libdevel/libfoo-dev
        usr/share/doc/libfoo2/copyright                         libs/libfoo2
        sbin/ldconfig                                           libs/libc6
    """).encode()
    sources = textwrap.dedent("""\
        Package: foo
        Binary: libfoo2, libfoo-dev,
         foo-utils, foo-tools, foo-udeb-for-another-arch

        Package: glibc
        Binary: libc6
    """).encode()
    text = refresh.build_derived("s", "fetched today", packages, contents, sources)
    idx = parse("s", text)
    assert idx.pc == {"foo": ("libfoo-dev",)}
    assert idx.so == {"libfoo.so.2": ("libfoo2",)}  # the soname, not the real file
    assert idx.bin == {"foo": ("foo-utils",), "ldconfig": ("libc6",)}
    assert idx.include == {"foo": ("libfoo-dev",)}
    # binaries the Packages file does not have are left out
    assert idx.source["foo"] == ("foo-tools", "foo-utils", "libfoo-dev", "libfoo2")
    assert idx.transitional == {"foo-tools"}
    assert idx.base_set == {"libc6", "libgcc-s1", "dpkg", "tar"}


# ---------------------------------------------------------------- the resolver: roles and evidence


@pytest.mark.parametrize(
    "apk, suite, want, evidence",
    [
        ("oniguruma-dev", "bookworm", "libonig-dev", "ships oniguruma.pc"),  # Debian's source is libonig
        ("talloc-dev", "trixie", "libtalloc-dev", "ships talloc.pc"),
        ("apr-util-dev", "bookworm", "libaprutil1-dev", "apr-util"),
        # geoip's APKBUILD splits nothing off: the library and geoiplookup
        ("geoip", "bookworm", "libgeoip1 geoip-bin", "keeps everything make install installs"),
        ("geoip", "trixie", "libgeoip1t64 geoip-bin", "keeps everything make install installs"),
        # tidyhtml keeps tidy, its library went to tidyhtml-libs (tidy-html5: the same name written differently)
        ("tidyhtml", "trixie", "libtidy58 tidy", "keeps the commands and depends on tidyhtml-libs"),
        ("vips", "bookworm", "libvips42", "runtime library"),
        # Debian's softhsm is a transitional dummy; Alpine's softhsm (its APKBUILD splits nothing off)
        # carries the PKCS#11 module and softhsm2-util: Debian's libsofthsm2 and softhsm2
        ("softhsm", "bookworm", "libsofthsm2 softhsm2", "softhsm2"),
        ("mosquitto-libs", "bookworm", "libmosquitto1", "ships libmosquitto.so.1"),
        ("aspell-libs", "bullseye", "libaspell15", "ships libaspell.so.15"),
        # the library and its commands (saidar, statgrab): Alpine's APKBUILD splits nothing off
        ("libstatgrab", "trixie", "libstatgrab10t64 saidar statgrab", "libstatgrab"),
        ("net-snmp-tools", "bookworm", "snmp", "command(s)"),
        ("apr-util-ldap", "bookworm", "libaprutil1-ldap", "the ldap part"),
        ("lm_sensors", "bookworm", "lm-sensors", "Debian spells it lm-sensors"),
        # an LD_PRELOAD library: Debian's lib<name>, no soname in it (source nss-wrapper)
        ("nss_wrapper", "bookworm", "libnss-wrapper", "Debian names the library libnss-wrapper"),
        ("uid_wrapper", "trixie", "libuid-wrapper", "Debian names the library libuid-wrapper"),
        ("ruby-rake", "bookworm", "rake", "under its own name"),
        ("ruby-json", "bookworm", "ruby-json", "gem json"),
        ("perl-dbd-sqlite", "trixie", "libdbd-sqlite3-perl", "with a version"),
        ("lua-cjson", "bookworm", "lua-cjson", "Lua module"),
        ("php82-pdo_mysql", "bookworm", "php-mysql", "pdo_mysql"),
        ("php83", "trixie", "php-cli", "PHP command line"),
        ("nodejs-dev", "bookworm", "libnode-dev", "-dev package of Debian source package nodejs"),
        ("lua5.1-libs", "bookworm", "liblua5.1-0", "ships liblua5.1.so.0"),
        ("samba-dev", "bookworm", "samba-dev", "same name"),
        ("apr-util-dbd_pgsql", "bookworm", "libaprutil1-dbd-pgsql", "the dbd_pgsql part"),
        ("libheif-aom", "trixie", "libheif-plugin-aomdec libheif-plugin-aomenc", "all of the aom part"),
        ("rabbitmq-c", "bookworm", "librabbitmq4", "librabbitmq"),
        ("nodejs-npm", "bookworm", "npm", "under its own name"),
        ("gnupg-dirmngr", "bookworm", "dirmngr", "the dirmngr part"),
        # the same name written Debian's way beats the libraries its source also builds
        ("postgresql15", "bookworm", "postgresql-15", "Debian spells it postgresql-15"),
        ("enchant2", "bookworm", "libenchant-2-2 enchant-2", "keeps the commands and depends on enchant2-libs"),
        ("postgresql15", "trixie", "postgresql-17", "another version"),  # not its client libraries
        ("cmd:envsubst-zzz", "bookworm", None, None),
        ("cmd:xmllint", "bookworm", "libxml2-utils", "installs the command xmllint"),
        ("pc:libxml-2.0", "trixie", "libxml2-dev", "ships libxml-2.0.pc"),
        ("so:libpq.so.5", "bookworm", "libpq5", "ships libpq.so.5"),
    ],
)
def test_resolver_answers_with_evidence(apk, suite, want, evidence):
    res = resolve(apk, suite)
    if want is None:
        assert res.recommended is None and not res.candidates
        return
    assert res.recommended == want, res.explain()
    assert res.best.label == want
    assert any(evidence in e.text for e in res.best.evidence), res.explain()
    assert all(n in DebianIndex.load(suite) for n in want.split())


def test_the_soname_separates_the_libraries_of_one_source():
    # Alpine's libmemcached-libs holds libmemcached, libmemcachedutil, libhashkit:
    # libmemcached.so.11 is the one its name says; the others are offered
    res = resolve("libmemcached-libs", "bookworm")
    assert res.recommended == "libmemcached11"
    assert "libmemcachedutil2" in [c.label for c in res.candidates]


def test_several_runtime_libraries_of_one_source_go_together():
    # no soname says which: DB-Library and CT-Library of FreeTDS come as one
    res = resolve("freetds", "bookworm")
    assert "libct4 libsybdb5" in [c.label for c in res.candidates]
    # and Alpine's freetds (its APKBUILD splits nothing off) has the tools too: freetds-bin comes with them
    assert set(res.best.names) == {"libct4", "libsybdb5", "freetds-bin"}


@pytest.mark.parametrize(
    "apk, suite, twin",
    [("run-parts", "bookworm", "debianutils"), ("dpkg", "trixie", "dpkg"), ("cmd:useradd", "bookworm", "passwd"),
     ("libgcc-s1", "bookworm", "libgcc-s1"), ("so:libz.so.1", "trixie", "zlib1g"),
     ("e2fsprogs-extra", "bookworm", "e2fsprogs")],  # Debian does not split that part off
)
def test_twin_in_every_image_is_dropped(table, apk, suite, twin):
    res = resolve(apk, suite)
    assert res.recommended == "drop" and twin in res.why and "every Debian image" in res.why
    m = table.lookup(apk, suite, "debian")
    assert m.recommended == "drop"
    assert next(c for c in m.choices if c.value == "drop").why == res.why


@pytest.mark.parametrize("apk", ["foo-doc", "foo-lang", "foo-bash-completion", "foo-dbg"])
def test_pattern_drops(table, apk):
    m = table.lookup(apk, "bookworm", "debian")
    assert m.kind == "drop" and "pattern" in m.why


def test_a_part_debian_keeps_in_the_main_package_only_for_part_words():
    assert resolve("gettext-tiny", "bookworm").recommended == "gettext"
    # s6-overlay is its own project, not a part of s6
    assert resolve("s6-overlay", "bookworm").recommended is None


def test_nothing_found_keeps_with_what_was_looked_up(table):
    m = table.lookup("zzz-no-such-thing-dev", "bookworm", "debian")
    assert m.kind == "unknown" and m.recommended == "keep"
    assert "libzzz-no-such-thing-dev" in m.why


def test_unknown_choices_carry_the_evidence(table):
    m = table.lookup("oniguruma-dev", "bookworm", "python")
    assert m.kind == "unknown" and m.recommended == "map:libonig-dev"
    choice = next(c for c in m.choices if c.value == m.recommended)
    assert choice.names == ("libonig-dev",) and "oniguruma.pc" in choice.why
    assert "oniguruma.pc" in choice.label  # what a prompt shows
    assert [c.value for c in m.choices][-2:] == ["keep", "drop"]


def test_explain_prints_the_evidence():
    out = subprocess.run(
        [sys.executable, "-m", "migrator", "--explain", "oniguruma-dev", "--target", "bookworm"],
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout
    assert "evidence in Debian bookworm" in out
    assert "* libonig-dev" in out and "pc: ships oniguruma.pc" in out
    assert "role: headers" in out


# ---------------------------------------------------------------- start-up cost: zero for table names

_PROBE = textwrap.dedent("""\
    import sys
    from migrator.cli import main
    try:
        main(["--yes", "--diff", "--quiet", sys.argv[1]])
    except SystemExit:
        pass
    print(",".join(sorted(m for m in sys.modules if m.startswith("migrator.debian"))))
    import migrator.debian.indexes as indexes  # (imported now if the run did not)
    print("loaded" if indexes.loaded() else "not-loaded")
""")


def _probe(tmp_path, dockerfile: str) -> tuple[str, set[str]]:
    """Run the CLI on a Dockerfile in a fresh interpreter: (whether a derived
    index was read, the migrator.debian modules imported by the run)."""
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    # A cache of its own: the answers earlier runs kept (names.remembered) would spare the lookup.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, cwd=REPO,
                         env=env, check=True).stdout.splitlines()
    return out[-1], set(filter(None, out[-2].split(",")))


def test_table_names_never_open_the_derived_indexes(tmp_path):
    status, modules = _probe(tmp_path, "FROM python:3.12-alpine\nRUN apk add --no-cache gcc musl-dev libffi-dev\n")
    assert "migrator.debian.indexes" not in modules and "migrator.debian.names" not in modules
    assert status == "not-loaded"


def test_an_unknown_name_opens_them(tmp_path):
    status, modules = _probe(tmp_path, "FROM python:3.12-alpine\nRUN apk add --no-cache oniguruma-dev\n")
    assert {"migrator.debian.indexes", "migrator.debian.names"} <= modules
    assert status == "loaded"


# ---------------------------------------------------------------- the dev oracle


def _oracle():
    if not ORACLE.is_file():
        pytest.skip(f"the dev oracle {ORACLE} is not there (it lives in ../shared beside the clone)")
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import oracle_score
    finally:
        sys.path.pop(0)
    return oracle_score, oracle_score.read_oracle(ORACLE)


def test_dev_oracle_score_bookworm(table):
    oracle_score, pairs = _oracle()
    right, total, misses = oracle_score.score(pairs, table, "bookworm")
    assert total > 80
    assert right / total >= 0.97, misses


@pytest.mark.parametrize("suite", SUITES)
def test_dev_oracle_answers_exist(table, suite):
    """Every name --yes would install for an oracle name exists in the suite."""
    oracle_score, pairs = _oracle()
    idx = DebianIndex.load(suite)
    for pair in pairs:
        for base in ("debian", "python"):
            what, names = oracle_score.answered(table.lookup(pair.apk, suite, base))
            assert what != "keep", (pair.apk, suite, base)
            assert all(n in idx for n in names), (pair.apk, suite, base, names)


# ---------------------------------------------------------------- Python 2-era names


def test_python2_era_names(table):
    # Alpine up to 3.11: python was Python 2, py2-pip its pip
    assert table.lookup("python", "bullseye", "debian").names == ("python2", "python-is-python2")
    m = table.lookup("python", "bookworm", "debian")
    assert m.kind == "decision" and m.recommended == "python3"
    for apk in ("python", "py2-pip", "py-pip"):
        m = table.lookup(apk, "bullseye", "python")
        assert m.kind == "drop" or m.recommended == "drop", apk
    # py2-<module>: Debian's Python 2 name where it still exists, else Python 3's
    assert resolve("py2-six", "bullseye").recommended == "python-six"
    assert resolve("py2-six", "bookworm").recommended == "python3-six"


# ---------------------------------------------------------------- any name at all

from hypothesis import given, settings, strategies as st  # noqa: E402

_NAME = st.one_of(
    st.from_regex(r"(cmd:|pc:|so:|py3-|perl-|ruby-|lua5\.[1-4]-|php8[0-4]-|nodejs-|lib)?[a-z0-9][a-z0-9+._-]{0,20}", fullmatch=True),
    st.sampled_from(["-dev", "lib", "so:libfoo", "gtk+3.0", "x-tools", "foo-libs", "cmd:sh"]),
)


@settings(max_examples=150, deadline=None)
@given(name=_NAME, suite=st.sampled_from(SUITES))
def test_any_name_gets_an_answer_that_exists(table, name, suite):
    """Whatever the name, the lookup answers, and what --yes would install
    exists in the suite (keep is recommended only with no candidate at all)."""
    m = table.lookup(name, suite, "debian")
    idx = DebianIndex.load(suite)
    rec = next((c for c in m.choices if c.value == m.recommended), None)
    if m.kind == "unknown":
        assert rec is not None
        maps = [c for c in m.choices if c.value.startswith("map:")]
        if rec.value == "keep":
            assert not maps
        for c in maps:
            assert all(n in idx for n in c.names), (name, c)


def test_resolutions_are_remembered_between_runs_and_then_load_no_index(tmp_path):
    # The first run resolves (loading the suite's indexes) and keeps the
    # answers in the user's cache; the next run of the same file answers
    # the same from there, loading neither the derived index nor the package list.
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-alpine\nRUN apk add --no-cache tidyhtml oniguruma-dev geoip\n")
    code = (
        "import sys\nfrom migrator.cli import main\n"
        "try:\n    main(['--yes', '--diff', 'Dockerfile'])\nexcept SystemExit:\n    pass\n"
        "from migrator.debian import indexes, name_index\n"
        "print('LOADED', len(indexes.loaded()), name_index._load_index.cache_info().currsize, file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=120)
        loaded = next(line for line in done.stderr.splitlines() if line.startswith("LOADED "))
        runs.append((done.stdout, loaded))
    (first_diff, first_loaded), (second_diff, second_loaded) = runs
    assert first_loaded != "LOADED 0 0" and second_loaded == "LOADED 0 0"
    assert second_diff == first_diff and "libtidy" in first_diff


def test_a_remembered_resolution_is_the_resolution():
    from migrator.debian.resolution import Resolution

    for apk in ("tidyhtml", "oniguruma-dev", "geoip", "so:libfoo.so.1", "nonesuch-xyz"):
        fresh = resolve(apk, "trixie")
        again = Resolution.from_plain(marshal.loads(marshal.dumps(fresh.plain())))
        assert again == fresh and again.explain() == fresh.explain()


def test_the_why_lists_the_exact_name_among_those_looked_up():
    why = resolve("libxyzzy-dev", "bookworm").why
    assert "none of libxyzzy-dev, libxyzzy1-dev" in why
