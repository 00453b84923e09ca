"""pip is the oracle for the tag decision.

For each target (CPython version, C library, architecture) pip itself is asked,
against the loopback index serving the recorded PEP 691 pages, which file it
would install with `--only-binary=:all: --no-deps --platform ... --python-version
... --implementation cp --abi ...` (`pip install --dry-run --report`), and its
answer must agree with compat.choose on every requirement:

- where unalpine says "this wheel", pip picks that very file;
- where unalpine says "pip builds the sdist of version V", pip with
  --only-binary either finds no wheel at all or falls back to a wheel of an
  older version (pip's default run would build V from source);
- where unalpine says nothing fits, pip finds nothing.

pip has no option for "glibc 2.36": the platform tags a glibc machine
accepts are written out below, independently of migrator.wheels.compat, in
the order packaging.tags gives them on such a machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from conftest import index_url
from indexserver import page as recorded
from migrator.wheels.compat import GLIBC, MUSL, Target, choose
from migrator.wheels.pages import File, Page

MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}

# (python, libc, arch): requirements. Mixed on purpose: pure Python, abi3,
# per-version wheels, sdist only, and releases older than the Python asked
# for (wheels only for older Pythons, or only for newer releases).
CASES: dict[tuple[str, str, str], list[str]] = {
    ("3.8", "bookworm", "amd64"): [
        "django==3.2.4", "cryptography==3.4.7", "requests", "six", "idna", "urllib3<2", "certifi", "flask",
        "click", "attrs", "sqlparse", "asgiref", "pytz", "jinja2", "gunicorn", "docopt",
        "numpy", "numpy==1.16.0", "pillow==6.2.0", "lxml==4.2.0", "pyyaml==5.1", "psycopg2==2.9.9",
        "cffi==1.16.0", "markupsafe", "pandas", "orjson", "regex", "uwsgi",
    ],
    ("3.12", "bookworm", "arm64"): [
        "bcrypt==4.1.2", "argon2-cffi-bindings", "pynacl==1.5.0", "pillow==10.4.0", "lxml==5.2.2",
        "psycopg2-binary==2.9.9", "pyyaml==6.0.1", "ujson", "pydantic-core", "psutil", "greenlet", "msgpack",
        "mysqlclient", "python-ldap", "numpy>=1.26,<2", "cryptography>=42,<44",
    ],
    ("3.13", "trixie", "amd64"): [
        "numpy==1.26.4", "pillow", "lxml", "cffi", "psycopg2-binary", "pydantic-core==2.18.0", "orjson", "pandas==2.2.0",
    ],
    ("3.9", "bullseye", "arm64"): [
        "cryptography==3.4.7", "numpy==1.19.5", "pillow==8.0.0", "pyyaml", "lxml==4.6.3", "psutil==5.8.0",
    ],
    # the Alpine originals: musllinux
    ("3.8", "musl", "amd64"): ["cryptography==3.4.7", "cffi==1.16.0", "numpy==1.24.4", "lxml==5.2.2", "django==3.2.4"],
    ("3.12", "musl", "arm64"): ["cffi==1.16.0", "pillow==10.4.0", "psycopg2-binary==2.9.9", "orjson", "greenlet==3.0.3"],
}


def oracle_platforms(libc: str, arch: str) -> list[str]:
    machine = MACHINE[arch]
    if libc == "musl":
        return [f"musllinux_1_{minor}_{machine}" for minor in (2, 1, 0)] + [f"linux_{machine}"]
    newest = GLIBC[libc][1]
    out = []
    for minor in range(newest, 4 if machine == "x86_64" else 16, -1):
        out.append(f"manylinux_2_{minor}_{machine}")
        if minor == 17:
            out.append(f"manylinux2014_{machine}")
        if machine == "x86_64" and minor == 12:
            out.append(f"manylinux2010_{machine}")
        if machine == "x86_64" and minor == 5:
            out.append(f"manylinux1_{machine}")
    return out + [f"linux_{machine}"]


def ask_pip(requirements: list[str], python: str, libc: str, arch: str, tmp_path: Path) -> dict[str, str] | None:
    """project -> the wheel file pip picks; None when pip finds no wheel."""
    report = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
    command = [
        sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", str(report),
        "--only-binary=:all:", "--no-deps", "--ignore-installed", "--no-cache-dir", "--disable-pip-version-check",
        "--target", str(tmp_path / "target"), "--implementation", "cp", "--python-version", f"{python}.99",
        "--abi", "cp" + python.replace(".", ""), "--index-url", index_url(),
    ]
    for platform in oracle_platforms(libc, arch):
        command += ["--platform", platform]
    # Only the loopback index: none of this machine's pip settings.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    process = subprocess.run([*command, *requirements], capture_output=True, text=True, timeout=120, env=env)
    if process.returncode != 0:
        assert "No matching distribution" in process.stderr or "Could not find a version" in process.stderr, process.stderr
        return None
    chosen = json.loads(report.read_text())["install"]
    return {
        canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"].rsplit("/", 1)[1]
        for item in chosen
    }


def ours(requirement: str, python: str, libc: str, arch: str):
    parsed = Requirement(requirement)
    data = recorded(canonicalize_name(parsed.name))
    page = Page(data["name"], tuple(File(f["filename"], f.get("requires-python"), bool(f.get("yanked"))) for f in data["files"]))
    major, minor = map(int, python.split("."))
    target = Target((major, minor, 99), "musl" if libc == "musl" else "glibc", MUSL if libc == "musl" else GLIBC[libc], arch)
    return canonicalize_name(parsed.name), choose(page, str(parsed.specifier), target)


def test_the_cases_cover_thirty_projects():
    projects = {canonicalize_name(Requirement(r).name) for rs in CASES.values() for r in rs}
    assert len(projects) >= 30, sorted(projects)


@pytest.mark.parametrize("target", list(CASES), ids=lambda t: "-".join(t))
def test_pip_agrees(target, tmp_path):
    python, libc, arch = target
    wheels, builds = {}, []
    for requirement in CASES[target]:
        name, choice = ours(requirement, python, libc, arch)
        if choice.wheel:
            wheels[requirement] = (name, choice)
        else:
            builds.append((requirement, name, choice))
    # Everything unalpine expects a wheel for, in one pip run: same files.
    picked = ask_pip(list(wheels), python, libc, arch, tmp_path)
    assert picked is not None, f"pip found no wheel for one of {list(wheels)}"
    disagree = {r: (choice.wheel, picked.get(name)) for r, (name, choice) in wheels.items() if picked.get(name) != choice.wheel}
    assert not disagree
    # Each one unalpine expects pip to build from source: pip, allowed only
    # wheels, finds none, or only one of an older release.
    assert builds, "every target should include something that builds from source"
    for requirement, name, choice in builds:
        answer = ask_pip([requirement], python, libc, arch, tmp_path)
        if answer is None:
            continue
        assert choice.version is not None, f"{requirement}: pip found {answer[name]}, unalpine found nothing"
        older = parse_wheel_filename(answer[name])[1]
        assert older < Version(choice.version), f"{requirement}: pip took {answer[name]}, unalpine says {choice}"
