"""Batches for real: --check as a CI gate, the same bytes with one process or
two, the closing summary."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import sys
from pathlib import Path

import pytest

from test_cli import BASE_ARGS, BASE_ONLY, PLAIN, UNKNOWN, Terminal, snapshot, unalpine, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# --- --check: a CI gate ------------------------------------------------------------


def test_check_with_an_open_question_decides_and_exits_1(tmp_path):
    write(tmp_path / "a/Dockerfile", UNKNOWN)
    write(tmp_path / "b/Dockerfile", PLAIN)
    before = snapshot(tmp_path)
    proc = unalpine("--check", ".", cwd=tmp_path, check=1)
    assert snapshot(tmp_path) == before
    assert proc.out == ""
    assert re.search(r"^a/Dockerfile:2: UA\d+ would choose '[^']+' for: .*zzzunknown-dev", proc.err, re.M), proc.err
    assert "would migrate a/Dockerfile" in proc.err
    assert "nothing was written" not in proc.err  # not the exit-3 message
    # --diff shows what the recommended answers give: what --yes would write.
    diff = unalpine("--check", "--diff", ".", cwd=tmp_path, check=1).out
    assert diff == unalpine("--yes", "--diff", ".", cwd=tmp_path, check=0).out != ""
    # An answers file still comes first.
    asked = json.loads(unalpine("--json", "--yes", "a/Dockerfile", cwd=tmp_path, check=0).out)
    key = asked["files"][0]["answers"][0]["key"]
    write(tmp_path / "answers.toml", f'"{key}" = "libzzz-dev"\n')
    proc = unalpine("--check", "--diff", "--answers", "answers.toml", "a", cwd=tmp_path, check=1)
    assert "+RUN apt-get update" in proc.out and "libzzz-dev" in proc.out
    assert "would choose" not in proc.err


def test_check_exit_codes(tmp_path):
    write(tmp_path / "clean/Dockerfile", PLAIN)
    assert unalpine("--check", "clean", cwd=tmp_path, check=0).out == ""
    # After --yes -w, --check is satisfied: the gate can be passed.
    write(tmp_path / "todo/Dockerfile", UNKNOWN)
    unalpine("--yes", "-w", "todo", cwd=tmp_path, check=0)
    unalpine("--check", "todo", cwd=tmp_path, check=0)
    # A broken file is still an error (2), whatever else would change.
    write(tmp_path / "broken/Dockerfile", b"FROM alpine\n\xff\n")
    write(tmp_path / "broken/b/Dockerfile", UNKNOWN)
    unalpine("--check", "broken", cwd=tmp_path, check=2)
    # stdin too
    assert unalpine("--check", "-", cwd=tmp_path, input=UNKNOWN.encode()).returncode == 1


def test_check_never_prompts_at_a_terminal(tmp_path):
    write(tmp_path / "Dockerfile", UNKNOWN)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "--check", "Dockerfile"], tmp_path)
    code = term.finish()
    assert code == 1, term.text()
    assert "(recommended)" not in term.text()
    assert "would choose" in term.text()
    assert (tmp_path / "Dockerfile").read_text() == UNKNOWN


# --- the same bytes with one process or two ------------------------------------------


def varied_fleet(root: Path, count: int) -> None:
    """`count` folders holding fixture before-files, each made different by a
    comment and a changed WORKDIR, plus a broken and an unfinished one."""
    sources = sorted(FIXTURES.glob("*/before.Dockerfile"))
    for index in range(count):
        text = sources[index % len(sources)].read_text()
        text = f"# service {index}\n" + text + f"WORKDIR /srv/{index}\n"
        write(root / f"svc{index:03d}" / "Dockerfile", text)
    write(root / "svc050/broken/Dockerfile", b"FROM alpine\nRUN echo \xff\n")


def test_one_process_or_two_give_the_same_bytes(tmp_path):
    varied_fleet(tmp_path, 160)
    for mode in (["--yes", "--diff"], ["--yes", "--json"], ["--check", "--diff"]):
        one = unalpine(*mode, "-j", "1", ".", cwd=tmp_path)
        two = unalpine(*mode, "-j", "2", ".", cwd=tmp_path)
        assert one.returncode == two.returncode == 2, one.err[-500:]
        assert one.stdout == two.stdout
        assert one.stderr == two.stderr
        assert one.stdout.count(b"+++ b/") >= 100 or b'"files"' in one.stdout
    # and the order is the sorted order of the paths
    diff = unalpine("--yes", "--diff", "-j", "2", ".", cwd=tmp_path).out
    paths = re.findall(r"^\+\+\+ b/(\S+)", diff, re.M)
    assert paths == sorted(paths)
    # the default (two cores here) writes what one process writes
    copy = tmp_path.parent / (tmp_path.name + "-copy")
    varied_fleet(copy, 160)
    unalpine("--yes", "-w", ".", cwd=tmp_path)
    unalpine("--yes", "-w", "-j", "1", ".", cwd=copy)
    assert snapshot(tmp_path) == snapshot(copy)


def _limit_file_size():
    # Every file write past 1,000 bytes fails with EFBIG, for root too, in
    # the forked workers as well (they inherit the limit).
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))


def test_write_errors_in_a_parallel_batch_are_reported_in_order(tmp_path):
    # A batch stages each file's new bytes in the worker that checked it;
    # a file that cannot be written is still one line in file order, exit 2,
    # its original intact, the others written, no temporary file left behind.
    trees = []
    for name in ("one", "two"):
        root = tmp_path / name
        for index in range(80):
            padding = f"# {'x' * 1500}\n" if index % 3 == 0 else ""
            write(root / f"svc{index:02d}" / "Dockerfile", BASE_ONLY + f"WORKDIR /srv/{index}\n" + padding)
        before = snapshot(root)
        jobs = "1" if name == "one" else "2"
        proc = unalpine("--yes", "-w", "--backup", "-j", jobs, ".", cwd=root, preexec_fn=_limit_file_size, check=2)
        failed = [line for line in proc.err.splitlines() if "cannot write" in line]
        assert failed == [f"svc{index:02d}/Dockerfile: cannot write: File too large" for index in range(0, 80, 3)]
        after = snapshot(root)
        assert not [path for path in after if "unalpine-tmp" in path]
        for index in range(80):
            path = f"svc{index:02d}/Dockerfile"
            if index % 3 == 0:
                assert after[path] == before[path] and path + ".bak" not in after
            else:
                assert after[path] != before[path] and after[path + ".bak"] == before[path]
        trees.append((proc.stderr, after))
    assert trees[0] == trees[1]


def test_a_file_that_cannot_be_replaced_in_a_parallel_batch(tmp_path):
    # Staged while checking, then moved into place by several threads: a
    # rename that fails (an immutable file: EPERM even for root) is that
    # file's error, said in file order; the others are written; no
    # temporary file is left.
    import subprocess

    for index in range(80):
        write(tmp_path / f"svc{index:02d}" / "Dockerfile", BASE_ONLY + f"WORKDIR /srv/{index}\n")
    stuck = [tmp_path / f"svc{index:02d}" / "Dockerfile" for index in (13, 57)]
    if subprocess.run(["chattr", "+i", *map(str, stuck)], capture_output=True).returncode != 0:
        pytest.skip("no chattr +i on this filesystem")
    try:
        proc = unalpine("--yes", "-w", "-j", "2", ".", cwd=tmp_path, check=2)
    finally:
        subprocess.run(["chattr", "-i", *map(str, stuck)], check=True)
    failed = [line for line in proc.err.splitlines() if "cannot write" in line]
    assert failed == ["svc13/Dockerfile: cannot write: Operation not permitted",
                      "svc57/Dockerfile: cannot write: Operation not permitted"]
    after = snapshot(tmp_path)
    assert not [path for path in after if "unalpine-tmp" in path]
    assert sum(BASE_ONLY.encode() in data for data in after.values()) == 2  # only the two stuck ones
    assert "78 migrated" in proc.err and "2 failed" in proc.err


def test_an_open_question_in_a_parallel_write_writes_nothing(tmp_path):
    for index in range(80):
        write(tmp_path / f"svc{index:02d}" / "Dockerfile", BASE_ONLY + f"WORKDIR /srv/{index}\n")
    write(tmp_path / "svc40/Dockerfile", UNKNOWN)
    before = snapshot(tmp_path)
    proc = unalpine("-w", "-j", "2", ".", cwd=tmp_path, check=3)
    assert "nothing was written" in proc.err
    assert snapshot(tmp_path) == before  # the other files' staged bytes are gone too


def test_a_parallel_batch_keeps_what_its_workers_worked_out(tmp_path):
    # The wheel check's answers are kept between runs (migrator.datacache.Memo).
    # In a batch the workers work most of them out: they save them when
    # they leave, so a later run of a file only a worker saw needs no
    # packaging (and reads no index page) either.
    import shutil
    import subprocess

    fleet = tmp_path / "fleet"
    for index in range(70):
        folder = fleet / f"svc{index:02d}"
        if index < 20:  # the files checked before the fork have no pip line
            write(folder / "Dockerfile", BASE_ONLY + f"WORKDIR /srv/{index}\n")
        else:
            shutil.copytree(FIXTURES / "blog", folder)
            (folder / "before.Dockerfile").rename(folder / "Dockerfile")
            (folder / "after.Dockerfile").unlink()
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    unalpine("--yes", "--diff", "-j", "2", ".", cwd=fleet, env=env, check=0)
    probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "migrator", "--yes", "--diff", "Dockerfile"],
                           cwd=fleet / "svc69", env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in probe.stderr.splitlines() if line.startswith("import time:")}
    assert "migrator.wheels.gather" in imported  # the check ran ...
    assert not {name for name in imported if name.startswith("packaging.")}  # ... on kept answers


# --- summary ---------------------------------------------------------------------------


def test_a_quiet_run_shows_every_warning_and_no_note(tmp_path):
    # A quiet run's workers send the informational findings without their
    # text (batch.RunSettings.want_notes): nothing it shows may change.
    varied_fleet(tmp_path, 60)
    full = unalpine("--yes", "--diff", "-j", "2", ".", cwd=tmp_path, check=2)
    quiet = [unalpine("--yes", "--diff", "-q", "-j", jobs, ".", cwd=tmp_path, check=2) for jobs in ("1", "2")]
    assert quiet[0].stdout == quiet[1].stdout == full.stdout
    assert quiet[0].stderr == quiet[1].stderr
    shown = quiet[0].err.splitlines()
    warnings = [line for line in full.err.splitlines() if " warning: " in line]
    assert len(warnings) > 20
    assert [line for line in shown if " warning: " in line] == warnings
    notes = [line for line in full.err.splitlines() if re.match(r"\S+:\d+: UA\d+ (?!warning: |chose ')", line)]
    assert notes and not set(notes) & set(shown)
    assert set(shown) <= set(full.err.splitlines())


def test_without_notes_keeps_what_the_summary_counts(tmp_path):
    from migrator.batch import FileJob, RunSettings, check_file
    from migrator.options import Options
    from migrator.proposals import Severity
    from migrator.request import RunRequest

    # a note (tzdata is dropped: the image has it), a question taken by --yes
    write(tmp_path / "Dockerfile", "FROM python:3.12-alpine\nRUN apk add --no-cache tzdata zzzunknown-dev\n")
    request = RunRequest([str(tmp_path)], yes=True)
    options = Options(request)
    outcomes = []
    for want_notes in (True, False):
        settings = RunSettings(options.engine_settings(None, [], None, None), options.resolver_factory({}, ""))
        settings.want_answers = False
        settings.want_notes = want_notes
        outcomes.append(check_file(FileJob(str(tmp_path / "Dockerfile"), str(tmp_path / "Dockerfile")), settings))
    whole, counted = outcomes
    assert [(f.rule, f.line, f.severity) for f in whole.findings] == \
        [(f.rule, f.line, f.severity) for f in counted.findings]
    assert any(f.severity is Severity.INFO and f.message for f in whole.findings)
    for before, after in zip(whole.findings, counted.findings):
        assert after.message == ("" if before.severity is Severity.INFO else before.message)
    # --yes took an answer: the summary counts it, without its question
    assert [a.source for a in counted.answers] == ["yes"] and counted.answers[0].decision is None
    assert whole.text == counted.text and whole.changed


def test_summary_counts_and_findings_per_rule(tmp_path):
    write(tmp_path / "a/Dockerfile", UNKNOWN)  # a question, taken with --yes
    write(tmp_path / "b/Dockerfile", BASE_ONLY)
    write(tmp_path / "c/Dockerfile", PLAIN)
    write(tmp_path / "d/Dockerfile", b"\xff")
    proc = unalpine("--yes", "-w", ".", cwd=tmp_path, check=2)
    lines = [line for line in proc.err.splitlines() if line.startswith("unalpine: ")]
    assert lines[0].startswith("unalpine: 4 files scanned, 2 migrated, 1 unchanged, ")
    assert "1 with answers taken by --yes" in lines[0]
    assert lines[0].endswith("1 failed")
    # the written files have no findings left; count them from a fresh copy
    for name in "ab":
        write(tmp_path / name / "Dockerfile", UNKNOWN if name == "a" else BASE_ONLY)
    report = json.loads(unalpine("--json", "--yes", ".", cwd=tmp_path).out)
    counts: dict[str, int] = {}
    warned = 0
    for entry in report["files"]:
        for finding in entry["findings"]:
            counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
        warned += any(f["severity"] == "warning" for f in entry["findings"])
    proc = unalpine("--yes", "--diff", ".", cwd=tmp_path, check=2)
    lines = [line for line in proc.err.splitlines() if line.startswith("unalpine: ")]
    assert lines[0].startswith("unalpine: 4 files scanned, 2 would be migrated, 1 unchanged")
    assert ("with warnings" in lines[0]) == bool(warned)
    assert lines[1] == "unalpine: findings by rule: " + ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))


# --- progress --------------------------------------------------------------------------


def test_progress_bar_on_a_terminal_not_on_a_pipe(tmp_path):
    for index in range(40):
        write(tmp_path / f"svc{index:02d}/Dockerfile", f"# {index}\n" + BASE_ONLY)
    # UNALPINE_PROGRESS_AFTER=0: draw the bar at once, not after a second.
    fast = {"UNALPINE_PROGRESS_AFTER": "0"}
    argv = [sys.executable, "-m", "migrator", *BASE_ARGS, "--yes", "--diff", "-j", "1", "."]
    term = Terminal(argv, tmp_path, env=fast)
    assert term.finish() == 0
    shown = term.text()
    assert re.search(r"unalpine: +\d+%\|.*\| *\d+/40 ", shown), shown[-2000:]
    assert "unalpine: 40 files scanned, 40 would be migrated" in shown
    # The bar waits for the batch to run that long (default: a second).
    term = Terminal(argv, tmp_path, env={"UNALPINE_PROGRESS_AFTER": "3600"})
    assert term.finish() == 0
    assert "%|" not in term.text() and "40 files scanned" in term.text()
    # On pipes: no bar whatever the delay.
    proc = unalpine("--yes", "--diff", "-j", "1", ".", cwd=tmp_path, env=fast, check=0)
    assert "%|" not in proc.err and "\r" not in proc.err
    assert proc.err.startswith("unalpine: 40 files scanned, 40 would be migrated")


# --- at a terminal ------------------------------------------------------------------------

TWO_UNKNOWN = "FROM python:3.12-alpine\nRUN apk add --no-cache zzzunknown-dev yyyother-dev\n"


def options_of(tmp_path, text):
    """How many options the first open question of `text` has (asked of the real rules)."""
    write(tmp_path / "probe/Dockerfile", text)
    report = json.loads(unalpine("--json", "probe/Dockerfile", cwd=tmp_path, check=3).out)
    (tmp_path / "probe/Dockerfile").unlink()
    (tmp_path / "probe").rmdir()
    return len(report["files"][0]["unresolved"][0]["options"])


def lines_of(term):
    return [line.strip() for line in term.text().replace("\r", "\n").split("\n")]


def test_terminal_each_question_once_and_a_reused_answer_said_once(tmp_path):
    write(tmp_path / "a/Dockerfile", TWO_UNKNOWN)
    for name in "bcd":
        write(tmp_path / name / "Dockerfile", UNKNOWN)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "."], tmp_path)
    term.expect("zzzunknown-dev is")
    term.send("\r")
    term.expect("yyyother-dev is")
    term.send("\r")
    term.expect("Write these changes to 4 files?")
    term.send("n")
    assert term.finish() == 0
    lines = lines_of(term)
    # Both questions are about a/Dockerfile line 2: one header for the two.
    assert lines.count("a/Dockerfile:2: UA202") == 1, term.text()
    # Three more files ask the first question again: answered from the
    # first answer, and said once.
    said = [line for line in lines if "using your earlier answer" in line]
    assert len(said) == 1 and said[0].startswith("b/Dockerfile:2: UA202"), said
    assert "(recommended)" not in "".join(line for line in lines if line.startswith(("b/", "c/", "d/")))
    assert all((tmp_path / name / "Dockerfile").read_text() == UNKNOWN for name in "bcd")


def test_terminal_skip_this_file(tmp_path):
    skip_at = options_of(tmp_path, UNKNOWN)  # after the rule's own options
    write(tmp_path / "a/Dockerfile", UNKNOWN)
    write(tmp_path / "b/Dockerfile", BASE_ONLY)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "-w", "."], tmp_path)
    term.expect("skip this file (leave a/Dockerfile as it is)")
    term.expect("quit, write nothing")
    term.send("j" * skip_at + "\r")
    code = term.finish()
    assert code == 0, term.text()
    assert "a/Dockerfile: skipped; left as it is" in term.text()
    assert "1 skipped" in term.text()
    assert (tmp_path / "a/Dockerfile").read_text() == UNKNOWN
    assert (tmp_path / "b/Dockerfile").read_text() != BASE_ONLY


def test_terminal_quit_writes_nothing(tmp_path):
    quit_at = options_of(tmp_path, UNKNOWN) + 1
    write(tmp_path / "a/Dockerfile", BASE_ONLY)
    write(tmp_path / "b/Dockerfile", UNKNOWN)
    before = snapshot(tmp_path)
    term = Terminal([sys.executable, "-m", "migrator", *BASE_ARGS, "-w", "."], tmp_path)
    term.expect("quit, write nothing")
    term.send("j" * quit_at + "\r")
    assert term.finish() == 3
    assert "unalpine: quit; nothing was written" in term.text()
    assert snapshot(tmp_path) == before


def test_ctrl_c_stops_a_parallel_batch_quietly(tmp_path):
    varied_fleet(tmp_path, 4000)  # seconds of work: the signal comes well before the end
    before = snapshot(tmp_path)
    argv = [sys.executable, "-m", "migrator", *BASE_ARGS, "--yes", "-w", "-j", "2", "."]
    term = Terminal(argv, tmp_path, env={"UNALPINE_PROGRESS_AFTER": "0"})
    term.expect("%|")  # the workers are busy
    # What a terminal does on Ctrl-C: SIGINT to the whole foreground process
    # group, the workers included (Terminal's child leads its own group).
    os.killpg(term.proc.pid, signal.SIGINT)
    assert term.finish() == 130, term.text()[-2000:]
    assert "unalpine: interrupted" in term.text()
    assert "Traceback" not in term.text() and "ForkPoolWorker" not in term.text()
    assert snapshot(tmp_path) == before  # nothing is written before every file is checked
