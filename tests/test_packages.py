"""migrator.packages: lookup per entry kind, suite, base; overlays; schema errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from migrator import package_file
from migrator import packages as P
from migrator.errors import InputError
from migrator.data_files import data_dir
from migrator.debian import name_index
from migrator.debian.name_index import DebianIndex
from migrator.debian.suites import SUITES
from migrator.errors import MappingError
from migrator.packages import Choice, Mapping, PackageTable


@pytest.fixture(scope="module")
def table() -> PackageTable:
    return PackageTable.load()


def write(tmp_path: Path, text: str, name: str = "my.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def names(table, apk, suite="bookworm", base="python"):
    m = table.lookup(apk, suite, base)
    assert m.kind == "map", m
    return m.names


# ---------------------------------------------------------------- kind "map"


@pytest.mark.parametrize(
    "apk, expected",
    [
        ("gcc", ("gcc",)),
        ("g++", ("g++",)),
        ("musl-dev", ("libc6-dev",)),
        ("build-base", ("build-essential",)),
        ("linux-headers", ("linux-libc-dev",)),
        ("libffi-dev", ("libffi-dev",)),
        ("openssl-dev", ("libssl-dev",)),
        ("cargo", ("cargo",)),
        ("postgresql-dev", ("libpq-dev",)),
        ("xz-dev", ("liblzma-dev",)),
        ("zlib-dev", ("zlib1g-dev",)),
        ("libxslt-dev", ("libxslt1-dev",)),
        ("jpeg-dev", ("libjpeg62-turbo-dev",)),
        ("su-exec", ("gosu",)),
        ("shadow", ("passwd",)),
        ("xz", ("xz-utils",)),
        ("procps", ("procps",)),
        ("wget", ("wget",)),
        ("patch", ("patch",)),
        ("tini", ("tini",)),
        ("perl-dbd-pg", ("libdbd-pg-perl",)),
        ("alpine-sdk", ("build-essential", "git")),
    ],
)
def test_map(table, apk, expected):
    assert names(table, apk) == expected
    assert table.lookup(apk, "bookworm", "python").source == "builtin"


def test_the_blog_set(table):
    """gcc musl-dev python3-dev libffi-dev openssl-dev cargo on a python image."""
    got = {apk: table.lookup(apk, "bookworm", "python") for apk in
           "gcc musl-dev python3-dev libffi-dev openssl-dev cargo".split()}
    assert got["gcc"].names == ("gcc",)
    assert got["musl-dev"].names == ("libc6-dev",)
    assert got["python3-dev"].kind == "decision" and got["python3-dev"].recommended == "drop"
    assert got["libffi-dev"].names == ("libffi-dev",)
    assert got["openssl-dev"].names == ("libssl-dev",)
    assert "older" in got["cargo"].why


def test_tini_path_is_explained(table):
    assert "/usr/bin/tini" in table.lookup("tini", "trixie", "debian").why


# ---------------------------------------------------------------- kind "drop"


@pytest.mark.parametrize("apk", ["musl", "libc6-compat", "gcompat", "bash", "coreutils", "findutils",
                                 "grep", "sed", "tar", "util-linux", "busybox", "libstdc++", "libgcc"])
def test_drop(table, apk):
    for suite in SUITES:
        for base in ("python", "debian"):
            m = table.lookup(apk, suite, base)
            assert m.kind == "drop" and m.names == () and m.why, (apk, suite, base)


def test_drop_reasons_say_why(table):
    assert "glibc" in table.lookup("libc6-compat", "trixie", "python").why
    assert "Essential" in table.lookup("bash", "trixie", "python").why


def test_alpine_sdk_says_abuild_is_dropped(table):
    assert "abuild" in table.lookup("alpine-sdk", "trixie", "python").why


@pytest.mark.parametrize("apk", ["py3-numpy-pyc", "libxml2-pyc", "nginx-openrc"])
def test_pattern_drops(table, apk):
    m = table.lookup(apk, "trixie", "debian")
    assert m.kind == "drop" and m.why


# ---------------------------------------------------------------- per base kind


def test_python3_dev_per_base(table):
    for suite in SUITES:
        m = table.lookup("python3-dev", suite, "python")
        assert m.kind == "decision" and m.recommended == "drop"
        values = {c.value: c for c in m.choices}
        assert set(values) == {"drop", "apt"}
        assert values["apt"].names == ("python3-dev",) and values["drop"].names == ()
        d = table.lookup("python3-dev", suite, "debian")
        assert d.kind == "map" and d.names == ("python3-dev",)


@pytest.mark.parametrize("apk", ["python3", "py3-pip"])
def test_python_itself_is_dropped_on_python_images(table, apk):
    m = table.lookup(apk, "trixie", "python")
    assert m.kind == "decision" and m.recommended == "drop"
    assert table.lookup(apk, "trixie", "debian").kind == "map"


def test_python3_on_debian_brings_venv(table):
    assert table.lookup("python3", "bookworm", "debian").names == ("python3", "python3-venv")


@pytest.mark.parametrize("apk", ["tzdata", "ca-certificates"])
def test_python_images_already_have(table, apk):
    assert table.lookup(apk, "bookworm", "python").kind == "drop"
    assert table.lookup(apk, "bookworm", "debian").names == (apk,)


# ---------------------------------------------------------------- py3-*


@pytest.mark.parametrize(
    "apk, pypi, deb",
    [
        ("py3-yaml", "PyYAML", "python3-yaml"),
        ("py3-dateutil", "python-dateutil", "python3-dateutil"),
        ("py3-openssl", "pyOpenSSL", "python3-openssl"),
        ("py3-pillow", "Pillow", "python3-pil"),
        ("py3-numpy", "numpy", "python3-numpy"),
        ("py3-lxml", "lxml", "python3-lxml"),
        ("py3-cryptography", "cryptography", "python3-cryptography"),
        ("py3-requests", "requests", "python3-requests"),
        ("py-yaml", "PyYAML", "python3-yaml"),
    ],
)
def test_py3_names(table, apk, pypi, deb):
    m = table.lookup(apk, "bookworm", "python")
    assert m.kind == "decision" and m.recommended == "pip"
    by = {c.value: c for c in m.choices}
    assert by["pip"].pip == (pypi,)
    assert by["apt"].names == (deb,) and "cannot import" in by["apt"].label
    assert by["drop"].names == () and by["drop"].pip == ()
    d = table.lookup(apk, "bookworm", "debian")
    assert d.kind == "map" and d.names == (deb,)


def test_py3_psycopg2_prefers_binary_wheel(table):
    m = table.lookup("py3-psycopg2", "bookworm", "python")
    assert m.recommended == "pip"
    assert next(c for c in m.choices if c.value == "pip").pip == ("psycopg2-binary",)
    assert "libpq-dev" in m.why


@pytest.mark.parametrize("apk", ["py3-setuptools", "py3-wheel", "py3-pip"])
def test_py3_packaging_tools_are_dropped_on_python_images(table, apk):
    m = table.lookup(apk, "trixie", "python")
    assert m.kind == "decision" and m.recommended == "drop"


def test_py3_unknown_project(table):
    m = table.lookup("py3-zzz-not-a-thing", "trixie", "python")
    assert m.kind == "decision" and m.recommended == "pip"
    assert [c.value for c in m.choices] == ["pip", "drop"]  # no apt: Debian lacks it
    assert m.choices[0].pip == ("zzz-not-a-thing",)
    d = table.lookup("py3-zzz-not-a-thing", "trixie", "debian")
    assert d.kind == "unknown" and "python3-zzz-not-a-thing" in d.why


def test_py3_missing_in_one_suite_is_unknown_there(table):
    # python3-psycopg (psycopg 3) is in bookworm and trixie, not bullseye
    assert table.lookup("py3-psycopg", "bookworm", "debian").names == ("python3-psycopg",)
    assert table.lookup("py3-psycopg", "bullseye", "debian").kind == "unknown"
    m = table.lookup("py3-psycopg", "bullseye", "python")
    assert "apt" not in {c.value for c in m.choices}


# ---------------------------------------------------------------- per-suite differences


@pytest.mark.parametrize(
    "apk, bullseye, bookworm, trixie",
    [
        ("freetype-dev", "libfreetype6-dev", "libfreetype-dev", "libfreetype-dev"),
        ("gdk-pixbuf-dev", "libgdk-pixbuf2.0-dev", "libgdk-pixbuf-2.0-dev", "libgdk-pixbuf-2.0-dev"),
        ("bind-tools", "dnsutils", "bind9-dnsutils", "bind9-dnsutils"),
        ("libssl3", "libssl1.1", "libssl3", "libssl3t64"),
        ("libcurl", "libcurl4", "libcurl4", "libcurl4t64"),
        ("libffi", "libffi7", "libffi8", "libffi8"),
        ("icu-libs", "libicu67", "libicu72", "libicu76"),
        ("ncurses-dev", "libncurses-dev", "libncurses-dev", "libncurses-dev"),
    ],
)
def test_per_suite_names(table, apk, bullseye, bookworm, trixie):
    for suite, want in zip(SUITES, (bullseye, bookworm, trixie)):
        assert table.lookup(apk, suite, "debian").names == (want,), suite
    assert table.lookup(apk, "trixie", "python").why


def test_pcre_dev_is_a_decision_on_trixie(table):
    assert table.lookup("pcre-dev", "bookworm", "python").names == ("libpcre3-dev",)
    m = table.lookup("pcre-dev", "trixie", "python")
    assert m.kind == "decision" and m.recommended == "pcre2"
    assert next(c for c in m.choices if c.value == "pcre2").names == ("libpcre2-dev",)


def test_per_suite_drop(table):
    assert table.lookup("python2", "bullseye", "debian").names == ("python2",)
    assert table.lookup("python2", "trixie", "debian").kind == "drop"
    assert table.lookup("wkhtmltopdf", "trixie", "debian").kind == "drop"


# ---------------------------------------------------------------- unknown names


def test_unknown_single_candidate_is_recommended(table):
    m = table.lookup("libcap-ng-dev", "bookworm", "python")
    assert m.kind == "unknown"
    maps = [c for c in m.choices if c.value.startswith("map")]
    assert [c.names for c in maps] == [("libcap-ng-dev",)]
    assert m.recommended == maps[0].value
    assert {"keep", "drop"} <= {c.value for c in m.choices}
    assert "libcap-ng-dev" in m.why


def test_unknown_dev_gets_lib_prefix(table):
    # Alpine's "talloc-dev" is Debian's "libtalloc-dev"
    m = table.lookup("talloc-dev", "bookworm", "debian")
    assert ("libtalloc-dev",) in [c.names for c in m.choices]


def test_unknown_perl_name(table):
    # DBD::SQLite: Debian's name carries the SQLite version
    m = table.lookup("perl-dbd-sqlite", "bookworm", "debian")
    assert m.kind == "unknown" and m.recommended == "map:libdbd-sqlite3-perl"
    m = table.lookup("perl-zzz-not-a-module", "bookworm", "debian")
    assert m.recommended == "keep" and "libzzz-not-a-module-perl" in m.why
    m = table.lookup("perl-text-csv", "bookworm", "debian")
    assert ("libtext-csv-perl",) in [c.names for c in m.choices]


def test_unknown_font(table):
    m = table.lookup("ttf-inconsolata", "bookworm", "debian")
    assert ("fonts-inconsolata",) in [c.names for c in m.choices]


def test_unknown_runtime_soname_candidates(table):
    m = table.lookup("libsodium-zzz", "trixie", "debian")  # nothing at all
    assert [c.value for c in m.choices] == ["keep", "drop"] and m.recommended == "keep"
    m = table.lookup("leptonica", "trixie", "debian")
    got = [n for c in m.choices for n in c.names]
    assert "libleptonica-dev" in got


def test_unknown_several_candidates_recommends_the_runtime_library(table):
    # a bare library name is the runtime library on Alpine (its headers are
    # leptonica-dev): both are offered, the library first and recommended
    m = table.lookup("leptonica", "trixie", "debian")
    maps = [c for c in m.choices if c.value.startswith("map")]
    assert len(maps) > 1
    # (its APKBUILD splits nothing off: the library and whatever programs make install adds)
    assert m.recommended == maps[0].value and m.recommended.startswith("map:libleptonica6")


def test_unknown_choices_exist_in_the_index(table):
    for apk in ("libcap-ng-dev", "talloc-dev", "leptonica", "perl-text-csv", "ttf-inconsolata", "libfoo-dev"):
        for suite in SUITES:
            idx = DebianIndex.load(suite)
            m = table.lookup(apk, suite, "debian")
            for c in m.choices:
                if c.value.startswith("map"):
                    assert c.names[0] in idx


def test_unknown_choice_values_are_unique(table):
    m = table.lookup("leptonica", "trixie", "debian")
    values = [c.value for c in m.choices]
    assert len(values) == len(set(values))


# ---------------------------------------------------------------- explain


def test_explain_all_suites(table):
    text = table.explain("freetype-dev")
    assert "libfreetype6-dev" in text and "libfreetype-dev" in text
    for suite in SUITES:
        assert suite in text
    assert "any image" in text  # python and debian images agree
    assert "differs between suites" in text
    assert "renamed" in text
    text = table.explain("python3-dev")
    assert "python image" in text and "debian image" in text


def test_explain_one_suite(table):
    text = table.explain("python3-dev", "trixie")
    assert "bullseye" not in text and "trixie" in text
    assert "decision" in text and "drop*" in text


def test_explain_unknown_and_py3(table):
    assert "not in the table" in table.explain("libcap-ng-dev", "bookworm")
    assert "Pillow" in table.explain("py3-pillow", "bookworm")


def test_explain_bad_suite(table):
    with pytest.raises(ValueError):
        table.explain("gcc", "buster")


# ---------------------------------------------------------------- lookup arguments


def test_lookup_rejects_bad_suite_or_base(table):
    # an archived suite (buster) is answered by its stand-in index (test_verify); a made-up one is not
    with pytest.raises(ValueError):
        table.lookup("gcc", "hamm", "python")
    with pytest.raises(ValueError):
        table.lookup("gcc", "bookworm", "alpine")


def test_names(table):
    n = table.names()
    assert n == sorted(n) and len(n) >= 400
    assert {"gcc", "musl-dev", "build-base", "py3-pip"} <= set(n)


def test_mapping_and_choice_are_frozen(table):
    m = table.lookup("gcc", "bookworm", "python")
    assert isinstance(m, Mapping)
    with pytest.raises(Exception):
        m.kind = "drop"  # type: ignore[misc]
    c = Choice("x", "y")
    assert c.names == () and c.pip == () and c.why == ""


# ---------------------------------------------------------------- overlays


def test_overlay_overrides_builtin(tmp_path):
    ov = write(tmp_path, """
schema = 1
[packages.gcc]
to = ["gcc-12"]
why = "pinned"
[packages.my-internal-lib]
kind = "drop"
why = "we vendor it"
[py3]
yaml = "ruamel.yaml"
""")
    t = PackageTable.load([ov])
    m = t.lookup("gcc", "bookworm", "python")
    assert m.names == ("gcc-12",) and m.source == str(ov) and m.why == "pinned"
    assert t.lookup("my-internal-lib", "trixie", "debian").kind == "drop"
    assert t.lookup("musl-dev", "bookworm", "python").names == ("libc6-dev",)  # builtin still there
    m = t.lookup("py3-yaml", "bookworm", "python")
    assert m.choices[0].pip == ("ruamel.yaml",)
    assert "my-internal-lib" in t.names() and "gcc" in t.names()


def test_later_overlay_wins(tmp_path):
    a = write(tmp_path, '[packages.curl]\nto = ["curl"]\nwhy = "a"\n', "a.toml")
    b = write(tmp_path, '[packages.curl]\nto = ["wget"]\nwhy = "b"\n', "b.toml")
    m = PackageTable.load([a, b]).lookup("curl", "trixie", "debian")
    assert m.names == ("wget",) and m.source == str(b)


def test_no_builtin(tmp_path):
    ov = write(tmp_path, '[packages.gcc]\nto = ["gcc"]\n')
    t = PackageTable.load([ov], builtin=False)
    assert t.names() == ["gcc"]
    assert t.lookup("musl-dev", "bookworm", "python").kind == "unknown"
    assert PackageTable.load([], builtin=False).names() == []


def test_overlay_with_per_suite_and_base(tmp_path):
    ov = write(tmp_path, """
[packages.foo]
to = ["libfoo-dev"]
suites.bullseye = ["libfoo1-dev"]
base.python = { kind = "decision", recommended = "pip", choices = [
  { value = "pip", label = "pip install foo", pip = ["foo"] },
  { value = "apt", label = "apt", names = ["libfoo-dev"] },
] }
base.debian = { suites.trixie = { kind = "drop", why = "not on trixie" } }
""")
    t = PackageTable.load([ov], builtin=False)
    assert t.lookup("foo", "bookworm", "debian").names == ("libfoo-dev",)
    assert t.lookup("foo", "bullseye", "debian").names == ("libfoo1-dev",)
    assert t.lookup("foo", "trixie", "debian").kind == "drop"
    m = t.lookup("foo", "bookworm", "python")
    assert m.kind == "decision" and m.recommended == "pip" and m.choices[0].pip == ("foo",)
    # the suite override (a plain list = map) beats the base decision
    assert t.lookup("foo", "bullseye", "python").names == ("libfoo1-dev",)


def test_suite_why_only_keeps_the_decision(tmp_path):
    ov = write(tmp_path, """
[packages.foo]
kind = "decision"
recommended = "a"
choices = [ { value = "a", label = "A", names = ["a"] }, { value = "b", label = "B" } ]
suites.trixie = { why = "trixie note" }
""")
    m = PackageTable.load([ov], builtin=False).lookup("foo", "trixie", "python")
    assert m.kind == "decision" and m.why == "trixie note" and len(m.choices) == 2


def test_shorthand_list_entry(tmp_path):
    ov = write(tmp_path, 'packages.foo = ["bar"]\n')
    assert PackageTable.load([ov], builtin=False).lookup("foo", "trixie", "python").names == ("bar",)


# ---------------------------------------------------------------- schema errors


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[packages.foo\nto = 1", "not valid TOML"),
        ('[packages.foo]\nto = "bar"\n', "packages.foo: 'to' must be a list of strings"),
        ('[packages.foo]\nto = [1]\n', "packages.foo: 'to' must be a list of strings"),
        ('[packages.foo]\nto = ["Bad Name"]\n', "not a valid package name"),
        ('[packages.foo]\nkind = "maybe"\nto = ["x"]\n', "packages.foo: 'kind' must be one of"),
        ('[packages.foo]\nkind = "drop"\n', "packages.foo (bullseye, python): a 'drop' needs a 'why'"),
        ('[packages.foo]\nkind = "drop"\nto = ["x"]\nwhy = "w"\n', "cannot have 'to'"),
        ('[packages.foo]\nwhy = "w"\n', "packages.foo: needs 'to'"),
        ('[packages.foo]\ntoo = ["x"]\n', "packages.foo: unknown key 'too'"),
        ('[packages.foo]\nto = ["x"]\nsuites.buster = ["y"]\n', "packages.foo.suites: unknown suite 'buster'"),
        ('[packages.foo]\nto = ["x"]\nbase.alpine = ["y"]\n', "packages.foo.base: unknown base kind 'alpine'"),
        ('[packages.foo]\nkind = "decision"\n', "a 'decision' entry needs 'choices'"),
        ('[packages.foo]\nkind = "decision"\nrecommended = "c"\nchoices = [{value = "a", label = "A"}]\n',
         "'recommended' 'c' is not one of the choices' values"),
        ('[packages.foo]\nkind = "decision"\nchoices = [{value = "a"}, {value = "a"}]\n', "duplicate choice value 'a'"),
        ('[packages.foo]\nkind = "decision"\nchoices = [{value = "a", nmes = ["x"]}]\n', "choices[0]: unknown key 'nmes'"),
        ('[packages.foo]\nkind = "decision"\nchoices = [{value = "a", pip = "x"}]\n', "'pip' must be a list of strings"),
        ('[packages.foo]\nkind = "decision"\nchoices = "a"\n', "'choices' must be a non-empty list"),
        ('[packages.foo]\nto = ["x"]\nsuites.trixie = { kind = "map" , to = [] }\n', "a 'map' needs a non-empty 'to'"),
        ('[packages.foo]\nto = ["x"]\nsuites.trixie = { suites = {} }\n', "packages.foo.suites.trixie: unknown key 'suites'"),
        ('schema = 2\n', "unsupported schema 2"),
        ('[pakages.foo]\nto = ["x"]\n', "unknown top-level key 'pakages'"),
        ('packages = 3\n', "packages: must be a table"),
        ('[py3]\nyaml = 3\n', "py3.yaml: must be a PyPI project name"),
        ('[py3]\nyaml = { pypi = "PyYAML", deb = "x" }\n', "py3.yaml: unknown key 'deb'"),
    ],
)
def test_schema_errors(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(MappingError) as info:
        PackageTable.load([path])
    msg = str(info.value)
    assert msg.startswith(f"{path}: "), msg
    assert fragment in msg, msg
    assert "\n" not in msg


def test_mapping_error_is_an_input_error(tmp_path):
    path = write(tmp_path, "[packages.foo\n")
    with pytest.raises(InputError):
        PackageTable.load([path])


def test_missing_overlay_file(tmp_path):
    with pytest.raises(MappingError) as info:
        PackageTable.load([tmp_path / "nope.toml"])
    assert "nope.toml" in str(info.value)


def test_error_message_example(tmp_path):
    path = write(tmp_path, '[packages.foo]\nto = "bar"\n')
    with pytest.raises(MappingError) as info:
        PackageTable.load([path])
    assert str(info.value) == f"{path}: packages.foo: 'to' must be a list of strings"


def test_builtin_file_validates():
    entries, py3 = package_file.parse_file(package_file.BUILTIN_PATH, "builtin")
    assert len(entries) >= 400 and py3


# ---------------------------------------------------------------- speed and laziness


def test_load_is_fast_and_does_not_read_indexes():
    name_index._load_index.cache_clear()
    package_file.builtin_table.cache_clear()
    t0 = time.perf_counter()
    t = PackageTable.load()
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.5, elapsed  # ~20 ms here; generous for slow CI
    for apk in ("gcc", "musl-dev", "freetype-dev", "python3-dev", "bash"):
        for suite in SUITES:
            t.lookup(apk, suite, "python")
    assert name_index._load_index.cache_info().currsize == 0
    t.lookup("py3-yaml", "trixie", "python")
    assert name_index._load_index.cache_info().currsize == 1


def test_data_dir_is_the_repo_in_a_checkout_found_without_importlib_resources():
    import subprocess
    import sys

    assert Path(data_dir()) == Path(P.__file__).resolve().parent.parent / "mappings"
    assert (Path(data_dir()) / "packages.toml").is_file()
    # importlib.resources imports zipfile and more: not worth it at start-up.
    code = "import sys, migrator.packages; print('importlib.resources' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---------------------------------------------------------------- apk provider names


def test_cmd_name_uses_the_entry(table):
    m = table.lookup("cmd:envsubst", "bookworm", "python")
    assert m.kind == "map" and m.names == ("gettext-base",) and m.apk == "cmd:envsubst"
    assert "command envsubst" in m.why


def test_pc_name_uses_the_dev_entry(table):
    assert table.lookup("pc:libffi", "trixie", "debian").names == ("libffi-dev",)
    assert table.lookup("pc:openssl", "trixie", "debian").names == ("libssl-dev",)
    m = table.lookup("pc:talloc", "bookworm", "debian")
    assert m.kind == "unknown" and ("libtalloc-dev",) in [c.names for c in m.choices]


def test_so_name_suggests_sonames(table):
    m = table.lookup("so:libcurl.so.4", "bookworm", "debian")
    assert m.kind == "unknown" and m.recommended == "map:libcurl4"
    m = table.lookup("so:libcurl.so.4", "trixie", "debian")
    assert m.recommended == "map:libcurl4t64"  # the t64 package, not the name it Provides


def test_unknown_prefers_t64_names(table):
    m = table.lookup("libuv-libs", "trixie", "debian")
    got = [n for c in m.choices if c.value.startswith("map") for n in c.names]
    assert "libuv1t64" in got and "libuv1" not in got


def test_the_packed_debian_index_answers_as_the_sorted_names():
    # DebianIndex keeps one string and the start of each name; it must
    # answer membership, prefixes and iteration as the sorted list would.
    from migrator.debian.name_index import _read_index

    header, names = _read_index(DebianIndex.path("bookworm"))
    index = DebianIndex.load("bookworm")
    assert list(index) == names and len(index) == len(names) and index.header == header
    for name in names[::1999] + ["libssl-dev", "python3-yaml", "zzzz", "", "a", "libssl", "libssl-dev2", "gcc\n"]:
        assert (name in index) == (name in names), name
    for prefix in ("libssl", "python3-y", "zz", "0", "libxml2-"):
        assert index.with_prefix(prefix) == [name for name in names if name.startswith(prefix)], prefix
    built = DebianIndex("demo", ["b", "a", "ab", "b"])
    assert list(built) == ["a", "ab", "b"] and "ab" in built and "abc" not in built and built.with_prefix("a") == ["a", "ab"]


@pytest.mark.parametrize(
    ("apk", "suite", "want", "says"),
    [
        # the suite has that version: Debian's spelling of it
        ("llvm19-dev", "trixie", ("llvm-19-dev",), "spells it llvm-19-dev"),
        ("clang15-dev", "bookworm", ("libclang-15-dev",), "spells it libclang-15-dev"),
        ("lld17", "trixie", ("lld-17",), "spells it lld-17"),
        # it does not: the default version, as the table maps the plain name (redmine's clang21-dev)
        ("clang21-dev", "trixie", ("libclang-dev",), "which Debian trixie does not have"),
        ("clang21-dev", "bookworm", ("libclang-dev",), "as clang-dev maps"),
    ],
)
def test_a_versioned_toolchain_name_nothing_else_settles(table, apk, suite, want, says):
    m = table.lookup(apk, suite, "debian")
    assert m.kind == "unknown" and m.recommended == f"map:{' '.join(want)}", m
    assert says in m.why
    assert all(n in DebianIndex.load(suite) for n in want)
    # a name the table or the resolver settles is not taken apart (python3.11, gcc12)
    assert table.lookup("gcc12", suite, "debian").recommended != "map:gcc"
