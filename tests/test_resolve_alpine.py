"""Resolving from both sides: the Alpine package's facts (its APKBUILD, via
mappings/alpine/packages.json) choose the role, Debian's indexes the names."""

import pytest

from migrator.alpine.facts import facts as alpine_facts
from migrator.debian.names import resolve
from migrator.debian.name_index import DebianIndex
from migrator.packages import PackageTable


@pytest.mark.parametrize(
    ("apk", "suite", "want", "evidence"),
    [
        # a lib* name whose APKBUILD moves the libraries to -libs: the main package is the commands
        ("libmemcached", "bookworm", "libmemcached11 libmemcached-tools", "keeps the commands"),
        # nothing split off: Debian's library and the source's command package together
        ("libxpm", "bookworm", "libxpm4 xpmutils", "keeps everything make install installs"),
        ("libstatgrab", "trixie", "libstatgrab10t64 saidar statgrab", "keeps everything make install installs"),
        # fcgi keeps cgi-fcgi and libfcgi.so.0 (only fcgi++ and -dev split off): Debian's library and libfcgi-bin
        ("fcgi", "trixie", "libfcgi0t64 libfcgi-bin", "keeps everything make install installs"),
        # Alpine puts the LDAP and SQLite drivers in subpackages: apr-util is the library alone
        ("apr-util", "bookworm", "libaprutil1", "runtime library of Debian source package apr-util"),
        # a plugin Debian does not package apart: in Debian's counterpart of the main package
        ("apr-util-dbm_db", "bookworm", "libaprutil1", "is a plugin of apr-util"),
        ("vips-heif", "bookworm", "libvips42", "is a plugin of vips"),
        ("postgresql16-jit", "bookworm", "postgresql-15", "is a plugin of postgresql16"),
        # the soname the APKBUILD moves settles which of a source's libraries
        ("net-snmp-libs", "bookworm", "libsnmp40", "carries libnetsnmp.so"),
        ("mosquitto-libs++", "bookworm", "libmosquittopp1", "carries libmosquittopp.so"),
        # the commands a split function moves
        ("lm-sensors-detect", "bookworm", "lm-sensors", "carries the command(s) sensors-conf-convert, sensors-detect"),
        # a subpackage that provides another name Debian has (`provides="dirmngr=...")`)
        ("gnupg-dirmngr", "bookworm", "dirmngr", "provides dirmngr, and Debian has a package of that name"),
        # a -dev that abuild's default_dev fills and the split adds commands to (dpkg-architecture, ...):
        # Debian's dpkg-dev (Architecture: all, found in the full command index), not libdpkg-dev
        ("dpkg-dev", "bookworm", "dpkg-dev", "has the same name and installs the commands"),
        # a Python application's plugin Alpine names without py3- (its APKBUILD installs a wheel)
        ("certbot-nginx", "bookworm", "python3-certbot-nginx", "Python module certbot-nginx"),
        # data the library reads, which Debian keeps in the library package: the -libs sibling's answer
        ("icu-data", "bookworm", "libicu72", "is data of icu-libs"),
        ("icu-data", "trixie", "libicu76", "is data of icu-libs"),
        # a language binding stays a binding even with tools riding along
        ("net-snmp-perl", "bookworm", "libsnmp-perl", "the perl part"),
    ],
)
def test_alpine_facts_decide_the_role(apk, suite, want, evidence):
    res = resolve(apk, suite)
    assert res.recommended == want, res.explain()
    assert any(evidence in e.text for e in res.best.evidence), res.explain()
    assert all(n in DebianIndex.load(suite) for n in want.split())


def test_a_library_of_the_same_source_that_alpine_splits_off_counts_against():
    res = resolve("apr-util", "bookworm")
    ldap = next(c for c in res.candidates if c.label == "libaprutil1-ldap")
    assert any(e.weight < 0 and "ldap part in its own subpackage" in e.text for e in ldap.evidence)


def test_explain_shows_both_sides():
    text = PackageTable.load().explain("libmemcached", "bookworm")
    assert "alpine: libmemcached, from aports main/libmemcached/APKBUILD (pkgver 1.0.18, commit " in text
    assert "role: commands (the libraries went to a subpackage; it depends on them)" in text
    assert "evidence in Debian bookworm:" in text
    # a table entry shows the Alpine side too
    text = PackageTable.load().explain("libcap", "bookworm")
    assert "from the builtin table" in text and "alpine: libcap, from aports main/libcap/APKBUILD" in text


def test_names_without_facts_resolve_as_before():
    # no APKBUILD read for it: the name alone decides, as it did (the table
    # grows as APKBUILDs are read: take the first of these it does not cover)
    name = next(n for n in ("hiredis", "geos", "proj", "gdal", "libyaml") if alpine_facts(n) is None)
    res = resolve(name, "bookworm")
    assert res.recommended and res.recommended.startswith("lib") and res.recommended[-1].isdigit(), res.explain()
    assert not any(e.kind == "alpine" for c in res.candidates for e in c.evidence)


@pytest.mark.parametrize(
    ("apk", "suite", "want"),
    [
        # tidyhtml keeps tidy; tidyhtml-libs (default_libs) has libtidy.so.5
        ("tidyhtml", "bookworm", "libtidy5deb1 tidy"),
        ("tidyhtml", "trixie", "libtidy58 tidy"),
        # enchant2 keeps enchant-2 and enchant-lsmod-2 and depends on its providers;
        # Debian's libenchant-2-2 has the aspell and hunspell providers, not voikko's
        ("enchant2", "bookworm", "libenchant-2-2 enchant-2"),
        ("libmemcached", "trixie", "libmemcached11t64 libmemcached-tools"),
    ],
)
def test_commands_whose_library_went_to_libs_bring_the_library_by_name(apk, suite, want):
    # what the APKBUILD says (tests/data/aports, quoted) is what the shipped table says
    quoted = _quoted()["packages"]
    if apk in quoted:
        assert quoted[apk]["rest"] == "commands" and quoted[f"{apk}-libs"]["role"] == "library"
        assert alpine_facts(apk).rest == "commands"
    res = resolve(apk, suite)
    assert res.recommended == want, res.explain()
    assert "keeps the commands and depends on" in res.best.evidence[0].text
    assert all(n in DebianIndex.load(suite) for n in want.split())


def _quoted() -> dict:
    import importlib.util
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("refresh_alpine", repo / "mappings" / "refresh_alpine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(repo / "tests" / "data" / "aports")


def test_table_entry_fixed_by_the_apkbuild():
    # libcap's APKBUILD splits nothing but -dev/-static/-doc off: setcap is in libcap
    m = PackageTable.load().lookup("libcap", "bookworm", "python")
    assert m.names == ("libcap2", "libcap2-bin")
    assert "APKBUILD" in m.why


def test_a_name_debian_ships_unchanged_with_the_same_role_is_the_answer():
    # main/mailcap (quoted in tests/data/aports): `make install` of the whole
    # project, nothing split off but -doc, so mailcap is /etc/mailcap and
    # /etc/mime.types. Debian's mailcap ships /etc/mailcap (and run-mailcap) in
    # every suite and depends on media-types for /etc/mime.types: the same
    # name covers both, where media-types (or bullseye's mime-support, a
    # transitional package) left /etc/mailcap out.
    quoted = _quoted()["packages"]["mailcap"]
    assert quoted["origin"] == "main/mailcap" and quoted["rest"] == "everything"
    table = PackageTable.load()
    for suite in ("bullseye", "bookworm", "trixie"):
        m = table.lookup("mailcap", suite, "python")
        assert m.names == ("mailcap",), suite
        assert "mailcap" in DebianIndex.load(suite)
        assert "media-types" in m.why and "/etc/mailcap" in m.why


def test_a_main_package_keeping_library_and_commands_gets_the_commands_package():
    # main/fcgi (quoted): package() is `make DESTDIR="$pkgdir" install`, and
    # only xx() moves anything (`mv "$pkgdir"/usr/lib/*++* ...`, fcgi++):
    # cgi-fcgi stays in fcgi with libfcgi.so.0. Debian's libfcgi-bin holds
    # cgi-fcgi (and depends on the library) in every suite.
    quoted = _quoted()["packages"]
    assert quoted["fcgi"]["rest"] == "everything" and quoted["fcgi++"]["moves"] == ["usr/lib/*++*"]
    assert alpine_facts("fcgi").rest == "everything"
    for suite in ("bullseye", "bookworm", "trixie"):
        res = resolve("fcgi", suite)
        assert "libfcgi-bin" in res.recommended.split(), (suite, res.explain())


def test_a_dev_whose_sibling_dev_is_split_off_leaves_the_siblings_part_out():
    # community/mongo-c-driver (quoted, _static functions left out): _dev runs
    # default_dev and then moves libbson's .pc, .so link, cmake files and
    # usr/include/libbson-1.0 back, and libbson-dev (default_dev) takes them:
    # mongo-c-driver-dev holds libmongoc's part. Debian's source mongo-c-driver
    # has libbson-dev and libmongoc-dev, which tie on the name alone.
    quoted = _quoted()["packages"]
    assert quoted["mongo-c-driver-dev"]["role"] == quoted["libbson-dev"]["role"] == "headers"
    assert alpine_facts("libbson-dev").origin == alpine_facts("mongo-c-driver-dev").origin == "community/mongo-c-driver"
    for suite in ("bullseye", "bookworm", "trixie"):
        res = resolve("mongo-c-driver-dev", suite)
        assert res.recommended == "libmongoc-dev", (suite, res.explain())
        assert "libbson-dev is libbson-dev's part" in res.best.evidence[0].text
        # the sibling itself keeps its Debian namesake
        assert resolve("libbson-dev", suite).recommended == "libbson-dev"
