"""The documentation: the mkdocs site builds with --strict (no broken link,
anchor or page left out of the nav), every rule id in the code has its page,
every fixture is linked from a page, and the fixture excerpts the pages quote
are really in the fixtures; the README's examples print what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
RULES = DOCS / "rules"
FIXTURES = REPO / "fixtures"
RULE_ID = re.compile(r"\bUA\d{3}\b")
# The same Markdown extensions mkdocs uses by default.
EXTENSIONS = ["toc", "tables", "fenced_code"]


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links(page: Path) -> list[Path]:
    """The local paths a Markdown file links to (rendered as mkdocs renders
    it, so a link inside a code block is not a link), resolved from its folder."""
    parser = _Hrefs()
    parser.feed(markdown.markdown(page.read_text(encoding="utf-8"), extensions=EXTENSIONS))
    found = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        found.append((page.parent / unquote(parts.path)).resolve())
    return found


def rule_ids_in_code() -> dict[str, list[str]]:
    """Every rule id the package's code names, with the files naming it."""
    found: dict[str, list[str]] = {}
    for source in sorted((REPO / "migrator").rglob("*.py")):
        for rule in sorted(set(RULE_ID.findall(source.read_text(encoding="utf-8")))):
            found.setdefault(rule, []).append(str(source.relative_to(REPO)))
    return found


def test_the_site_builds_with_strict_links(tmp_path):
    """The real mkdocs build, as a person would run it. --strict turns every
    warning into a failure: a link to a missing page, file or #heading, and
    (mkdocs.yml's validation settings) a page missing from the nav."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    problems = [line for line in done.stderr.splitlines() if not line.startswith("INFO")]
    assert done.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(problems)
    site = tmp_path / "site"
    assert (site / "rules" / "UA101" / "index.html").is_file()
    # A link to a fixture folder works in the built site too (docs/hooks/repository_links.py).
    assert (site / "repository" / "fixtures" / "blog" / "before.Dockerfile").is_file()
    html = (site / "rules" / "UA601" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../repository/fixtures/blog/"' in html


def test_a_broken_link_fails_the_build(tmp_path):
    """The check above can fail: the same configuration with one page that
    links to a fixture that does not exist."""
    docs = tmp_path / "docs"
    (docs / "hooks").mkdir(parents=True)
    (docs / "hooks" / "repository_links.py").write_bytes((DOCS / "hooks" / "repository_links.py").read_bytes())
    (docs / "index.md").write_text("# x\n\n[gone](../fixtures/no_such_case/before.Dockerfile)\n", encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(config.split("\nnav:")[0] + "\nnav:\n  - index.md\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert done.returncode != 0
    assert "no_such_case" in done.stderr


def test_every_rule_id_in_the_code_has_its_page():
    index = set(links(RULES / "index.md"))
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    missing = []
    for rule, files in rule_ids_in_code().items():
        page = RULES / f"{rule}.md"
        where = ", ".join(files)
        if not page.is_file():
            missing.append(
                f"{rule} (named in {where}) has no page: add docs/rules/{rule}.md (copy a page of a rule "
                f"like it for the layout: what it rewrites, an example from its fixture, questions, "
                f"warnings), a row in docs/rules/index.md and a line under Rules in mkdocs.yml's nav"
            )
            continue
        if page.resolve() not in index:
            missing.append(f"{rule}: docs/rules/{rule}.md exists but docs/rules/index.md does not link it: add a row")
        if f"rules/{rule}.md" not in nav:
            missing.append(f"{rule}: add `rules/{rule}.md` under Rules in mkdocs.yml's nav")
    assert not missing, "\n".join(missing)


def test_the_home_page_links_every_page():
    """On GitHub there is no nav: docs/index.md is the way to every page (the
    rule pages go through docs/rules/index.md)."""
    linked = set(links(DOCS / "index.md"))
    missing = [
        f"docs/{page.relative_to(DOCS)} is not linked from docs/index.md: add it to the list of pages there"
        for page in pages()
        if page != DOCS / "index.md" and page.parent == DOCS and page.resolve() not in linked
    ]
    if (RULES / "index.md").resolve() not in linked:
        missing.append("docs/index.md must link docs/rules/index.md")
    assert not missing, "\n".join(missing)


def test_every_rule_page_names_a_rule_of_the_code():
    known = rule_ids_in_code()
    stale = [
        f"docs/rules/{page.name} documents {page.stem}, which no module of migrator/ names any more: "
        f"remove the page (and its nav line and index row) or fix its name"
        for page in sorted(RULES.glob("UA*.md")) if page.stem not in known
    ]
    assert not stale, "\n".join(stale)


def test_every_fixture_is_linked_from_a_page():
    linked = set()
    for page in pages():
        for target in links(page):
            if target.is_relative_to(FIXTURES):
                parts = target.relative_to(FIXTURES).parts
                if parts:
                    linked.add(parts[0])
    cases = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert cases, "no fixtures found"
    unlinked = [
        f"fixtures/{case} is linked from no page of docs/: link it from the page of the rule it shows, "
        f"e.g. add `- [`{case}`](../../fixtures/{case}/): what it shows` to the examples of docs/rules/UAxxx.md"
        for case in cases if case not in linked
    ]
    assert not unlinked, "\n".join(unlinked)


_KEY_ROW = re.compile(r"^\| `(UA\d{3}:[^`]*)` \|", re.M)


def test_every_question_key_of_a_rule_page_is_in_the_answers_page():
    """docs/questions.md lists every key, for whoever writes an answers file."""
    listed = (DOCS / "questions.md").read_text(encoding="utf-8")
    missing = [
        f"docs/rules/{page.name} documents the key `{key}`: add it to the table under Question keys "
        f"in docs/questions.md"
        for page in sorted(RULES.glob("UA*.md"))
        for key in _KEY_ROW.findall(page.read_text(encoding="utf-8"))
        if f"`{key}`" not in listed
    ]
    assert not missing, "\n".join(missing)


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(```+|~~~+)")


def quoted_excerpts():
    """(page, line, file, block lines) for every fenced block whose
    introducing line (the last non-blank line before it) ends by linking to
    a file outside docs/: that block quotes the file."""
    for page in pages():
        lines = page.read_text(encoding="utf-8").split("\n")
        index = 0
        while index < len(lines):
            fence = _FENCE.match(lines[index])
            if not fence:
                index += 1
                continue
            end = index + 1
            while end < len(lines) and not lines[end].startswith(fence.group(1)):
                end += 1
            before = next((line for line in reversed(lines[:index]) if line.strip()), "")
            targets = _LINK.findall(before)
            if targets:
                target = (page.parent / unquote(targets[-1].split("#")[0])).resolve()
                if target.is_file() and not target.is_relative_to(DOCS):
                    yield page, index + 1, target, lines[index + 1:end]
            index = end + 1


def test_quoted_fixture_excerpts_are_in_the_fixture():
    """A before/after a page quotes is consecutive lines of the file it links,
    so an edited fixture cannot leave its page telling an old story."""
    checked = 0
    wrong = []
    for page, line, target, block in quoted_excerpts():
        checked += 1
        text = target.read_bytes().decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
        source = text.split("\n")
        n = len(block)
        if not any(source[start:start + n] == block for start in range(len(source) - n + 1)):
            wrong.append(f"{page.relative_to(REPO)}:{line}: the block is not consecutive lines of "
                         f"{target.relative_to(REPO)}: copy the excerpt from the file again")
    assert checked >= 15, f"only {checked} quoted excerpts found: did the pages' 'Before ([file](...)):' lines change?"
    assert not wrong, "\n".join(wrong)


def test_readme_links_resolve():
    broken = [str(target.relative_to(REPO)) for target in links(REPO / "README.md") if not target.exists()]
    assert not broken, f"README.md links to paths that do not exist: {broken}"


def test_readme_stays_a_front_door():
    """Issue 17: a README read in five minutes. Reference material goes to docs/."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 150, (f"README.md has {lines} lines (at most 150): it is the front door; put the details "
                          f"in the page of docs/ they belong to (docs/index.md lists them) and link it")


def test_readme_test_command_is_the_one_ci_runs():
    """The README's set-up commands install what .ci/run installs and run the
    suite the way it does."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    extra = re.search(r"pip\"? install .*?-e '(\.\[[^\]]+\])'", ci)
    assert extra, ".ci/run no longer installs the package with an extra"
    assert f"pip install -e '{extra.group(1)}'" in readme
    assert "-m pytest -q" in ci and "-m pytest -q" in readme


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_pages_start_with_their_title(page):
    """Each page starts with its level-1 heading (the nav and GitHub show it)."""
    lines = page.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("# "), f"docs/{page.relative_to(DOCS)} must start with '# Title'"


# The README's examples: what they print must be what the tool prints.
FLEET = {"api": "apk_cache_cleanup", "cron": "alpine_system_pip", "worker": "python_py3_requests"}


def readme_sessions() -> dict[str, list[str]]:
    """Each `$ command` of the README's console blocks, with the lines it printed."""
    sessions: dict[str, list[str]] = {}
    inside, command = False, None
    for line in (REPO / "README.md").read_text(encoding="utf-8").split("\n"):
        if line.startswith("```"):
            inside, command = line == "```console", None
        elif inside and line.startswith("$ "):
            command = line[2:]
            sessions[command] = []
        elif inside and command is not None:
            sessions[command].append(line)
    return sessions


def run_shell(command: str, cwd: Path) -> list[str]:
    """The command as a shell runs it, with this venv's unalpine first on PATH;
    stdout, then stderr (the README shows them in that order)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    out = done.stdout.split("\n")[:-1]
    err = done.stderr.split("\n")[:-1]
    # `; echo "exit $?"` prints after the tool's stderr
    if out and out[-1].startswith("exit "):
        return out[:-1] + err + out[-1:]
    return out + err


def test_readme_fleet_and_gate_examples_print_what_the_readme_shows(tmp_path):
    sessions = readme_sessions()
    fleet_commands = [command for command in sessions if "fleet/" in command]
    assert len(fleet_commands) == 3, f"README's fleet examples changed: {fleet_commands}"
    for folder, case in FLEET.items():
        (tmp_path / "fleet" / folder).mkdir(parents=True)
        (tmp_path / "fleet" / folder / "Dockerfile").write_bytes((FIXTURES / case / "before.Dockerfile").read_bytes())
    # In the README's order: the gate fails, --yes --write migrates, the gate passes.
    order = [c for c in fleet_commands if "--check" in c][:1] + [c for c in fleet_commands if "--write" in c] \
        + [c for c in fleet_commands if "--check" in c][1:]
    stale = []
    for command in order:
        expected = sessions[command]
        printed = run_shell(command.split("#")[0].strip(), tmp_path)
        if printed != expected:
            stale.append(f"$ {command}\n" + "\n".join(printed))
    assert not stale, ("README.md's examples no longer show what unalpine prints; paste this over them "
                       "(fleet/ holds the before-files of " + ", ".join(FLEET.values()) + "):\n\n" + "\n\n".join(stale))


def test_readme_one_file_example_shows_the_diff_unalpine_prints():
    """The diff only: the stderr lines name versions of the requirements'
    dependencies on the live index, which the offline suite cannot see."""
    command = "unalpine --yes --diff fixtures/blog/before.Dockerfile"
    expected = readme_sessions()[command]
    expected_diff = [line for line in expected if not line.startswith(("fixtures/", "unalpine:"))]
    printed = run_shell(command + " 2>/dev/null", REPO)
    assert printed == expected_diff, "README.md's one-file example shows another diff than unalpine prints:\n" + "\n".join(printed)
    assert any(line.startswith("fixtures/blog/before.Dockerfile:4: UA601 removed") for line in expected)
