"""Mutation fuzz: the fixtures' before-files, randomly broken a little.

Seeded, so a failure reproduces. In CI a few hundred mutations run; by hand,
many more, and over other files too:

    UNALPINE_FUZZ_N=10000 .venv/bin/python -m pytest tests/test_fuzz.py -q
    UNALPINE_FUZZ_N=5000 UNALPINE_FUZZ_DIR=/path/to/dockerfiles UNALPINE_FUZZ_SEED=7 \\
        .venv/bin/python -m pytest tests/test_fuzz.py -q -s

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


def test_mutations_are_seeded():
    text = (FIXTURES / "blog" / "before.Dockerfile").read_text()
    assert mutate(text, random.Random(1)) == mutate(text, random.Random(1))
