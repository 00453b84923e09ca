"""UA504: Python's own modules that Debian packages apart."""

import pytest

from migrator.debian.python_modules import apart, python_version
from migrator.packages import SUITES
from rulekit import messages, run

APT = "apt-get update && apt-get install -y --no-install-recommends"
CLEAN = "&& rm -rf /var/lib/apt/lists/*"


def test_the_contents_derived_table():
    for suite in SUITES:
        modules = apart(suite)
        assert modules["ensurepip"] == "python3-venv"
        assert ("distutils" in modules) == (suite != "trixie")  # Python 3.12 dropped distutils
    assert [python_version(suite) for suite in SUITES] == ["3.9", "3.11", "3.13"]
    assert apart("sid") == {}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN apk add --no-cache py3-flask\nRUN python3 -m venv /v",
         f"RUN {APT} python3-flask python3-venv {CLEAN}\nRUN python3 -m venv /v"),
        ("RUN python3 -m venv /v", f"RUN {APT} python3-venv {CLEAN} && python3 -m venv /v"),
        ("RUN apk add --no-cache py3-flask && python3 -m venv /v",
         f"RUN {APT} python3-flask python3-venv && python3 -m venv /v {CLEAN}"),
    ],
)
def test_venv_gets_python3_venv(before, after):
    result = run(f"FROM alpine:3.18\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{after}\n"
    assert [d.key for d in result.seen] == ["UA504:venv"]


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine:3.18\nRUN apk add python3\nRUN python3 -m venv /v\n",  # python3 maps to python3 python3-venv
        "FROM alpine:3.18\nRUN python3 -m venv --without-pip /v\n",
        "FROM python:3.12-alpine\nRUN python3 -m venv /v\n",  # the image's own CPython
        "FROM alpine:3.18\nRUN python3 -m tkinter\n",  # Alpine packs tkinter apart too
        "FROM alpine:3.18\nRUN python3 -m json.tool x\n",
    ],
)
def test_nothing_to_install(text):
    result = run(text)
    assert not [d for d in result.seen if d.rule == "UA504"]
    assert "UA504" not in messages(result)


def test_lib2to3_on_bookworm_not_on_trixie():
    text = "FROM alpine:3.16\nRUN python3 -m lib2to3 -w /src\n"
    assert run(text, target="bookworm").text.endswith(f"RUN {APT} python3-lib2to3 {CLEAN} && python3 -m lib2to3 -w /src\n")
    assert "python3-lib2to3" not in run(text).text  # trixie's 3.13 has no lib2to3 at all (UA502's business)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # no install before it: it becomes the install
        ("RUN python3 -m ensurepip --upgrade && pip3 install flask",
         f"RUN {APT} python3-pip {CLEAN} && pip3 install --break-system-packages flask"),
        # an install before it takes python3-pip; the command goes
        ("RUN apk add --no-cache python3 \\\n    && python3 -m ensurepip \\\n    && pip3 install flask",
         f"RUN {APT} python3 python3-venv python3-pip \\\n    && pip3 install --break-system-packages flask {CLEAN}"),
        ("RUN apk add python3 py3-pip\nRUN python3 -m ensurepip", f"RUN {APT} python3 python3-venv python3-pip {CLEAN}"),
    ],
)
def test_ensurepip_becomes_python3_pip(before, after):
    result = run(f"FROM alpine:3.18\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{after}\n"
    assert "UA504:ensurepip" in [d.key for d in result.seen]


def test_refused_it_stays_with_a_warning():
    result = run("FROM alpine:3.18\nRUN python3 -m venv /v\n", {"UA504": "keep"})
    assert result.text == "FROM debian:trixie-slim\nRUN python3 -m venv /v\n"
    assert "python3 -m venv left as is: Debian's python3 has no venv without python3-venv" in messages(result)


def test_ensurepip_after_a_dropped_last_package():
    # UA201 drops bash with the space after it, UA504 removes the ensurepip
    # command with the space before it: both delete that space.
    text = "FROM alpine:3.19\nRUN apk add --no-cache python3 \\\n        bash && \\\n    python3 -m ensurepip\n"
    result = run(text)
    assert result.text == (f"FROM debian:trixie-slim\nRUN {APT} python3 python3-venv \\\n"
                           f"         python3-pip {CLEAN}\n")
