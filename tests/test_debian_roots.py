"""Real Debian roots: what the migrated files install really installs, and the
resolver agrees with apt.

debootstrap builds a minbase root per suite (what debian:<suite>-slim is),
kept in $UNALPINE_CI_CACHE (default /var/cache/unalpine-ci) between runs and
refreshed (apt-get update, dist-upgrade) when older than a few hours. apt's
simulation runs in the cached root; real installs run in a throw-away copy,
so the cached root stays clean for the next test and the next run.

Marked `slow`: left out of the default run, run by .ci/run in a second step.
Skips, saying why, only where the machine cannot do it (not root, no
debootstrap, no route to the archive).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.debian.depsolver import installed_from_status, minbase
from migrator.debian.packages_index import load_files
from migrator.packages import PackageTable
from migrator.verify.apt import install_lines

from debian_roots import CACHE, chroot, ensure_root, record, why_not

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SUITES = ("bookworm", "trixie")


@pytest.fixture(scope="module")
def roots() -> dict[str, Path]:
    reason = why_not()
    if reason:
        pytest.skip(reason)
    return {suite: ensure_root(suite) for suite in SUITES}


# -- the install lines -----------------------------------------------------------


def fixture_lines(suite: str) -> list[tuple[str, list[str]]]:
    """(where, names) of every apt-get install of the after-files on `suite`."""
    found = []
    for path in sorted(glob.glob(str(REPO / "fixtures" / "*" / "after.Dockerfile"))):
        text = Path(path).read_text("utf-8")
        for line, stage_suite, names in install_lines(text):
            if stage_suite == suite:
                found.append((f"{Path(path).parent.name}:{line}", names))
    return found


def table_lines(suite: str, per_line: int = 10) -> list[tuple[str, list[str]]]:
    """Every Debian name the mapping table emits for `suite`, as install lines
    of a few names each (alphabetical, so a run is repeatable)."""
    table = PackageTable.load()
    names: set[str] = set()
    for apk in table.names():
        for base in ("python", "debian"):
            mapping = table.lookup(apk, suite, base)
            if mapping.kind == "map":
                names.update(mapping.names)
            for choice in mapping.choices:
                names.update(getattr(choice, "names", ()) or ())
    ordered = sorted(names)
    return [(f"table[{i}]", ordered[i : i + per_line]) for i in range(0, len(ordered), per_line)]


_INST = re.compile(r"^Inst (\S+)", re.M)


def root_index(root: Path, suite: str):
    """The index apt reads in `root`, its lists in sources.list order (the
    order apt numbers packages in, which decides ties between providers)."""
    lists = root / "var" / "lib" / "apt" / "lists"
    files = [lists / "deb.debian.org_debian_dists_{}_main_binary-amd64_Packages".format(suite),
             lists / "deb.debian.org_debian_dists_{}-updates_main_binary-amd64_Packages".format(suite),
             lists / "deb.debian.org_debian-security_dists_{}-security_main_binary-amd64_Packages".format(suite)]
    return load_files([path for path in files if path.exists()], suite)


def apt_simulate(root: Path, names: list[str]) -> tuple[bool, set[str], str]:
    process = chroot(root, "apt-get", "install", "-s", "-q", "--no-install-recommends", *names, check=False)
    return process.returncode == 0, set(_INST.findall(process.stdout)), process.stdout + process.stderr


# -- the tests -------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_minbase_is_the_root(roots, suite):
    """The resolver's idea of debian:<suite>-slim is what debootstrap built."""
    root = roots[suite]
    index = root_index(root, suite)
    assert set(minbase(index).installed) == set(installed_from_status(index, root / "var/lib/dpkg/status").installed)


@pytest.mark.parametrize("suite", SUITES)
def test_resolver_agrees_with_apt(roots, suite):
    """On every install line of the fixtures and of the mapping table, the
    resolver and `apt-get install -s` agree: both fail, or both install the
    same set of packages."""
    root = roots[suite]
    index = root_index(root, suite)
    system = installed_from_status(index, root / "var/lib/dpkg/status")
    lines = fixture_lines(suite) + table_lines(suite)
    assert len(lines) >= 50
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        simulated = list(pool.map(lambda line: apt_simulate(root, line[1]), lines))
    disagreements = []
    installable = 0
    for (where, names), (apt_ok, apt_set, output) in zip(lines, simulated):
        ours = system.resolve(names)
        installable += apt_ok
        if apt_ok != ours.ok or (apt_ok and apt_set != ours.names):
            disagreements.append(
                f"{where} {' '.join(names)}: apt {'ok' if apt_ok else 'fails'}, ours {'ok' if ours.ok else 'fails'}"
                f" {[p.message for p in ours.problems]}; apt only {sorted(apt_set - ours.names)},"
                f" ours only {sorted(ours.names - apt_set)}\n{output[-600:] if not apt_ok else ''}"
            )
    record("agreement", suite=suite, lines=len(lines), installable=installable,
           agree=len(lines) - len(disagreements), seconds=round(time.monotonic() - started, 1))
    assert disagreements == []


@pytest.fixture
def scratch(roots, request):
    """A throw-away copy of a cached root; downloaded .debs are kept in
    $CACHE/archives/<suite> so the next run does not fetch them again."""
    copies = []

    def make(suite: str) -> Path:
        work = CACHE / "work" / f"{suite}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", "--reflink=auto", str(roots[suite]), str(work)], check=True)
        copies.append((suite, work))
        debs = CACHE / "archives" / suite
        debs.mkdir(parents=True, exist_ok=True)
        for deb in debs.glob("*.deb"):
            os.link(deb, work / "var" / "cache" / "apt" / "archives" / deb.name)
        # gosu and some maintainer scripts read /proc/self
        subprocess.run(["mount", "-t", "proc", "proc", str(work / "proc")], check=True)
        return work

    yield make
    for suite, work in copies:
        for deb in (work / "var" / "cache" / "apt" / "archives").glob("*.deb"):
            kept = CACHE / "archives" / suite / deb.name
            if not kept.exists():
                os.link(deb, kept)
        # never delete through a mounted /proc: the copy stays if it cannot be unmounted
        if subprocess.run(["umount", str(work / "proc")]).returncode == 0:
            shutil.rmtree(work, ignore_errors=True)


def _installed_megabytes(root: Path) -> int:
    out = chroot(root, "dpkg-query", "-W", "-f", "${Installed-Size}\n").stdout
    return sum(int(size) for size in out.split() if size.isdigit()) // 1024


@pytest.mark.parametrize("suite", SUITES)
def test_fixture_installs_really_install(scratch, suite):
    """The apt steps of the migrated fixtures, really: every line succeeds,
    and the tools they bring run."""
    work = scratch(suite)
    lines = fixture_lines(suite)
    assert lines
    started = time.monotonic()
    before = _installed_megabytes(work)
    for where, names in lines:
        process = chroot(work, "apt-get", "install", "-y", "-q", "--no-install-recommends", *names, check=False)
        assert process.returncode == 0, f"{where}: apt-get install {' '.join(names)}\n{process.stdout[-2000:]}\n{process.stderr[-2000:]}"
    debs = sum(deb.stat().st_size for deb in (work / "var" / "cache" / "apt" / "archives").glob("*.deb"))
    record("real-installs", suite=suite, lines=len(lines), seconds=round(time.monotonic() - started, 1),
           deb_megabytes=round(debs / 1e6), installed_megabytes=_installed_megabytes(work) - before)
    versions = {}
    for tool in ("tini", "gosu", "gcc", "psql"):
        if chroot(work, "sh", "-c", f"command -v {tool}", check=False).returncode == 0:
            process = chroot(work, tool, "--version", check=False)
            assert process.returncode == 0, f"{tool} --version: {process.stderr}"
            versions[tool] = (process.stdout or process.stderr).splitlines()[0]
    assert "gcc" in versions
    if suite == "trixie":  # tini_ash_su_exec, mappings_overlay: tini, gosu, psql
        assert set(versions) == {"tini", "gosu", "gcc", "psql"}, versions


def _run_lines(after: Path) -> list[str]:
    """The shell of each RUN of an after-file."""
    from migrator.document import parse
    from migrator.shell import script_of

    text = after.read_text("utf-8")
    return [script.text for i in parse(text).instructions if (script := script_of(i, text)) is not None]


def test_users_come_out_as_alpine_meant(scratch):
    """fixtures/busybox_users: `addgroup -S -g 1001 svc`, `adduser -S -D -H
    -u 1001 -G svc -h /srv/svc -s /sbin/nologin svc`, `addgroup svc www-data`
    meant: system group svc 1001; system user svc 1001 in it, with home
    /srv/svc not created, login shell nologin, no password; also in www-data."""
    work = scratch("trixie")
    for script in _run_lines(REPO / "fixtures" / "busybox_users" / "after.Dockerfile"):
        chroot(work, "bash", "-c", script)
    assert chroot(work, "id", "svc").stdout.strip() == "uid=1001(svc) gid=1001(svc) groups=1001(svc),33(www-data)"
    name, _, uid, gid, _, home, shell = chroot(work, "getent", "passwd", "svc").stdout.strip().split(":")
    assert (uid, gid, home, shell) == ("1001", "1001", "/srv/svc", "/usr/sbin/nologin")
    assert not (work / "srv" / "svc").exists()  # -H: no home folder
    assert chroot(work, "getent", "shadow", "svc").stdout.split(":")[1] in ("!", "*", "!*")  # -D: no password
    assert chroot(work, "getent", "group", "svc").stdout.startswith("svc:x:1001:")


@pytest.mark.parametrize("suite", SUITES)
def test_users_with_variables_long_options_and_debian_accounts(scratch, suite):
    """fixtures/users_long_options_variables: ids from build args, busybox's
    long options, an empty home readable by all (busybox made it 2755 from
    an empty /etc/skel), and www-data moved to Alpine's 82."""
    work = scratch(suite)
    after = (REPO / "fixtures" / "users_long_options_variables" / "after.Dockerfile").read_text("utf-8")
    if suite != "trixie":  # the rule writes HOME_MODE for trixie only; bookworm's default is 0755 already
        after = after.replace(" -K HOME_MODE=0755", "")
    scratch_file = work / "tmp" / "after.Dockerfile"
    scratch_file.write_text(after)
    for script in _run_lines(scratch_file):
        chroot(work, "env", "APP_UID=1000", "APP_GID=1000", "bash", "-c", script)
    assert chroot(work, "id", "app").stdout.strip() == "uid=1000(app) gid=1000(app) groups=1000(app)"
    home = work / "home" / "app"
    assert list(home.iterdir()) == []  # no .bashrc, .profile from Debian's /etc/skel
    assert oct(home.stat().st_mode & 0o777) == "0o755"
    assert home.stat().st_uid == 1000
    assert chroot(work, "id", "www-data").stdout.strip() == "uid=82(www-data) gid=82(www-data) groups=82(www-data)"


@pytest.mark.network
@pytest.mark.parametrize("suite", SUITES)
def test_pip_upgrade_over_debians_pip(scratch, suite):
    """fixtures/debian_pip_upgrade: trixie's python3-pip cannot uninstall
    itself (no RECORD file); with --ignore-installed the new pip goes to
    /usr/local and is the one on PATH, on bookworm too. pip reaches PyPI through the host's
    CA bundle (Debian's pip reads REQUESTS_CA_BUNDLE, not PIP_CERT)."""
    work = scratch(suite)
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.is_file():
        pytest.skip("no host CA bundle to reach PyPI with")
    shutil.copy(bundle, work / "host-ca.crt")
    chroot(work, "apt-get", "install", "-y", "-q", "--no-install-recommends", "python3-pip", "python3-venv")
    after = (REPO / "fixtures" / "debian_pip_upgrade" / "after.Dockerfile").read_text("utf-8")
    upgrade = next(line for line in after.splitlines() if "--ignore-installed" in line).removeprefix("RUN ")
    ca = ["env", "REQUESTS_CA_BUNDLE=/host-ca.crt", "SSL_CERT_FILE=/host-ca.crt"]
    plain = chroot(work, *ca, "bash", "-c", upgrade.replace(" --ignore-installed", ""), check=False)
    if suite == "trixie":
        assert plain.returncode != 0 and "no RECORD file" in plain.stdout + plain.stderr
    else:  # bookworm's pip 23.0 leaves Debian's copy alone and installs over it: UA503 is for trixie only
        assert plain.returncode == 0, plain.stdout + plain.stderr
    chroot(work, *ca, "bash", "-c", upgrade)
    assert chroot(work, "bash", "-c", "command -v pip").stdout.strip() == "/usr/local/bin/pip"
    assert "/usr/local/lib/" in chroot(work, "python3", "-m", "pip", "--version").stdout


@pytest.mark.parametrize("suite", SUITES)
def test_cron_comes_out_as_busybox_ran_it(scratch, suite):
    """fixtures/cron_busybox: cron installed, the crontab COPY'd to
    /etc/crontabs/root and appended to is what `crontab -l` shows, and the
    CMD's program is there and stays in the foreground."""
    work = scratch(suite)
    after = REPO / "fixtures" / "cron_busybox" / "after.Dockerfile"
    (work / "app").mkdir(exist_ok=True)
    for script in _run_lines(after):
        if "crontab -u root" in script and not (work / "etc" / "crontabs" / "root").exists():
            # the COPY before it
            (work / "etc" / "crontabs").mkdir(parents=True, exist_ok=True)
            (work / "etc" / "crontabs" / "root").write_text("0 3 * * * python /app/backup.py\n")
        chroot(work, "bash", "-c", script)
    assert chroot(work, "crontab", "-l", "-u", "root").stdout.splitlines() == [
        "0 3 * * * python /app/backup.py", "*/15 * * * * python /app/backup.py --quick"]
    process = chroot(work, "timeout", "3", "cron", "-f", check=False)
    assert process.returncode == 124, process.stderr  # still running when stopped


@pytest.mark.parametrize("suite", SUITES)
def test_python_modules_debian_ships_apart(scratch, suite):
    """fixtures/debian_python_modules: Debian's python3 makes no venv
    without python3-venv and never runs ensurepip (UA504 installs
    python3-venv, and python3-pip in ensurepip's place)."""
    work = scratch(suite)
    after = REPO / "fixtures" / "debian_python_modules" / "after.Dockerfile"
    scripts = _run_lines(after)
    chroot(work, "apt-get", "install", "-y", "-q", "--no-install-recommends", "python3")
    bare = chroot(work, "python3", "-m", "venv", "/opt/bare", check=False)
    assert bare.returncode != 0 and "ensurepip is not" in bare.stdout + bare.stderr
    for script in scripts[2:4]:  # the second stage: its install, then the venv
        chroot(work, "bash", "-c", script)
    assert chroot(work, "/opt/venv/bin/python", "-m", "pip", "--version").returncode == 0
    chroot(work, "bash", "-c", scripts[0])  # the first stage's install: python3-pip
    assert chroot(work, "pip3", "--version").returncode == 0
    ensurepip = chroot(work, "python3", "-m", "ensurepip", check=False)
    assert ensurepip.returncode != 0 and "ensurepip is disabled" in ensurepip.stdout + ensurepip.stderr


@pytest.mark.parametrize("suite", SUITES)
def test_a_home_the_workdir_made_goes_to_the_user(scratch, suite):
    """fixtures/users_existing_home: WORKDIR /app made the folder; busybox
    adduser -h /app gave it to app, and so does the migrated RUN."""
    work = scratch(suite)
    (work / "app").mkdir()
    (work / "app" / "main.py").write_text("")
    after = (REPO / "fixtures" / "users_existing_home" / "after.Dockerfile").read_text("utf-8")
    if suite != "trixie":
        after = after.replace(" -K HOME_MODE=0755", "")
    scratch_file = work / "tmp" / "after.Dockerfile"
    scratch_file.write_text(after)
    for script in _run_lines(scratch_file):
        chroot(work, "bash", "-c", script)
    uid = int(chroot(work, "id", "-u", "app").stdout)
    assert (work / "app").stat().st_uid == uid
    assert sorted(p.name for p in (work / "app").iterdir()) == ["main.py"]  # no skeleton dotfiles


def test_adduser_installed_for_a_call_in_debians_syntax(scratch):
    """fixtures/users_trixie_adduser: trixie's base has no adduser; the
    migrated RUN installs it and the call runs."""
    work = scratch("trixie")
    assert not (work / "usr" / "sbin" / "adduser").exists()
    for script in _run_lines(REPO / "fixtures" / "users_trixie_adduser" / "after.Dockerfile"):
        chroot(work, "bash", "-c", script)
    assert chroot(work, "id", "-u", "app").stdout.strip() == "1000"


def test_debian_accounts_are_the_ones_the_users_rule_knows(roots):
    """UA402's table of the accounts every Debian image has."""
    from migrator.rules.users import DEBIAN_GROUPS, DEBIAN_USERS

    for suite, root in roots.items():
        groups = {line.split(":")[0]: int(line.split(":")[2]) for line in (root / "etc" / "group").read_text().splitlines()}
        users = {line.split(":")[0]: int(line.split(":")[2]) for line in (root / "etc" / "passwd").read_text().splitlines()}
        assert groups == DEBIAN_GROUPS, suite
        assert users == DEBIAN_USERS, suite


@pytest.mark.parametrize("case", ["good", "missing_name", "virtual_only", "bad_tag", "bad_shell"])
def test_verify_golden_cases_on_the_live_archive(roots, case, tmp_path_factory):
    """The --verify golden cases against Debian's real index (downloaded into
    $CACHE/xdg, reused between runs): the same exit code and the same errors
    as over the hand-written index, up to the lists of providers."""
    expected = (REPO / "tests" / "verify_cases" / case / "expected.txt").read_text()
    code, _, stderr = expected.partition("\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(CACHE / "xdg"))
    process = subprocess.run([sys.executable, "-m", "migrator", "--verify", f"tests/verify_cases/{case}/Dockerfile"],
                             capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert process.returncode == int(code.removeprefix("exit ")), process.stderr
    errors = [line for line in stderr.splitlines() if " error: " in line]
    got = [line for line in process.stderr.splitlines() if " error: " in line]
    strip = re.compile(r"provided by .*: name one of them")
    assert [strip.sub("", line) for line in got] == [strip.sub("", line) for line in errors]
