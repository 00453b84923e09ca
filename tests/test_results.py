"""Whole-file results kept between runs of a batch (migrator.results): a
second run over the same files prints and writes the same bytes without
working them out again, and a kept result is not used once what it was
worked out from has changed (a file of the build context, an index answer
that expired), nor kept when it could not be checked later.

A kept result is proven used by changing it in the memo (the run then
shows the change); proven dropped by the run showing the real result."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexserver import IndexServer
from migrator import inputs, results
from migrator.datacache import MISSING
from migrator.wheels.requirements import observe
from test_warm_cache import LAUNCH, FailingIndex, fleet_files

MARKER = "# kept result, changed by the test\n"


def write_fleets(root: Path, private_index: str, copies: int = 11) -> Path:
    """`copies` times the realistic little fleet of test_warm_cache (7 files
    each: requirement files present and absent, an sdist-only pin, indexes
    that fail, a compose file): a batch big enough to keep results."""
    for copy in range(copies):
        for name, text in fleet_files(private_index).items():
            path = root / f"team{copy:02d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def run(server: IndexServer, folder: Path, cache: Path, *args: str, cwd: Path | None = None) -> tuple[str, str, int]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PIP_INDEX_URL=server.url, PIP_CONFIG_FILE=os.devnull,
               NO_COLOR="1")
    env.pop("UNALPINE_NO_CACHE", None)
    cwd = cwd or folder.parent
    process = subprocess.run([sys.executable, "-c", LAUNCH, server.root, "--yes", "-j", "2", *args,
                              os.path.relpath(folder, cwd)], cwd=cwd, env=env, capture_output=True, timeout=180)
    assert b"Traceback" not in process.stderr, process.stderr.decode()
    return process.stdout.decode(), process.stderr.decode(), process.returncode


def forget_results(cache: Path) -> None:
    for path in (cache / "unalpine").rglob("results-*"):
        path.unlink()


class Kept:
    """The memo of kept results in `cache` (its 16 shards), read and changed as a run would."""

    def __init__(self, cache: Path, monkeypatch):
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
        from migrator import datacache
        from migrator.wheels.cache import folder

        self.memos = []
        for shard in "0123456789abcdef":
            datacache._OPEN.pop(results.memo_path(folder(), shard), None)  # read afresh: a run has just written it
            memo = results.memo(folder(), shard)
            memo._open()
            self.memos.append(memo)

    def _all(self):
        for memo in self.memos:
            for section in [*memo._stored_at, *memo._sections]:
                for key, value in memo._section(section).items():
                    yield memo, section, key, value

    def entries(self) -> dict:
        """The kept results, by (section, key): not the shapes of their reads."""
        return {(section, key): value for _, section, key, value in self._all() if key[0] != "shapes"}

    def texts(self) -> set[tuple[str, str]]:
        """(file name, digest of its text) of every text with a kept result."""
        return {key[1:] for _, _, key, _ in self._all() if key[0] == "shapes"}

    def change(self, name: str, edit) -> int:
        """Apply `edit` to every kept result of files called `name`; how many."""
        changed = 0
        for memo, section, key, entry in list(self._all()):
            if key[0] == name:
                memo.put(section, key, edit(entry))
                changed += 1
        for memo in self.memos:
            memo.save()
        return changed


def with_marker(entry: tuple) -> tuple:
    until, said, payload = entry
    text, *rest = pickle.loads(payload)
    return until, said, pickle.dumps((MARKER + (text or ""), *rest))


@pytest.fixture
def servers():
    server, private = IndexServer().__enter__(), FailingIndex()
    yield server, private
    server.__exit__(None, None, None)
    private.stop()


def test_a_second_run_takes_the_kept_results_and_prints_the_same_bytes(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    first = run(server, fleet, cache, "--diff")
    asked = len(server.requests)
    second = run(server, fleet, cache, "--diff")
    assert second == first
    assert len(server.requests) == asked
    assert "team00/shop/Dockerfile:" in first[1]  # said lines carry their file's path, kept or not
    # Proof that the second run used them: a changed kept result shows.
    changed = Kept(cache, monkeypatch).change("Dockerfile", with_marker)
    assert changed >= 4  # the Dockerfiles a copy of the fleet has, kept once for the 11 copies
    assert run(server, fleet, cache, "--diff")[0].count("+" + MARKER) == 11 * changed
    # --json keeps the rules' structured results too: its own settings, its own results
    json_first = run(server, fleet, cache, "--json")
    assert run(server, fleet, cache, "--json") == json_first and MARKER not in json_first[0]


def test_a_changed_requirement_file_is_worked_out_again(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    run(server, fleet, cache, "--diff")
    Kept(cache, monkeypatch).change("Dockerfile", with_marker)
    (fleet / "team03/shop/requirements.txt").write_text("Django==3.2.4\n")  # cryptography no longer built
    (fleet / "team04/shop/requirements.txt").unlink()
    changed = per_file(run(server, fleet, cache, "--diff")[0])
    forget_results(cache)
    worked_out = per_file(run(server, fleet, cache, "--diff")[0])
    for name in ("fleet/team03/shop/Dockerfile", "fleet/team04/shop/Dockerfile"):
        assert changed[name] == worked_out[name] and MARKER not in changed[name]
    assert MARKER in changed["fleet/team05/shop/Dockerfile"]


def per_file(diff: str) -> dict[str, str]:
    """A --diff output, by file."""
    chunks = diff.split("--- a/")[1:]
    return {chunk.split("\n", 1)[0]: chunk for chunk in chunks}


def test_a_copy_elsewhere_finds_the_kept_results(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "here", private.url), tmp_path / "cache"
    run(server, fleet, cache, "--diff")
    copy = tmp_path / "there" / "much" / "deeper"
    shutil.copytree(fleet, copy)
    warm = run(server, copy, cache, "--diff", cwd=tmp_path)
    forget_results(cache)
    assert warm == run(server, copy, cache, "--diff", cwd=tmp_path)
    assert "there/much/deeper/team07/shop/Dockerfile:" in warm[1]
    Kept(cache, monkeypatch).change("Dockerfile", with_marker)
    shutil.copytree(fleet, tmp_path / "third")
    assert MARKER in run(server, tmp_path / "third", cache, "--diff")[0]


def test_a_kept_result_past_its_index_answers_is_not_used(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    run(server, fleet, cache, "--diff")
    kept = Kept(cache, monkeypatch)
    entries = kept.entries()
    # the files that ask an index hold as long as the answers they used: a
    # day, 15 minutes for those that asked the indexes that failed ...
    files = fleet_files(private.url)
    until = {name: entry[0] for name in ("shop", "cli", "internal", "vpn", "worker")
             for (_, key), entry in entries.items() if key[:2] == results._file_key(files[f"{name}/Dockerfile"], "x/Dockerfile")}
    assert set(until) == {"shop", "cli", "internal", "vpn", "worker"}
    for name in ("internal", "vpn"):
        assert time.time() < until[name] <= time.time() + 15 * 60, name
    for name in ("shop", "cli", "worker"):
        assert time.time() + 23 * 3600 < until[name] <= time.time() + 24 * 3600, name
    # ... and one whose time is up is worked out again
    kept.change("Dockerfile", lambda entry: (time.time() - 1, *with_marker(entry)[1:]))
    assert MARKER not in run(server, fleet, cache, "--diff")[0]


def test_offline_without_the_answers_keeps_nothing_that_asked(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    run(server, fleet, cache, "--diff", "--offline")  # an empty index cache: nothing to answer from
    kept = Kept(cache, monkeypatch).texts()
    files = fleet_files(private.url)
    assert results._file_key(files["worker/docker-compose.yml"], "docker-compose.yml") in kept
    # a later run may have the answers these asked for: none is kept
    for name in ("shop", "cli", "internal", "vpn", "worker"):
        assert results._file_key(files[f"{name}/Dockerfile"], "Dockerfile") not in kept, name


def test_a_small_batch_keeps_nothing(tmp_path, servers):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url, copies=9), tmp_path / "cache"  # 63 files
    run(server, fleet, cache, "--diff")
    assert not list((cache / "unalpine").rglob("results-*"))


def test_a_result_that_names_its_folder_is_not_kept(tmp_path, monkeypatch):
    from migrator.engine import Settings, migrate
    from migrator.proposals import Finding
    from migrator.resolve import Answers, TakeRecommended

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "repo"
    folder.mkdir()
    path = str(folder / "Dockerfile")
    text = "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n"
    said: list[str] = []
    result = migrate(text, path, Settings(), Answers(TakeRecommended(said.append)))
    kept = results.KeptResults("test-section")
    kept.keep(text, path, result, said, inputs.Recording())
    assert kept.find(text, path, []) is not None
    result.findings.append(Finding("UA999", 1, f"see {folder}/notes"))
    other = results.KeptResults("other-section")
    other.keep(text, path, result, said, inputs.Recording())
    assert other.find(text, path, []) is None
    # nor what a resolver said about another file
    other.keep(text, path, result, ["elsewhere/Dockerfile:2: UA201 took 'x'"], inputs.Recording())
    file_key = results._file_key(text, path)
    assert other._entries(file_key).get("other-section", ("shapes", *file_key)) is MISSING


def test_what_the_wheel_check_read_is_read_again_the_same_way(tmp_path):
    folder = tmp_path / "context"
    write_text(folder / "requirements.txt", "flask==3.0.0\n")
    write_text(folder / "app" / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["requests>=2"]\n')
    from migrator.document import parse
    from migrator.wheels.requirements import find

    document = parse("FROM python:3.12-alpine\nCOPY requirements.txt .\nCOPY app /app\n"
                     "RUN pip install -r requirements.txt && pip install /app\n")
    recording = inputs.start()
    try:
        found = find(document, folder)
    finally:
        inputs.stop()
    assert [r.name for r in found.requirements] == ["flask", "requests"]
    kinds = {(kind, argument) for kind, argument, _ in recording.reads}
    assert {("read", "requirements.txt"), ("dir", "app"), ("project", "app")} <= kinds
    assert all(observe(kind, str(folder), argument) == seen for kind, argument, seen in recording.reads)
    write_text(folder / "requirements.txt", "flask==3.0.1\n")
    write_text(folder / "app" / "pyproject.toml", '[project]\nname = "app"\ndependencies = []\n')
    changed = {(kind, argument) for kind, argument, seen in recording.reads if observe(kind, str(folder), argument) != seen}
    assert changed == {("read", "requirements.txt"), ("project", "app")}


def test_a_file_holds_as_long_as_the_index_answers_it_used(tmp_path):
    """Per file: an answer the client keeps in memory says again, for each
    file it serves, until when it holds; a failed index's 15 minutes bound
    only the files that asked it."""
    from migrator.wheels.cache import FAILED_EXPIRY, Cache
    from migrator.wheels.index import Client

    cache = Cache(tmp_path / "index")
    with IndexServer() as server:
        client, failing = Client([server.url], cache), Client(["http://127.0.0.1:9/simple/"], cache, timeout=2)

        def checked(work) -> float:
            recording = inputs.start()
            try:
                work()
            finally:
                inputs.stop()
            return recording.expiry()

        first = checked(lambda: client.pages(["six", "flask"]))
        assert time.time() + 23 * 3600 < first <= time.time() + 24 * 3600  # fetched now: a day
        six = checked(lambda: client.pages(["six"]))
        assert first <= six < float("inf")  # served from memory: said again
        assert checked(lambda: client.pages(["six"])) == six
        assert checked(lambda: failing.pages(["django"])) <= time.time() + FAILED_EXPIRY
        assert checked(lambda: failing.failures()) <= time.time() + FAILED_EXPIRY  # its warning, in another file
        assert checked(lambda: client.pages(["flask"])) > time.time() + 23 * 3600  # not bound by the failure
        assert checked(lambda: None) == float("inf")
        # --offline without an answer: a later run may have one, so nothing that used it holds
        assert checked(lambda: Client([server.url], cache, offline=True).pages(["no-such-project-abc"])) == 0


def test_the_code_fingerprint_covers_the_code_and_data():
    from migrator.data_files import data_dir

    covered = {Path(part[0]).resolve() for part in results.code_fingerprint()
               if isinstance(part, tuple) and isinstance(part[0], str) and os.sep in part[0]}
    package = Path(results.__file__).resolve().parent
    for must in [package / "results.py", package / "rules" / "apk" / "__init__.py", Path(data_dir()) / "packages.toml"]:
        assert must.resolve() in covered, must
    assert any("tree_sitter_bash" in str(path) for path in covered)  # the shell grammar is part of every result


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_result_of_a_caught_internal_error_is_not_kept(tmp_path, monkeypatch):
    """The wheel check catches its own bugs and reports them as a finding:
    that result is worked out again next time, not repeated from the memo."""
    from migrator.document import parse
    from migrator.engine import Settings, migrate
    from migrator.resolve import Answers, TakeRecommended
    from migrator.wheels import gather

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def broken(check, document, path):
        raise RuntimeError("a bug")

    monkeypatch.setattr(gather, "_gather", broken)
    folder = tmp_path / "repo"
    folder.mkdir()
    path = str(folder / "Dockerfile")
    text = "FROM python:3.12-alpine\nRUN pip install flask\n"
    kept = results.KeptResults("internal-error", gather.WheelCheck(cache_root=tmp_path / "index"))
    recording = inputs.start()
    try:
        result = migrate(text, path, Settings(wheels=kept.wheels), Answers(TakeRecommended(lambda line: None)))
    finally:
        inputs.stop()
    assert any("internal error in the wheel check" in finding.message for finding in result.findings)
    assert parse(result.text)  # migrated all the same
    kept.keep(text, path, result, [], recording)
    assert kept.find(text, path, []) is None
    kept.keep(text, path, result, [], inputs.Recording())  # the same result from a check that went well: kept
    assert kept.find(text, path, []) is not None


# What a check reads of the build context must all be recorded, or a kept
# result could outlive a change to a file nobody checks. Python's audit hook
# sees every file opened (builtins.open, os.open, pathlib): the run below
# logs each one opened under the fleet while a file's recording is active,
# and the reads that recording holds when it ends.
WATCH = r"""
import json, os, sys
from migrator import inputs
fleet, log = os.path.realpath(sys.argv[1]), []
opened = []

def hook(event, args):
    if event == "open" and inputs._ACTIVE is not None and isinstance(args[0], (str, bytes)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path.startswith(fleet + os.sep):
            opened.append(path)

sys.addaudithook(hook)
from migrator import batch
stop, migrate = inputs.stop, batch._migrate
checking = []

def watched_migrate(original, path, *rest):
    opened.clear()
    checking[:] = [os.path.realpath(path)]
    return migrate(original, path, *rest)

def watched_stop():
    log.append({"file": checking[0], "opened": list(opened), "reads": [list(read[:2]) for read in inputs._ACTIVE.reads]})
    stop()

batch._migrate, inputs.stop = watched_migrate, watched_stop
from migrator.cli import main
code = main(sys.argv[2:])
json.dump(log, open(os.environ["WATCH_LOG"], "w"))
sys.exit(code)
"""


def context_fleet(root: Path) -> Path:
    """Repositories whose Dockerfiles read the build context every way the
    wheel check does, 8 copies each (a batch that keeps results)."""
    repositories = {
        "nested": {
            "Dockerfile": "FROM python:3.11-alpine\nCOPY requirements/ /req/\nRUN pip install -r /req/prod.txt -c /req/pins.txt\n",
            "requirements/prod.txt": "-r base.txt\nflask==3.0.0\n",
            "requirements/base.txt": "six==1.16.0\n",
            "requirements/pins.txt": "six<2\n",
        },
        "project": {
            "Dockerfile": "FROM python:3.12-alpine\nWORKDIR /src\nCOPY . .\nRUN pip install .\n",
            "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests>=2"]\n',
        },
        "setup_cfg": {
            "Dockerfile": "FROM python:3.12-alpine\nCOPY . /app\nRUN pip install -e /app\n",
            "setup.cfg": "[metadata]\nname = app\n[options]\ninstall_requires =\n    click>=8\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
        },
        "poetry": {
            "Dockerfile": "FROM python:3.12-alpine\nCOPY pyproject.toml poetry.lock ./\nRUN pip install poetry && poetry install --no-root\n",
            "pyproject.toml": '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.12"\nsix = "^1.16"\n',
            "poetry.lock": '[[package]]\nname = "six"\nversion = "1.16.0"\n',
        },
        "absent": {
            "Dockerfile": "FROM python:3.10-alpine\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        },
    }
    for copy in range(8):
        for repository, files in repositories.items():
            for name, text in files.items():
                path = root / f"{repository}{copy}" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    return root


def test_every_file_a_check_opens_in_the_build_context_is_recorded(tmp_path):
    import json

    fleet = context_fleet(tmp_path / "fleet")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from realistic import write_corpus

    write_corpus(fleet / "realistic", 60)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), WATCH_LOG=str(tmp_path / "log.json"))
    process = subprocess.run([sys.executable, "-c", WATCH, str(fleet), "--yes", "--diff", "--offline", "-j", "1", "."],
                             cwd=fleet, env=env, capture_output=True, text=True, timeout=300)
    assert process.returncode in (0, 1), process.stderr[-3000:]
    log = json.loads((tmp_path / "log.json").read_text())
    assert len(log) >= 60  # (identical copies take the result kept by the first, and read nothing)
    unrecorded = []
    for entry in log:
        folder = os.path.dirname(entry["file"])  # the build context: no --context given
        covered = {os.path.realpath(os.path.join(folder, argument)) for _, argument in entry["reads"]}
        for path in entry["opened"]:
            if path in covered or any(path.startswith(place + os.sep) for place in covered):
                continue  # a recorded read, or a file of a recorded local project
            unrecorded.append((entry["file"], path))
    assert not unrecorded, unrecorded[:10]
    read_kinds = {kind for entry in log for kind, _ in entry["reads"]}
    assert {"read", "dir", "project"} <= read_kinds  # the fleet did exercise every reader


def test_a_read_that_fails_now_works_the_file_out_again(tmp_path, monkeypatch):
    """A project file that now breaks its reader (tomllib's recursion on a
    deeply nested value): the kept result is not used, and the file's own
    check then reports the problem as it would without kept results."""
    from migrator.engine import Settings, migrate
    from migrator.resolve import Answers, TakeRecommended
    from migrator.wheels.gather import WheelCheck

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "repo"
    write_text(folder / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = []\n')
    path = str(folder / "Dockerfile")
    text = "FROM python:3.12-alpine\nCOPY . /src\nRUN pip install /src\n"
    kept = results.KeptResults("broken-read", WheelCheck(offline=True, cache_root=tmp_path / "index"))
    recording = inputs.start()
    try:
        result = migrate(text, path, Settings(wheels=kept.wheels), Answers(TakeRecommended(lambda line: None)))
    finally:
        inputs.stop()
    kept.keep(text, path, result, [], recording)
    assert ("project", ".") in {read[:2] for read in recording.reads}
    assert kept.find(text, path, []) is not None
    write_text(folder / "pyproject.toml", '[project]\nname = "x"\n[tool.x]\na = ' + "[" * 5000 + "]" * 5000 + "\n")
    assert kept.find(text, path, []) is None


def test_emptying_the_index_cache_drops_the_kept_results(tmp_path, servers, monkeypatch):
    """Kept results hold only as long as the index answers they came from:
    they live in the index cache, and go with it."""
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    run(server, fleet, cache, "--diff")
    assert Kept(cache, monkeypatch).change("Dockerfile", with_marker)
    shutil.rmtree(cache / "unalpine" / "index")
    assert MARKER not in run(server, fleet, cache, "--diff")[0]


def test_a_mapping_file_edited_in_place_is_a_new_setting(tmp_path, servers, monkeypatch):
    """Mapping files key the kept results by content: an edit that keeps
    the size and modification time (cp -p, touch -r) still counts."""
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    overlay = tmp_path / "ours.toml"
    overlay.write_text('schema = 1\n[packages.gcc]\nto = ["gcc-12"]\n')
    first = run(server, fleet, cache, "--diff", "--mappings", str(overlay))
    assert "gcc-12" in first[0]
    assert Kept(cache, monkeypatch).change("Dockerfile", with_marker)
    stat = overlay.stat()
    overlay.write_text('schema = 1\n[packages.gcc]\nto = ["gcc-13"]\n')
    os.utime(overlay, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = run(server, fleet, cache, "--diff", "--mappings", str(overlay))[0]
    assert MARKER not in second and "gcc-13" in second and "gcc-12" not in second


def test_a_damaged_kept_result_is_worked_out_again(tmp_path, servers, monkeypatch):
    server, private = servers
    fleet, cache = write_fleets(tmp_path / "fleet", private.url), tmp_path / "cache"
    first = run(server, fleet, cache, "--diff")
    assert Kept(cache, monkeypatch).change("Dockerfile", lambda entry: (entry[0], entry[1], b"not a pickle"))
    assert run(server, fleet, cache, "--diff") == first
