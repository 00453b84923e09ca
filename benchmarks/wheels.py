"""What the wheel check costs, one small file at a time.

    python benchmarks/wheels.py [--runs N] [--python BIN_DIR]

From a fresh non-editable install of this checkout, byte-compiled, run with
PYTHONDONTWRITEBYTECODE unset, as a pip-installed user has it (fleet.py's
install(); --python takes an environment's bin/ folder instead), each
sample a fresh `unalpine --yes --diff --quiet` process, interleaved:

1. files with no pip lines (fixtures/busybox_users, fixtures/tini_ash_su_exec):
   the wheel check costs them one regex search;
2. the blog case (fixtures/blog: requirements.txt with cryptography==3.4.7
   and Django==3.2.4, five dependencies) with
   - a cold index cache: pages and metadata from the index (PyPI, or
     PIP_INDEX_URL), a few samples only;
   - warm pages but no memo (index/v6/answers-* removed before each run): the
     answers are worked out again, with packaging;
   - pages fetched again (a new fetch time, as after the daily expiry):
     their answers are worked out again, requirement strings, markers,
     metadata and tags come from the memo;
   - warm pages and memo: what an editor or a pre-commit hook sees from the
     second run on;
   - the same with --offline;
3. which modules a run imports: no packaging submodule on a warm run,
   libcst only when a setup.py is read.

Results go in benchmarks/README.md.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet import environment, install  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run(unalpine: str, args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([unalpine, *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - start


def imported(python: str, case: str, env: dict[str, str]) -> set[str]:
    process = subprocess.run([python, "-X", "importtime", "-m", "migrator", "--yes", "--quiet", "--diff", "before.Dockerfile"],
                             capture_output=True, text=True, env=env, cwd=FIXTURES / case)
    return {line.rsplit("|", 1)[1].strip() for line in process.stderr.splitlines() if line.startswith("import time:")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--python", help="an environment's bin/ folder holding unalpine")
    options = parser.parse_args()
    runs = options.runs
    with tempfile.TemporaryDirectory(prefix="unalpine-wheels-") as work:
        if options.python:
            bin_dir = Path(options.python)
        else:
            print("installing this checkout into a fresh venv ...", file=sys.stderr)
            bin_dir = install(Path(work) / "venv")
        unalpine, python = str(bin_dir / "unalpine"), str(bin_dir / "python")
        cache = Path(work) / "cache"
        env = dict(environment(), XDG_CACHE_HOME=str(cache))
        index = cache / "unalpine" / "index"
        args = ["--yes", "--diff", "--quiet", "before.Dockerfile"]
        blog = FIXTURES / "blog"

        def wipe_index() -> None:
            for entry in sorted(index.rglob("*"), reverse=True) if index.exists() else ():
                entry.rmdir() if entry.is_dir() else entry.unlink()

        def wipe_memo() -> None:
            for answers in index.glob("*/answers*"):
                answers.unlink()

        def refetched() -> None:
            """As if every page had just been fetched again (the daily
            expiry): same files, a new fetch time, so their answers are
            worked out anew (the rest of the memo still holds)."""
            import marshal

            for entry in index.glob("v*/http*/*"):
                data = entry.read_bytes()
                try:  # a header (index, fetched, pure, files' length, file size), then the files
                    stored_index, _, pure, length, size = marshal.loads(data)
                except (ValueError, EOFError, TypeError):
                    continue  # another format's file
                header = marshal.dumps((stored_index, time.time() - 1, pure, length, size))
                entry.write_bytes(header + data[len(header):])

        cold = []
        for _ in range(min(runs, 5)):
            wipe_index()
            cold.append(run(unalpine, args, env, blog))
        cases = {
            "no pip lines (busybox_users)": (lambda: None, args, FIXTURES / "busybox_users"),
            "no pip lines (tini_ash_su_exec)": (lambda: None, args, FIXTURES / "tini_ash_su_exec"),
            "blog, warm index cache, no memo (answers worked out again)": (wipe_memo, args, blog),
            "blog, pages fetched again (their answers worked out anew, the rest from the memo)": (refetched, args, blog),
            "blog, warm index cache and memo": (lambda: None, args, blog),
            "blog, warm, --offline": (lambda: None, [*args, "--offline"], blog),
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for name, (prepare, case_args, folder) in cases.items():  # one untimed run each: tables, pages, memo
            prepare()
            run(unalpine, case_args, env, folder)
        for _ in range(runs):
            for name, (prepare, case_args, folder) in cases.items():
                prepare()
                samples[name].append(run(unalpine, case_args, env, folder))
        load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"| what | median of {runs} | least |\n|---|---|---|")
        print(f"| blog, cold index cache (2 pages, 5 dependencies' pages, their metadata from the index; {len(cold)} runs) "
              f"| {statistics.median(cold) * 1000:.0f} ms | {min(cold) * 1000:.0f} ms |")
        for name, values in samples.items():
            print(f"| {name} | {statistics.median(values) * 1000:.1f} ms | {min(values) * 1000:.1f} ms |")
        print(f"\nload average after: {load} (1 / 5 / 15 min)")
        warm = imported(python, "blog", env)
        print(f"blog, warm: packaging submodules imported: {sorted(m for m in warm if m.startswith('packaging.')) or 'none'}")
        wipe_memo()
        cold_memo = imported(python, "blog", env)
        print(f"blog, no memo: {len([m for m in cold_memo if m.startswith('packaging.')])} packaging submodules")
        print(f"wheels_setup_py imports libcst: {'libcst' in imported(python, 'wheels_setup_py', env)}; "
              f"blog: {'libcst' in warm}")


if __name__ == "__main__":
    main()
