"""migrator.programs: the programs an instruction runs; migrator.debian.commands: who ships them."""

import pytest

from migrator.debian import commands
from migrator.debian.depsolver import PYTHON_SLIM_EXTRAS
from migrator.document import parse
from migrator.programs import uses


def programs(text):
    document = parse("FROM alpine:3.20\n" + text + "\n")
    return [(u.program, u.busybox is not None) for i in document.instructions for u in uses(i, document.text)]


@pytest.mark.parametrize(("line", "expected"), [
    ("RUN wget -q x && tar xf x", ["wget", "tar"]),
    ("RUN f() { xxd -r a; }; f; $TOOL run; ./build.sh; bin/run", ["xxd"]),
    ("RUN set -e; cd /x; echo hi; exec gosu app ps aux", ["gosu", "ps"]),
    ("RUN sh -c 'ip addr && bc -l'", ["sh", "ip", "bc"]),
    ("RUN timeout 5 nc -z db 5432 && env A=1 B=2 less x && nice -n 5 xargs -n1 unzip < list", ["timeout", "nc", "env", "less", "nice", "xargs", "unzip"]),
    ("RUN command -v setcap && /usr/sbin/setcap x && /opt/tool/bin/run", ["setcap"]),
    ("RUN busybox wget -q x", [("wget", True)]),
    ("RUN busybox --install -s", ["busybox"]),
    ('CMD ["tini", "--", "busybox", "nc", "-l"]', ["tini", ("nc", True)]),
    ('HEALTHCHECK --interval=5s CMD ["sh", "-c", "ping -c1 db || exit 1"]', ["sh", "ping"]),
    ("HEALTHCHECK CMD wget -qO- localhost || exit 1", ["wget"]),
    ("ENTRYPOINT /bin/sh -c \"nslookup x\"", ["sh", "nslookup"]),
    ("HEALTHCHECK NONE", []),
    ("ONBUILD RUN wget x", []),
    ("RUN <<EOF\nset -e\nps aux\nEOF", ["ps"]),
])
def test_programs_an_instruction_runs(line, expected):
    want = [item if isinstance(item, tuple) else (item, False) for item in expected]
    assert programs(line) == want


def test_the_python_image_lists_cover_what_the_resolver_installs():
    for suite in ("bullseye", "bookworm", "trixie"):
        index = commands.CommandIndex.load(suite)
        extras = {alt.strip() for extra in PYTHON_SLIM_EXTRAS for alt in extra.split("|")}
        assert index.programs(extras) <= index.programs(commands.PYTHON_IMAGE_PACKAGES)


def test_image_programs():
    debian = commands.image_programs("trixie", "debian")
    python = commands.image_programs("trixie", "python")
    assert {"sh", "bash", "apt-get", "tar", "sed", "awk", "useradd"} <= debian
    assert not {"wget", "curl", "ps", "adduser"} & debian  # trixie's base has no adduser
    assert "adduser" in commands.image_programs("bookworm", "debian")
    assert python - debian == {"update-ca-certificates"}
    assert commands.python_image_program("pip3.12") and commands.python_image_program("python")
    assert not commands.python_image_program("gunicorn")
    assert "gunicorn" in commands.CommandIndex.load("trixie").pip_or_npm
