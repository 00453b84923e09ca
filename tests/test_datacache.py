"""The compiled cache of start-up data: used when fresh, rebuilt when not."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys

import pytest

from migrator import data_files, datacache, images, package_file, packages


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("UNALPINE_NO_CACHE", raising=False)
    return tmp_path / "cache" / "unalpine"


def test_built_once_then_read_back_and_rebuilt_when_a_source_changes(tmp_path, cache_home):
    source = tmp_path / "data.txt"
    source.write_text("one")
    builds = []

    def build():
        builds.append(1)
        return {"text": source.read_text()}

    assert datacache.cached("demo", [str(source)], build) == {"text": "one"}
    assert datacache.cached("demo", [str(source)], build) == {"text": "one"}
    assert len(builds) == 1
    assert [p.name.split("-")[0] for p in cache_home.iterdir()] == ["demo"]
    # Same size, new bytes: the CRC tells them apart even within one mtime tick.
    source.write_text("two")
    assert datacache.cached("demo", [str(source)], build) == {"text": "two"}
    assert len(builds) == 2
    assert len(list(cache_home.iterdir())) == 1  # the stale entry is gone
    # Another install (other source paths) has its own slot: nobody evicts it.
    other = tmp_path / "other" / "data.txt"
    other.parent.mkdir()
    other.write_text("two")
    assert datacache.cached("demo", [str(other)], build) == {"text": "two"}
    assert datacache.cached("demo", [str(source)], build) == {"text": "two"}
    assert len(builds) == 3 and len(list(cache_home.iterdir())) == 2


def test_a_broken_or_unwritable_cache_only_costs_time(tmp_path, cache_home, monkeypatch):
    source = tmp_path / "data.txt"
    source.write_text("x")
    datacache.cached("demo", [str(source)], lambda: 1)
    (entry,) = cache_home.iterdir()
    entry.write_bytes(b"not a pickle")
    assert datacache.cached("demo", [str(source)], lambda: 2) == 2
    assert datacache.cached("demo", [str(source)], lambda: 3) == 2  # rewritten
    # A file where the cache folder should be: nothing can be written.
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert datacache.cached("demo", [str(source)], lambda: 4) == 4
    assert datacache.cached("demo", [str(source)], lambda: 5) == 5
    # And a source that does not exist is build()'s business.
    with pytest.raises(FileNotFoundError):
        datacache.cached("demo", [str(tmp_path / "missing")], lambda: open(tmp_path / "missing"))


def test_no_cache_switch(tmp_path, cache_home, monkeypatch):
    source = tmp_path / "data.txt"
    source.write_text("x")
    monkeypatch.setenv("UNALPINE_NO_CACHE", "1")
    assert datacache.cached("demo", [str(source)], lambda: 1) == 1
    assert not cache_home.exists()


def test_the_cached_tables_equal_the_parsed_ones(cache_home):
    parsed = package_file.parse_file(package_file.BUILTIN_PATH, "builtin")
    sources = [str(package_file.BUILTIN_PATH), package_file.__file__]
    hooks = package_file.plain_table, package_file.table_from_plain
    datacache.cached("packages", sources, lambda: parsed, *hooks)
    again = datacache.cached("packages", sources, lambda: pytest.fail("not read from the cache"), *hooks)
    assert again is not parsed and again == parsed
    assert {type(entry) for entry in again[0].values()} == {package_file.Entry}
    assert {type(py3) for py3 in again[1].values()} == {package_file.Py3Entry}
    fresh = images._read_image_table()
    sources = [str(Path(data_files.data_dir()) / "images.toml"), images.__file__]
    hooks = images._plain_image_table, images._image_table_from_plain
    datacache.cached("images", sources, lambda: fresh, *hooks)
    again = datacache.cached("images", sources, lambda: pytest.fail("not read from the cache"), *hooks)
    assert again == fresh and type(again) is images.ImageTable
    assert {type(spec) for spec in again.images.values()} == {images.ImageSpec}


def test_what_cannot_be_stored_is_built_every_time(tmp_path, cache_home):
    # Records must be made plain first; without that the cache keeps nothing
    # (and says nothing: it is optional), and the build still answers.
    source = tmp_path / "data.txt"
    source.write_text("x")
    builds = []

    def build():
        builds.append(1)
        return package_file.Entry("a", {}, "builtin", "p")

    assert datacache.cached("demo", [str(source)], build) == build()
    assert datacache.cached("demo", [str(source)], build) == build()
    assert len(builds) == 4


def test_the_command_fills_the_cache_and_gives_the_same_answers(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("UNALPINE_NO_CACHE", None)

    def explain(**extra):
        return subprocess.run(
            [sys.executable, "-m", "migrator", "--explain", "postgresql-dev"],
            env={**env, **extra}, capture_output=True, text=True, check=True,
        ).stdout

    uncached = explain(UNALPINE_NO_CACHE="1")
    assert not (tmp_path / "cache").exists()
    assert explain() == uncached  # fills the cache
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "cache/unalpine").iterdir()) == ["packages"]
    assert explain() == uncached  # reads it


def test_lazy_values_make_each_value_once_and_only_when_asked():
    made = []

    def build(key, plain):
        made.append(key)
        return ("record", key, plain)

    eager = {"a": [1, 2], "b": {"x": "y"}, "c": None}
    lazy = datacache.LazyValues(datacache.plain_values(eager), build)
    assert len(lazy) == 3 and list(lazy) == ["a", "b", "c"] and "b" in lazy and "z" not in lazy
    assert made == []  # sizing, iterating and membership make nothing
    assert lazy["b"] == ("record", "b", {"x": "y"}) and lazy.get("b") is lazy["b"]
    assert lazy.get("z") is None
    assert made == ["b"]
    assert dict(lazy.items()) == {key: ("record", key, value) for key, value in eager.items()}
    assert made == ["b", "a", "c"]


def test_a_run_makes_only_the_table_entries_it_looks_up(cache_home):
    sources = [str(package_file.BUILTIN_PATH), package_file.__file__]
    hooks = package_file.plain_table, package_file.table_from_plain
    datacache.cached("packages", sources, lambda: package_file.parse_file(package_file.BUILTIN_PATH, "builtin"), *hooks)
    entries, _ = datacache.cached("packages", sources, lambda: pytest.fail("not read from the cache"), *hooks)
    table = packages.PackageTable(entries, {})
    assert table.lookup("openssl-dev", "bookworm", "python").names == ("libssl-dev",)
    assert isinstance(entries, datacache.LazyValues) and set(entries._made) == {"openssl-dev"}


def test_a_memo_keeps_answers_for_its_sources_and_drops_them_when_one_changes(tmp_path, cache_home, monkeypatch):
    source = tmp_path / "index.txt"
    source.write_text("v1")
    monkeypatch.setattr(datacache, "_OPEN", {})

    def opened():  # the memo as a new process opens it
        datacache._OPEN.clear()
        return datacache.source_memo("demo-answers", [str(source)])

    memo = opened()
    assert memo.get("names", "a") is datacache.MISSING
    memo.put("names", "a", ("answer", 1))
    memo.save()
    other = opened()  # another process, later
    third = opened()  # and one more, at the same time
    assert other.get("names", "a") == ("answer", 1)
    other.put("names", "b", ["answer", 2])
    third.put("names", "c", 3)
    other.save()
    third.save()  # loaded before other saved: what other added is kept all the same
    kept = opened()
    assert (kept.get("names", "a"), kept.get("names", "b"), kept.get("names", "c")) == (("answer", 1), ["answer", 2], 3)
    assert len(kept) == 3
    source.write_text("v2")  # the data changed: earlier answers no longer hold
    changed = opened()
    assert changed.get("names", "a") is datacache.MISSING
    changed.put("names", "a", ("answer", 2))
    changed.save()  # and the older version's file goes
    assert len([p for p in cache_home.iterdir() if p.name.startswith("demo-answers-") and p.suffix == ".marshal"]) == 1
    assert len([p for p in cache_home.iterdir() if p.name.startswith("demo-answers-") and p.suffix == ".lock"]) == 1
    monkeypatch.setenv("UNALPINE_NO_CACHE", "1")
    off = opened()
    off.put("names", "d", 4)
    assert off.get("names", "d") == 4  # answered in the run, kept nowhere
    off.save()
    monkeypatch.delenv("UNALPINE_NO_CACHE")
    assert opened().get("names", "d") is datacache.MISSING
