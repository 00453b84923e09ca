"""benchmarks/identity.py, the byte-identity record of a build: two
recordings of one build are equal, and a difference is found and named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "identity.py"
UNALPINE = Path(sys.executable).parent / "unalpine"


def identity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_one_build_recorded_twice_is_identical_and_a_change_is_named(tmp_path):
    cache = tmp_path / "cache"
    for name in ("first", "second"):
        done = identity("record", str(tmp_path / name), "--unalpine", str(UNALPINE), "--files", "24",
                        "--no-fixtures", "--offline", "--cache-home", str(cache))
        assert done.returncode == 0, done.stderr
    records = sorted(path.name for path in (tmp_path / "first").iterdir())
    assert records == ["corpus-check.err", "corpus-check.out", "corpus-diff.err", "corpus-diff.out",
                       "corpus-json.err", "corpus-json.out", "corpus-write.err", "corpus-write.files",
                       "corpus-write.out"]
    assert (tmp_path / "first" / "corpus-diff.out").read_text().count("+++ b/") >= 20
    assert (tmp_path / "first" / "corpus-write.files").read_text().count("Dockerfile\n") == 24
    same = identity("compare", str(tmp_path / "first"), str(tmp_path / "second"))
    assert same.returncode == 0 and same.stdout.endswith("9 records, 0 differ\n"), same.stdout
    # a changed byte in what a build wrote is a difference, named
    written = tmp_path / "second" / "corpus-write.files"
    written.write_text(written.read_text().replace("a", "b", 1))
    differs = identity("compare", str(tmp_path / "first"), str(tmp_path / "second"))
    assert differs.returncode == 1
    assert "differs: corpus-write.files" in differs.stdout and differs.stdout.endswith("1 differ\n")
