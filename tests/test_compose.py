"""Compose files: fixtures/<case>/before.compose.yml → after.compose.yml,
through the real engine and the real CLI; only image: values change."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrator.compose import image_scalars, migrate_compose
from migrator.discover import discover
from migrator.engine import Settings
from migrator.errors import InputError
from migrator.resolve import Answers, TakeRecommended
from test_fixtures import published, read

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(path.name for path in FIXTURES.iterdir() if (path / "before.compose.yml").is_file())


def run(text: str, path: str = "compose.yml") -> str:
    return migrate_compose(text, path, Settings(), Answers(TakeRecommended(lambda message: None))).text


def test_there_are_compose_cases():
    assert len(CASES) >= 2


@pytest.mark.parametrize("case", CASES)
def test_engine_gives_after_and_after_is_a_fixed_point(case):
    before = read(FIXTURES / case / "before.compose.yml")
    after = read(FIXTURES / case / "after.compose.yml")
    assert run(before) == after
    assert run(after) == after


@pytest.mark.parametrize("case", CASES)
def test_only_image_values_change(case):
    before = yaml.safe_load(read(FIXTURES / case / "before.compose.yml"))
    after = yaml.safe_load(read(FIXTURES / case / "after.compose.yml"))

    def strip(node):
        if isinstance(node, dict):
            return {k: ("IMAGE" if k == "image" else strip(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    assert strip(before) == strip(after)
    before_lines = read(FIXTURES / case / "before.compose.yml").splitlines()
    after_lines = read(FIXTURES / case / "after.compose.yml").splitlines()
    assert len(before_lines) == len(after_lines)
    for old, new in zip(before_lines, after_lines):
        if old != new:
            assert old.split("image:")[0] == new.split("image:")[0]


@pytest.mark.parametrize("case", CASES)
def test_after_images_are_published(case):
    for _, _, value, line, built in image_scalars(read(FIXTURES / case / "after.compose.yml")):
        assert built or published(value), f"line {line}: {value} was never published"


@pytest.mark.parametrize("case", CASES)
def test_cli_writes_after(case, tmp_path):
    target = tmp_path / "docker-compose.yml"
    shutil.copyfile(FIXTURES / case / "before.compose.yml", target)
    process = subprocess.run([sys.executable, "-m", "migrator", "--yes", "-w", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert target.read_bytes() == (FIXTURES / case / "after.compose.yml").read_bytes()
    check = subprocess.run([sys.executable, "-m", "migrator", "--check", str(target)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr


def test_discovery_finds_compose_files(tmp_path):
    for name in ("docker-compose.yml", "compose.yaml", "docker-compose.prod.yml", "compose-notes.yml", "Dockerfile"):
        (tmp_path / name).write_text("services: {}\n")
    found = sorted(Path(f.path).name for f in discover([str(tmp_path)]))
    assert found == ["Dockerfile", "compose.yaml", "docker-compose.prod.yml", "docker-compose.yml"]


def test_image_under_build_is_the_result_name_and_stays():
    text = "services:\n  web:\n    build: .\n    image: python:3.12-alpine\n"
    assert run(text) == text


def test_crlf_comments_and_quotes_are_kept():
    text = "services:\r\n  db:  # the database\r\n    image: \"postgres:16-alpine\"  # pinned\r\n"
    assert run(text) == "services:\r\n  db:  # the database\r\n    image: \"postgres:16-trixie\"  # pinned\r\n"


def test_bad_yaml_is_an_input_error_naming_the_line():
    with pytest.raises(InputError) as error:
        run("services:\n  web:\n    image: [python:3.12-alpine\n")
    assert str(error.value).startswith("compose.yml:")


def test_questions_show_the_compose_line():
    from rulekit import Recorded

    resolver = Recorded()
    text = "services:\n  old:\n    image: python:2.7-alpine  # legacy\n"
    result = migrate_compose(text, "compose.yml", Settings(), resolver)
    assert result.text == "services:\n  old:\n    image: python:2.7-slim-buster  # legacy\n"
    (decision,) = resolver.seen
    assert (decision.line, decision.context) == (3, "    image: python:2.7-alpine  # legacy")


def test_anchors_and_aliases_rewrite_the_anchored_value_once():
    text = ("x-base: &base\n  image: &img python:3.12-alpine\nservices:\n"
            "  a:\n    <<: *base\n  b:\n    image: *img\n")
    assert run(text) == text.replace("python:3.12-alpine", "python:3.12-slim-trixie")


def test_alpine_tag_inside_a_variable_default_is_left_with_a_warning():
    text = 'services:\n  c:\n    image: "redis:${REDIS_TAG:-7-alpine}"\n'
    result = migrate_compose(text, "compose.yml", Settings(), Answers(TakeRecommended(lambda message: None)))
    assert result.text == text
    assert [(f.line, f.message.split(":")[0]) for f in result.findings] == [(3, "redis")]
    assert "inside a variable's default" in result.findings[0].message


TRICKY = [
    "\ufeffservices:\n  app:\n    image: python:3.9-alpine\n",  # BOM (libyaml does not count it: not used then)
    "services:\n  app:\n    image: python:3.9-alpine\n    labels: [\"\ufeff\"]\n",
    "services:\r\n  app:\r\n    image: 'python:3.9-alpine'\r\n",  # CRLF, quoted
    "# é ü 😀\nservices:\n  a: {image: \"python:3.9-alpine\", build: .}\n  b:\n    image: &img redis:7-alpine\n"
    "  c:\n    image: *img\n",  # non-ASCII before, flow style, anchor and alias
    "---\nservices:\n  a:\n    image: >-\n      python:3.11-alpine\n...\n---\nx: [image, {image: alpine:3.19}]\n",
    "services:\n  a:\n    image: python:3.9-alpine   # trailing comment\n    labels:\n      - image: not-a-service\n",
]


@pytest.mark.parametrize("text", [*(read(FIXTURES / case / "before.compose.yml") for case in CASES), *TRICKY])
def test_libyaml_and_the_python_parser_find_the_same_image_values(text, monkeypatch):
    """image_scalars uses libyaml's parser when PyYAML has it: the spans must
    be those the pure-Python parser gives."""
    assert hasattr(yaml, "CSafeLoader"), "PyYAML without libyaml: this test compares nothing"
    with_libyaml = list(image_scalars(text))
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert with_libyaml == list(image_scalars(text)) and with_libyaml


@pytest.mark.parametrize("text", ["services:\n  a:\n    image: [unclosed\n", "a: b\n\tc: d\n", "a: 'x\n",
                                  # libyaml accepts these three; PyYAML, which judges them, does not
                                  "services:\n  a:\n    image: python:3.9-alpine\t# tab\n", "a:\n  x: >#\n",
                                  "a: {\n  image: python:3.9-alpine\n\n? }\n"])
def test_bad_yaml_is_reported_in_the_python_parsers_words(text, monkeypatch):
    with pytest.raises(InputError) as with_libyaml:
        list(image_scalars(text))
    monkeypatch.delattr(yaml, "CSafeLoader")
    with pytest.raises(InputError) as python_only:
        list(image_scalars(text))
    assert (with_libyaml.value.message, with_libyaml.value.line) == (python_only.value.message, python_only.value.line)


def test_an_image_seen_before_in_the_run_says_what_it_said_alone(tmp_path):
    # compose._migrate_image keeps the one-line migrations that asked
    # nothing: a file checked after others that named the same images must
    # show exactly what it shows when checked alone (its own lines, its
    # own questions and what --yes said about them).
    digest = "sha256:" + "ab" * 32
    texts = {
        "a": "services:\n  app:\n    image: python:3-alpine\n  db:\n    image: postgres:16-alpine\n",
        "b": "# second\nservices:\n\n  db:\n    image: 'postgres:16-alpine'\n  app:\n    image: python:3-alpine\n"
             f"  tool:\n    image: alpine:3.19@{digest}\n",
        "c": f"services:\n  tool:\n    image: alpine:3.19@{digest}\n  cache:\n    image: \"redis:7-alpine\"\n",
    }
    for name, text in texts.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "compose.yml").write_text(text)

    def unalpine(*args):
        return subprocess.run([sys.executable, "-m", "migrator", "--yes", "--diff", "-j", "1", *args],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)

    together = unalpine("a", "b", "c")
    alone = [unalpine(name) for name in texts]
    assert together.stdout == "".join(run.stdout for run in alone)
    lines = [line for line in together.stderr.splitlines() if not line.startswith("unalpine: ")]
    assert lines == [line for run in alone for line in run.stderr.splitlines() if not line.startswith("unalpine: ")]
    # python:3 has no tag of its own in the table: a warning, on each file's own line
    assert [line.split(" warning")[0] for line in lines if "python 3 is not" in line] == \
        ["a/compose.yml:3: UA101", "b/compose.yml:7: UA101"]
    assert sum("chose 'drop'" in line for line in lines) == 2  # the digest question, in b and in c
