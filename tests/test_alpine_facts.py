"""Alpine package facts: mappings/refresh_alpine.py reads APKBUILDs statically
(offline, on excerpts quoted in tests/data/aports), and the shipped table
(mappings/alpine/packages.json) that migrator.alpine.facts reads."""

import importlib.util
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from migrator.alpine import facts as alpine

REPO = Path(__file__).resolve().parent.parent
APORTS = REPO / "tests" / "data" / "aports"
SCRIPT = REPO / "mappings" / "refresh_alpine.py"


@pytest.fixture(scope="module")
def refresh():
    spec = importlib.util.spec_from_file_location("refresh_alpine", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table(refresh):
    return refresh.build(APORTS)


def test_a_library_whose_apkbuild_splits_nothing_keeps_everything(table):
    # libcap 2.42: make install, only -static/-dev/-doc split off: setcap stays in libcap
    pkgs = table["packages"]
    assert pkgs["libcap"]["rest"] == "everything"
    assert pkgs["libcap"]["role"] == "unknown"  # which commands, the APKBUILD does not say
    assert "programs" not in pkgs["libcap"]
    assert pkgs["libcap-static"]["role"] == "static"
    assert pkgs["libcap-dev"] == {"origin": "main/libcap", "role": "headers", "split": "default_dev",
                                  "depends": ["linux-headers"]}


def test_main_package_keeps_the_commands_when_the_libraries_go(table):
    pkgs = table["packages"]
    assert pkgs["enchant2"]["rest"] == "commands"
    assert pkgs["enchant2"]["depends"] == ["enchant2-aspell", "enchant2-hunspell"]
    assert pkgs["enchant2-libs"]["role"] == "library"
    assert pkgs["enchant2-hunspell"]["role"] == "plugin"
    assert pkgs["enchant2-hunspell"]["plugins"] == ["usr/lib/enchant-2/enchant_hunspell.so"]
    assert pkgs["enchant2-hunspell"]["install_if"] == ["enchant2-libs", "hunspell"]
    assert pkgs["enchant2-data"]["role"] == "data"


def test_variables_conditions_loops_and_helpers(table):
    pkgs = table["packages"]
    # pkgname=$_pkgname$_majorver with _majorver=${pkgver%%[_.]*}
    assert "postgresql16" in pkgs and pkgs["postgresql16"]["provides"] == ["postgresql"]
    # `$_default_ver && subpackages=...` with _default_ver=true
    assert pkgs["libpq"] == {"origin": "main/postgresql16", "role": "library", "sonames": ["libpq.so"]}
    dev = pkgs["libpq-dev"]
    assert (dev["role"], dev["pc"], dev["programs"]) == ("headers", ["libpq"], ["pg_config"])
    assert "sonames" not in dev  # usr/lib/libpq.* in a -dev is the link library
    # for cmd in $_client_cmds; do amove $_bindir/$cmd; provides="$provides cmd:$cmd"; done
    client = pkgs["postgresql16-client"]
    assert client["programs"] == ["pg_dump", "psql"]
    # (cmd:pg_dump and cmd:psql are its programs; provides keeps the other names)
    assert client["provides"] == ["postgresql-client"]
    # a helper's provides="postgresql${subpkgname#$pkgname}"
    assert pkgs["postgresql16-jit"]["provides"] == ["postgresql-jit"]
    assert pkgs["postgresql16-jit"]["role"] == "plugin"
    # _mv_mod ldap "LDAP": the helper's $1
    assert table["packages"]["apr-util-ldap"]["plugins"] == ["usr/lib/apr-util-1/apr_ldap*.so"]


def test_cd_then_relative_mv_and_patterns(table):
    utils = table["packages"]["aspell-utils"]
    # `cd "$pkgdir"/usr/bin; mv pre* aspell-import ...`: a pattern is no program name
    assert utils["programs"] == ["aspell-import", "run-with-aspell", "word-list-compress"]
    assert utils["role"] == "commands"
    assert table["packages"]["mosquitto-clients"]["programs"] == ["mosquitto_pub", "mosquitto_sub"]
    assert table["packages"]["mosquitto-libs++"]["sonames"] == ["libmosquittopp.so"]


def test_list_operators_and_language_bindings(table):
    pkgs = table["packages"]
    assert pkgs["net-snmp-libs"]["sonames"] == ["libnetsnmp.so"]  # `mv ... || return 1`
    assert pkgs["net-snmp-perl"]["role"] == "plugin"  # the Perl module, with mib2c riding along
    assert pkgs["net-snmp-perl"]["programs"] == ["mib2c", "traptoemail"]
    assert pkgs["net-snmp-tools"]["role"] == "commands"
    assert pkgs["net-snmp"]["rest"] == "unknown"  # both libraries and commands split off


def test_what_cannot_be_read_statically_stays_unknown(table):
    pkgs = table["packages"]
    extra = pkgs["computed-extra"]
    assert extra["role"] == "unknown" and "depends" not in extra
    assert any("$(" in u or "amove" in u or "computed" in u for u in extra["unknown"])
    assert pkgs["computed-tools"]["unknown"] == ["amove of $_undefined_name"]
    assert pkgs["computed-gone"]["unknown"] == ["split function gone() not found"]


def test_commits_come_from_the_listing(table):
    assert table["origins"]["main/libcap"] == {"commit": "05fa99d00311d49bcf85b2ee1216bad860851cb2", "pkgver": "2.42"}
    assert table["origins"]["main/aspell"]["commit"] == "unknown"  # not listed, not a git checkout


def test_command_line_writes_the_table_atomically(tmp_path):
    out = tmp_path / "packages.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--aports", str(APORTS), "--out", str(out), "--note", "test"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["note"] == "test" and data["packages"]["libpq"]["origin"] == "main/postgresql16"
    assert [p.name for p in tmp_path.iterdir()] == ["packages.json"]
    bad = subprocess.run([sys.executable, str(SCRIPT), "--aports", str(tmp_path / "nope"), "--out", str(out)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not a folder" in bad.stderr


# ---------------------------------------------------------------- the shipped table


def test_shipped_table_is_small_and_says_where_it_came_from():
    path = Path(alpine.facts_path())
    assert path.stat().st_size < 400_000  # a small fraction of the Debian data (2.9 MB)
    data = json.loads(path.read_text())
    assert data["schema"] == 1 and data["note"]
    for folder, info in data["origins"].items():
        assert re.fullmatch(r"(main|community|testing)/[^/]+", folder)
        assert re.fullmatch(r"[0-9a-f]{40}", info["commit"]), folder
    for name, raw in data["packages"].items():
        assert raw["origin"] in data["origins"], name
        assert raw["role"] in alpine.ROLES, name


def test_facts_by_name_and_by_provides():
    assert alpine.facts("libpq").sonames == ("libpq.so",)
    lm = alpine.facts("lm_sensors")  # only a provides of lm-sensors
    assert lm is not None and lm.name == "lm-sensors" and lm.via == "lm_sensors"
    assert alpine.facts("no-such-alpine-package") is None
    lines = alpine.facts("libcap").describe()
    assert lines[0].startswith("alpine: libcap, from aports main/libcap/APKBUILD (pkgver ")
    assert "nothing is split off" in lines[1]


def _gitlab_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://gitlab.alpinelinux.org/alpine/aports/-/raw/master/README.md", timeout=10):
            return True
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


@pytest.mark.network
def test_live_apkbuilds_parse(refresh, tmp_path):
    if not _gitlab_reachable():
        pytest.skip("aports is unreachable")
    missing = refresh.fetch(["main/openssl", "main/libxml2", "community/vips"], tmp_path)
    assert not missing
    table = refresh.build(tmp_path)
    pkgs = table["packages"]
    assert pkgs["openssl-dev"]["role"] == "headers"
    assert any(n.startswith("libcrypto") and pkgs[n]["role"] == "library" for n in pkgs)
    assert pkgs["vips-tools"]["role"] == "commands"
    assert table["origins"]["main/openssl"]["commit"] == "master"


def test_what_the_main_package_keeps_after_explicit_and_default_splits(table):
    pkgs = table["packages"]
    # install -Dm755 supercronic "$pkgdir"/usr/bin/supercronic
    assert pkgs["supercronic"]["programs"] == ["supercronic"]
    # default_dev then `mv "$pkgdir"/usr/bin`: the commands went, the library stayed
    assert pkgs["mariadb-connector-c"]["rest"] == "library"
    assert pkgs["mariadb-connector-c-dev"]["role"] == "headers"
    # `DESTDIR="$pkgdir" muon ... install`: an environment prefix; default_dev's
    # link files (usr/lib/*.so) are not "the libraries went elsewhere"
    assert pkgs["fribidi"]["rest"] == "everything"


def test_conditions_at_the_top_are_read_for_the_native_build(table):
    pkgs = table["packages"]
    # rust: `[ -z "$BOOTSTRAP" ] && subpackages="..."` and `[ "$CARCH" != "s390x" ] && ...`
    assert pkgs["cargo"]["programs"] == ["cargo"] and pkgs["cargo"]["role"] == "commands"
    assert pkgs["rustfmt"]["programs"] == ["cargo-fmt", "rustfmt"]
    assert "rust-wasm" in pkgs
    # binutils: `if [ "$CHOST" != "$CTARGET" ]; then pkgname="$pkgname-$CTARGET_ARCH"`
    # is a cross build: the native one keeps pkgname=binutils and gets -gold
    assert pkgs["binutils"]["rest"] == "everything"
    assert pkgs["binutils-gold"]["programs"] == ["ld.gold"]  # moved inside `if [ -e ... ]; then ... fi`
    assert not any(n.startswith("binutils-x86") for n in pkgs)
    # gcc: `: ${LANG_CXX:=true}`, then `[ "$CTARGET_LIBC" = musl ] && LANG_GO=false`
    assert pkgs["libstdc++"]["sonames"] == ["libstdc++.so"]
    assert "g++" in pkgs and "gcc-go" not in pkgs and "libgo" not in pkgs


def test_case_blocks_loops_with_conditions_and_find_exec_braces(table):
    pkgs = table["packages"]
    # util-linux: _mv_lib's `case` (a pkgdesc saying "library for ls-like programs"
    # is no loop), then `amove usr/lib/$libname.so.*`
    assert pkgs["libsmartcols"] == {"origin": "main/util-linux", "role": "library", "sonames": ["libsmartcols.so"]}
    assert pkgs["libuuid"]["sonames"] == ["libuuid.so"]
    # `-exec gzip -9 {} \;` in _login_doc does not swallow the functions after it
    assert pkgs["py3-libmount"]["role"] == "plugin"
    # misc(): `for dir in ...; do if [ -e "$pkgdir"/$dir ]; then amove $dir; fi; done`
    misc = pkgs["util-linux-misc"]
    assert misc["role"] == "commands" and misc["moves"] == ["bin", "sbin", "usr/bin", "usr/sbin"]
    # the top-level `if [ -z "$BOOTSTRAP" ] && ...; then ... else ... fi` took its then-branch
    assert "util-linux-login" in pkgs and "unknown" not in pkgs["util-linux-login"]


def test_a_split_that_provides_another_name(table):
    # gnupg's dirmngr(): provides="dirmngr=$pkgver-r$pkgrel"; amove usr/bin/dirmngr*
    dirmngr = table["packages"]["gnupg-dirmngr"]
    assert dirmngr["provides"] == ["dirmngr"] and dirmngr["role"] == "commands"
    assert "usr/bin/dirmngr*" in dirmngr["moves"]


def test_a_dev_split_that_moves_commands_too(table):
    # dpkg's dev(): default_dev, then mv "$pkgdir"/usr/bin/dpkg-architecture ... "$subpkgdir"/usr/bin/
    dev = table["packages"]["dpkg-dev"]
    assert dev["split"] == "default_dev" and dev["role"] == "headers"
    assert "dpkg-architecture" in dev["programs"] and len(dev["programs"]) == 14


def test_a_wheel_installed_into_the_main_package_is_a_python_module(table):
    # certbot-nginx: package() { python3 -m installer -d "$pkgdir" .dist/*.whl }
    nginx = table["packages"]["certbot-nginx"]
    assert nginx["role"] == "plugin" and nginx["plugins"] == ["usr/lib/python3*/site-packages"]
    assert "certbot" in nginx["depends"]


def test_data_a_split_installs_under_usr_share(table):
    # icu's data(): install -Dm644 "$builddir"/data/in/icudt${majorver}l.dat "$subpkgdir"/usr/share/icu/...
    data = table["packages"]["icu-data"]
    assert data["role"] == "data" and data["moves"] == ["usr/share/icu/69.1/icudt69l.dat"]
    assert table["packages"]["icu"]["rest"] == "commands"  # default_libs took the libraries
