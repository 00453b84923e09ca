"""Resolve an Alpine package name the mapping table does not know.

It reasons the way a packager does:

1. the *role* of the name on Alpine: ``foo-dev`` (headers), ``foo-libs`` or
   ``libfoo`` (the shared library), ``foo-tools`` (commands), ``foo-doc``,
   ``perl-foo-bar`` (a Perl module), ``cmd:foo`` (whatever installs the
   command), a bare ``foo`` (Alpine usually ships library and commands in
   one package where Debian splits them) ...;
2. the *evidence* for that role in Debian's own indexes
   (``migrator.debian.indexes``): the ``.pc`` file, the soname, the
   executable, the header folder, the source package and its siblings;
3. ranked *candidates*, each with its evidence.

``resolve(apk, suite)`` returns a ``Resolution``; ``PackageTable`` turns it
into the question (UA202) with the best candidate recommended when the
evidence separates it from the rest. A candidate that every Debian image
already has (``base`` set) makes "drop" the recommendation.

This module strings the steps together, keeps the answers between runs
(``remembered``) and ranks the candidates; the steps live beside it:
``name_roles`` (the role and where Debian keeps it), ``name_evidence`` (what
Debian's indexes say about a name), ``alpine_evidence`` (what the APKBUILD
says), ``resolution`` (the answer, its cached form and its explanation).
"""

from __future__ import annotations

from migrator.debian.alpine_evidence import (alpine_facts, alpine_role, alpine_side, commands_with_library,
                                             dev_sibling_split_off, library_with_commands)
from migrator.debian.coder_evidence import coder_of, coder_side
from migrator.debian.name_evidence import Builder, is_runtime_library
from migrator.debian.name_roles import classify, search
from migrator.debian.resolution import Candidate, Evidence, Resolution

__all__ = ["resolve", "remembered", "has_remembered"]


# ----------------------------------------------------------------------------
# the resolver


_MEMOS: dict[str, object] = {}


def _memo(suite: str):
    memo = _MEMOS.get(suite)
    if memo is None:
        from migrator import datacache
        from migrator.debian import conventions, name_index
        from migrator.debian import indexes
        from migrator.debian import alpine_evidence, coder_evidence, commands, name_evidence, name_roles, resolution

        from migrator.alpine import facts as alpine

        # the answers are a function of the indexes and of every module of the resolver
        sources = [indexes.derived_path(suite), name_index.DebianIndex.path(suite), __file__, indexes.__file__,
                   name_index.__file__, conventions.__file__, alpine.facts_path(), alpine.__file__,
                   resolution.__file__, name_evidence.__file__, name_roles.__file__, alpine_evidence.__file__,
                   commands._path(suite), coder_evidence.__file__, coder_evidence._path()]
        memo = _MEMOS[suite] = datacache.source_memo(f"debian-resolutions-{suite}", sources)
    return memo


def has_remembered(suite: str) -> bool:
    """Whether earlier runs kept answers for `suite` (see remembered)."""
    return bool(_memo(suite))


def remembered(apk: str, suite: str) -> Resolution:
    """resolve(), or its answer from an earlier run: the answers are kept
    in the user's cache (migrator.datacache.Memo) for as long as the suite's
    Debian indexes and the resolver's code stay the same. Resolving needs
    the suite's derived index and package list (~40 ms to load); a Dockerfile
    run again (a pre-commit hook, an editor) then needs neither."""
    from migrator.datacache import MISSING

    memo = _memo(suite)
    plain = memo.get("resolution", apk)
    if plain is not MISSING:
        return Resolution.from_plain(plain)
    resolution = resolve(apk, suite)
    memo.put("resolution", apk, resolution.plain())
    return resolution

def resolve(apk: str, suite: str) -> Resolution:
    """Candidates for an Alpine name the table does not know (see the module doc)."""
    b = Builder(apk, suite)
    role, role_text = classify(apk)
    alpine = alpine_facts(apk) if role not in ("drop", "cmd", "pc", "so") else None
    if alpine is not None:
        role, role_text = alpine_role(alpine, role, role_text)
    coder = coder_of(apk, alpine) if role not in ("drop", "cmd", "pc", "so") else None
    if coder is not None and coder_side(b, apk, coder):
        role, role_text = "plugin", f"a coder subpackage of {coder[1]} ({coder[3]})"
        ranked = b.ranked()
        recommended, why = _recommend(b, ranked, role_text, None)
        return Resolution(apk, suite, role, role_text, tuple(ranked[:8]), recommended, why)
    drop_why = search(b, apk, role, role_text, alpine)
    if alpine is not None:
        alpine_side(b, apk, alpine, resolve)
    _conventions(b, apk)
    ranked = b.ranked()
    ranked = _merge_top_libraries(b, ranked)
    if alpine is not None and alpine.rest == "everything":
        ranked = library_with_commands(b, ranked, alpine)
    elif alpine is not None and alpine.rest == "commands":
        ranked = commands_with_library(b, ranked, alpine, resolve)
    elif alpine is not None and alpine.role == "headers":
        ranked = dev_sibling_split_off(b, ranked, alpine, resolve)
    recommended, why = _recommend(b, ranked, role_text, drop_why)
    return Resolution(apk, suite, role, role_text, tuple(ranked[:8]), recommended, why)


def _conventions(b: Builder, apk: str) -> None:
    """Alpine→Debian naming conventions, as weak evidence."""
    from migrator.debian.conventions import soname_candidates, suggest_candidates

    if apk.startswith(("cmd:", "pc:", "so:")):
        return
    dev = apk.endswith(("-dev", "-static"))
    for name in suggest_candidates(apk):
        if name != apk:
            # a -dev name for a runtime name is offered, but ranked last
            b.add(name, "convention", "Debian's usual name for this kind of package", 1 if dev or not name.endswith("-dev") else 0)
    if apk.startswith(("py3-", "py-", "perl-", "ruby-", "php", "lua", "node")):
        return
    for name in soname_candidates(apk, b.names):
        b.add(name, "convention", "the library's name with its soname", 1 if dev or not name.endswith("-dev") else 0)


def _merge_top_libraries(b: Builder, ranked: list[Candidate]) -> list[Candidate]:
    """Alpine's one library package can be several Debian ones (freetds:
    libsybdb5 and libct4): when runtime libraries of one source tie for
    first place, offer them together first."""
    if len(ranked) < 2:
        return ranked
    top = [c for c in ranked if c.score == ranked[0].score]
    libs = [c for c in top if len(c.names) == 1 and is_runtime_library(c.names[0])]
    sources = {b.idx.source_of(c.names[0]) for c in libs}
    if len(libs) < 2 or len(libs) != len(top) or len(sources) != 1:
        return ranked
    names = tuple(sorted(n for c in libs for n in c.names))
    merged = Candidate(names, [Evidence("source", f"the runtime libraries of Debian source {sources.pop()}, "
                                        "which Alpine ships in one package", ranked[0].score + 1)])
    return [merged, *ranked]


def _recommend(b: Builder, ranked: list[Candidate], role_text: str, drop_why: str | None) -> tuple[str | None, str]:
    if drop_why is not None:
        return "drop", drop_why
    if not ranked:
        shown = ", ".join(b.tried[:10]) + (", ..." if len(b.tried) > 10 else "")
        looked = f"; none of {shown} exists in Debian {b.suite}" if shown else f"; Debian {b.suite} shows no evidence for it"
        return None, f"{b.apk} is not in the mapping table ({role_text}){looked}"
    best = ranked[0]
    if all(n in b.idx.base_set for n in best.names):
        return "drop", (f"Debian's {best.label} is in every Debian image ({best.evidence[0].text}), "
                        "so there is nothing to install")
    separated = len(ranked) == 1 or best.score > ranked[1].score or (
        best.score == ranked[1].score and best.commands > ranked[1].commands)
    lead = f"{b.apk} is not in the mapping table ({role_text})"
    if separated:
        return best.label, f"{lead}; Debian {b.suite}: {best.label} ({best.evidence[0].text})"
    tied = [c.label for c in ranked if c.score == best.score]
    # the evidence does not separate them: still never recommend a name that
    # does not exist; take the first in a stable order and say so
    return best.label, f"{lead}; Debian {b.suite} has {', '.join(tied)} with equal evidence; {best.label} first"
