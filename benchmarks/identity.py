"""What a build of unalpine prints and writes, recorded so that a change
meant to be invisible (speed work, a refactoring) can be shown to change no
byte.

    python benchmarks/identity.py record OUT [--unalpine PATH] [--files 2000] [--cache-home DIR]
                                             [--no-fixtures] [--offline]
    python benchmarks/identity.py compare OUT1 OUT2

`record` runs one unalpine (default: the one on PATH) over fleet.py's
realistic corpus (benchmarks/realistic.py, written afresh: the same files
every time) and over every fixture's before-file, in four modes:
`--yes --diff`, `--yes --json`, `--check --diff`, and `--yes --write
--quiet` on a copy (then a checksum of every file). stdout, stderr and the
exit code of each go to OUT, with the clock times an unreachable index's
warning holds masked. `compare` lists every file that differs; exit 1 if
any does.

Record the two builds with one `--cache-home` (the default: a folder
under the system's temporary folder, kept between runs), so that both see
the same index answers; record the "before" first, then the "after".
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import write_corpus  # noqa: E402

MODES = {
    "diff": ["--yes", "--diff"],
    "json": ["--yes", "--json"],
    "check": ["--check", "--diff"],
}
EXTRA: list[str] = []  # options given to every run (--offline)
# "not asked again until 16:06 UTC": when a failed index is asked again
_CLOCK = re.compile(rb"until \d\d:\d\d UTC")


def _masked(data: bytes) -> bytes:
    return _CLOCK.sub(b"until HH:MM UTC", data)


def _environment(cache_home: Path) -> dict[str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), NO_COLOR="1")
    env.pop("UNALPINE_NO_CACHE", None)
    return env


def _run(unalpine: str, args: list[str], cwd: Path, env: dict[str, str], out: Path, name: str) -> None:
    done = subprocess.run([unalpine, *args, *EXTRA], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    (out / f"{name}.out").write_bytes(_masked(done.stdout))
    (out / f"{name}.err").write_bytes(_masked(done.stderr) + f"\nexit {done.returncode}\n".encode())


def _checksums(folder: Path) -> bytes:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}\n")
    return "".join(lines).encode()


def _fixtures(into: Path) -> None:
    """Every fixture's before-file (and the files beside it) in a folder of its own."""
    for case in sorted((ROOT / "fixtures").iterdir()):
        if case.is_dir():
            shutil.copytree(case, into / case.name, ignore=shutil.ignore_patterns("after*"))


def record(out: Path, unalpine: str, files: int, cache_home: Path, fixtures: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = _environment(cache_home)
    with tempfile.TemporaryDirectory(prefix="unalpine-identity-") as work:
        work_dir = Path(work)
        write_corpus(work_dir / "corpus", files)
        corpora = ["corpus"]
        if fixtures:
            _fixtures(work_dir / "fixtures")
            corpora.append("fixtures")
        for corpus in corpora:
            for mode, args in MODES.items():
                _run(unalpine, [*args, corpus], work_dir, env, out, f"{corpus}-{mode}")
            copy = work_dir / f"{corpus}-written"
            shutil.copytree(work_dir / corpus, copy)
            _run(unalpine, ["--yes", "--write", "--quiet", copy.name], work_dir, env, out, f"{corpus}-write")
            (out / f"{corpus}-write.files").write_bytes(_checksums(copy))


def compare(first: Path, second: Path) -> int:
    names = sorted({path.name for path in first.iterdir()} | {path.name for path in second.iterdir()})
    differing = 0
    for name in names:
        a, b = first / name, second / name
        if not (a.is_file() and b.is_file()):
            print(f"only in {first if a.is_file() else second}: {name}")
            differing += 1
        elif a.read_bytes() != b.read_bytes():
            differing += 1
            print(f"differs: {name}")
            lines = difflib.unified_diff(a.read_text(errors="replace").splitlines(),
                                         b.read_text(errors="replace").splitlines(), str(a), str(b), lineterm="", n=0)
            for line in list(lines)[:12]:
                print(f"    {line[:200]}")
    print(f"{len(names)} records, {differing} differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="record what one unalpine prints and writes")
    rec.add_argument("out", type=Path)
    rec.add_argument("--unalpine", default=shutil.which("unalpine") or "unalpine")
    rec.add_argument("--files", type=int, default=2000, help="files of the realistic corpus")
    rec.add_argument("--cache-home", type=Path, default=Path(tempfile.gettempdir()) / "unalpine-identity-cache")
    rec.add_argument("--no-fixtures", action="store_true", help="the realistic corpus only")
    rec.add_argument("--offline", action="store_true", help="run unalpine with --offline (cached index answers only)")
    cmp_ = commands.add_parser("compare", help="list the records that differ")
    cmp_.add_argument("first", type=Path)
    cmp_.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        if args.offline:
            EXTRA.append("--offline")
        record(args.out, args.unalpine, args.files, args.cache_home, not args.no_fixtures)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
