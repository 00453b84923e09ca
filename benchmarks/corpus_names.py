#!/usr/bin/env python3
"""What `unalpine --yes` makes of every apk name in a folder of real Dockerfiles.

    python benchmarks/corpus_names.py /work/corpus-dev

The corpus is flat (one Dockerfile per file, any name): each file is copied
into a temporary folder of its own as ``Dockerfile`` and the whole batch is
run once with ``--yes --json``. For every UA202 question (a name the table
does not settle, or a decision) it prints the answer --yes took, checks that
every Debian name that answer installs exists in the file's target suite,
and that each kept Alpine name got a warning. Table maps are not listed:
``tests/test_mapping_archive.py`` checks every name the table can emit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrator.debian.name_index import DebianIndex  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    corpus = Path(argv[0])
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.endswith(".tsv"))
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(files):
            folder = Path(tmp) / f"{i:03d}"
            folder.mkdir()
            shutil.copyfile(path, folder / "Dockerfile")
        proc = subprocess.run([sys.executable, "-m", "migrator", "--yes", "--json", "."],
                              cwd=tmp, capture_output=True, text=True)
    report = json.loads(proc.stdout)
    questions = kept = kept_silently = missing = 0
    for entry in report["files"]:
        name = files[int(entry["path"].split("/")[0])].name
        warnings = [f["message"] for f in entry["findings"] if f["severity"] == "warning"]
        for answer in entry["answers"]:
            if answer["rule"] != "UA202":
                continue
            questions += 1
            _, apk, base, suite = answer["key"].split(":", 3)
            value = answer["value"]
            line = f"{name}: {apk} ({base}, {suite}) -> {value}"
            if value == "keep":
                kept += 1
                if not any(apk in w for w in warnings):
                    kept_silently += 1
                    line += "  KEPT WITHOUT A WARNING"
            elif value.startswith("map:"):
                absent = [n for n in value[4:].split() if n not in DebianIndex.load(suite)]
                if absent:
                    missing += 1
                    line += f"  NOT IN {suite}: {' '.join(absent)}"
            print(line)
    print(f"{len(files)} files, {questions} package questions, {kept} kept "
          f"({kept_silently} without a warning), {missing} answers naming a missing package")
    return 1 if kept_silently or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
