"""Running the real engine on a string, answering decisions from a table."""

from __future__ import annotations

from migrator.engine import Settings, Unresolved, migrate
from migrator.proposals import Answer


class Recorded:
    """Answers decisions from `answers` (key prefix → value), else takes the
    recommended option; remembers every decision it was shown."""

    def __init__(self, answers: dict[str, str] | None = None, open_ok: bool = True):
        self.answers = answers or {}
        self.open_ok = open_ok
        self.seen = []

    def resolve(self, decisions):
        self.seen.extend(decisions)
        out = {}
        for decision in decisions:
            value = next((v for k, v in self.answers.items() if decision.key.startswith(k)), None)
            if value is None:
                if not self.open_ok:
                    raise Unresolved(decisions)
                value = decision.recommended
            out[decision.key] = Answer(decision, value, "test")
        return out


class Run:
    """The engine's Result (its attributes read through), plus `seen`: every
    decision the resolver was shown."""

    def __init__(self, result, seen):
        self.result = result
        self.seen = seen

    def __getattr__(self, name):
        return getattr(self.result, name)


def run(text: str, answers: dict[str, str] | None = None, **settings):
    resolver = Recorded(answers)
    result = migrate(text, "Dockerfile", Settings(**settings), resolver)
    return Run(result, resolver.seen)


def messages(result) -> str:
    return "\n".join(f"{f.line} {f.rule} {f.message}" for f in result.findings)
