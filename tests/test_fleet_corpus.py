"""benchmarks/realistic.py, the generator of fleet.py's realistic corpus:
its files are valid (buildkit's parser, ours, sh, YAML), all different,
and show the constructs it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dockerfile
import yaml

from migrator.document import parse
from migrator.shell import script_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from realistic import write_corpus  # noqa: E402

PROMISED = {"argfrom", "digest", "multistage", "nonpython", "py3pkg", "virtual", "builddeps-del", "update",
            "upgrade", "adduser", "tini", "cron", "locale", "heredoc", "compose", "poetry", "private-index",
            "private-index-env", "requirements-present", "requirements-absent", "sdist-only"}


def test_the_realistic_corpus_is_valid_varied_and_has_every_construct(tmp_path):
    dockerfiles, constructs = write_corpus(tmp_path, 300)
    assert set(constructs) == PROMISED, set(constructs) ^ PROMISED
    texts = [path.read_text() for path in dockerfiles]
    assert len(set(texts)) == len(texts)
    for path, text in zip(dockerfiles, texts):
        dockerfile.parse_string(text)  # buildkit's parser
        document = parse(text)  # ours
        scripts = [script_of(instruction, text) for instruction in document.instructions]
        scripts = "\n".join(script.text for script in scripts if script is not None)
        check = subprocess.run(["bash", "-n"], input=scripts, text=True, capture_output=True)
        assert check.returncode == 0, f"{path}: {check.stderr}"
        compose = path.parent / "docker-compose.yml"
        if compose.exists():
            assert "services" in yaml.safe_load(compose.read_text())
    # what the constructs mean: files beside the Dockerfile, or pointedly not
    assert any((path.parent / "requirements.txt").exists() for path in dockerfiles)
    assert any("requirements.txt" in text and not (path.parent / "requirements.txt").exists()
               for path, text in zip(dockerfiles, texts))
    assert any(".invalid" in text for text in texts)
    assert any(".invalid" in (path.parent / "requirements.txt").read_text() for path in dockerfiles
               if (path.parent / "requirements.txt").exists())


def test_no_file_of_the_dev_corpus_is_reproduced(tmp_path):
    real = Path("/work/corpus-dev")
    if not real.is_dir():
        return  # nothing to compare with on this machine
    known = {path.read_text(errors="replace").strip() for path in real.iterdir() if path.is_file()}
    dockerfiles, _ = write_corpus(tmp_path, 300)
    assert not known & {path.read_text().strip() for path in dockerfiles}
