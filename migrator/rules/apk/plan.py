"""The apk rule's (UA201) words and state: its ids, the apt-get words it
writes, what one RUN and the whole file have done so far, and the word plan
of one RUN (Edits) with apk's helpers."""

from __future__ import annotations

from migrator.apk_commands import ApkCall
from migrator.context import RuleContext, Stage
from migrator.document import Instruction
from migrator.document_lines import LogicalLine
from migrator.installs import Placements
from migrator.package_variables import reference
from migrator.records import Record
from migrator.shell import Command, ShellScript, Word
from migrator.word_edits import RunPlan

ID = "UA201"
PACKAGE_ID = "UA202"
APT_LISTS = "/var/lib/apt/lists/*"
INSTALL = "install -y --no-install-recommends"


class RunState(Record):
    """What one RUN has done so far, in script order."""

    __slots__ = ("updated", "installs", "lists_removed", "updates")

    def __init__(self) -> None:
        self.updated = False  # an apt-get update already runs before this point
        self.installs = False  # something is installed: the lists must go at the end
        self.lists_removed = False  # the author's own cleanup now removes apt's lists
        self.updates: list[ApkCall] = []  # apk update calls


class FileState(Record):
    """What the whole file has shown so far."""

    __slots__ = ("groups", "world", "variables", "assignments", "places")

    def __init__(self, places: Placements | None = None) -> None:
        self.places = Placements() if places is None else places  # where needed packages go (installs.py)
        self.groups: dict[str, list[str]] = {}  # --virtual name -> Debian names, in file order
        # Stage index -> the Debian names of its `apk add`s without --virtual so
        # far: apk's world, which `apk del` of a group leaves installed.
        self.world: dict[int, set[str]] = {}
        # Package variables rewritten where they are defined: (RUN offset for a
        # shell variable, None for ENV/ARG; name) -> the Debian names they hold.
        self.variables: dict[tuple[int | None, str], list[str]] = {}
        # Shell definitions to rewrite with their RUN: RUN offset -> per definition, words and names.
        self.assignments: dict[int, list[list[tuple[Word, list[str]]]]] = {}

    def add_to_world(self, stage: Stage, names: list[str]) -> None:
        self.world.setdefault(stage.index, set()).update(names)

    def group_leaves(self, stage: Stage, group: list[str]) -> list[str]:
        """What `apk del GROUP` removes: the group's names that no plain
        `apk add` of this stage (or of the stages it builds on) asked for."""
        kept: set[str] = set()
        current: Stage | None = stage
        while current is not None:
            kept |= self.world.get(current.index, set())
            current = current.parent
        return [name for name in group if name not in kept]

    def held(self, run: Instruction, word: Word) -> list[str] | None:
        """The Debian names a `$VAR` operand holds, if its variable was migrated."""
        name = reference(word.text)
        if name is None:
            return None
        found = self.variables.get((run.start, name))
        return found if found is not None else self.variables.get((None, name))


def pip_install(projects: list[str]) -> str:
    return "pip install --no-cache-dir " + " ".join(projects)


class Edits(RunPlan):
    """The planned changes of one RUN, with apk's helpers; `render` turns
    them into edits that cannot overlap."""

    def __init__(self, ctx: RuleContext, instruction: Instruction, script: ShellScript | LogicalLine):
        super().__init__(ctx.document, instruction, script, ID)
        self.ctx = ctx

    def line(self, word: Word) -> int:
        return self.ctx.line_of(self.span(word)[0])

    def context(self, command: Command) -> str:
        start, end = self.span(command)
        first = self.text.rfind("\n", 0, start) + 1
        last = self.text.find("\n", end)
        return self.text[first : len(self.text) if last < 0 else last].rstrip("\r")

    def write_names(self, words: list[tuple[Word, list[str]]]) -> list[str]:
        """Each package word becomes its Debian names, each name written once
        per command (curl and ca-certificates may both bring one); a word
        left with no name goes. Returns the names written."""
        written: list[str] = []
        for word, names in words:
            if len(names) == 1:  # (most words: one name, nothing to dedupe)
                fresh = [] if names[0] in written else [names[0]]
            else:
                fresh = [name for name in dict.fromkeys(names) if name not in written]
            written.extend(fresh)
            if fresh == [word.value]:
                continue  # kept as written, quotes and escapes included
            if fresh:
                self.replace(word, " ".join(fresh))
            else:
                self.delete(word)
        return written

    def drop_options(self, call: ApkCall) -> None:
        for word, value in call.options:
            self.delete(word)
            if value is not None:
                self.delete(value)
