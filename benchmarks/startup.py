"""Start-up costs: the command, the import, the mapping table, an index.

    python benchmarks/startup.py [--runs N]

Prints the median of N runs of each. Results are recorded in
benchmarks/README.md; rerun after changing what loads at start-up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def time_subprocess(argv: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


def time_in_fresh_interpreter(statement: str, runs: int) -> list[float]:
    """Each sample is one new interpreter: nothing is cached between runs."""
    code = (
        "import time; start = time.perf_counter(); "
        f"{statement}; "
        "print(time.perf_counter() - start)"
    )
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        samples.append(float(out.stdout))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    rows = [
        ("python -c pass (baseline)", time_subprocess([sys.executable, "-c", "pass"], runs)),
        ("unalpine --version", time_subprocess([sys.executable, "-m", "migrator", "--version"], runs)),
        ("import migrator.cli", time_in_fresh_interpreter("import migrator.cli", runs)),
        ("import migrator.engine (rules, tree-sitter)", time_in_fresh_interpreter("import migrator.engine", runs)),
        ("PackageTable.load()", time_in_fresh_interpreter(
            "from migrator.packages import PackageTable; s = time.perf_counter(); PackageTable.load(); start = s", runs)),
        ("DebianIndex.load('trixie')", time_in_fresh_interpreter(
            "from migrator.debian.name_index import DebianIndex; s = time.perf_counter(); DebianIndex.load('trixie'); start = s", runs)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"median of {runs} runs, Python {sys.version.split()[0]}")
    for name, samples in rows:
        print(f"{name:<{width}}  {median_ms(samples)}")


if __name__ == "__main__":
    main()
