"""Local stand-ins for the official base images, so that real builds need no
registry (tests/test_builds.py, marked `build`).

* ``debian:<suite>-slim``: the debootstrap minbase root of tests/debian_roots.py,
  imported as one layer (``tar | podman import``) without apt's lists and
  caches, with the apt settings the official image ships (docker-clean) and
  its CMD, tagged ``docker.io/library/debian:<suite>-slim``.
* ``python:<X>-slim-<suite>``: that image plus the suite's own python3,
  python3-dev (the official slim images ship Python's headers),
  python3-venv, ca-certificates, netbase and tzdata; pip, setuptools and
  wheel installed by pip into /usr/local (an official image's pip can
  upgrade itself, a Debian-packaged one cannot), python/python3/pip linked in
  /usr/local/bin, the PEP 668 marker removed. Exact only where X is the
  suite's Python (bullseye 3.9, bookworm 3.11, trixie 3.13): other versions
  are not made, and the tests say so.

Each image carries a label with a hash of its recipe (and of the root it came
from), and is reused while the hash matches: podman's storage persists on a
machine, a changed recipe or a refreshed root rebuilds.

podman builds here as root with ``--isolation chroot`` (the default OCI
runtime fails in a container: "cgroups in hybrid mode not supported"). pip
inside a build reaches PyPI with the host's CA bundle mounted and named
(BUILD_OPTIONS); only the test harness does that.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from debian_roots import ensure_root, record
from debian_roots import why_not as why_no_roots

# The Python each suite packages: a python:<X>-slim-<suite> stand-in is exact only for these.
SUITE_PYTHON = {"bullseye": "3.9", "bookworm": "3.11", "trixie": "3.13"}
LABEL = "unalpine.recipe"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
# What every build of the harness passes to `podman build`: the host's CA
# bundle where the stand-ins' PIP_CERT names it. (podman 4.3's `build --env`
# only reaches the committed image, not the RUN steps: the variable is set in
# the debian stand-in instead; the official images do not have it.)
BUILD_OPTIONS = ("--isolation", "chroot", "-v", f"{HOST_CA}:/run/host-ca.crt:ro")
PIP_CERT = "PIP_CERT=/run/host-ca.crt"
RECIPE_VERSION = "1"  # bump to remake every stand-in
# By hand, for a wider look: UNALPINE_BUILD_INEXACT_PYTHON=1 lets the suite's
# own Python stand in for any python:3.X-slim-<suite> (3.12 on trixie gets
# 3.13). What such a build finds about apt, programs and users is real; what
# it says about Python versions is not. Never the default.
INEXACT = os.environ.get("UNALPINE_BUILD_INEXACT_PYTHON") == "1"

# The apt settings of the official debian images (debuerreotype): downloaded
# .debs and apt's binary caches do not stay in a layer.
DOCKER_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""
# The official slim images' dpkg settings: documentation is not installed.
DPKG_SLIM = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
"""
# Left out of the imported root: what the official slim image does not have either.
EXCLUDE = ("./var/lib/apt/lists/*_*", "./var/cache/apt/*.bin", "./var/cache/apt/archives/*.deb",
           "./.unalpine-ready", "./proc/*", "./sys/*", "./dev/*", "./usr/share/man/*", "./usr/share/groff/*",
           "./usr/share/info/*", "./usr/share/lintian/*", "./usr/share/linda/*", "./usr/share/locale/*")

PYTHON_RECIPE = """\
FROM docker.io/library/debian:{suite}-slim
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHON_VERSION={python}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-dev python3-venv ca-certificates netbase tzdata \\
 && rm -rf /var/lib/apt/lists/* \\
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
# Debian disables ensurepip outside a venv: pip runs from the wheel python3-venv brought
RUN python3 "$(ls /usr/share/python-wheels/pip-*.whl)/pip" install --no-cache-dir --upgrade pip setuptools wheel \\
 && ln -sf /usr/bin/python3 /usr/local/bin/python3 \\
 && ln -sf python3 /usr/local/bin/python \\
 && ln -sf pip3 /usr/local/bin/pip \\
 && python --version && pip --version
CMD ["python3"]
"""


def why_not() -> str | None:
    """Why this machine cannot make the stand-ins and build with them, or None."""
    reason = why_no_roots()
    if reason:
        return reason
    if shutil.which("podman") is None:
        return "podman is not installed (.ci/run installs it with apt-get)"
    process = subprocess.run(["podman", "info"], capture_output=True, text=True)
    if process.returncode != 0:
        return f"podman does not work here: {(process.stderr.strip().splitlines() or ['?'])[-1]}"
    if not os.path.exists(HOST_CA):
        return f"no CA bundle at {HOST_CA} for pip inside the builds"
    return None


def podman(*args: str, check: bool = True, input: bytes | None = None, timeout: int = 3600) -> subprocess.CompletedProcess:
    process = subprocess.run(["podman", *args], capture_output=True, input=input, timeout=timeout)
    if check and process.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: exit {process.returncode}\n"
                             f"{process.stdout.decode(errors='replace')[-3000:]}\n{process.stderr.decode(errors='replace')[-3000:]}")
    return process


def label_of(image: str) -> str | None:
    process = podman("image", "inspect", "--format", f'{{{{index .Labels "{LABEL}"}}}}', image, check=False)
    return process.stdout.decode().strip() if process.returncode == 0 else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join((RECIPE_VERSION, *parts)).encode()).hexdigest()[:16]


def debian_image(suite: str) -> str:
    """docker.io/library/debian:<suite>-slim, made from the cached root."""
    name = f"docker.io/library/debian:{suite}-slim"
    root = ensure_root(suite)
    stamp = (root / ".unalpine-ready").stat().st_mtime_ns  # a refreshed root makes a new image
    recipe = _digest("debian", suite, str(stamp), DOCKER_CLEAN, DPKG_SLIM, PIP_CERT, *EXCLUDE)
    if label_of(name) == recipe:
        return name
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as extra:
        conf = Path(extra, "etc", "apt", "apt.conf.d")
        conf.mkdir(parents=True)
        (conf / "docker-clean").write_text(DOCKER_CLEAN)
        Path(extra, "etc", "dpkg", "dpkg.cfg.d").mkdir(parents=True)
        Path(extra, "etc", "dpkg", "dpkg.cfg.d", "docker").write_text(DPKG_SLIM)
        tar = subprocess.Popen(["tar", "--numeric-owner", *(f"--exclude={p}" for p in EXCLUDE), "-C", str(root), "-c", ".",
                                "-C", extra, "./etc/apt/apt.conf.d/docker-clean", "./etc/dpkg/dpkg.cfg.d/docker"],
                               stdout=subprocess.PIPE)
        process = subprocess.run(["podman", "import", "--change", 'CMD ["bash"]', "--change", f"ENV {PIP_CERT}",
                                  "--change", f"LABEL {LABEL}={recipe}",
                                  "-", name], stdin=tar.stdout, capture_output=True)
        tar.stdout.close()
        tar.wait()
    if process.returncode != 0 or tar.returncode != 0:
        raise AssertionError(f"importing {root} as {name} failed: {process.stderr.decode(errors='replace')[-2000:]}")
    record("podman-import", suite=suite, seconds=round(time.monotonic() - started, 1))
    return name


def python_image(version: str, suite: str) -> str:
    """docker.io/library/python:<version>-slim-<suite> (version X.Y or X.Y.Z
    of the suite's own Python), built on the debian stand-in."""
    if SUITE_PYTHON.get(suite) != ".".join(version.split(".")[:2]) and not (INEXACT and suite in SUITE_PYTHON):
        raise ValueError(f"python {version} is not {suite}'s Python ({SUITE_PYTHON.get(suite)})")
    base = debian_image(suite)
    minor = SUITE_PYTHON[suite]
    name = f"docker.io/library/python:{minor}-slim-{suite}"
    text = PYTHON_RECIPE.format(suite=suite, python=minor)
    recipe = _digest("python", text, label_of(base) or "")
    if label_of(name) != recipe:
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as context:
            Path(context, "Containerfile").write_text(text)
            podman("build", *BUILD_OPTIONS, "--label", f"{LABEL}={recipe}", "-t", name, context)
        record("python-stand-in", suite=suite, python=minor, seconds=round(time.monotonic() - started, 1))
    wanted = f"docker.io/library/python:{version}-slim-{suite}"
    if wanted != name:  # python:3.9.7-slim-bullseye: the suite's 3.9 stands in for it
        podman("tag", name, wanted)
    return wanted


_DEBIAN = re.compile(r"^(?:docker\.io/)?(?:library/)?debian:(?P<suite>[a-z]+)-slim$")
_PYTHON = re.compile(r"^(?:docker\.io/)?(?:library/)?python:(?P<version>\d+\.\d+(?:\.\d+)?)-slim-(?P<suite>[a-z]+)$")


def why_not_makeable(image: str) -> str | None:
    """Why no stand-in can be made for `image`, or None."""
    if match := _DEBIAN.match(image):
        suite = match["suite"]
        return None if suite in SUITE_PYTHON else f"{image}: no debootstrap root for {suite} here"
    if match := _PYTHON.match(image):
        version, suite = match["version"], match["suite"]
        own = SUITE_PYTHON.get(suite)
        if own is None:
            return f"{image}: no stand-in for {suite} (archived, or not a suite built here)"
        if ".".join(version.split(".")[:2]) != own and not (INEXACT and version.startswith("3.")):
            return f"{image}: Python {version} is not a Debian package of {suite} (its Python is {own})"
        return None
    return f"{image}: no local stand-in for this image (no registry here)"


def make(image: str) -> str:
    """Make the stand-in for `image` (why_not_makeable said it can be)."""
    if match := _DEBIAN.match(image):
        return debian_image(match["suite"])
    match = _PYTHON.match(image)
    assert match, image
    return python_image(match["version"], match["suite"])
