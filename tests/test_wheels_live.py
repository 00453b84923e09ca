"""The wheel check against the live PyPI (marked `network`; skipped when
PyPI cannot be reached). Run with `pytest -m network`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrator.engine import Settings, migrate
from migrator.wheels.cache import Cache
from migrator.wheels.gather import WheelCheck
from migrator.wheels.index import Client
from migrator.wheels.index_urls import PYPI
from rulekit import Recorded

pytestmark = pytest.mark.network

BLOG = Path(__file__).resolve().parent.parent / "fixtures" / "blog"


def test_pypi_speaks_pep_691_and_has_the_blog_wheels(tmp_path):
    client = Client([PYPI], Cache(tmp_path))
    pages = client.pages(["cryptography", "django"])
    if client.failed:
        pytest.skip(f"PyPI unreachable: {client.failed}")
    names = {file.filename for file in pages["cryptography"].files}
    assert {"cryptography-3.4.7-cp36-abi3-manylinux2014_x86_64.whl",
            "cryptography-3.4.7-cp36-abi3-manylinux2014_aarch64.whl", "cryptography-3.4.7.tar.gz"} <= names
    assert not any(name.startswith("cryptography-3.4.7-") and "musllinux" in name for name in names)


def test_the_blog_case_against_live_pypi(tmp_path):
    environ = {"PIP_CONFIG_FILE": os.devnull}  # PyPI itself, not the suite's loopback index
    probe = Client([PYPI], Cache(tmp_path / "probe"))
    probe.pages(["six"])
    if probe.failed:
        pytest.skip(f"PyPI unreachable: {probe.failed}")
    check = WheelCheck(context=BLOG, cache_root=tmp_path / "cache", environ=environ)
    text = (BLOG / "before.Dockerfile").read_text()
    result = migrate(text, "Dockerfile", Settings(wheels=check), Recorded())
    assert result.text == (BLOG / "after.Dockerfile").read_text()
    assert result.report["wheels"]["indexes"] == [PYPI]
