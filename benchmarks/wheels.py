"""What the wheel check costs.

    python benchmarks/wheels.py [--runs N]

1. a Dockerfile with no pip lines (fixtures/tini_ash_su_exec): the whole
   `unalpine --yes --diff --quiet` run, to compare with a checkout from
   before the wheel check (put it first on PYTHONPATH);
2. the blog case (fixtures/blog, requirements.txt with cryptography and
   Django) with a cold cache (asks the index: PyPI, or PIP_INDEX_URL) and a
   warm one (no network);
3. which modules a run imports: libcst only when a setup.py is read, the
   index client only when a file installs Python requirements.

Each sample is a fresh process; medians of N. Results go in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "migrator", *args], check=False, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - start


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def imported(case: str, env: dict[str, str]) -> list[str]:
    code = (
        "import sys; from migrator.cli import main; "
        f"main(['--yes', '--quiet', '--diff', 'before.Dockerfile']); "
        "print('IMPORTS', ' '.join(m for m in ('libcst', 'urllib.request', 'packaging.tags', 'migrator.wheels.requirements') if m in sys.modules), file=sys.stderr)"
    )
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=FIXTURES / case)
    lines = [line[8:] for line in process.stderr.splitlines() if line.startswith("IMPORTS ")]
    return lines or [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XDG_CACHE_HOME=cache, PYTHONDONTWRITEBYTECODE="1")
        plain = Path(os.environ.get("UNALPINE_PLAIN_CASE", FIXTURES / "tini_ash_su_exec"))
        args = ["--yes", "--diff", "--quiet", "before.Dockerfile"]
        run(args, env, plain)  # warm the mapping-table cache
        rows = [("no pip lines (tini_ash_su_exec)", [run(args, env, plain) for _ in range(runs)])]
        blog = FIXTURES / "blog"
        cold = []
        for _ in range(min(runs, 5)):
            for entry in Path(cache, "unalpine", "index").rglob("*.*"):
                entry.unlink()
            cold.append(run(args, env, blog))
        rows.append(("blog, cold index cache (2 projects, 5 dependencies, their metadata from the index)", cold))
        rows.append(("blog, warm index cache", [run(args, env, blog) for _ in range(runs)]))
        rows.append(("blog, warm cache, --offline", [run([*args, "--offline"], env, blog) for _ in range(runs)]))
        print(f"| what | median of {runs} |\n|---|---|")
        for name, samples in rows:
            print(f"| {name} | {median_ms(samples)} |")
        print()
        for case in ("tini_ash_su_exec", "blog", "wheels_setup_py"):
            print(f"{case}: imports {imported(case, env)[0] or '(none of libcst, urllib.request, packaging.tags)'}")
    libcst = subprocess.run([sys.executable, "-c", "import time; s = time.perf_counter(); import libcst; print(time.perf_counter() - s)"],
                            capture_output=True, text=True)
    if libcst.returncode == 0:
        print(f"import libcst alone: {float(libcst.stdout) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
