"""What the resolver answers for one Alpine name (migrator.debian.names):
its role, the Debian candidates with their evidence, the recommendation,
and that answer as plain data for the user's cache and as --explain text."""

from __future__ import annotations

from migrator.records import Frozen, Record

__all__ = ["Evidence", "Candidate", "Resolution"]



# Records without dataclasses: importing it (inspect, ast, dis) cost ~5 ms of
# the first unknown package name, in every batch before its workers start.


class Evidence(Frozen):
    __slots__ = ()

    def __new__(cls, kind: str, text: str, weight: int) -> Evidence:
        # kind: "name", "pc", "so", "bin", "include", "source", "convention"
        return tuple.__new__(cls, (kind, text, weight))


class Candidate(Record):
    __slots__ = ("names", "evidence", "commands")

    def __init__(self, names: tuple[str, ...], evidence: list[Evidence] | None = None, commands: int = 0):
        self.names = names  # Debian packages to install (usually one)
        self.evidence = [] if evidence is None else evidence
        self.commands = commands  # tie-breaker for command roles: how many commands it installs

    @property
    def score(self) -> int:
        return sum(e.weight for e in self.evidence)

    @property
    def label(self) -> str:
        return " ".join(self.names)


class Resolution(Frozen):
    __slots__ = ()

    def __new__(cls, apk: str, suite: str, role: str, role_text: str, candidates: tuple[Candidate, ...],
                recommended: str | None, why: str) -> Resolution:
        # role: short id ("dev", "libs", "library", "tools", "plain", "perl", "cmd", ...);
        # role_text: what the name is on Alpine; candidates: best first;
        # recommended: the label of the recommended candidate, "drop", or None
        # (nothing found); why: one line, the role and the deciding evidence.
        return tuple.__new__(cls, (apk, suite, role, role_text, candidates, recommended, why))

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def plain(self) -> tuple:
        """As plain data, for the user's cache (from_plain rebuilds it)."""
        candidates = tuple((c.names, tuple(tuple(e) for e in c.evidence), c.commands) for c in self.candidates)
        return (*self[:4], candidates, *self[5:])

    @classmethod
    def from_plain(cls, plain: tuple) -> Resolution:
        apk, suite, role, role_text, candidates, recommended, why = plain
        return cls(apk, suite, role, role_text,
                   tuple(Candidate(tuple(names), [Evidence(*e) for e in evidence], commands)
                         for names, evidence, commands in candidates),
                   recommended, why)

    def explain(self) -> list[str]:
        """The evidence, one line per fact, best candidate first."""
        lines = [f"role: {self.role_text}"]
        for i, c in enumerate(self.candidates):
            mark = "*" if self.recommended == c.label else " "
            lines.append(f"{mark} {c.label} (score {c.score})")
            for e in c.evidence:
                lines.append(f"      {e.kind}: {e.text}")
        if not self.candidates:
            lines.append("  no Debian package found")
        if self.recommended == "drop":
            lines.append("* drop: " + self.why)
        return lines

