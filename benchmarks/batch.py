"""A fleet run: N repositories' Dockerfiles in one `unalpine --yes --diff`.

    python benchmarks/batch.py [--files N]

The files are copies of the fixtures' before-files (our own test cases, so
the mix of constructs is known), each in its own folder as in a fleet. Prints
wall time, files per second and the peak memory of the unalpine process.
Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    count = parser.parse_args().files
    sources = sorted(FIXTURES.glob("*/before.Dockerfile"))
    if not sources:
        sys.exit("no fixtures/*/before.Dockerfile found")
    with tempfile.TemporaryDirectory(prefix="unalpine-bench-") as root:
        for index in range(count):
            source = sources[index % len(sources)]
            folder = Path(root) / f"repo{index:05d}"
            folder.mkdir()
            shutil.copyfile(source, folder / "Dockerfile")
        size = sum(p.stat().st_size for p in Path(root).rglob("Dockerfile"))
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "migrator", "--yes", "--diff", "--quiet", root],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"unalpine exited {done.returncode}: {done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{count} files ({size / 1024:.0f} KiB) from {len(sources)} fixtures, Python {sys.version.split()[0]}")
    print(f"wall {elapsed:.2f} s, {count / elapsed:.0f} files/s, {elapsed / count * 1000:.2f} ms/file")
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
