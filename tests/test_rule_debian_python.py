"""UA501 and UA502: Debian's own python3 is not Alpine's."""

import pytest

from rulekit import messages, run

FLAG = "--break-system-packages"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN pip install flask", f"RUN pip install {FLAG} flask"),
        ("RUN pip3 install --no-cache-dir -r requirements.txt", f"RUN pip3 install {FLAG} --no-cache-dir -r requirements.txt"),
        ("RUN python3 -m pip install -U requests", f"RUN python3 -m pip install {FLAG} -U requests"),
        ("RUN cd /app && pip3 install . && pip3 list", f"RUN cd /app && pip3 install {FLAG} . && pip3 list"),
        # get-pip.py hands its arguments to the pip install it runs
        ("RUN python3 get-pip.py", f"RUN python3 get-pip.py {FLAG}"),
        ("RUN python3 -u /tmp/get-pip.py --no-cache-dir", f"RUN python3 -u /tmp/get-pip.py {FLAG} --no-cache-dir"),
        ('RUN python3 "${SRC}/get-pip.py"', f'RUN python3 "${{SRC}}/get-pip.py" {FLAG}'),
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
    result = run(text, {"UA504": "keep"})  # (python3-venv for the venv is UA504's)
    assert result.text == text.replace("alpine:3.18", "debian:trixie-slim")
    assert not [d for d in result.seen if d.rule != "UA504"]


@pytest.mark.parametrize("line", ["RUN python3 get-pip.py --break-system-packages", "RUN python3 -m get-pip.py",
                                  "RUN python3 tools/get-pip.py.sh", "RUN python3 -c 'print(1)' get-pip.py"])
def test_other_python_scripts_are_not_get_pip(line):
    assert run(f"FROM alpine:3.18\n{line}\n").text == f"FROM debian:trixie-slim\n{line}\n"


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


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN pip3 install --upgrade pip", f"RUN pip3 install {FLAG} --ignore-installed --upgrade pip"),
        ("RUN python3 -m pip install -U pip setuptools wheel",
         f"RUN python3 -m pip install {FLAG} --ignore-installed -U pip setuptools wheel"),
        ("RUN pip install pip==24.0 && pip install flask",
         f"RUN pip install {FLAG} --ignore-installed pip==24.0 && pip install {FLAG} flask"),
    ],
)
def test_a_pip_upgrade_over_debians_pip_ignores_the_installed_one(before, after):
    result = run(f"FROM alpine:3.18\n{before}\n")
    assert result.text == f"FROM debian:trixie-slim\n{after}\n"
    assert "UA503:pip-upgrade" in [d.key for d in result.seen]


@pytest.mark.parametrize("suite", ["bullseye", "bookworm"])
def test_older_debian_pips_install_over_themselves(suite):
    result = run("FROM alpine:3.14\nRUN pip3 install -U pip\n", target=suite)
    assert "--ignore-installed" not in result.text and "UA503" not in messages(result)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("RUN apk add py3-pip && pip3 install -U pip && pip3 install flask",
         "RUN apt-get update && apt-get install -y --no-install-recommends python3-pip python3-venv && "
         f"pip3 install {FLAG} flask && rm -rf /var/lib/apt/lists/*"),
        ("RUN pip3 install -U pip", None),
        ("RUN pip3 install -U pip flask", f"RUN pip3 install {FLAG} -U flask"),
        ("RUN pip3 install --upgrade \\\n    pip \\\n    wheel \\\n    flask", f"RUN pip3 install {FLAG} --upgrade \\\n    flask"),
    ],
)
def test_a_pip_upgrade_can_be_dropped(before, after):
    result = run(f"FROM alpine:3.18\n{before}\n", {"UA503": "drop"})
    assert result.text == "FROM debian:trixie-slim\n" + (f"{after}\n" if after else "")
    assert "pip upgrade dropped" in messages(result)


@pytest.mark.parametrize(
    "line",
    [
        "RUN python3 -m venv /v && /v/bin/pip install -U pip",
        "RUN pip install --user -U pip",
        "RUN pip install --ignore-installed -U pip",
        "RUN pip install --target=/opt/x -U pip",
        "RUN pip install -U setuptools",
    ],
)
def test_pip_upgrades_that_work_are_left_alone(line):
    assert "UA503" not in messages(run(f"FROM alpine:3.18\n{line}\n"))
    assert not [d for d in run(f"FROM alpine:3.18\n{line}\n").seen if d.rule == "UA503"]


def test_python_images_upgrade_their_own_pip():
    assert run("FROM python:3.12-alpine\nRUN pip install -U pip\n").text.endswith("RUN pip install -U pip\n")


def test_keeping_the_pip_upgrade_warns():
    result = run("FROM alpine:3.18\nRUN pip3 install -U pip\n", {"UA503": "keep"})
    assert "fails over Debian's python3-pip" in messages(result)
