"""parse → rules → resolve → apply → verify, as plain functions.

The engine runs every rule over the parsed document. Rules ask questions
through the context; when some are unanswered the engine hands them to the
resolver all at once, stores the answers, and runs the rules again (unless
every answer is the recommended value the rules already assumed), so a rule
always sees one consistent set of answers and never talks to a person.
"""

from __future__ import annotations

from migrator.context import RuleContext
from migrator.document import Document, parse
from migrator.errors import InputError
from migrator.ignores import RULE as IGNORE_RULE
from migrator.ignores import read_ignores
from migrator.packages import PackageTable
from migrator.proposals import Answer, Decision, Edit, Finding, OverlappingEdits, Severity, apply_edits
from migrator.records import Record
from migrator.rules import SUB_IDS, Rule, all_rules, known_ids

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any, Mapping, Protocol, Sequence

    class Resolver(Protocol):
        def resolve(self, decisions: Sequence[Decision]) -> Mapping[str, Answer]:
            """Answer every decision, keyed by Decision.key, or raise Unresolved."""

# Each round answers at least one new question (a file with many answers that
# are not the recommended ones takes a round each), so this only stops a rule
# that keeps inventing questions from looping forever.
MAX_ROUNDS = 64


class Unresolved(Exception):
    """Questions were left without an answer (no terminal and no --yes)."""

    def __init__(self, decisions: Sequence[Decision]):
        super().__init__(f"{len(decisions)} decision(s) need an answer")
        self.decisions = list(decisions)


class Settings(Record):
    __slots__ = ("target", "table", "strict", "answers", "wheels", "ignore", "details")

    def __init__(
        self,
        target: str | None = None,
        table: PackageTable | None = None,
        strict: bool = False,
        answers: dict[str, Answer] | None = None,
        wheels: Any = None,
        ignore: frozenset[str] = frozenset(),
    ):
        self.target = target  # Debian suite chosen with --target
        self.table = table  # loaded once per run by the caller
        self.strict = strict  # unknown packages are errors
        # Answers known before the run (an answers file, or a previous file of
        # the same batch), keyed by Decision.key.
        self.answers = {} if answers is None else answers
        # The wheel check's input gathering (migrator.wheels.gather.WheelCheck):
        # reads requirement files and asks the package index, once per file,
        # before the rules run. None: no wheel check.
        self.wheels = wheels
        # Rule ids left alone in the whole file (a configuration's `ignore`).
        self.ignore = ignore
        # Whether rules publish their structured results (Result.report: the
        # JSON report, --verify); a fleet run that shows neither skips them.
        self.details = True


class Result(Record):
    __slots__ = ("path", "original", "text", "edits", "findings", "answers", "report", "suppressed")

    def __init__(
        self,
        path: str,
        original: str,
        text: str,
        edits: list[Edit],
        findings: list[Finding],
        answers: list[Answer],
        report: dict[str, Any] | None = None,
        suppressed: list[Finding] | None = None,
    ):
        self.path = path
        self.original = original
        self.text = text
        self.edits = edits
        self.findings = findings
        self.answers = answers  # the answers this file's rules used
        # Structured results rules publish for the report (e.g. "wheels": the
        # requirements, their wheels and the build packages removed).
        self.report = {} if report is None else report
        # What `# unalpine: ignore` comments kept from happening: the findings
        # the ignored rules made there, and a note for each instruction they
        # would have rewritten (reports list them as ignored, never silently).
        self.suppressed = [] if suppressed is None else suppressed

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _suite_advisor():
    """The wheel check's suite advice for alpine:* stages (imported only
    when the wheel check runs)."""
    from migrator.wheels.suites import advise

    return advise


def _run_rules(document: Document, path: str, settings: Settings, table: PackageTable,
               answers: dict[str, Answer], rules: list[Rule], gathered: Any) -> tuple[RuleContext, list[Edit], list[Finding]]:
    """One round: every rule over a fresh context holding the answers so far."""
    ctx = RuleContext(document, path, settings.target, table, answers, settings.strict, wheels=gathered,
                      suite_advisor=_suite_advisor() if gathered is not None else None)
    ctx.details = settings.details
    edits: list[Edit] = []
    findings: list[Finding] = []
    for rule in rules:
        for item in rule.check(ctx):
            (edits if isinstance(item, Edit) else findings).append(item)
    return ctx, edits, findings


def migrate(text: str, path: str, settings: Settings, resolver: Resolver,
            rules: Sequence[Rule] | None = None) -> Result:
    """Migrate one Dockerfile's text. Raises InputError or Unresolved.

    `rules` defaults to every registered rule."""
    try:
        document = parse(text)
    except InputError as error:
        raise error.located(path) from None
    ignores = read_ignores(document, known_ids())
    if settings.ignore:
        ignores.ignore_everywhere(settings.ignore, text)
    if ignores.whole_file:
        return Result(path, text, text, [], _ignore_warnings(ignores), [],
                      suppressed=[Finding(IGNORE_RULE, ignores.whole_file,
                                          "the whole file (# unalpine: ignore-file): left as it is",
                                          Severity.INFO)])
    table = settings.table or PackageTable.load()
    answers = dict(settings.answers)
    rules = all_rules() if rules is None else list(rules)
    gathered = settings.wheels.gather(document, path) if settings.wheels is not None else None
    for _ in range(MAX_ROUNDS):
        try:
            ctx, edits, findings = _run_rules(document, path, settings, table, answers, rules, gathered)
        except InputError as error:
            raise error.located(path) from None
        pending = ctx.pending
        if ignores.spans:  # an ignored rule's questions about its ignored instruction are not asked
            pending = [d for d in pending if not _ignored(ignores, d.rule, ignores.rules_on_line(d.line))]
        if not pending:
            break
        # While a question is pending, ctx.ask hands the rules its recommended
        # value. Questions are answered in order until one gets another value:
        # the ones after it were asked by rules that assumed the recommended
        # value (keeping a stage on Alpine makes its apk questions moot), so
        # the rules run again before anything more is asked.
        resolved: dict[str, Answer] = {}
        for decision in pending:
            resolved.update(resolver.resolve([decision]))
            if resolved[decision.key].value != decision.recommended:
                break
        answers.update(resolved)
        # Every answer the recommended value (--yes, --check, open questions,
        # most prompts): this round already computed the result.
        if all(decision.key in resolved and resolved[decision.key].value == decision.recommended
               for decision in pending):
            break
    else:
        raise InputError("the rules kept asking new questions; this is a bug", path)
    suppressed: list[Finding] = []
    if ignores:
        edits, findings, suppressed = _apply_ignores(ignores, document, edits, findings)
    try:
        new_text = apply_edits(text, edits)
    except OverlappingEdits as error:
        raise InputError(f"internal error, refusing to write: {error}", path) from None
    try:
        if new_text != text:  # the original parsed already
            parse(new_text)
    except InputError as error:
        raise InputError(f"internal error, refusing to write: the result does not parse ({error.message})", path, error.line) from None
    used = [answers[key] for key in ctx.asked if key in answers]
    findings.sort(key=lambda finding: (finding.line, finding.rule))
    return Result(path, text, new_text, edits, findings, used, dict(ctx.report), suppressed)


def _ignored(ignores: Any, rule: str, named: frozenset[str]) -> bool:
    """Whether ignore comment naming `named` covers what `rule` does
    (ignoring UA202 also leaves the UA201 edits that carry its names)."""
    return rule in named or any(SUB_IDS.get(name) == rule for name in named)


def _instruction_line(document: Document, offset: int) -> int:
    for node in document.nodes:
        if node.start <= offset < node.stop:
            return node.line
    return document.line_of(offset)


def _ignore_warnings(ignores: Any) -> list[Finding]:
    warnings = [Finding(IGNORE_RULE, line, f"ignore comment names {rule_id}, which is not a rule id; nothing ignored for it")
                for line, rule_id in ignores.unknown]
    warnings += [Finding(IGNORE_RULE, line, "not an ignore comment unalpine understands "
                         "(# unalpine: ignore=UA202,UA301 or # unalpine: ignore-file at the top)")
                 for line in ignores.malformed]
    return warnings


def _apply_ignores(ignores: Any, document: Document, edits: list[Edit],
                   findings: list[Finding]) -> tuple[list[Edit], list[Finding], list[Finding]]:
    """Drop what ignored rules do on their instructions; (edits, findings, suppressed)."""
    kept_edits, kept_findings, suppressed = [], [], []
    rewritten: dict[tuple[str, int], None] = {}
    for edit in edits:
        named = ignores.rules_at(edit.start)
        if named and _ignored(ignores, edit.rule, named):
            rewritten[(edit.rule, _instruction_line(document, edit.start))] = None
        else:
            kept_edits.append(edit)
    for finding in findings:
        if _ignored(ignores, finding.rule, ignores.rules_on_line(finding.line)):
            suppressed.append(finding)
        else:
            kept_findings.append(finding)
    said = {(finding.rule, ignores.rules_on_line(finding.line)) for finding in suppressed}
    for rule, line in rewritten:
        if (rule, ignores.rules_on_line(line)) in said:
            continue  # the rule's own finding there says what it would have done
        suppressed.append(Finding(rule, line, "would have rewritten this instruction (# unalpine: ignore)",
                                  Severity.INFO))
    kept_findings += _ignore_warnings(ignores)
    kept_findings.sort(key=lambda finding: (finding.line, finding.rule))
    suppressed.sort(key=lambda finding: (finding.line, finding.rule))
    return kept_edits, kept_findings, suppressed
