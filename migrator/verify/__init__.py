"""--verify: checks that a migrated Dockerfile would build, without Docker.

UA901 the file parses; UA902 every shell-form RUN passes `bash -n`; UA903
every FROM names a tag that was published; UA904 every `apt-get install`
resolves on its stage's Debian suite (dependencies, virtual names,
conflicts), counted from what the base image already has. The installs that
resolve are measured: packages pulled in and their Installed-Size, the size
report. UA905 every program a RUN, CMD, ENTRYPOINT or HEALTHCHECK runs is in
the image at that point. Verification is a plain function of the text; the
CLI prints it.
"""

from __future__ import annotations

from migrator.document import parse
from migrator.errors import InputError
from migrator.verify.apt import check_installs, measure_savings, removed_by_wheels
from migrator.verify.programs import check_programs
from migrator.verify.records import Problem, Verification
from migrator.verify.shell_syntax import check_shell
from migrator.verify.tags import check_images

# verify() is what a run calls; removed_by_wheels() makes its `removed`
__all__ = ["verify", "removed_by_wheels", "Verification"]


def verify(text: str, path: str = "", removed: dict[int, list[str]] | None = None) -> Verification:
    """Check `text`. `removed` maps a stage's FROM line to the Debian build
    packages the wheel check took out of it, to measure what that saves."""
    result = Verification()
    try:
        document = parse(text)
    except InputError as error:
        result.problems.append(Problem(error.line, "UA901", f"does not parse: {error.message}"))
        return result
    check_shell(document, text, result)
    stages = check_images(document, result)
    check_installs(document, text, stages, result)
    check_programs(document, text, stages, result)
    if removed:
        measure_savings(stages, removed, result)
    result.problems.sort(key=lambda problem: (problem.line, problem.check))
    return result
