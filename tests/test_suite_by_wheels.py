"""alpine:* stages run the suite's own python3: the suite is chosen with the
wheel check's help (migrator.wheels.suites, asked by the context as UA101's
suite question). The index is the recorded one (conftest.py)."""

from migrator.engine import Settings, migrate
from migrator.wheels.gather import DEFAULT_ARCHES, WheelCheck
from rulekit import Recorded

FILE = "FROM alpine:3.17\nRUN apk add --no-cache py3-pip\nCOPY requirements.txt /\nRUN pip3 install -r /requirements.txt\n"


def migrated(tmp_path, requirements: str, text: str = FILE, answers=None, target=None):
    (tmp_path / "requirements.txt").write_text(requirements)
    resolver = Recorded(answers)
    settings = Settings(target=target, wheels=WheelCheck(offline=False, context=tmp_path, arches=DEFAULT_ARCHES))
    result = migrate(text, "Dockerfile", settings, resolver)
    return result, [d for d in resolver.seen if d.key == "UA101:suite-by-wheels"]


def test_the_newest_suite_with_wheels_for_the_pins(tmp_path):
    result, asked = migrated(tmp_path, "numpy==1.24.4\n")
    assert result.text.startswith("FROM debian:bookworm-slim\n")
    assert asked[0].recommended == "bookworm"
    assert "numpy==1.24.4: no wheel for Python 3.13" in asked[0].question
    assert any("moved to bookworm, not trixie" in f.message for f in result.findings)


def test_refused_it_stays_on_the_newest(tmp_path):
    result, asked = migrated(tmp_path, "numpy==1.24.4\n", answers={"UA101:suite": "trixie"})
    assert asked and result.text.startswith("FROM debian:trixie-slim\n")


def test_no_question_when_the_newest_has_wheels_or_nothing_is_pinned(tmp_path):
    for requirements in ("numpy==2.1.3\n", "numpy\n", "six==1.16.0\n"):
        result, asked = migrated(tmp_path, requirements)
        assert result.text.startswith("FROM debian:trixie-slim\n"), requirements
        assert not asked


def test_no_suite_has_wheels_says_why(tmp_path):
    # pandas 1.3.5 has wheels up to Python 3.10 (bullseye's 3.9), numpy 2.1.3 from 3.10 on
    result, asked = migrated(tmp_path, "pandas==1.3.5\nnumpy==2.1.3\n")
    assert result.text.startswith("FROM debian:trixie-slim\n") and not asked
    assert any("no Debian suite's python3 has wheels for every pinned requirement" in f.message
               and "pandas==1.3.5" in f.message for f in result.findings)


def test_a_release_with_wheels_nowhere_does_not_choose_the_suite(tmp_path):
    # numpy 1.13.3 has no wheel for 3.9, 3.11 or 3.13: it builds wherever the stage goes
    for requirements in ("numpy==1.13.3\n", "numpy==1.13.3\nsix==1.16.0\n"):
        result, asked = migrated(tmp_path, requirements)
        assert result.text.startswith("FROM debian:trixie-slim\n") and not asked
        assert not any("no Debian suite" in f.message for f in result.findings)


def test_target_and_python_images_are_not_moved(tmp_path):
    result, asked = migrated(tmp_path, "numpy==1.24.4\n", target="trixie")
    assert result.text.startswith("FROM debian:trixie-slim\n") and not asked
    result, asked = migrated(tmp_path, "numpy==1.24.4\n", FILE.replace("alpine:3.17", "python:3.13-alpine"))
    assert result.text.startswith("FROM python:3.13-slim-trixie\n") and not asked
