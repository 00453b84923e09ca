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

from migrator.wheels.index import Client  # noqa: E402
from migrator.wheels.index_urls import PYPI  # noqa: E402

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
            json.dump(_recorded(page), handle, separators=(",", ":"), sort_keys=True)
        print(f"{name}: {len(page['files'])} files")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(HERE / "RECORDED.txt", "a", encoding="utf-8") as log:
        log.write(f"{now} from {url}: {' '.join(names)}\n")
    if not argv[1:]:
        closure(url)
    return 0


def closure(url: str) -> None:
    """The dependencies of every fixture's requirements, as the wheel check
    walks them: the pages it reads (of projects not in PROJECTS) and the
    wheel metadata it reads (tests/index/metadata/FILE.metadata), so the
    offline tests walk the same graph."""
    from migrator.document import parse
    from migrator.wheels.dependencies import walk
    from migrator.wheels.requirements import find

    client = Client([url])
    fetched: dict[str, dict] = {}
    read_metadata: dict[str, str] = {}
    fetch, metadata = client._fetch, client.metadata

    def recording_fetch(index_url, name):
        page = fetch(index_url, name)
        if page is not None:
            fetched[name] = page
        return page

    def recording_metadata(name, version, file):
        text = metadata(name, version, file)
        if text is not None and file is not None:
            read_metadata[file.filename] = text
        return text

    client._fetch, client.metadata = recording_fetch, recording_metadata
    requirements = []
    for before in sorted((HERE.parent.parent / "fixtures").glob("*/before.Dockerfile")):
        requirements += find(parse(before.read_text(encoding="utf-8")), before.parent).requirements
    pages = client.pages(sorted({r.name for r in requirements}))
    walk(client, requirements, pages)
    added = sorted(set(fetched) - set(PROJECTS))
    for name in added:
        with gzip.open(HERE / f"{name}.json.gz", "wt", encoding="utf-8", compresslevel=9) as handle:
            json.dump(_recorded(fetched[name]), handle, separators=(",", ":"), sort_keys=True)
    (HERE / "metadata").mkdir(exist_ok=True)
    for filename, text in read_metadata.items():
        (HERE / "metadata" / f"{filename}.metadata").write_text(text, encoding="utf-8")
    print(f"dependencies: {len(added)} more projects ({' '.join(added)}), {len(read_metadata)} metadata files")
    with open(HERE / "RECORDED.txt", "a", encoding="utf-8") as log:
        log.write(f"  dependencies of the fixtures: {' '.join(added)}; metadata of {len(read_metadata)} wheels\n")


def _recorded(page: dict) -> dict:
    """A page as stored here: the loopback server makes up the URLs."""
    return {"name": page["name"], "files": [{k: v for k, v in f.items() if k not in ("url", "metadata")} for f in page["files"]]}


if __name__ == "__main__":
    sys.exit(main(sys.argv))
