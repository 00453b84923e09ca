"""The wheel check: requirement discovery on real files, the tag decision on
recorded index pages, the index client against a loopback server, offline
and unreachable behaviour, and the slimming plan through the real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import index_url
from indexserver import page as recorded
from migrator.document import parse
from migrator.engine import Settings, migrate
from migrator.wheels.cache import Cache
from migrator.wheels.compat import GLIBC, MUSL, Target, choose, platforms
from migrator.wheels.gather import WheelCheck
from migrator.wheels.index import Client
from migrator.wheels.index_urls import choose_urls
from migrator.wheels.pages import File, Page
from migrator.wheels.requirements import find
from rulekit import Recorded, messages


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def page(name: str) -> Page:
    data = recorded(name)
    return Page(data["name"], tuple(File(f["filename"], f.get("requires-python"), bool(f.get("yanked"))) for f in data["files"]))


def target(python: str, arch: str = "amd64", suite: str = "bookworm", musl: bool = False) -> Target:
    major, minor = map(int, python.split("."))
    return Target((major, minor, 99), "musl" if musl else "glibc", MUSL if musl else GLIBC[suite], arch)


# --- requirements -----------------------------------------------------------


def test_pip_lines_and_requirement_files_are_followed(tmp_path):
    write(tmp_path, {
        "requirements.txt": "# app\n-r base.txt\n-c constraints.txt\nDjango==3.2.4 \\\n  --hash=sha256:abc\nrequests[socks]>=2 ; python_version >= '3'\n",
        "base.txt": "cryptography==3.4.7  # the slow one\n--extra-index-url https://mirror.example/simple\n",
        "constraints.txt": "requests<3\n",
    })
    document = parse(
        "FROM python:3.8-alpine\nWORKDIR /app\nCOPY requirements.txt base.txt constraints.txt ./\n"
        "RUN pip install --no-cache-dir -r requirements.txt gunicorn==20.1.0 && python -m pip install 'flask>=2'\n"
    )
    found = find(document, tmp_path)
    got = {(r.name, r.specifier, r.source) for r in found.requirements}
    assert got == {
        ("cryptography", "==3.4.7", "base.txt:1"),
        ("django", "==3.2.4", "requirements.txt:4"),
        ("requests", ">=2", "requirements.txt:6"),
        ("gunicorn", "==20.1.0", "Dockerfile:4"),
        ("flask", ">=2", "Dockerfile:4"),
    }
    assert found.constraints == {"requests": "<3"}
    assert found.extra_index_urls == ["https://mirror.example/simple"]
    assert not found.unreadable


def test_what_cannot_be_read_is_reported_not_guessed(tmp_path):
    write(tmp_path, {"requirements.txt": "git+https://example.com/x.git#egg=x\n"})
    document = parse(
        "FROM python:3.12-alpine\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n"
        "RUN pip install -r missing.txt $EXTRA\n"
    )
    found = find(document, tmp_path)
    assert not found.requirements
    whys = sorted((u.what, u.line) for u in found.unreadable)
    assert whys == [("$EXTRA", 4), ("/missing.txt", 4), ("git+https://example.com/x.git#egg=x", 3)]


def test_uv_pip_and_index_options(tmp_path):
    document = parse("FROM python:3.12-alpine\nRUN uv pip install --system -i https://idx.example/simple numpy==2.0.0\n")
    found = find(document, tmp_path)
    assert [(r.name, r.specifier) for r in found.requirements] == [("numpy", "==2.0.0")]
    assert found.index_url == "https://idx.example/simple"


# --- tags and choices, on recorded pages --------------------------------------


def test_glibc_platforms_include_legacy_aliases_best_first():
    tags = platforms(target("3.8"))
    assert tags[0] == "manylinux_2_36_x86_64" and tags[-1] == "linux_x86_64"
    assert tags.index("manylinux2014_x86_64") == tags.index("manylinux_2_17_x86_64") + 1
    assert "manylinux1_x86_64" in tags
    arm = platforms(target("3.8", "arm64"))
    assert "manylinux2014_aarch64" in arm and "manylinux_2_16_aarch64" not in arm
    assert platforms(target("3.8", musl=True))[:3] == ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"]


def test_cryptography_347_has_abi3_wheels_on_debian_and_none_on_alpine():
    crypto = page("cryptography")
    assert choose(crypto, "==3.4.7", target("3.8")).wheel == "cryptography-3.4.7-cp36-abi3-manylinux2014_x86_64.whl"
    assert choose(crypto, "==3.4.7", target("3.8", "arm64")).wheel == "cryptography-3.4.7-cp36-abi3-manylinux2014_aarch64.whl"
    alpine = choose(crypto, "==3.4.7", target("3.8", musl=True))
    assert alpine.builds and alpine.sdist == "cryptography-3.4.7.tar.gz"


def test_sdist_only_and_requires_python():
    assert choose(page("psycopg2"), "==2.9.9", target("3.12")).sdist == "psycopg2-2.9.9.tar.gz"
    # numpy 1.16.0 predates Python 3.8: no cp38 wheel, pip builds the sdist
    old = choose(page("numpy"), "==1.16.0", target("3.8"))
    assert old.builds and old.sdist.startswith("numpy-1.16.0")
    # an unpinned numpy on 3.8 is the newest release that still allows 3.8
    newest = choose(page("numpy"), "", target("3.8"))
    assert newest.version == "1.24.4" and newest.wheel.startswith("numpy-1.24.4-cp38-cp38-manylinux")


def test_a_choice_is_remembered_per_page_and_never_for_a_changed_one():
    # A fleet asks the same question file after file: the answer is worked
    # out once per page (the client hands out one Page per project per run).
    crypto = page("cryptography")
    first = choose(crypto, "==3.4.7", target("3.8"))
    assert choose(crypto, "==3.4.7", target("3.8")) is first
    assert choose(page("cryptography"), "==3.4.7", target("3.8")) == first  # an equal page: the same answer
    assert choose(crypto, "==3.4.7", target("3.8", "arm64")) != first
    newer = File("cryptography-3.4.7-cp36-abi3-manylinux_2_34_x86_64.whl", None, False)
    moved = choose(Page(crypto.name, (*crypto.files, newer)), "==3.4.7", target("3.8"))
    assert moved.wheel == newer.filename


def test_ranking_a_wheel_by_its_machine_first_agrees_with_parsing_every_tag():
    # _rank rules out wheels for other machines by their name before parsing
    # their tags; over every recorded file and image it must say what the
    # full parse says.
    from packaging.utils import parse_wheel_filename

    from migrator.wheels.compat import _rank, tags

    names = sorted(path.name.removesuffix(".json.gz") for path in (Path(__file__).parent / "index").glob("*.json.gz"))
    filenames = {f["filename"] for name in names for f in recorded(name)["files"] if f["filename"].endswith(".whl")}
    assert len(filenames) > 10_000
    compared = 0
    for arch in ("amd64", "arm64", "386"):
        for image in (target("3.8", arch), target("3.11", arch, musl=True)):
            ranks = tags(image)
            for filename in filenames:
                try:
                    found = [ranks[str(tag)] for tag in parse_wheel_filename(filename)[3] if str(tag) in ranks]
                except ValueError:
                    found = []
                assert _rank(filename, ranks, image.machine) == (min(found) if found else None), (filename, image)
                compared += bool(found)
    assert compared > 1000  # some of them fit: the comparison is not all None


# --- index client, cache, offline ---------------------------------------------


def test_client_fetches_caches_and_then_works_offline(tmp_path):
    cache = Cache(tmp_path)
    online = Client([index_url()], cache)
    pages = online.pages(["django", "no-such-project-xyz"])
    assert pages["no-such-project-xyz"] is None
    assert any(f.filename == "Django-3.2.4-py3-none-any.whl" for f in pages["django"].files)
    offline = Client([index_url()], cache, offline=True)
    assert offline.pages(["django"])["django"].files == pages["django"].files
    assert offline.pages(["flask"]) == {} and offline.uncached == ["flask"]
    # One Page per project per run: the next Dockerfile gets the same object.
    assert online.pages(["django"])["django"] is pages["django"]
    # And a metadata file is read once per run, whatever it held.
    django = pages["django"]
    version, files = next(iter(django.releases.items()))
    wheel = next((File(*f) for f in files if f[0].endswith(".whl")), None)  # releases hold bare tuples
    first = online.metadata("django", str(version), wheel)
    assert first is not None and online.metadata("django", str(version), wheel) is first
    assert offline.pages(["flask"]) == {} and offline.uncached == ["flask"]


def test_expired_cache_is_refetched_but_offline_takes_any_age(tmp_path):
    cache = Cache(tmp_path, expiry=0.0)
    Client([index_url()], cache).pages(["six"])
    assert cache.get(index_url(), "six") is None
    stored, age, _ = cache.get(index_url(), "six", any_age=True)
    assert age >= 0 and "1.16.0" in [str(v) for v in Page.from_compact("six", stored).releases]


def test_the_cache_reads_back_the_page_it_was_given_and_nothing_else(tmp_path, monkeypatch):
    from migrator.wheels.cache import file_name, folder

    cache = Cache(tmp_path)
    fresh = Client([index_url()], cache).pages(["cryptography"])["cryptography"]
    cached = Client([index_url()], cache, offline=True).pages(["cryptography"])["cryptography"]
    assert cached is not fresh and cached.files == fresh.files and list(cached.releases) == list(fresh.releases)
    # the same page as one built from the recorded JSON (grouped and sorted here, not by the cache)
    assert list(page("cryptography").releases) == list(cached.releases)
    assert choose(cached, "==3.4.7", target("3.8")) == choose(page("cryptography"), "==3.4.7", target("3.8"))
    # a damaged entry is no answer, not a wrong one
    with open(cache._path(index_url(), "cryptography"), "wb") as handle:
        handle.write(b"\x00not marshal")
    assert cache.get(index_url(), "cryptography", any_age=True) is None
    # an older format's folder is never read: v2 kept JSON pages under a digest
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert folder() == str(tmp_path / "xdg" / "unalpine" / "index" / "v6")
    old = tmp_path / "xdg" / "unalpine" / "index" / "v2" / "abc"
    old.mkdir(parents=True)
    (old / "six.json").write_text(json.dumps({"index": index_url(), "fetched": time.time(), "page": recorded("six")}))
    import marshal

    from migrator.wheels.pages import compact, page_files

    v3 = tmp_path / "xdg" / "unalpine" / "index" / "v3" / file_name(index_url())  # v3: one marshal of the whole page
    v3.mkdir(parents=True)
    (v3 / "six").write_bytes(marshal.dumps((index_url(), time.time(), compact(page_files(recorded("six"))))))
    offline = Client([index_url()], Cache(), offline=True)
    assert offline.pages(["six"]) == {} and offline.uncached == ["six"]
    # file names: one to one, safe, a digest for long keys
    assert file_name("https://pypi.org/simple/") == "https%3A%2F%2Fpypi.org%2Fsimple%2F"
    assert file_name("a/b") != file_name("a%2Fb") and file_name("..") != ".."
    assert file_name("x" * 300).startswith("~") and len(file_name("x" * 300)) == 65


def test_a_big_page_is_mapped_and_keeps_what_it_was_when_read(tmp_path):
    from migrator.wheels.pages import compact, page_files

    cache = Cache(tmp_path)
    big, small = compact(page_files(recorded("cryptography"))), compact(page_files(recorded("six")))
    cache.put(index_url(), "cryptography", big)
    cache.put(index_url(), "six", small)
    path = cache._path(index_url(), "cryptography")
    assert os.path.getsize(path) > 64 * 1024 > os.path.getsize(cache._path(index_url(), "six"))
    stored, _, _ = cache.get(index_url(), "cryptography")
    assert isinstance(stored._files, memoryview)  # mapped, nothing unmarshalled yet
    # a newer answer replaces the file before the files are asked for: the
    # page read keeps the content it was read with
    cache.put(index_url(), "cryptography", small)
    assert stored.compact() == big
    assert cache.get(index_url(), "cryptography")[0].compact() == small
    # a file cut short is no answer
    cache.put(index_url(), "cryptography", big)
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) - 10)
    assert cache.get(index_url(), "cryptography") is None


def test_the_first_write_deletes_the_folders_of_older_formats(tmp_path):
    from migrator.wheels.cache import FORMAT
    from migrator.wheels.pages import compact, page_files

    index_dir = tmp_path / "unalpine" / "index"
    for old in ("v2", "v5"):
        (index_dir / old / "pages").mkdir(parents=True)
        (index_dir / old / "pages" / "six").write_bytes(b"old")
    (index_dir / "notes").mkdir()
    cache = Cache(index_dir / FORMAT)
    assert cache.get(index_url(), "six") is None  # reading tidies nothing
    assert (index_dir / "v5").exists()
    cache.put(index_url(), "six", compact(page_files(recorded("six"))))
    assert sorted(entry.name for entry in index_dir.iterdir()) == sorted(["notes", FORMAT])
    # a folder chosen by the caller is never tidied around
    (tmp_path / "mine" / "v1").mkdir(parents=True)
    Cache(tmp_path / "mine" / "pages").put(index_url(), "six", compact(page_files(recorded("six"))))
    assert (tmp_path / "mine" / "v1").exists()


def test_unreachable_index_fails_fast_once(tmp_path):
    client = Client(["http://127.0.0.1:9/simple/"], Cache(tmp_path), timeout=2)
    started = time.monotonic()
    assert client.pages(["django", "flask", "six"]) == {}
    assert time.monotonic() - started < 5
    assert list(client.failed) == ["http://127.0.0.1:9/simple/"]


def test_index_precedence_dockerfile_then_environment_then_pip_conf(tmp_path):
    conf = write(tmp_path, {"pip.conf": "[global]\nindex-url = https://conf.example/simple\n"}) / "pip.conf"
    env = {"PIP_CONFIG_FILE": str(conf)}
    assert choose_urls(None, [], env) == ["https://conf.example/simple/"]
    env["PIP_INDEX_URL"] = "https://env.example/simple"
    assert choose_urls(None, [], env) == ["https://env.example/simple/"]
    assert choose_urls("https://file.example/simple", [], env) == ["https://file.example/simple/"]
    assert choose_urls(None, [], {"PIP_CONFIG_FILE": "/dev/null"}) == ["https://pypi.org/simple/"]


# --- the plan, through the engine ----------------------------------------------


def run(folder: Path, text: str, **check):
    resolver = Recorded()
    settings = Settings(wheels=WheelCheck(context=folder, **check))
    result = migrate(text, "Dockerfile", settings, resolver)
    return result, resolver


def test_psycopg2_keeps_its_build_packages_pillow_loses_its_headers(tmp_path):
    write(tmp_path, {"requirements.txt": "psycopg2==2.9.9\nPillow==10.4.0\n"})
    text = (
        "FROM python:3.12-alpine\nCOPY requirements.txt .\n"
        "RUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev jpeg-dev zlib-dev \\\n"
        "    && pip install -r requirements.txt \\\n    && apk del .build-deps\n"
    )
    result, resolver = run(tmp_path, text)
    assert "gcc libc6-dev libpq-dev &&" in result.text
    assert "jpeg" not in result.text and "zlib" not in result.text
    assert "apt-mark auto gcc libc6-dev libpq-dev" in result.text
    assert "kept gcc musl-dev postgresql-dev: psycopg2 builds from source and needs them" in messages(result)
    assert result.report["wheels"]["removed"] == ["jpeg-dev", "zlib-dev"]
    assert [d.rule for d in resolver.seen if d.rule == "UA601"] == ["UA601"]


def test_mysqlclient_keeps_mariadb_dev_and_pkgconf_through_what_their_debian_names_bring(tmp_path):
    # mariadb-dev maps to libmariadb-dev-compat, which brings libmariadb-dev;
    # pkgconf is the program pkg-config: neither is named as such in mysqlclient's needs
    write(tmp_path, {"requirements.txt": "mysqlclient==2.2.4\nDjango==4.2.16\n"})
    text = ("FROM python:3.12-alpine\nCOPY requirements.txt .\n"
            "RUN apk add gcc musl-dev mariadb-dev pkgconf jpeg-dev\nRUN pip install -r requirements.txt\n")
    result, _ = run(tmp_path, text)
    assert "gcc libc6-dev libmariadb-dev-compat pkgconf &&" in result.text
    assert result.report["wheels"]["removed"] == ["jpeg-dev"]
    assert "kept gcc musl-dev mariadb-dev pkgconf: mysqlclient builds from source and needs them" in messages(result)


@pytest.mark.parametrize("add", ["apk --no-cache add", "apk -U add", "apk add --no-cache"])
def test_options_before_the_subcommand_still_name_build_packages(tmp_path, add):
    write(tmp_path, {"requirements.txt": "cryptography==3.4.7\n"})
    text = f"FROM python:3.8-alpine\nCOPY requirements.txt .\nRUN {add} gcc musl-dev libffi-dev openssl-dev cargo\nRUN pip install -r requirements.txt\n"
    result, _ = run(tmp_path, text)
    assert "gcc" not in result.text and "cargo" not in result.text
    assert sorted(result.report["wheels"]["removed"]) == ["cargo", "gcc", "libffi-dev", "musl-dev", "openssl-dev"]


def test_offline_with_no_cache_completes_and_says_the_check_was_skipped(tmp_path):
    write(tmp_path, {"requirements.txt": "cryptography==3.4.7\n"})
    text = "FROM python:3.8-alpine\nCOPY requirements.txt .\nRUN apk add gcc musl-dev\nRUN pip install -r requirements.txt\n"
    result, _ = run(tmp_path, text, offline=True, cache_root=tmp_path / "empty-cache")
    assert "gcc libc6-dev" in result.text
    assert "wheel check skipped: --offline and no cached index answer for cryptography" in messages(result)


def test_a_stage_that_also_runs_make_keeps_its_compiler(tmp_path):
    text = "FROM python:3.12-alpine\nRUN apk add gcc make musl-dev && make -C /src && pip install django==5.0\n"
    result, _ = run(tmp_path, text)
    assert "gcc make libc6-dev" in result.text
    assert "line 2 runs make" in messages(result)


def test_cli_reports_an_unreachable_index_in_one_line_and_completes(tmp_path):
    write(tmp_path, {"requirements.txt": "--index-url http://127.0.0.1:9/simple\ncryptography==3.4.7\n"})
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.8-alpine\nCOPY requirements.txt .\nRUN apk add gcc musl-dev\nRUN pip install -r requirements.txt\n"
    )
    started = time.time()
    process = subprocess.run([sys.executable, "-m", "migrator", "--yes", "--json", "Dockerfile"],
                             capture_output=True, text=True, timeout=60, cwd=tmp_path,
                             env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache")))
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr
    skipped = [line for line in process.stderr.splitlines() if "wheel check skipped" in line]
    # the failure is cached for 15 minutes, and the warning says until when
    until = {time.strftime("%H:%M", time.gmtime(when + 15 * 60)) for when in (started, time.time())}
    assert skipped in [["Dockerfile:1: UA601 warning: wheel check skipped: http://127.0.0.1:9/simple/ could not be "
                        f"reached ([Errno 111] Connection refused); not asked again until {hhmm} UTC; build packages kept"]
                       for hhmm in until]
    report = json.loads(process.stdout)["files"][0]
    assert report["changed"] and report["wheels"]["removed"] == []


# --- what a run imports ------------------------------------------------------------


def modules_after_run(folder: Path, cache: Path | None = None) -> set[str]:
    """The modules a run on folder/before.Dockerfile imported; with `cache`, a
    user cache of its own (the session's may already remember this file)."""
    code = (
        "import sys; from migrator.cli import main; main(['--yes', '--quiet', '--diff', 'before.Dockerfile']); "
        "print('MODULES', *sorted(sys.modules), file=sys.stderr)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)} if cache else None
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=folder,
                             env=env)
    line = next(line for line in process.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_libcst_is_imported_only_when_a_setup_py_is_read(tmp_path):
    # A cache of its own: once a run has kept a setup.py's reading, the next
    # one rightly imports no libcst, so whether an earlier test of the session
    # ran this fixture must not matter.
    assert "libcst" not in modules_after_run(FIXTURES / "blog", tmp_path)
    assert "libcst" in modules_after_run(FIXTURES / "wheels_setup_py", tmp_path)


def test_a_file_without_pip_lines_loads_nothing_of_the_wheel_check():
    loaded = modules_after_run(FIXTURES / "tini_ash_su_exec")
    assert not loaded & {"migrator.wheels.requirements", "migrator.wheels.index", "migrator.wheels.index_urls",
                         "migrator.wheels.pages", "migrator.wheels.plan",
                         "packaging.tags", "urllib.request", "libcst"}


def test_a_major_only_python_tag_checks_wheels_for_the_newest_minor_of_its_suite(tmp_path):
    # python:3-alpine names no minor: the plan takes the newest one the suite's images have
    write(tmp_path, {"requirements.txt": "cryptography==3.4.7\n"})
    text = "FROM python:3-alpine\nCOPY requirements.txt .\nRUN apk add gcc musl-dev\nRUN pip install -r requirements.txt\n"
    result, _ = run(tmp_path, text, offline=True, cache_root=tmp_path / "empty-cache")
    assert result.text.startswith("FROM python:3-slim-trixie\n")
    assert "gcc libc6-dev" in result.text


def test_bare_python_tag_is_judged_on_the_newest_python_of_the_suite(tmp_path):
    text = "FROM python:3-alpine\nRUN apk add gcc musl-dev libffi-dev && pip install cffi=={}\n"
    result, _ = run(tmp_path, text.format("2.0.0"))
    stage = result.report["wheels"]["stages"][0]
    assert (stage["python"], stage["suite"]) == ("3.14", "trixie")
    assert stage["requirements"][0]["debian"]["amd64"]["wheel"] == "cffi-2.0.0-cp314-cp314-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
    assert "apt-get" not in result.text
    # 1.17.1 came before Python 3.14: no cp314 wheel, so cffi's build packages stay
    result, _ = run(tmp_path, text.format("1.17.1"))
    assert "gcc libc6-dev libffi-dev" in result.text


def test_a_build_tool_requirement_keeps_the_compilers(tmp_path):
    text = "FROM python:3.11-alpine\nRUN apk add --no-cache gcc cargo\nRUN pip install pybind11 cython\n"
    result, _ = run(tmp_path, text.replace("pybind11 cython", "cython==3.0.10"))
    assert "gcc cargo" in result.text
    assert "cython==3.0.10 is a build tool" in messages(result)


def test_a_pure_python_sdist_needs_no_compiler(tmp_path):
    # ansible 2.10.6 is an sdist only; ansible's other releases are py3-none-any wheels
    result, _ = run(tmp_path, "FROM python:3.9-alpine\nRUN apk add gcc musl-dev && pip install ansible==2.10.6\n")
    assert "apt-get" not in result.text
    assert "pure Python: no compiler needed" in messages(result)


def test_a_bug_in_gathering_skips_the_check_and_keeps_the_migration(tmp_path, monkeypatch):
    from migrator.wheels import requirements

    def broken(document, context, memo=None):
        raise RuntimeError("boom")

    monkeypatch.delenv("UNALPINE_TRACEBACK", raising=False)
    monkeypatch.setattr(requirements, "find", broken)
    result, _ = run(tmp_path, "FROM python:3.12-alpine\nRUN apk add gcc && pip install django\n")
    assert "gcc" in result.text and "python:3.12-slim" in result.text
    assert "wheel check skipped: internal error in the wheel check: RuntimeError: boom" in messages(result)


# --- dependencies ----------------------------------------------------------------------


def test_requires_dist_settles_extras_and_keeps_image_markers():
    from migrator.wheels.dependencies import requires_dist

    metadata = (
        "Name: cryptography\nVersion: 3.4.7\nRequires-Dist: cffi (>=1.12)\n"
        "Requires-Dist: bcrypt (>=3.1.5) ; extra == 'ssh'\n"
        "Requires-Dist: pytest (>=6.0) ; extra == 'test'\n"
        "Requires-Dist: typing-extensions ; python_version < \"3.11\"\n\nRequires-Dist: not-a-header\n"
    )
    plain = [(d.name, str(d.specifier), str(d.marker or "")) for d in requires_dist(metadata, ())]
    assert plain == [("cffi", ">=1.12", ""), ("typing-extensions", "", 'python_version < "3.11"')]
    assert [d.name for d in requires_dist(metadata, ("ssh",))] == ["cffi", "bcrypt", "typing-extensions"]


def test_the_blog_walks_the_recorded_dependencies(tmp_path):
    blog = Path(__file__).resolve().parent.parent / "fixtures" / "blog"
    result, _ = run(blog, (blog / "before.Dockerfile").read_text())
    requirements = {r["name"]: r for r in result.report["wheels"]["stages"][0]["requirements"]}
    assert requirements["cffi"]["source"] == "dependency of cryptography 3.4.7"
    assert requirements["cffi"]["debian"]["amd64"]["wheel"].startswith("cffi-1.17.1-cp38-cp38-manylinux")
    assert {"asgiref", "sqlparse", "pytz", "pycparser"} <= set(requirements)


def test_a_dependency_that_builds_from_source_keeps_what_it_needs(tmp_path):
    """A pure Python app whose dependency (psycopg2) has no wheel: the walk
    finds it through the app's wheel metadata, served by a made-up index."""
    import gzip
    import shutil

    from indexserver import RECORDINGS, IndexServer

    index = tmp_path / "index"
    (index / "metadata").mkdir(parents=True)
    shutil.copy(RECORDINGS / "psycopg2.json.gz", index)
    with gzip.open(index / "shop-app.json.gz", "wt") as handle:
        json.dump({"name": "shop-app", "files": [{"filename": "shop_app-1.0-py3-none-any.whl"}]}, handle)
    (index / "metadata" / "shop_app-1.0-py3-none-any.whl.metadata").write_text(
        "Name: shop-app\nVersion: 1.0\nRequires-Dist: psycopg2>=2.9\n")
    text = "FROM python:3.12-alpine\nRUN apk add gcc musl-dev postgresql-dev libffi-dev && pip install shop-app==1.0\n"
    with IndexServer(index) as server:
        result, _ = run(tmp_path, text, environ={"PIP_INDEX_URL": server.url, "PIP_CONFIG_FILE": os.devnull},
                        cache_root=tmp_path / "cache")
    assert "gcc libc6-dev libpq-dev &&" in result.text and "libffi" not in result.text
    assert "kept gcc musl-dev postgresql-dev: psycopg2 builds from source and needs them" in messages(result)
    assert "psycopg2>=2.9 (dependency of shop-app 1.0" in messages(result)


def test_env_in_the_dockerfile_names_the_index(tmp_path):
    document = parse(
        "FROM python:3.12-alpine\nENV PIP_INDEX_URL=https://idx.example/simple \\\n"
        "    PIP_EXTRA_INDEX_URL=\"https://a.example/simple https://b.example/simple\"\nRUN pip install six\n"
    )
    found = find(document, tmp_path)
    assert found.index_url == "https://idx.example/simple"
    assert found.extra_index_urls == ["https://a.example/simple", "https://b.example/simple"]
    legacy = find(parse("FROM python:3.12-alpine\nENV PIP_INDEX_URL https://old.example/simple\n"), tmp_path)
    assert legacy.index_url == "https://old.example/simple"


def test_cli_arch_is_checked_and_taken(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-alpine\nRUN apk add gcc musl-dev && pip install orjson==3.10.0\n")
    bad = subprocess.run([sys.executable, "-m", "migrator", "--arch", "mips", "Dockerfile"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bad.returncode == 2 and "--arch mips: not one of amd64, arm64" in bad.stderr
    good = subprocess.run([sys.executable, "-m", "migrator", "--yes", "--json", "--arch", "linux/s390x", "Dockerfile"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    stage = json.loads(good.stdout)["files"][0]["wheels"]["stages"][0]
    assert stage["arches"] == ["s390x"]
    assert stage["requirements"][0]["debian"]["s390x"]["wheel"].endswith("s390x.whl")


def test_lock_files_of_uv_and_pipenv(tmp_path):
    write(tmp_path, {
        "uv.lock": 'version = 1\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n\n'
                   '[[package]]\nname = "lxml"\nversion = "5.2.2"\nsource = { registry = "https://pypi.org/simple" }\n',
        "Pipfile.lock": json.dumps({"_meta": {}, "default": {"psycopg2": {"version": "==2.9.9"}, "six": {"version": "==1.16.0"}},
                                    "develop": {"pytest": {"version": "==8.0.0"}}}),
    })
    document = parse(
        "FROM python:3.12-alpine\nWORKDIR /srv\nCOPY uv.lock Pipfile.lock ./\n"
        "RUN uv sync --frozen\nRUN pipenv install --system --deploy\n"
    )
    found = find(document, tmp_path)
    assert [(r.name, r.specifier, r.source, r.line) for r in found.requirements] == [
        ("lxml", "==5.2.2", "uv.lock", 4), ("psycopg2", "==2.9.9", "Pipfile.lock", 5), ("six", "==1.16.0", "Pipfile.lock", 5),
    ]


def test_pyproject_poetry_and_setup_cfg_are_read_statically(tmp_path):
    from migrator.wheels import projects

    write(tmp_path / "poetry", {"pyproject.toml": (
        '[tool.poetry.dependencies]\npython = "^3.10"\ndjango = "^4.2"\nrequests = "~2.31"\n'
        'uvicorn = {version = "0.30.1", extras = ["standard"]}\nsentry-sdk = {version = "*", optional = true}\n')})
    assert [r for r, _ in projects.read(tmp_path / "poetry").requirements] == [
        "django>=4.2,<5", "requests>=2.31,<2.32", "uvicorn==0.30.1"]
    write(tmp_path / "cfg", {"setup.cfg": "[options]\ninstall_requires =\n    click>=8\n    lxml==5.2.2\n"})
    assert [r for r, _ in projects.read(tmp_path / "cfg").requirements] == ["click>=8", "lxml==5.2.2"]
    write(tmp_path / "computed", {"setup.py": "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n"})
    with pytest.raises(projects.Unreadable, match="computed, not a literal"):
        projects.read(tmp_path / "computed")
    write(tmp_path / "ext", {"setup.py": "from setuptools import setup, Extension\nsetup(install_requires=['six'], ext_modules=[Extension('x', ['x.c'])])\n"})
    assert projects.read(tmp_path / "ext").compiled == "its setup.py builds ext_modules"


def test_offline_with_pages_but_no_metadata_cached_says_so(tmp_path):
    write(tmp_path, {"requirements.txt": "cryptography==3.4.7\n"})
    text = "FROM python:3.8-alpine\nCOPY requirements.txt .\nRUN apk add gcc musl-dev\nRUN pip install -r requirements.txt\n"
    cache = Cache(tmp_path / "cache")
    Client([index_url()], cache).pages(["cryptography"])  # the page is cached, its wheels' metadata is not
    result, _ = run(tmp_path, text, offline=True, cache_root=tmp_path / "cache")
    assert "dependencies not followed: cryptography 3.4.7: its metadata is not in the cache (--offline)" in messages(result)
    assert "apt-get" not in result.text


# --- the memo: answers kept between runs ------------------------------------------


def run_json(folder: Path, env: dict[str, str]) -> tuple[dict, set[str]]:
    """The real command's JSON report, and the modules it imported."""
    process = subprocess.run([sys.executable, "-X", "importtime", "-m", "migrator", "--yes", "--json", "before.Dockerfile"],
                             capture_output=True, text=True, timeout=60, cwd=folder, env=env)
    modules = {line.rsplit("|", 1)[1].strip() for line in process.stderr.splitlines() if line.startswith("import time:")}
    return json.loads(process.stdout), modules


def test_a_warm_run_takes_its_answers_from_the_memo_and_imports_no_packaging(tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    cold, cold_modules = run_json(FIXTURES / "blog", env)
    assert "packaging.requirements" in cold_modules  # worked out, and kept at exit
    from migrator.wheels.cache import answers_file

    assert (tmp_path / "unalpine" / "index" / "v6" / answers_file()).is_file()
    warm, warm_modules = run_json(FIXTURES / "blog", env)
    assert warm == cold and warm["files"][0]["wheels"]["removed"]
    assert not {m for m in warm_modules if m.startswith("packaging.")}  # only its version, for the memo's key
    off, off_modules = run_json(FIXTURES / "blog", dict(env, UNALPINE_NO_CACHE="1"))
    assert off == cold and "packaging.requirements" in off_modules
    # The pages fetched again (a day later): choices are worked out again from
    # them, but requirement strings, markers, metadata and each image's tags
    # are still known, and the pages hold their wheels' tags: no packaging.tags.
    import marshal

    from migrator.wheels.cache import FORMAT

    for entry in (tmp_path / "unalpine" / "index" / FORMAT).glob("http*/*"):
        data = entry.read_bytes()
        index, fetched, pure, length, size = marshal.loads(data)  # the header; the files follow it
        header = marshal.dumps((index, fetched - 1, pure, length, size))
        entry.write_bytes(header + data[len(header) :])
    again, again_modules = run_json(FIXTURES / "blog", env)
    assert again == cold and "packaging.specifiers" in again_modules
    assert not {"packaging.tags", "packaging.requirements", "packaging.markers"} & again_modules


def test_the_memo_names_a_page_by_its_fetch_time_and_ignores_other_versions(tmp_path):
    from migrator.datacache import MISSING
    from migrator.wheels.cache import answers_memo

    crypto = page("cryptography")
    crypto.stamp = (("https://idx.example/simple/",), "cryptography", (1000.0,))
    memo = answers_memo(str(tmp_path / "answers"))
    right = choose(crypto, "==3.4.7", target("3.8"), memo=memo)
    section, key = ("page", crypto.stamp), ("choose", "==3.4.7", tuple(target("3.8")), False)
    assert memo.get(section, key) == tuple(right)
    memo.save()
    # a later run with the same page takes the kept answer (made wrong here, to see it is the one used)
    kept = answers_memo(str(tmp_path / "answers"))
    kept.put(section, key, ("3.4.7", "planted.whl", None, ""))
    same = page("cryptography")
    same.stamp = crypto.stamp
    assert choose(same, "==3.4.7", target("3.8"), memo=kept).wheel == "planted.whl"
    # the page fetched again is a new question
    refetched = page("cryptography")
    refetched.stamp = (crypto.stamp[0], "cryptography", (2000.0,))
    assert choose(refetched, "==3.4.7", target("3.8"), memo=kept) == right
    # later runs save the answers about newer fetches: the file keeps the two newest fetches' answers
    for when in (2000.0, 3000.0):
        later = answers_memo(str(tmp_path / "answers"))
        fetched_again = page("cryptography")
        fetched_again.stamp = (crypto.stamp[0], "cryptography", (when,))
        assert choose(fetched_again, "==3.4.7", target("3.8"), memo=later) == right
        later.save()
    again = answers_memo(str(tmp_path / "answers"))
    assert again.get(("page", fetched_again.stamp), key) == tuple(right)
    assert again.get(("page", refetched.stamp), key) == tuple(right)
    assert again.get(section, key) is MISSING
    # a file kept by another version of the code or of packaging is not read
    import marshal

    (tmp_path / "other").write_bytes(marshal.dumps((("another version",), {section: marshal.dumps({key: ("x", "y.whl", None, "")})})))
    assert answers_memo(str(tmp_path / "other")).get(section, key) is MISSING


def test_metadata_is_kept_under_the_source_the_memo_names(tmp_path):
    cache = Cache(tmp_path)
    client = Client([index_url()], cache)
    django = client.pages(["django"])["django"]
    version, files = next(iter(django.releases.items()))
    wheel = next((File(*f) for f in files if f[0].endswith(".whl")), None)
    text = client.metadata("django", str(version), wheel)
    assert text is not None and cache.get_text(client.metadata_source("django", str(version), wheel)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAzZ09._-İß ", max_size=12))
def test_canonical_name_is_packagings(name):
    from packaging.utils import canonicalize_name

    from migrator.wheels.requirement_text import canonical_name

    assert canonical_name(name) == canonicalize_name(name)


def test_pip_conf_is_read_again_only_when_it_changed(tmp_path):
    from migrator.wheels.index_urls import pip_config_urls
    from migrator.wheels.cache import answers_memo

    conf = write(tmp_path, {"pip.conf": "[global]\nindex-url = https://a.example/simple\n"}) / "pip.conf"
    env = {"PIP_CONFIG_FILE": str(conf), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    memo = answers_memo(str(tmp_path / "answers"))
    assert pip_config_urls(env, memo)[0] == "https://a.example/simple"
    ((key, _),) = [(k, v) for k, v in memo._section("pip.conf").items() if k[-1][0] == str(conf)]
    memo.put("pip.conf", key, ("https://planted.example/simple", ()))  # unchanged files: the kept reading is used
    assert pip_config_urls(env, memo)[0] == "https://planted.example/simple"
    conf.write_text("[global]\nindex-url = https://bb.example/simple\n")  # edited: read again
    assert pip_config_urls(env, memo)[0] == "https://bb.example/simple"
    assert pip_config_urls(env)[0] == "https://bb.example/simple"


def test_a_setup_py_read_once_is_not_parsed_again(tmp_path):
    # libcst (~100 ms to import) reads a setup.py; what it found is kept in
    # the memo under the file's text, so the next run imports no libcst.
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    cold, cold_modules = run_json(FIXTURES / "wheels_setup_py", env)
    warm, warm_modules = run_json(FIXTURES / "wheels_setup_py", env)
    assert "libcst" in cold_modules and "libcst" not in warm_modules
    assert warm == cold and cold["files"][0]["wheels"]["stages"][0]["requirements"]


def test_offline_reads_the_metadata_an_online_run_read_out_of_the_wheel(tmp_path):
    # cryptography 3.4.7's wheels have no PEP 658 file: an online run reads
    # METADATA out of the wheel (range requests) and caches it under the
    # wheel's URL; --offline must find it there, not only under PyPI's JSON API.
    cache = Cache(tmp_path)
    online = Client([index_url()], cache)
    crypto = online.pages(["cryptography"])["cryptography"]
    files = next(files for version, files in crypto.releases.items() if str(version) == "3.4.7")
    # as an index offering no PEP 658 file lists it
    recorded = next(f for f in files if f[0] == "cryptography-3.4.7-cp36-abi3-macosx_10_10_x86_64.whl")
    wheel = File(*recorded[:4], metadata=False)
    text = online.metadata("cryptography", "3.4.7", wheel)
    assert text is not None and "Requires-Dist: cffi" in text
    offline = Client([index_url()], cache, offline=True)
    assert offline.metadata("cryptography", "3.4.7", wheel) == text
    assert offline.metadata_source("cryptography", "3.4.7", wheel) == online.metadata_source("cryptography", "3.4.7", wheel)


def test_context_reads_only_files_inside_the_context(tmp_path):
    from migrator.wheels.requirements import _Context

    context = tmp_path / "ctx"
    (context / "sub").mkdir(parents=True)
    (context / "requirements.txt").write_text("a==1\n")
    (context / "sub" / "dev.txt").write_text("b==2\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    (context / "out.txt").symlink_to(tmp_path / "secret.txt")
    (context / "dangling.txt").symlink_to(context / "gone.txt")
    (context / "in.txt").symlink_to(context / "sub" / "dev.txt")
    read = _Context(context).read
    assert read("requirements.txt") == "a==1\n"
    assert read("sub/dev.txt") == read("in.txt") == read("./sub/../sub/dev.txt") == "b==2\n"
    # realpath's reading of `..` after a missing folder, as before
    assert read("missing/../requirements.txt") == "a==1\n"
    assert read("missing.txt") is None
    assert read("requirements.txt/x") is None  # a file is not a folder
    assert read("dangling.txt") is None
    assert read("out.txt") is None  # the link leads out of the context
    assert read("../secret.txt") is None
    assert read("sub") is None  # a folder
    (tmp_path / "linked").symlink_to(context)
    through = _Context(tmp_path / "linked").read  # the context itself named through a link
    assert through("requirements.txt") == "a==1\n" and through("in.txt") == "b==2\n"
    assert through("out.txt") is None and through("dangling.txt") is None


def test_an_images_tag_ranks_are_worked_out_once_per_process_and_agree_with_packaging():
    from migrator.wheels import compat
    from migrator.wheels.cache import answers_memo

    targets = [Target((3, 8, 99), "glibc", GLIBC["bookworm"], "amd64"), Target((3, 12, 99), "musl", MUSL, "arm64"),
               Target((3, 12, 99), "glibc", GLIBC["trixie"], "arm64")]
    compat._RANKS.clear()
    memo = answers_memo(None)
    first = [compat._tags(target, memo) for target in targets]  # worked out, put in the memo
    assert first == [compat.tags(target) for target in targets]
    assert compat._tags(targets[0], memo) is first[0]
    compat._RANKS.clear()
    again = [compat._tags(target, memo) for target in targets]  # from the memo's tuples
    assert again == first and len({len(ranks) for ranks in again}) == 3
