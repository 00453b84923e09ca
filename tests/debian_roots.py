"""Debootstrap minbase roots (what debian:<suite>-slim is), built once and
kept in $UNALPINE_CI_CACHE (default /var/cache/unalpine-ci) between runs,
refreshed (apt-get update, dist-upgrade) when older than a few hours.

Shared by tests/test_debian_roots.py (apt in a chroot) and
tests/podman_bases.py (the roots imported as local stand-in base images).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CACHE = Path(os.environ.get("UNALPINE_CI_CACHE", "/var/cache/unalpine-ci"))
MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
REFRESH_AFTER = 6 * 3600
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
       "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"}


def why_not() -> str | None:
    """Why this machine cannot build roots, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root for debootstrap and chroot"
    for tool in ("debootstrap", "chroot"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/run installs debootstrap with apt-get)"
    try:
        socket.create_connection(("deb.debian.org", 80), timeout=10).close()
    except OSError as error:
        return f"no route to deb.debian.org ({error})"
    return None


def chroot(root: Path, *command: str, check: bool = True, timeout: int = 1800) -> subprocess.CompletedProcess:
    process = subprocess.run(["chroot", str(root), *command], capture_output=True, text=True, env=ENV,
                             timeout=timeout)
    if check and process.returncode != 0:
        raise AssertionError(f"chroot {root} {' '.join(command)}: exit {process.returncode}\n"
                             f"{process.stdout[-3000:]}\n{process.stderr[-3000:]}")
    return process


def record(event: str, **values) -> None:
    """Timings and sizes for the notes: appended to $CACHE/timings.jsonl."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "timings.jsonl", "a") as handle:
        handle.write(json.dumps({"event": event, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **values}) + "\n")


def _refresh(root: Path) -> None:
    chroot(root, "apt-get", "update", "-q")
    chroot(root, "apt-get", "dist-upgrade", "-y", "-q")
    chroot(root, "apt-get", "clean")
    chroot(root, "apt-cache", "stats")  # rebuilds pkgcache.bin, so each simulation starts fast
    (root / ".unalpine-ready").touch()


def ensure_root(suite: str) -> Path:
    """The cached minbase root of `suite`, built or refreshed if needed."""
    root = CACHE / "roots" / suite
    stamp = root / ".unalpine-ready"
    if stamp.exists():
        if time.time() - stamp.stat().st_mtime > REFRESH_AFTER:
            started = time.monotonic()
            _refresh(root)
            record("refresh", suite=suite, seconds=round(time.monotonic() - started, 1))
        else:
            record("cache-hit", suite=suite)
        return root
    building = root.with_name(suite + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    process = subprocess.run(["debootstrap", "--variant=minbase", suite, str(building), MIRROR],
                             capture_output=True, text=True, timeout=1800)
    if process.returncode != 0:
        raise AssertionError(f"debootstrap {suite} failed:\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}")
    # what the images read: the suite, its updates and its security updates
    (building / "etc" / "apt" / "sources.list").write_text(
        f"deb {MIRROR} {suite} main\ndeb {MIRROR} {suite}-updates main\ndeb {SECURITY} {suite}-security main\n"
    )
    for extra in (building / "etc" / "apt" / "sources.list.d").glob("*"):
        extra.unlink()
    # services must not start inside a build root
    policy = building / "usr" / "sbin" / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    _refresh(building)
    shutil.rmtree(root, ignore_errors=True)
    building.rename(root)
    record("debootstrap", suite=suite, seconds=round(time.monotonic() - started, 1),
           megabytes=round(int(subprocess.run(["du", "-sk", str(root)], capture_output=True, text=True).stdout.split()[0]) / 1024))
    return root
