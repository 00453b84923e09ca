"""--build: build a Dockerfile for real, with docker or podman.

The text is built from a temporary copy (the user's file is never touched
here), against the real build context, and measured: wall-clock build time,
image size, layer count. --build --compare builds the original the same way,
so the two can be shown side by side.

Orchestration layer: it runs an external program and knows nothing of
rules or the engine; the CLI decides what to build and prints the result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

# Tried in this order: whichever is on PATH first in the list.
ENGINES = ("docker", "podman")
# The image built from each file is kept (so it can be run) under this name.
REPOSITORY = "localhost/unalpine-build"
_LOG_LINES = 15  # of the engine's output, shown when a build fails


def find_engine() -> tuple[str | None, str]:
    """The container engine to build with, and otherwise why there is none.

    $UNALPINE_ENGINE names one; else the first of docker, podman that is on
    PATH and answers `<engine> info` (a docker client without a daemon is
    passed over for a podman that works)."""
    wanted = os.environ.get("UNALPINE_ENGINE")
    names = (wanted,) if wanted else ENGINES
    found = [name for name in names if shutil.which(name)]
    if not found:
        if wanted:
            return None, f"--build: UNALPINE_ENGINE={wanted} is not on PATH"
        return None, "--build needs docker or podman on PATH, and neither is there"
    problems = []
    for name in found:
        try:
            process = subprocess.run([name, "info"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                     timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            problems.append(f"{name}: {error}")
            continue
        if process.returncode == 0:
            return name, ""
        last = (process.stderr.strip() or process.stdout.strip() or f"exit {process.returncode}").splitlines()[-1]
        problems.append(f"`{name} info` failed: {last}")
    return None, "--build: no container engine answers: " + "; ".join(problems)


@dataclass
class Built:
    """One build: how it went and what it made."""

    label: str  # "migrated" or "original"
    tag: str
    returncode: int
    seconds: float
    size: int | None = None  # bytes, as the engine reports the image
    layers: int | None = None
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def image_tag(path: str, label: str) -> str:
    """A stable, valid image name for a Dockerfile's build: its folder and
    file name, lower case, with what a tag cannot hold replaced."""
    folder = os.path.basename(os.path.dirname(os.path.abspath(path))) or "root"
    name = f"{folder}-{os.path.basename(path)}".lower()
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in name).strip(".-")[:100] or "dockerfile"
    return f"{REPOSITORY}:{safe}-{label}"


def build(engine: str, text: str, path: str, context: str, label: str, extra: tuple[str, ...] = ()) -> Built:
    """Build `text` (the Dockerfile `path` as it would be) in `context`.

    The text goes to a temporary file named like the original, beside a
    copy of the original's own `<name>.dockerignore` if it has one (the
    engines look for that next to the file they are given, then in the
    context). `extra` is passed to `<engine> build` as is."""
    tag = image_tag(path, label)
    name = os.path.basename(path) or "Dockerfile"
    with tempfile.TemporaryDirectory(prefix="unalpine-build-") as folder:
        copy = os.path.join(folder, name)
        with open(copy, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        ignore = path + ".dockerignore"
        if os.path.isfile(ignore):
            shutil.copyfile(ignore, copy + ".dockerignore")
        log = os.path.join(folder, "build.log")
        started = time.monotonic()
        # podman's default OCI format drops SHELL and HEALTHCHECK ("SHELL is not
        # supported for OCI image format"); docker's format keeps what docker builds
        native = ("--format", "docker") if os.path.basename(engine) == "podman" else ()
        with open(log, "wb") as output:
            returncode = subprocess.run([engine, "build", *native, *extra, "-f", copy, "-t", tag, context],
                                        stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT).returncode
        seconds = time.monotonic() - started
        with open(log, "rb") as handle:
            lines = handle.read().decode("utf-8", "replace").splitlines()
    built = Built(label, tag, returncode, seconds)
    if built.ok:
        built.size, built.layers = _measure(engine, tag)
    else:
        built.log_tail = "\n".join(lines[-_LOG_LINES:])
    return built


def _measure(engine: str, tag: str) -> tuple[int | None, int | None]:
    process = subprocess.run([engine, "image", "inspect", "--format", "{{.Size}} {{len .RootFS.Layers}}", tag],
                             capture_output=True, text=True)
    try:
        size, layers = process.stdout.split()
        return int(size), int(layers)
    except ValueError:
        return None, None


def _size(size: int | None) -> str:
    return "?" if size is None else f"{size / 1e6:.1f} MB"


def _layers(layers: int | None) -> str:
    return "?" if layers is None else str(layers)


def summary(path: str, engine: str, migrated: Built, original: Built | None = None) -> list[str]:
    """The lines the CLI prints for one file's build(s)."""
    lines = []
    for built in (original, migrated):
        if built is not None and not built.ok:
            lines.append(f"{path}: the {built.label} file failed to build with {engine} "
                         f"(exit {built.returncode}, {built.seconds:.1f} s); its last lines:")
            lines += ["    " + line for line in built.log_tail.splitlines()]
    if original is None:
        if migrated.ok:
            lines.append(f"{path}: built with {engine} in {migrated.seconds:.1f} s: {_size(migrated.size)}, "
                         f"{_layers(migrated.layers)} layers ({migrated.tag})")
        return lines
    rows = [("", "original", "migrated"),
            ("build time", f"{original.seconds:.1f} s", f"{migrated.seconds:.1f} s"),
            ("image size", _size(original.size) if original.ok else "failed", _size(migrated.size) if migrated.ok else "failed"),
            ("layers", _layers(original.layers) if original.ok else "-", _layers(migrated.layers) if migrated.ok else "-")]
    lines.append(f"{path}: built both with {engine}")
    for what, before, after in rows:
        lines.append(f"  {what:<12}{before:>14}{after:>14}")
    return lines
