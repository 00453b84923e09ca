"""How well a folder of real Dockerfiles migrates, file by file.

    python benchmarks/corpus_report.py DIR [--verbose]

Copies every regular file of DIR (never the folder itself: the files are not
ours and are never committed) into a temporary folder, runs the real CLI
once on all of them, `unalpine --yes --write --json FILE ...`, and reads
back the written files and the JSON report. Each file is then:

- full: migrated with no Alpine `FROM` left, no `apk` left in a stage that
  now runs Debian, and no warning that a package was kept as is;
- partial: migrated, but one of those is left (the reasons are listed by
  class: the images left on Alpine, apk left, packages kept as is);
- refused: an internal error (the tool would not write its own result);
- input-error: the file itself is broken (it does not parse, ...);
- nothing: nothing Alpine in it.

Run it with another checkout's code by putting that checkout first on the
path: `PYTHONPATH=/path/to/checkout python benchmarks/corpus_report.py DIR`.
Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# `FROM [--flags] IMAGE [AS name]`, keyword in any case, indented or not.
_FROM = re.compile(r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)", re.IGNORECASE | re.MULTILINE)
_APK = re.compile(r"(?:^|[\s;&|(`]|\$\()(?:/sbin/)?apk\s+(?:-\S+\s+)*(?:add|del|update|upgrade|cache|info|fix|search)\b")
# A comment line (`# $> apk add py3-foo` is no apk left behind).
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
_KEPT = re.compile(r"kept the Alpine name|is kept as is|package list .* kept|left as is")


def is_alpine(image: str) -> bool:
    name, _, tag = image.partition(":")
    return name.rsplit("/", 1)[-1] == "alpine" or "alpine" in tag


def stages(text: str) -> list[tuple[str, str]]:
    """(image, body) of each stage, in order."""
    matches = list(_FROM.finditer(text))
    return [
        (match.group(1), text[match.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)])
        for i, match in enumerate(matches)
    ]


def classify(original: str, after: str, entry: dict) -> tuple[str, list[str]]:
    error = entry.get("error")
    if error:
        return ("refused" if "internal error" in error else "input-error"), [error]
    reasons: list[str] = []
    alpine_stages = [image for image, _ in stages(original) if is_alpine(image)]
    if not alpine_stages and not entry.get("changed"):
        return "nothing", []
    names = {m.group(1).lower() for m in re.finditer(r"\bAS\s+(\S+)", after, re.IGNORECASE)}
    earlier: set[str] = set()  # stage names so far: a FROM naming one is that stage, whatever the name says
    alpine_names: set[str] = set()
    for image, body in stages(after):
        as_name = re.match(r"\s*AS\s+(\S+)", body.split("\n", 1)[0], re.IGNORECASE)
        if image.lower() in alpine_names or (image.lower() not in earlier and is_alpine(image)):
            reasons.append(f"FROM left on Alpine: {image.split('@')[0]}")
            if as_name:
                alpine_names.add(as_name.group(1).lower())
        elif image.lower() not in names and _APK.search(_COMMENT_LINE.sub("", body)):
            reasons.append("apk left in a Debian stage")
        if as_name:
            earlier.add(as_name.group(1).lower())
    for finding in entry.get("findings", []):
        if finding["severity"] == "warning" and finding["rule"] in ("UA201", "UA202") and _KEPT.search(finding["message"]):
            reasons.append(f"{finding['rule']} kept: {_shape(finding['message'])}")
    return ("partial" if reasons else "full"), reasons


def _shape(message: str) -> str:
    """A finding's message with its particular names taken out, to count classes."""
    message = re.sub(r"kept the Alpine name \S+", "kept the Alpine name NAME", message)
    message = re.sub(r"Debian \w+", "Debian SUITE", message)
    message = re.sub(r"^(package list |apk add of the local file )?\S+ (is kept|cannot)", r"\1X \2", message)
    message = re.sub(r"-X \S+|repository \S+", "-X URL", message)
    return message.split(":")[0]


def run(folder: Path, verbose: bool) -> Counter:
    sources = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "INDEX.tsv")
    with tempfile.TemporaryDirectory(prefix="unalpine-corpus-") as root:
        copies = []
        for source in sources:
            copy = Path(root) / source.name
            shutil.copyfile(source, copy)
            copies.append(copy)
        done = subprocess.run(
            [sys.executable, "-m", "migrator", "--yes", "--write", "--json", *map(str, copies)],
            capture_output=True, text=True, cwd=root,
        )
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            sys.exit(f"unalpine gave no JSON report (exit {done.returncode}):\n{done.stderr[-2000:]}")
        entries = {Path(entry["path"]).name: entry for entry in report["files"]}
        tally: Counter = Counter()
        reasons: Counter = Counter()
        for source, copy in zip(sources, copies):
            entry = entries.get(copy.name, {"error": "not in the report"})
            original = source.read_bytes().decode("utf-8", "replace")
            after = copy.read_bytes().decode("utf-8", "replace")
            kind, why = classify(original, after, entry)
            tally[kind] += 1
            reasons.update(f"{kind}: {reason}" for reason in dict.fromkeys(why))
            if verbose or kind in ("refused",):
                print(f"{kind:11} {source.name}" + "".join(f"\n            {reason}" for reason in why))
    total = sum(tally.values())
    print(f"\n{total} files: " + ", ".join(f"{kind} {tally[kind]}" for kind in
                                          ("full", "partial", "refused", "input-error", "nothing")))
    migratable = total - tally["nothing"] - tally["input-error"]
    if migratable:
        print(f"fully migrated: {tally['full']} of {migratable} Alpine files ({100 * tally['full'] / migratable:.0f}%)")
    print("\nreasons (files):")
    for reason, count in reasons.most_common():
        print(f"{count:4}  {reason}")
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per file with its reasons")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"{args.folder}: not a folder")
    run(args.folder, args.verbose)


if __name__ == "__main__":
    main()
