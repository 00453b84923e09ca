"""What the reports say about each rule id: its name, a one-line and a full
description, and its documentation page (docs/rules/<ID>.md)."""

from __future__ import annotations

# The documentation's page for a rule, relative to the repository's root.
DOCS_PAGE = "docs/rules/{id}.md"

# Ids that are not registered rules of their own: the apk rule's per-package
# findings, and --verify's checks (migrator.verify).
EXTRA = {
    "UA000": ("ignore-comments", "What `# unalpine: ignore` comments left alone, and comments it cannot read"),
    "UA202": ("apk-packages", "Map each apk package name to its Debian package, drop it, or ask"),
    "UA402": ("existing-account", "Reuse or move a user or group Debian's base image already has"),
    "UA901": ("verify-parses", "--verify: the migrated file parses"),
    "UA902": ("verify-bash-n", "--verify: every shell-form RUN passes bash -n"),
    "UA903": ("verify-tags", "--verify: every FROM names a tag that was published"),
    "UA904": ("verify-apt", "--verify: every apt-get install resolves on its stage's Debian suite"),
    "UA905": ("verify-programs", "--verify: every program a RUN, CMD, ENTRYPOINT or HEALTHCHECK runs is in the image"),
}

# The longer text, where the one line is not the whole story.
FULL = {
    "UA101": "Moves a python:*-alpine or alpine:* base image to the Debian slim image of the same Python "
             "version and suite, pinning the suite's codename in the tag; stages built FROM other stages follow.",
    "UA201": "Rewrites apk add/del/update/upgrade as apt-get commands (update, install "
             "--no-install-recommends, list clean-up), keeping the author's layout, continuations and comments.",
    "UA202": "Each apk package name goes through the mapping table: mapped to its Debian name, dropped with the "
             "reason (e.g. already in every Debian image), or asked about when Debian has several candidates.",
    "UA601": "Decides, as pip would, which requirements install from wheels on the Debian image; the compilers "
             "and headers only Alpine's source builds needed are removed.",
    "UA901": "--verify re-parses the migrated file.",
    "UA902": "--verify runs bash -n over every shell-form RUN of the migrated file.",
    "UA903": "--verify checks that every FROM tag of the migrated file was published.",
    "UA904": "--verify resolves every apt-get install against the stage's Debian suite, as apt-get install "
             "--no-install-recommends would, and reports the packages and sizes it adds.",
}


def describe(rule_id: str) -> tuple[str, str, str]:
    """(name, short description, full description) of a rule id."""
    from migrator.rules import all_rules

    for rule in all_rules():
        if rule.id == rule_id:
            return rule.name, rule.summary, FULL.get(rule_id, rule.summary)
    name, short = EXTRA.get(rule_id, (rule_id, f"unalpine rule {rule_id}"))
    return name, short, FULL.get(rule_id, short)


def docs_page(rule_id: str) -> str:
    return DOCS_PAGE.format(id=rule_id)
