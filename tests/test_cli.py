"""The command, run for real: subprocesses, files on disk, exit codes, bytes."""

from __future__ import annotations

import json
import os
import re
import resource
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

# Only the base image is Alpine: a change with no question.
BASE_ONLY = 'FROM python:3.12-alpine\nWORKDIR /app\nCMD ["python", "-m", "app"]\n'
# Nothing Alpine at all.
PLAIN = "FROM debian:bookworm-slim\nRUN echo hello\n"
# A package nobody knows: the rules must ask what to do with it.
UNKNOWN = "FROM python:3.12-alpine\nRUN apk add --no-cache zzzunknown-dev\n"

# Extra arguments for every run (e.g. --no-builtin to take the built-in
# mapping table out of the picture when it is being reworked).
BASE_ARGS: list[str] = []


def unalpine(*args, cwd, input=None, env=None, preexec_fn=None, check=None):
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", *BASE_ARGS, *map(str, args)],
        cwd=cwd,
        input=input,
        capture_output=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
        timeout=60,
    )
    proc.out = proc.stdout.decode("utf-8")  # type: ignore[attr-defined]
    proc.err = proc.stderr.decode("utf-8")  # type: ignore[attr-defined]
    if check is not None:
        assert proc.returncode == check, proc.err
    return proc


def write(path, text, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    if mode is not None:
        path.chmod(mode)
    return path


def snapshot(folder):
    """Every file under folder with its bytes: to prove nothing was written."""
    return {
        os.path.relpath(os.path.join(root, name), folder): open(os.path.join(root, name), "rb").read()
        for root, _, names in os.walk(folder)
        for name in names
    }


def decision_of(tmp_path, name="probe"):
    """Ask the engine (through --json --yes) which question UNKNOWN raises."""
    write(tmp_path / name / "Dockerfile", UNKNOWN)
    proc = unalpine("--json", "--yes", tmp_path / name / "Dockerfile", cwd=tmp_path, check=0)
    answers = json.loads(proc.out)["files"][0]["answers"]
    assert answers, "the rules asked nothing about an unknown package"
    shutil.rmtree(tmp_path / name)
    return answers[0]


# --- basics -------------------------------------------------------------------


def test_version_and_help(tmp_path):
    assert unalpine("--version", cwd=tmp_path, check=0).out.strip() == "unalpine 0.1.0"
    helptext = unalpine("--help", cwd=tmp_path, check=0).out
    for code in ("0  done", "1  --check", "2  usage or input error", "3  questions left unanswered"):
        assert code in helptext


def test_missing_path_is_one_line_exit_2(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    before = snapshot(tmp_path)
    proc = unalpine("-w", "Dockerfile", "nope/Dockerfile", cwd=tmp_path, check=2)
    assert proc.err == "nope/Dockerfile: no such file or directory\n"
    assert proc.out == ""
    assert snapshot(tmp_path) == before


def test_nothing_alpine_nothing_to_do(tmp_path):
    write(tmp_path / "Dockerfile", PLAIN)
    assert unalpine("--diff", ".", cwd=tmp_path, check=0).out == ""
    assert unalpine("--check", ".", cwd=tmp_path, check=0).out == ""
    assert unalpine("-w", ".", cwd=tmp_path, check=0).out == ""
    assert (tmp_path / "Dockerfile").read_text() == PLAIN


def test_no_mode_without_terminal_is_diff(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    proc = unalpine("Dockerfile", cwd=tmp_path, check=0)
    assert proc.out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert (tmp_path / "Dockerfile").read_text() == BASE_ONLY


def test_diff_writes_nothing_and_applies_to_what_write_writes(tmp_path):
    write(tmp_path / "svc/api.Dockerfile", BASE_ONLY)
    write(tmp_path / "svc/Dockerfile.plain", PLAIN)
    proc = unalpine("--diff", "svc", cwd=tmp_path, check=0)
    assert (tmp_path / "svc/api.Dockerfile").read_text() == BASE_ONLY
    assert proc.out.startswith("--- a/svc/api.Dockerfile\n+++ b/svc/api.Dockerfile\n@@")
    # Apply the diff to a copy with patch(1), write the original with -w:
    # both must give the same bytes.
    shutil.copytree(tmp_path / "svc", tmp_path / "copy/svc")
    write(tmp_path / "copy/change.diff", proc.stdout)
    subprocess.run(["patch", "-s", "-p1", "-i", "change.diff"], cwd=tmp_path / "copy", check=True)
    unalpine("-w", "svc", cwd=tmp_path, check=0)
    assert (tmp_path / "copy/svc/api.Dockerfile").read_bytes() == (tmp_path / "svc/api.Dockerfile").read_bytes()
    assert (tmp_path / "svc/api.Dockerfile").read_text() != BASE_ONLY
    # Written once, nothing left to do: the result is stable.
    assert unalpine("--check", "svc", cwd=tmp_path, check=0).out == ""


def test_check(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    proc = unalpine("--check", ".", cwd=tmp_path, check=1)
    assert proc.out == ""
    assert "would migrate Dockerfile" in proc.err
    proc = unalpine("--check", "--diff", ".", cwd=tmp_path, check=1)
    assert proc.out.startswith("--- a/Dockerfile")
    assert (tmp_path / "Dockerfile").read_text() == BASE_ONLY
    assert unalpine("--check", "--write", ".", cwd=tmp_path).returncode == 2  # usage error


def test_write_keeps_mode_and_backup(tmp_path):
    path = write(tmp_path / "Dockerfile", BASE_ONLY, mode=0o755)
    proc = unalpine("-w", "--backup", "Dockerfile", cwd=tmp_path, check=0)
    assert proc.out == ""
    assert "wrote Dockerfile" in proc.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert (tmp_path / "Dockerfile.bak").read_text() == BASE_ONLY
    assert path.read_text() != BASE_ONLY
    assert sorted(os.listdir(tmp_path)) == ["Dockerfile", "Dockerfile.bak"]
    # The backup is not picked up as a Dockerfile by the next run.
    assert unalpine("--check", ".", cwd=tmp_path, check=0).out == ""


def test_symlinked_file_is_written_through(tmp_path):
    target = write(tmp_path / "shared/base.Dockerfile", BASE_ONLY)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/Dockerfile").symlink_to("../shared/base.Dockerfile")
    unalpine("-w", "svc/Dockerfile", cwd=tmp_path, check=0)
    assert (tmp_path / "svc/Dockerfile").is_symlink()
    assert target.read_text() != BASE_ONLY


def test_bom_crlf_and_untouched_lines_survive(tmp_path):
    original = "\ufeff" + BASE_ONLY.replace("\n", "\r\n")
    path = write(tmp_path / "Dockerfile", original)
    unalpine("-w", "Dockerfile", cwd=tmp_path, check=0)
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbfFROM ")
    before_lines = original.encode("utf-8").split(b"\r\n")
    after_lines = after.split(b"\r\n")
    assert after_lines[0] != before_lines[0]
    assert after_lines[1:] == before_lines[1:]  # every other byte identical


def test_not_utf8_does_not_stop_the_others(tmp_path):
    write(tmp_path / "a/Dockerfile", b"FROM alpine:3.19\nRUN echo caf\xe9\n")
    write(tmp_path / "b/Dockerfile", BASE_ONLY)
    proc = unalpine("-w", ".", cwd=tmp_path, check=2)
    assert "a/Dockerfile:2: not UTF-8 text (byte 29)\n" in proc.err
    assert (tmp_path / "a/Dockerfile").read_bytes() == b"FROM alpine:3.19\nRUN echo caf\xe9\n"
    # each file is all-or-nothing; the clean one is still written
    assert (tmp_path / "b/Dockerfile").read_text() != BASE_ONLY
    assert "1 failed" in proc.err


def test_stdin_filter(tmp_path):
    proc = unalpine("-", cwd=tmp_path, input=BASE_ONLY.encode(), check=0)
    write(tmp_path / "Dockerfile", BASE_ONLY)
    unalpine("-w", "Dockerfile", cwd=tmp_path, check=0)
    assert proc.stdout == (tmp_path / "Dockerfile").read_bytes()
    # unchanged input comes back unchanged
    assert unalpine("-", cwd=tmp_path, input=PLAIN.encode(), check=0).out == PLAIN
    proc = unalpine("--diff", "--stdin-filename", "svc/Dockerfile", "-", cwd=tmp_path, input=BASE_ONLY.encode(), check=0)
    assert proc.out.startswith("--- a/svc/Dockerfile\n")
    assert unalpine("--check", "-", cwd=tmp_path, input=BASE_ONLY.encode()).returncode == 1
    assert unalpine("-", "Dockerfile", cwd=tmp_path).returncode == 2


def test_stdin_with_an_open_question_prints_nothing(tmp_path):
    proc = unalpine("-", cwd=tmp_path, input=UNKNOWN.encode(), check=3)
    assert proc.out == ""
    assert re.search(r"^-:2: UA\d+ ", proc.err, re.M)
    out = unalpine("-", "--yes", cwd=tmp_path, input=UNKNOWN.encode(), check=0).out
    assert out != UNKNOWN and "apk add" not in out


def test_diff_and_write_together_quiet_and_empty_folder(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    proc = unalpine("--diff", "-w", "-q", ".", cwd=tmp_path, check=0)
    assert proc.out.startswith("--- a/Dockerfile")
    assert proc.err == ""  # -q: no "wrote", no summary
    assert (tmp_path / "Dockerfile").read_text() != BASE_ONLY
    (tmp_path / "empty").mkdir()
    proc = unalpine("--check", "empty", cwd=tmp_path, check=0)
    assert proc.err == "unalpine: no Dockerfiles found\n"


def test_target_is_wired(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    for suite in ("bookworm", "trixie"):
        proc = unalpine("--diff", "--target", suite, "Dockerfile", cwd=tmp_path, check=0)
        assert re.search(rf"^\+FROM \S*{suite}", proc.out, re.M), proc.out
    assert unalpine("--target", "jessie", "Dockerfile", cwd=tmp_path).returncode == 2


def test_explain_and_bad_mappings(tmp_path):
    proc = unalpine("--explain", "musl-dev", cwd=tmp_path, check=0)
    assert "musl-dev" in proc.out
    bad = write(tmp_path / "bad.toml", "[packages\n")
    write(tmp_path / "Dockerfile", BASE_ONLY)
    proc = unalpine("--mappings", bad, "--diff", "Dockerfile", cwd=tmp_path, check=2)
    assert proc.err.count("\n") == 1 and proc.err.startswith(str(bad))
    proc = unalpine("--mappings", tmp_path / "missing.toml", "--explain", "gcc", cwd=tmp_path, check=2)
    assert "missing.toml" in proc.err and proc.err.count("\n") == 1


def test_strict_and_mapping_overlay(tmp_path):
    write(tmp_path / "Dockerfile", UNKNOWN)
    proc = unalpine("--strict", "--diff", "Dockerfile", cwd=tmp_path, check=2)
    assert proc.out == ""
    assert proc.err.splitlines()[0].startswith("Dockerfile:2: ")
    assert "zzzunknown-dev" in proc.err.splitlines()[0]
    # An overlay that knows the package: no question, and --strict is happy.
    overlay = write(tmp_path / "ours.toml", 'schema = 1\n[packages.zzzunknown-dev]\nto = ["libzzz-dev"]\n')
    proc = unalpine("--strict", "--mappings", overlay, "--diff", "Dockerfile", cwd=tmp_path, check=0)
    assert re.search(r"^\+RUN .*libzzz-dev", proc.out, re.M), proc.out
    proc = unalpine("--mappings", overlay, "--explain", "zzzunknown-dev", cwd=tmp_path, check=0)
    assert "libzzz-dev" in proc.out
    # Without the built-in table, a name only the built-in table knows is unknown.
    write(tmp_path / "Dockerfile", "FROM python:3.12-alpine\nRUN apk add --no-cache postgresql-dev\n")
    assert "libpq-dev" in unalpine("--diff", "Dockerfile", cwd=tmp_path, check=0).out
    unalpine("--no-builtin", "--strict", "--diff", "Dockerfile", cwd=tmp_path, check=2)


# --- questions ------------------------------------------------------------------


def test_open_questions_write_nothing_anywhere(tmp_path):
    write(tmp_path / "a/Dockerfile", BASE_ONLY)  # would migrate cleanly ...
    write(tmp_path / "b/Dockerfile", UNKNOWN)  # ... but this one has a question
    before = snapshot(tmp_path)
    proc = unalpine("-w", ".", cwd=tmp_path, check=3)
    assert snapshot(tmp_path) == before
    assert "nothing was written" in proc.err
    assert re.search(r"^b/Dockerfile:2: UA\d+ .*zzzunknown-dev.*\[key \S+; options: .*recommended: ", proc.err, re.M)


def test_yes_takes_recommended_and_reports(tmp_path):
    asked = decision_of(tmp_path)
    write(tmp_path / "Dockerfile", UNKNOWN)
    proc = unalpine("-w", "--yes", "Dockerfile", cwd=tmp_path, check=0)
    line = f"Dockerfile:{asked['line']}: {asked['rule']} chose {asked['value']!r} for: {asked['question']}"
    assert line in proc.err.splitlines()
    assert (tmp_path / "Dockerfile").read_text() != UNKNOWN


def test_answers_file_and_save_answers(tmp_path):
    asked = decision_of(tmp_path)
    write(tmp_path / "Dockerfile", UNKNOWN)
    # 1. no terminal, no --yes: --save-answers writes a template to fill in
    unalpine("--diff", "--save-answers", "answers.toml", "Dockerfile", cwd=tmp_path, check=3)
    template = (tmp_path / "answers.toml").read_text()
    assert f'# "{asked["key"]}" = ' in template
    assert tomllib.loads(template)["answers"] == {}
    # 2. fill it in with free text and use it
    write(tmp_path / "answers.toml", f'[answers]\n"{asked["key"]}" = "libzzz-dev"\n')
    proc = unalpine("--json", "--answers", "answers.toml", "--save-answers", "saved.toml", "Dockerfile", cwd=tmp_path, check=0)
    report = json.loads(proc.out)["files"][0]
    assert report["answers"][0]["value"] == "libzzz-dev"
    assert report["answers"][0]["source"] == "answers-file"
    assert "libzzz-dev" in report["diff"]
    assert tomllib.loads((tmp_path / "saved.toml").read_text())["answers"] == {asked["key"]: "libzzz-dev"}
    # 3. an answer that is not an option is an input error naming the answers file
    strict = decision_of(tmp_path)
    write(tmp_path / "bad.toml", '"nope:key" = 1\n')
    proc = unalpine("--answers", "bad.toml", "Dockerfile", cwd=tmp_path, check=2)
    assert proc.err.startswith("bad.toml: ") and proc.err.count("\n") == 1
    assert strict["key"] == asked["key"]  # keys are stable across runs


def test_json_report(tmp_path):
    write(tmp_path / "a/Dockerfile", BASE_ONLY)
    write(tmp_path / "b/Dockerfile", PLAIN)
    write(tmp_path / "c/Dockerfile", b"\xff")
    proc = unalpine("--json", ".", cwd=tmp_path, check=2)
    report = json.loads(proc.out)
    assert report["exit"] == 2
    files = {entry["path"]: entry for entry in report["files"]}
    assert sorted(files) == ["a/Dockerfile", "b/Dockerfile", "c/Dockerfile"]
    assert files["a/Dockerfile"]["changed"] and files["a/Dockerfile"]["diff"].startswith("--- a/a/Dockerfile")
    assert files["a/Dockerfile"]["written"] is False
    assert not files["b/Dockerfile"]["changed"] and files["b/Dockerfile"]["diff"] == ""
    assert files["c/Dockerfile"]["error"] == "c/Dockerfile:1: not UTF-8 text (byte 0)"
    for entry in report["files"]:
        assert set(entry) == {"path", "changed", "written", "error", "findings", "answers", "unresolved", "diff", "wheels", "verify"}
        for finding in entry["findings"]:
            assert set(finding) == {"rule", "line", "severity", "message"}
    proc = unalpine("--json", "-w", "a", cwd=tmp_path, check=0)
    assert json.loads(proc.out)["files"][0]["written"] is True


def test_no_questionary_import_without_a_prompt(tmp_path):
    write(tmp_path / "Dockerfile", UNKNOWN)
    proc = unalpine("--yes", "--diff", "Dockerfile", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"}, check=0)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.err.splitlines() if line.startswith("import time:")}
    assert "migrator.engine" in imported  # the measurement works ...
    assert not {name for name in imported if name.startswith(("questionary", "prompt_toolkit"))}


# Modules whose import alone costs milliseconds of every start (dataclasses pulls
# in inspect, ast, dis, tokenize). A run on a plain Dockerfile must not need them.
HEAVY_AT_START = {"dataclasses", "inspect", "typing", "pathlib", "tempfile", "tomllib", "questionary"}


UNKNOWN_NAMES = "FROM python:3.11-alpine\nRUN apk add --no-cache tidyhtml oniguruma-dev\n"


@pytest.mark.parametrize("text, ran", [
    pytest.param(None, "tree_sitter._binding", id="plain-file"),
    pytest.param(UNKNOWN_NAMES, "migrator.debian.names", id="names-the-table-does-not-know"),
])
def test_a_small_file_run_imports_nothing_heavy(tmp_path, text, ran):
    # -S: no site, so no .pth file (an editable install's import hook imports
    # pathlib and typing itself); the package and its dependencies are put on
    # the path by hand instead. Run twice: the first fills the table cache.
    # Names the table does not know bring in the resolver and the Debian
    # indexes: nothing heavy there either (a batch loads them before forking).
    import sysconfig

    repo = str(Path(__file__).resolve().parent.parent)
    paths = [repo, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if text is None:
        text = (Path(repo) / "fixtures/busybox_users/before.Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_text(text)
    code = (
        f"import sys; sys.path[:0] = {paths!r}; from migrator.cli import main\n"
        "try:\n    main(['--yes', '--quiet', '--diff', 'Dockerfile'])\n"
        "except SystemExit:\n    pass\n"
        "print('MODULES', *sorted(sys.modules), file=sys.stderr)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):
        process = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path,
                                 env=env, timeout=60)
    line = next(line for line in process.stderr.splitlines() if line.startswith("MODULES "))
    loaded = set(line.split()[1:])
    assert "migrator.engine" in loaded and ran in loaded  # it ran
    assert not loaded & HEAVY_AT_START


def test_the_command_flushes_buffered_output_before_it_leaves(tmp_path):
    # The command skips the interpreter's teardown (os._exit), which would
    # otherwise flush stdout: with a pipe and no PYTHONUNBUFFERED, what
    # --explain print()s must still arrive.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    proc = subprocess.run([sys.executable, "-m", "migrator", "--explain", "musl-dev"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("musl-dev: from the builtin table\n")


def test_the_command_keeps_the_wheel_checks_answers_for_the_next_run(tmp_path):
    # The command leaves with os._exit, so atexit handlers do not run: what
    # the wheel check worked out must be saved all the same.
    blog = Path(__file__).resolve().parent.parent / "fixtures" / "blog"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "migrator", "--yes", "--diff", "before.Dockerfile"], cwd=blog,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    from migrator.wheels.cache import FORMAT
    from migrator.wheels.cache import answers_file

    assert (tmp_path / "unalpine" / "index" / FORMAT / answers_file()).is_file()


# --- writing never half-happens ---------------------------------------------------


def _limit_file_size():
    # Any write past 8 bytes fails with EFBIG (Python ignores SIGXFSZ), even
    # for root, for whom a read-only folder is no obstacle.
    resource.setrlimit(resource.RLIMIT_FSIZE, (8, 8))


def test_failed_write_leaves_the_original_intact(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY, mode=0o640)
    before = snapshot(tmp_path)
    proc = unalpine("-w", "--backup", "Dockerfile", cwd=tmp_path, preexec_fn=_limit_file_size, check=2)
    assert proc.err.splitlines()[0] == "Dockerfile: cannot write: File too large"
    assert snapshot(tmp_path) == before  # no temp file, no .bak, original bytes
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path):
    write(tmp_path / "ro/Dockerfile", BASE_ONLY)
    (tmp_path / "ro").chmod(0o555)
    try:
        proc = unalpine("-w", "ro", cwd=tmp_path, check=2)
        assert proc.err.splitlines()[0] == "ro/Dockerfile: cannot write: Permission denied"
        assert os.listdir(tmp_path / "ro") == ["Dockerfile"]
        assert (tmp_path / "ro/Dockerfile").read_text() == BASE_ONLY
    finally:
        (tmp_path / "ro").chmod(0o755)


# --- a real terminal ----------------------------------------------------------------

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][AB0-2]|\x1b[=>]")


def _default_sigint() -> None:
    # A command started in the background by a non-interactive shell inherits
    # SIGINT ignored (POSIX), and Python then keeps ignoring it; a person's
    # terminal gives its commands the default. So the Ctrl-C tests do not
    # depend on how the test run itself was started.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """The command on a pseudo-terminal (stdin, stdout and stderr), as a
    person at a keyboard would run it."""

    def __init__(self, argv, cwd, env=None):
        import fcntl
        import pty
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
        env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "160", "LINES": "40", **(env or {})}
        self.proc = subprocess.Popen(
            argv, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            preexec_fn=_default_sigint,
        )
        os.close(slave)
        self.seen = b""

    def text(self) -> str:
        return ANSI.sub(b"", self.seen).decode("utf-8", "replace")

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the other side is closed
            return False
        if not chunk:
            return False
        self.seen += chunk
        return True

    def expect(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline or not self._read(0.2):
                raise AssertionError(f"never saw {needle!r}; the terminal showed:\n{self.text()}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            if self.proc.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                break
        code = self.proc.wait(timeout=10)
        os.close(self.master)
        return code


def test_terminal_question_free_text_diff_and_confirm(tmp_path):
    asked = decision_of(tmp_path)
    write(tmp_path / "Dockerfile", UNKNOWN, mode=0o600)
    # Where is the free-text option? Recommended first, then the rest in order.
    probe = json.loads(unalpine("--json", "--save-answers", "t.toml", "Dockerfile", cwd=tmp_path, check=3).out)
    unresolved = probe["files"][0]["unresolved"][0]
    options = sorted(unresolved["options"], key=lambda option: option["value"] != unresolved["recommended"])
    free = next(i for i, option in enumerate(options) if option["free_text"])

    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "--save-answers", "saved.toml", "Dockerfile"], tmp_path)
    term.expect(f"Dockerfile:{asked['line']}: {asked['rule']}")
    term.expect("(recommended)")
    term.send("j" * free + "\r")  # move down to "other" and take it
    term.expect(options[free]["label"] + ":")
    term.send("libzzz-dev\r")
    term.expect("+++ b/Dockerfile")  # the diff, then the question whether to write
    term.expect("Write these changes to 1 file?")
    term.send("y")
    code = term.finish()
    assert code == 0, term.text()
    after = (tmp_path / "Dockerfile").read_text()
    assert "libzzz-dev" in after and "zzzunknown-dev" not in after
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o600
    assert tomllib.loads((tmp_path / "saved.toml").read_text())["answers"] == {asked["key"]: "libzzz-dev"}


def test_terminal_declining_writes_nothing(tmp_path):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "Dockerfile"], tmp_path)
    term.expect("Write these changes to 1 file?")
    term.send("n")
    assert term.finish() == 0
    assert (tmp_path / "Dockerfile").read_text() == BASE_ONLY


def test_terminal_ctrl_c_at_a_question_writes_nothing(tmp_path):
    write(tmp_path / "a/Dockerfile", BASE_ONLY)
    write(tmp_path / "b/Dockerfile", UNKNOWN)
    before = snapshot(tmp_path)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "-w", "."], tmp_path)
    term.expect("(recommended)")
    term.send("\x03")
    assert term.finish() == 130
    assert "unalpine: interrupted" in term.text()
    assert snapshot(tmp_path) == before


def test_reader_leaving_the_pipe_is_not_a_traceback(tmp_path):
    for i in range(300):
        write(tmp_path / f"svc{i:03}/Dockerfile", BASE_ONLY)
    read, write_end = os.pipe()
    os.close(read)  # like `| head` that has already exited
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", *BASE_ARGS, "--diff", "-q", "."],
        cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE, timeout=60,
    )
    os.close(write_end)
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


def test_build_without_an_engine(tmp_path):
    """--build on a machine with neither docker nor podman: one line, exit 2,
    nothing written (PATH holds only the interpreter)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    dockerfile = write(tmp_path / "app" / "Dockerfile", BASE_ONLY)
    before = snapshot(tmp_path / "app")
    proc = unalpine("--yes", "--write", "--build", "app/Dockerfile", cwd=tmp_path, env={"PATH": str(bin_dir)})
    assert proc.returncode == 2
    assert proc.err == "unalpine: --build needs docker or podman on PATH, and neither is there\n"
    assert proc.out == ""
    assert snapshot(tmp_path / "app") == before
    assert dockerfile.read_text() == BASE_ONLY


@pytest.mark.parametrize("args, message", [
    (["--compare", "Dockerfile"], "--compare needs --build"),
    (["--build", "-"], "--build needs a file and its folder, not '-' (stdin)"),
])
def test_build_usage_errors(tmp_path, args, message):
    write(tmp_path / "Dockerfile", BASE_ONLY)
    proc = unalpine(*args, cwd=tmp_path, input=BASE_ONLY.encode())
    assert proc.returncode == 2
    assert message in proc.err


def test_build_with_an_engine_that_does_not_answer(tmp_path):
    """A docker client whose daemon is not there (here: a script that fails
    like one) is not an engine: one line naming why, exit 2."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    write(bin_dir / "docker", "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n", mode=0o755)
    write(tmp_path / "app" / "Dockerfile", BASE_ONLY)
    proc = unalpine("--yes", "--build", "app/Dockerfile", cwd=tmp_path, env={"PATH": str(bin_dir)})
    assert proc.returncode == 2
    assert proc.err == "unalpine: --build: no container engine answers: `docker info` failed: Cannot connect to the Docker daemon\n"


def test_a_file_name_that_is_not_utf8_is_shown_as_its_bytes(tmp_path):
    """A folder named in another encoding (bytes os.fsdecode holds as
    surrogates): the diff names it by its bytes on disk, with no traceback."""
    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    try:
        os.mkdir(folder)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    with open(os.path.join(folder, b"Dockerfile"), "w") as handle:
        handle.write(BASE_ONLY)
    proc = subprocess.run([sys.executable, "-m", "migrator", *BASE_ARGS, "--yes", "--diff", "."], cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"--- a/caf\xe9/Dockerfile\n" in proc.stdout
