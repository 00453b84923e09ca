"""Compose files: `image:` values that name Alpine images move like FROM lines.

A real YAML parser (PyYAML's composer, which keeps each scalar's start and
end mark) finds every `image:` scalar; only that span of the text changes,
so comments, quotes, key order and layout stay as written. Each image goes
through the Dockerfile rules as a one-line `FROM`, placed on the scalar's
own line so findings and questions name the YAML line; services are
separate images, so each picks its own newest suite.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.engine import Result, Settings, migrate
from migrator.errors import InputError
from migrator.lazy_pattern import LazyPattern
from migrator.proposals import Edit, Finding, Severity, apply_edits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from migrator.engine import Resolver


# Where libyaml and PyYAML's own parser part ways: libyaml does not count a
# byte order mark in its marks, and accepts tabs after values, `#` right
# after a block scalar's indicator and some `?` keys in flow mappings, which
# PyYAML rejects. (With these left to PyYAML, 100,000 fuzzed texts, half of
# them mutated compose files, gave the same scalars or the same error.)
_LIBYAML_DIFFERS = LazyPattern(r"[\ufeff\t?]|[|>][-+0-9]*#")


def _loader(yaml, text: str):
    """libyaml's parser when PyYAML has it (its wheels do): ~10x faster than
    the pure-Python one, and the same nodes and marks (indexes count
    characters in both) for every text but those above, which go to PyYAML's
    own parser so that what is accepted, and how, stays as it was."""
    fast = getattr(yaml, "CSafeLoader", None)
    return fast if fast is not None and not _LIBYAML_DIFFERS.search(text) else yaml.SafeLoader


def load_parser() -> None:
    """Import PyYAML now (a batch does it before forking its workers, when
    it has compose files: ~25 ms each worker would otherwise pay again)."""
    import yaml  # noqa: F401


def image_scalars(text: str) -> Iterator[tuple[int, int, str, int, bool]]:
    """(start, end, value, line, built) of each `image:` scalar value;
    start/end cover the value without its quotes; `built` when the same
    service has a `build:` (then image: only names the result). Raises
    InputError for bad YAML."""
    import yaml  # only when a compose file is read

    try:
        try:
            documents = list(yaml.compose_all(text, Loader=_loader(yaml, text)))
        except yaml.YAMLError:
            # the pure-Python parser's words and lines for the error, as before
            documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(f"not valid YAML: {problem}", line=mark.line + 1 if mark else 0) from None
    stack = [node for node in documents if node is not None]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            built = any(isinstance(key, yaml.ScalarNode) and key.value == "build" for key, _ in node.value)
            for key, value in node.value:
                if (isinstance(key, yaml.ScalarNode) and key.value == "image"
                        and isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str")):
                    start, end = value.start_mark.index, value.end_mark.index
                    if value.style in ("'", '"'):
                        end -= 1
                    # the node's start mark includes an anchor (`&img python:...`)
                    if text[start:end].endswith(value.value):
                        start = end - len(value.value)
                    # an alias (`image: *img`) is the same node: rewritten once
                    if text[start:end] == value.value and (start, end) not in seen:
                        seen.add((start, end))
                        yield start, end, value.value, text.count("\n", 0, start) + 1, built
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


class _ShowYaml:
    """Questions show the compose line, not the FROM they were asked about."""

    def __init__(self, resolver: Resolver, line: str):
        self.resolver = resolver
        self.line = line
        self.path = getattr(resolver, "path", None)

    def __getattr__(self, name: str):
        return getattr(self.resolver, name)

    def resolve(self, decisions):
        return self.resolver.resolve([decision._replace(context=self.line) for decision in decisions])


# The one-line migrations that asked nothing, by engine settings and image.
# A fleet's compose files name a handful of images (fleet.py's 2,000
# realistic repositories: 750 image: values, 10 different), and each went
# through every rule (~5% of that run's CPU). What such a migration gives
# depends only on the settings and the image; its findings sit on the
# FROM's line, which moves with the scalar. One that asked a question is
# not kept: its answer, and what the resolver said, belong to its file.
_ASKED_NOTHING: dict[tuple[int, str], tuple[Settings, str, list[Finding]]] = {}
_KEPT = 1024


def _migrate_image(value: str, line: int, path: str, settings: Settings, resolver: Resolver,
                   shown: str) -> tuple[str, list[Finding], list]:
    """(new value, findings, answers) of one image: as a FROM on the
    scalar's own line (blank lines before it), through the Dockerfile rules."""
    key = (id(settings), value)
    known = _ASKED_NOTHING.get(key)
    if known is not None and known[0] is settings:  # (an id is reused only after its object is gone)
        return known[1], [finding._replace(line=line) for finding in known[2]], []
    result = migrate("\n" * (line - 1) + f"FROM {value}\n", path, settings, _ShowYaml(resolver, shown))
    new = result.text.strip().split()[1] if result.changed else value
    if (not result.answers and len(_ASKED_NOTHING) < _KEPT
            and all(f.line == line and f"line {line}" not in f.message for f in result.findings)):
        _ASKED_NOTHING[key] = (settings, new, result.findings)
    return new, result.findings, result.answers


def migrate_compose(text: str, path: str, settings: Settings, resolver: Resolver) -> Result:
    """Migrate the `image:` values of one compose file's text."""
    try:
        scalars = list(image_scalars(text))
    except InputError as error:
        raise error.located(path) from None
    edits, findings, answers = [], [], []
    lines = text.splitlines()
    for start, end, value, line, built in scalars:
        if "alpine" not in value:
            continue
        if built:
            findings.append(Finding("UA101", line, f"image: {value} names what this service's build: makes; "
                                                   "migrate its Dockerfile instead", Severity.INFO))
            continue
        shown = lines[line - 1] if line <= len(lines) else ""
        new, found, asked = _migrate_image(value, line, path, settings, resolver, shown)
        findings.extend(found)
        answers.extend(answer for answer in asked if answer not in answers)
        if new != value:
            edits.append(Edit(start, end, new, "UA101"))
    new_text = apply_edits(text, edits)
    try:
        if new_text != text:  # the original parsed already
            list(image_scalars(new_text))
    except InputError as error:
        raise InputError(f"internal error, refusing to write: the result is not valid YAML ({error.message})", path, error.line) from None
    findings.sort(key=lambda finding: (finding.line, finding.rule))
    return Result(path, text, new_text, edits, findings, answers)
