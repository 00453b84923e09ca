"""What a run's options turn into: the mapping table, the wheel check, the
engine settings and answers of each configuration file (with where each
value came from: --show-config), and --explain.

One mapping table and wheel check is loaded per distinct set of values, so
a fleet whose repositories share a configuration loads them once.
"""

from __future__ import annotations

import os

from migrator.errors import InputError

TYPE_CHECKING = False  # importing typing costs ~3 ms of every start; only type checkers need it
if TYPE_CHECKING:
    from typing import Any, Callable

    from migrator.request import RunRequest

EXIT_OK = 0  # as migrator.orchestrate.EXIT_OK


def _known_ids() -> frozenset[str]:
    from migrator.rules import known_ids

    return known_ids()


def load_table(mappings: list[str], no_builtin: bool) -> Any:
    from migrator import packages

    # packages.MappingError is an InputError naming the mapping file: the
    # command prints it as one line and exits 2.
    return packages.PackageTable.load(overlays=list(mappings), builtin=not no_builtin)


def wheel_check(offline: bool, context: str | None, arch: list[str] | None) -> Any:
    from migrator.wheels.gather import DEFAULT_ARCHES, KNOWN_ARCHES, WheelCheck

    if context and not os.path.isdir(context):
        raise InputError(f"--context {context}: not a folder")
    arches = tuple(dict.fromkeys(name.removeprefix("linux/") for name in arch)) if arch else DEFAULT_ARCHES
    unknown = [name for name in arches if name not in KNOWN_ARCHES]
    if unknown:
        raise InputError(f"--arch {unknown[0]}: not one of {', '.join(KNOWN_ARCHES)}")
    return WheelCheck(offline=offline, context=_path(context) if context else None, arches=arches)


def _file_state(name: str) -> tuple:
    """A mapping file, as kept results are keyed by it: its content's digest
    (not its size and mtime: a copy with `cp -p` keeps both)."""
    from migrator.inputs import digest

    try:
        with open(name, "rb") as handle:
            return (os.path.abspath(name), digest(handle.read()))
    except OSError:
        return (os.path.abspath(name), None)


def _path(name: str) -> Any:
    from pathlib import Path  # only with --context: pathlib costs ~3 ms of a start

    return Path(name)


def explain(request: RunRequest) -> int:
    """--explain NAME: how the apk package NAME is mapped."""
    from migrator.images import image_table

    table = load_table(request.mappings, request.no_builtin)
    suite = image_table().index_suite(request.target) if request.target else None
    if suite != request.target:
        print(f"{request.target} is archived: its names are checked against {suite}, "
              "the nearest package index unalpine ships")
    print(table.explain(request.explain, suite))
    return EXIT_OK


# What a configuration file may set, with the request's option for each
# (given on the command line: it wins) and its default.
CONFIGURABLE = ("target", "answers", "mappings", "arch", "context", "exclude", "ignore")


def effective(request: RunRequest, config: Any) -> dict[str, tuple[Any, str]]:
    """Each configurable value for files under `config`, with where it came
    from: "command line", the configuration file, or "default"."""
    values: dict[str, tuple[Any, str]] = {}
    for key in CONFIGURABLE:
        given = getattr(request, key, None)
        if given:
            values[key] = (given, "command line")
        elif key in config.values:
            values[key] = (config.values[key], config.source)
        else:
            values[key] = ([] if key in ("mappings", "exclude", "ignore") else None, "default")
    return values


def show_config(request: RunRequest) -> int:
    """--show-config PATH: which configuration applies to PATH, and where each value comes from."""
    import json

    from migrator.config import ConfigFinder

    path = request.show_config
    if not os.path.exists(path):
        raise InputError("no such file or folder", path)
    config = ConfigFinder().for_path(path)
    lines = [f"# configuration for {path}: {config.source or 'none found (defaults and the command line)'}"]
    for key, (value, source) in effective(request, config).items():
        shown = "(not set)" if value is None else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {shown}  # {source}")
    if config.source and config.excludes(path) and not os.path.isdir(path):
        lines.append(f"# {path} is excluded by {config.source} when found by searching a folder")
    print("\n".join(lines))
    return EXIT_OK


class Options:
    """Makes the engine settings and resolvers of one run."""

    def __init__(self, request: RunRequest):
        self.request = request
        self._loaded: dict[tuple, tuple[Any, Any]] = {}

    def configured(self, config: Any, saved: dict[str, str]) -> tuple[Any, Any, dict[str, str]]:
        """The engine settings, resolver factory and saved answers for files
        under `config` (`saved`: the command line's answers)."""
        values = {key: value for key, (value, _) in effective(self.request, config).items()}
        unknown = sorted(set(values["ignore"]) - _known_ids())
        if unknown:
            raise InputError(f"ignore: {unknown[0]} is not a rule id", config.source)
        engine = self.engine_settings(values["target"], values["mappings"], values["context"], values["arch"],
                                      frozenset(values["ignore"]))
        if values["answers"] and values["answers"] != self.request.answers:
            from migrator import resolve

            saved = resolve.load_answers(values["answers"])
        return engine, self.resolver_factory(saved, values["answers"] or ""), saved

    def engine_settings(self, target: str | None, mappings: list[str], context: str | None,
                        arch: list[str] | None, ignore: frozenset[str] = frozenset()) -> Any:
        from migrator.engine import Settings

        request = self.request
        key = (tuple(mappings), context, tuple(arch or ()))
        if key not in self._loaded:  # one table and wheel check per distinct set of values
            self._loaded[key] = (load_table(mappings, request.no_builtin), wheel_check(request.offline, context, arch))
        table, wheels = self._loaded[key]
        return Settings(target=target, table=table, strict=request.strict, wheels=wheels, ignore=ignore)

    def kept_results(self, engine: Any, saved: dict[str, str], answers_name: str) -> Any:
        """The results earlier runs kept for files checked with these
        settings (migrator.results): found by every setting a file's result
        depends on, including pip's index settings of this environment."""
        from migrator import results
        from migrator.wheels.index_urls import pip_config_urls

        request = self.request
        mappings = next(key[0] for key, (table, _) in self._loaded.items() if table is engine.table)
        wheels = engine.wheels
        parts = (
            "yes" if request.yes else "check" if request.check else "open", sorted(saved.items()), answers_name,
            engine.target, engine.strict, sorted(engine.ignore), engine.details,
            [_file_state(name) for name in mappings], request.no_builtin,
            None if wheels is None else (wheels.offline, wheels.context and os.path.abspath(wheels.context),
                                         wheels.arches, wheels.cache_root and os.fspath(wheels.cache_root)),
            os.environ.get("PIP_INDEX_URL"), os.environ.get("PIP_EXTRA_INDEX_URL"), pip_config_urls(),
        )
        return results.KeptResults(results.run_key(parts), wheels)

    def resolver_factory(self, saved: dict[str, str], answers_name: str) -> Callable[[Any], Any]:
        from migrator import resolve

        request = self.request

        def resolver_for_one_file(say: Any) -> Any:
            # Runs in the worker that checks the file: what it says comes back
            # with the outcome and is printed in file order.
            if request.yes:
                fallback: Any = resolve.TakeRecommended(say)
            elif request.check:
                fallback = resolve.TakeRecommended(say, verb="would choose")
            else:
                fallback = resolve.LeaveOpen()
            return resolve.Answers(fallback, saved, answers_name, note=say)

        return resolver_for_one_file
