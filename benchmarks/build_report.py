"""Build a folder of real Dockerfiles for real, after migration, with podman.

    sudo python benchmarks/build_report.py DIR [--inexact] [--only NAME ...]

Copies every regular file of DIR into a temporary folder (the files are not
ours and are never committed), migrates each with `unalpine --yes --write`,
and builds the result with podman on the local stand-in base images of
tests/podman_bases.py, in a context of empty stand-ins for what COPY/ADD
name (the files come without their repositories). Each file is then:

- built: the migrated file builds, and the program its image starts exists;
- no-base: a base image has no stand-in here (other images, other Pythons;
  --inexact lets the suite's own Python stand in for any python:3.X-slim);
- context: the build failed on what the empty context lacks or a host not
  reachable from here (tests/test_builds.py's NOT_HERE patterns);
- failed: the build failed otherwise: read the step and the log tail; a
  failure the migration should have prevented is a finding;
- not-migrated: unalpine did not write it (input error, open question).

Needs what `pytest -m build` needs (root, podman, debootstrap, the archive).
Use a podman storage of its own with --inexact (CONTAINERS_STORAGE_CONF).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--inexact", action="store_true", help="the suite's Python stands in for any python:3.X-slim")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    if args.inexact:
        os.environ["UNALPINE_BUILD_INEXACT_PYTHON"] = "1"
    import podman_bases
    import test_builds
    from migrator.build import build

    reason = podman_bases.why_not()
    if reason:
        print(f"cannot build here: {reason}", file=sys.stderr)
        return 2
    files = sorted(path for path in Path(args.folder).iterdir() if path.is_file()
                   and (args.only is None or path.name in args.only))
    tally: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="unalpine-build-report-") as work:
        for path in files:
            folder = Path(work) / path.name
            folder.mkdir()
            dockerfile = folder / "Dockerfile"
            shutil.copyfile(path, dockerfile)
            original = dockerfile.read_text("utf-8", "replace")
            process = subprocess.run([sys.executable, "-m", "migrator", "--yes", "--write", "-q", str(dockerfile)],
                                     capture_output=True, text=True)
            text = dockerfile.read_text("utf-8", "replace")
            if text == original:
                kind, detail = "not-migrated", (process.stderr.strip().splitlines() or [f"exit {process.returncode}"])[-1]
            else:
                kind, detail = classify(text, folder, test_builds, podman_bases, build)
            tally[kind] = tally.get(kind, 0) + 1
            print(f"{path.name}: {kind}: {detail}", flush=True)
    print("; ".join(f"{kind} {count}" for kind, count in sorted(tally.items())))
    return 0


def classify(text, folder, test_builds, podman_bases, build) -> tuple[str, str]:
    stages = test_builds.stages(text.lstrip("\ufeff"))
    if not stages:
        return "not-migrated", "no FROM"
    missing = [why for base in test_builds.bases(stages) if (why := podman_bases.why_not_makeable(base))]
    if missing:
        return "no-base", "; ".join(missing)
    for base in test_builds.bases(stages):
        podman_bases.make(base)
    context = folder / "context"
    context.mkdir()
    for stage in stages:
        for source in stage["sources"]:
            if "://" in source or source in (".", "./") or any(ch in source for ch in "*?[$"):
                continue
            target = context / source.lstrip("/")
            if source.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            elif not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.touch()
    check = test_builds.check_step(test_builds.final_program(stages), [])
    body = text if text.endswith("\n") else text + "\n"
    built = build("podman", body + check, str(folder / "Dockerfile"), str(context), "report",
                  podman_bases.BUILD_OPTIONS)
    if built.ok:
        return "built", f"{built.seconds:.0f} s, {(built.size or 0) / 1e6:.0f} MB"
    tail = built.log_tail
    for pattern, reason in test_builds.NOT_HERE:
        if match := pattern.search(tail):
            return "context", reason.format(*match.groups())
    if "<<" in text and test_builds.HEREDOC_UNSUPPORTED.search(tail):
        return "context", "heredoc (this podman cannot build them)"
    step = next((line for line in reversed(tail.splitlines()) if "building at STEP" in line), tail[-300:])
    lines = [line for line in tail.splitlines() if line.strip() and "subprocess exited" not in line]
    return "failed", f"{step.strip()[:300]} | " + " / ".join(lines[-4:-1])[:600]


if __name__ == "__main__":
    sys.exit(main())
