import os
import shutil
import stat
import subprocess

import pytest

from migrator.errors import InputError
from migrator.output import atomic_write, decode, read_text, unified_diff


def test_bom_and_crlf_survive_decoding(tmp_path):
    data = b"\xef\xbb\xbfFROM alpine:3.19\r\nRUN apk add curl\r\n"
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    text = read_text(str(path))
    assert text.startswith("\ufeffFROM")
    assert "\r\n" in text
    assert text.encode("utf-8") == data


def test_not_utf8_names_file_line_and_byte():
    with pytest.raises(InputError) as info:
        decode(b"FROM alpine\nRUN echo caf\xe9\n", "svc/Dockerfile")
    assert str(info.value) == "svc/Dockerfile:2: not UTF-8 text (byte 24)"


def test_no_diff_for_equal_texts():
    assert unified_diff("FROM x\n", "FROM x\n", "Dockerfile") == ""


def test_diff_headers():
    diff = unified_diff("FROM alpine\nRUN true\n", "FROM debian\nRUN true\n", "svc/Dockerfile")
    assert diff.splitlines()[:3] == ["--- a/svc/Dockerfile", "+++ b/svc/Dockerfile", "@@ -1,2 +1,2 @@"]


CASES = [
    ("plain", "FROM alpine:3.19\nRUN apk add curl\nCMD [\"sh\"]\n", "FROM debian:bookworm-slim\nRUN apt-get install curl\nCMD [\"sh\"]\n"),
    ("no final newline", "FROM alpine\nRUN apk add curl", "FROM debian\nRUN apt-get install curl"),
    ("newline removed", "FROM alpine\n", "FROM debian"),
    ("newline added", "FROM alpine", "FROM debian\n"),
    ("crlf", "FROM alpine\r\nRUN x\r\nCMD y\r\n", "FROM debian\r\nRUN x\r\nCMD y\r\n"),
    ("bom", "\ufeffFROM alpine\nRUN x\n", "\ufeffFROM debian\nRUN x\n"),
    ("lone cr kept inside a line", "FROM a\rb\nRUN x\n", "FROM c\rb\nRUN x\n"),
]


@pytest.mark.parametrize("name,before,after", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_applies_with_real_tools(tmp_path, name, before, after, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")
    (tmp_path / "svc").mkdir()
    target = tmp_path / "svc" / "Dockerfile"
    target.write_bytes(before.encode("utf-8"))
    diff = unified_diff(before, after, "svc/Dockerfile")
    (tmp_path / "change.diff").write_bytes(diff.encode("utf-8"))
    if tool == "patch":
        command = ["patch", "-p1", "--binary", "-s", "-i", "change.diff"]
    else:
        command = ["git", "apply", "--unsafe-paths", "change.diff"]
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert target.read_bytes() == after.encode("utf-8")


def test_atomic_write_keeps_mode_and_backup(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\n")
    path.chmod(0o755)
    atomic_write(str(path), b"FROM debian\n", backup=True)
    assert path.read_bytes() == b"FROM debian\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert (tmp_path / "Dockerfile.bak").read_bytes() == b"FROM alpine\n"
    assert sorted(os.listdir(tmp_path)) == ["Dockerfile", "Dockerfile.bak"]


def test_failed_replace_leaves_no_temp_file(tmp_path):
    # The target is a folder: os.replace fails for real; the temporary file
    # must be gone and the folder untouched.
    (tmp_path / "Dockerfile").mkdir()
    with pytest.raises(OSError):
        atomic_write(str(tmp_path / "Dockerfile"), b"FROM debian\n")
    assert os.listdir(tmp_path) == ["Dockerfile"]
    assert os.listdir(tmp_path / "Dockerfile") == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_atomic_write_keeps_the_owner_and_mode_of_another_users_file(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\n")
    os.chown(path, 1234, 2345)
    os.chmod(path, 0o640)
    atomic_write(str(path), b"FROM debian\n" * 5000)  # bigger than one write may take
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o640)
    assert path.read_bytes() == b"FROM debian\n" * 5000
