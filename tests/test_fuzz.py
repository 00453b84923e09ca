"""Mutation fuzz: the fixtures' before-files, randomly broken a little.

Seeded, so a failure reproduces. In CI a few hundred mutations run; by hand,
many more, and over other files too:

    UNALPINE_FUZZ_N=10000 .venv/bin/python -m pytest tests/test_fuzz.py -q
    UNALPINE_FUZZ_N=5000 UNALPINE_FUZZ_DIR=/path/to/dockerfiles UNALPINE_FUZZ_SEED=7 \\
        .venv/bin/python -m pytest tests/test_fuzz.py -q -s

`test_mutated_files_verify_cleanly` runs --verify on mutations as a batch
does (`UNALPINE_FUZZ_VERIFY_N` of them, default 80): the wheel check against
the recorded index, then verify; it must never end in an internal error.
--build is fuzzed in the build step (tests/test_builds.py).

With -s a tally of the outcomes is printed. Failing inputs are written to
the test's tmp folder (named in the failure message) to be replayed.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

from mutations import check, mutate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MUTATIONS = int(os.environ.get("UNALPINE_FUZZ_N", "300"))
SEED = int(os.environ.get("UNALPINE_FUZZ_SEED", "6"))


def sources() -> list[str]:
    folder = os.environ.get("UNALPINE_FUZZ_DIR")
    paths = sorted(Path(folder).iterdir()) if folder else sorted(FIXTURES.glob("*/before.Dockerfile"))
    texts = []
    for path in paths:
        if path.suffix in (".tsv", ".md"):
            continue
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, IsADirectoryError):
            continue
    return texts


def test_mutated_files_migrate_or_fail_cleanly(tmp_path):
    texts = sources()
    assert texts
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    failures = []
    for number in range(MUTATIONS):
        text = mutate(rng.choice(texts), rng)
        outcome = check(text)
        tally[outcome.kind] += 1
        if outcome.failed:
            path = tmp_path / f"{number}.Dockerfile"
            path.write_text(text, encoding="utf-8")
            failures.append(f"{path}: {outcome.kind}\n{outcome.detail}")
    print(f"\n{MUTATIONS} mutations (seed {SEED}): {dict(tally)}")
    assert not failures, f"{len(failures)} of {MUTATIONS} failed; first ones:\n" + "\n\n".join(failures[:5])
    # The mutations must exercise the rules, not only break files.
    assert tally["migrated"] > MUTATIONS // 3


VERIFY_MUTATIONS = int(os.environ.get("UNALPINE_FUZZ_VERIFY_N", "80"))
MINI = Path(__file__).resolve().parent / "data" / "trixie-mini.Packages"


def test_mutated_files_verify_cleanly(tmp_path, monkeypatch):
    """--yes --verify on mutated fixtures, through batch.check_file as the
    command runs it: the wheel check (recorded index answers, each fixture's
    folder as its context), then verify with what the wheel check removed.
    trixie's installs are resolved over a small hand-written index; the
    other suites' cannot be downloaded (nothing listens on the mirror) and
    fall back to the shipped name lists. Any internal error fails."""
    import lzma

    from migrator.batch import FileJob, RunSettings, check_file
    from migrator.engine import Settings
    from migrator.wheels.gather import WheelCheck
    from rulekit import Recorded

    cache = tmp_path / "cache"
    folder = cache / "unalpine" / "packages"
    folder.mkdir(parents=True)
    for dist, text in (("trixie", MINI.read_bytes()), ("trixie-updates", b""), ("trixie-security", b"")):
        (folder / f"{dist}_main_amd64_Packages.xz").write_bytes(lzma.compress(text))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("UNALPINE_DEBIAN_MIRROR", "http://127.0.0.1:9")
    monkeypatch.setenv("UNALPINE_DEBIAN_SECURITY_MIRROR", "http://127.0.0.1:9")
    from migrator.debian import packages_index

    monkeypatch.setattr(packages_index, "_LOADED", {})
    paths = sorted(FIXTURES.glob("*/before.Dockerfile"))
    settings = RunSettings(Settings(table=_table(), wheels=WheelCheck()), lambda say: Recorded(), verify=True)
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    failures = []
    for number in range(VERIFY_MUTATIONS):
        path = rng.choice(paths)
        text = mutate(path.read_text("utf-8"), rng)
        outcome = check_file(FileJob(str(path), str(path), text), settings)
        if "internal error" in outcome.error:
            kind = "FAIL: internal error"
        elif outcome.error:
            kind = "input-error"
        elif outcome.verification is None:
            kind = "not verified" if outcome.open_questions else "FAIL: no verification"
        else:
            kind = "verified ok" if outcome.verification.ok else "verify found problems"
        tally[kind] += 1
        if kind.startswith("FAIL"):
            saved = tmp_path / f"{number}.Dockerfile"
            saved.write_text(text, encoding="utf-8")
            failures.append(f"{saved} (from {path.parent.name}): {kind}\n{outcome.error}")
    print(f"\n{VERIFY_MUTATIONS} verified mutations (seed {SEED}): {dict(tally)}")
    assert not failures, f"{len(failures)} of {VERIFY_MUTATIONS} failed; first ones:\n" + "\n\n".join(failures[:5])
    assert tally["verified ok"] + tally["verify found problems"] > VERIFY_MUTATIONS // 2


def _table():
    from migrator.packages import PackageTable

    return PackageTable.load()


def test_mutations_are_seeded():
    text = (FIXTURES / "blog" / "before.Dockerfile").read_text()
    assert mutate(text, random.Random(1)) == mutate(text, random.Random(1))
