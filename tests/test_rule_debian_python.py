"""UA501 and UA502: Debian's own python3 is not Alpine's."""

import pytest

from rulekit import messages, run

FLAG = "--break-system-packages"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN pip install flask", f"RUN pip install {FLAG} flask"),
        ("RUN pip3 install --no-cache-dir -r requirements.txt", f"RUN pip3 install {FLAG} --no-cache-dir -r requirements.txt"),
        ("RUN python3 -m pip install -U pip", f"RUN python3 -m pip install {FLAG} -U pip"),
        ("RUN cd /app && pip3 install . && pip3 list", f"RUN cd /app && pip3 install {FLAG} . && pip3 list"),
    ],
)
def test_pip_into_debian_python_gets_the_flag(before, after):
    result = run(f"FROM alpine:3.18\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{after}\n"
    assert [d.key for d in result.seen] == ["UA501:break-system-packages"]


@pytest.mark.parametrize(
    "lines",
    [
        ["RUN python3 -m venv /venv && /venv/bin/pip install flask"],
        ["RUN python3 -m venv /venv", "ENV PATH=/venv/bin:$PATH", "RUN pip install flask"],
        ["ENV VIRTUAL_ENV=/venv", "RUN pip install flask"],
        [f"RUN pip install {FLAG} flask"],
        ["ENV PIP_BREAK_SYSTEM_PACKAGES=1", "RUN pip install flask"],
    ],
)
def test_venvs_and_explicit_opt_ins_are_left_alone(lines):
    text = "FROM alpine:3.18\n" + "".join(line + "\n" for line in lines)
    result = run(text)
    assert result.text == text.replace("alpine:3.18", "debian:trixie-slim")
    assert not result.seen


def test_a_venv_made_in_the_stage_built_on():
    text = "FROM alpine:3.18 AS base\nRUN python3 -m venv /venv\nFROM base\nENV PATH=/venv/bin:$PATH\nRUN pip install x\n"
    assert "UA501" not in messages(run(text))


def test_python_images_and_bullseye_are_not_affected():
    assert run("FROM python:3.12-alpine\nRUN pip install flask\n").text.endswith("RUN pip install flask\n")
    assert run("FROM alpine:3.14\nRUN pip install flask\n", target="bullseye").text.endswith("RUN pip install flask\n")


def test_keeping_the_command_warns():
    result = run("FROM alpine:3.18\nRUN pip install flask\n", {"UA501": "keep"})
    assert result.text.endswith("RUN pip install flask\n")
    assert "fails without a venv" in messages(result)


def test_ensurepip_warns():
    result = run("FROM alpine:3.18\nRUN python3 -m ensurepip\n")
    assert "Debian disables ensurepip" in messages(result)


def test_versioned_python_names_that_the_suite_lacks_warn():
    text = "FROM alpine:3.18\nRUN apk add --no-cache python3\nRUN python3.11 -m venv /venv\nENV PYTHONPATH=/usr/lib/python3.11/site-packages\n"
    found = messages(run(text))
    assert "3 UA502 python3.11: Debian trixie ships python 3.13" in found
    assert "4 UA502 /usr/lib/python3.11: Debian trixie ships python 3.13" in found
    assert "UA502" not in messages(run(text, target="bookworm"))


def test_python_images_keep_their_own_version():
    assert "UA502" not in messages(run("FROM python:3.11-alpine\nRUN python3.11 -m venv /v\n"))


def test_a_version_arg_used_as_python_dollar_arg_warns_at_the_arg():
    text = "ARG PYTHON_VERSION=3.11\nFROM alpine:3.18\nARG PYTHON_VERSION\nRUN python${PYTHON_VERSION} -m venv /v\n"
    assert "1 UA502 ARG PYTHON_VERSION=3.11 names the Python of python${PYTHON_VERSION}; Debian trixie ships python 3.13: set it to 3.13" in messages(run(text))
