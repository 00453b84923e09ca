"""Time the configuration lookup (migrator.config) for a fleet laid out as
clones under organisations: N repositories, each a folder with .git and a
Dockerfile, none with a configuration file (the common case: the lookup
must cost next to nothing), then the same with a .unalpine.toml in every
tenth repository.

    python benchmarks/config_discovery.py [N] [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

from migrator.config import ConfigFinder


def lay_out(root: str, count: int, configured_every: int) -> list[str]:
    paths = []
    for number in range(count):
        repo = os.path.join(root, f"org{number % 20}", f"repo{number}")
        os.makedirs(os.path.join(repo, ".git"))
        os.makedirs(os.path.join(repo, "docker"))
        path = os.path.join(repo, "docker", "Dockerfile")
        with open(path, "w") as handle:
            handle.write("FROM python:3.12-alpine\n")
        if configured_every and number % configured_every == 0:
            with open(os.path.join(repo, ".unalpine.toml"), "w") as handle:
                handle.write('target = "bookworm"\nexclude = ["old/*"]\n')
        paths.append(path)
    return paths


def time_lookup(paths: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        finder = ConfigFinder()
        for path in paths:
            finder.for_path(path, False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for every, label in ((0, "no configuration files"), (10, "a .unalpine.toml in every tenth repository")):
        with tempfile.TemporaryDirectory() as root:
            paths = lay_out(root, count, every)
            median = time_lookup(paths, rounds)
        print(f"{count} files, {label}: {median * 1000:.1f} ms, {median / count * 1e6:.1f} µs a file "
              f"(median of {rounds})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
