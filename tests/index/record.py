"""Record the package index answers the offline tests use.

    python tests/index/record.py                 # every project below, from PyPI
    python tests/index/record.py NAME ...        # just these (added to PROJECTS first)
    UNALPINE_RECORD_INDEX=URL python tests/index/record.py   # from another PEP 691 index

Each project's PEP 691 JSON page is fetched with unalpine's own client,
trimmed to what the wheel check reads (file names, requires-python, yanked),
and written gzipped to tests/index/<name>.json.gz; RECORDED.txt says when and
from where. Recordings are facts about the index on that day: tests compare
unalpine with pip on them, never with answers typed by hand.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from migrator.wheels.index import PYPI, Client  # noqa: E402

# Mixed on purpose: pure Python, abi3, per-version wheels, sdist only, and
# projects whose old releases predate wheels for the Pythons tested.
PROJECTS = [
    # pure Python
    "django", "requests", "six", "idna", "urllib3", "certifi", "flask", "click", "attrs", "sqlparse",
    "asgiref", "pytz", "jinja2", "gunicorn", "docopt",
    # abi3
    "cryptography", "bcrypt", "argon2-cffi-bindings", "pynacl",
    # per-version wheels
    "numpy", "pillow", "lxml", "psycopg2-binary", "pyyaml", "markupsafe", "cffi", "ujson", "orjson",
    "pydantic-core", "psutil", "greenlet", "msgpack", "pandas", "regex",
    # sdist only (on Linux)
    "psycopg2", "mysqlclient", "python-ldap", "uwsgi",
    # the lock-file fixture
    "poetry", "pycparser",
    # pure Python, its old releases sdist only
    "ansible",
]


def main(argv: list[str]) -> int:
    url = os.environ.get("UNALPINE_RECORD_INDEX", PYPI)
    names = argv[1:] or PROJECTS
    unknown = set(names) - set(PROJECTS)
    if unknown:
        print(f"add {', '.join(sorted(unknown))} to PROJECTS first", file=sys.stderr)
        return 2
    client = Client([url])
    for name in names:
        page = client._fetch(url, name)
        if page is None:
            print(f"{name}: not on {url}", file=sys.stderr)
            return 1
        with gzip.open(HERE / f"{name}.json.gz", "wt", encoding="utf-8", compresslevel=9) as handle:
            json.dump(page, handle, separators=(",", ":"), sort_keys=True)
        print(f"{name}: {len(page['files'])} files")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(HERE / "RECORDED.txt", "a", encoding="utf-8") as log:
        log.write(f"{now} from {url}: {' '.join(names)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
