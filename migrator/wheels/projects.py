"""The requirements of a local project (`pip install .`), read statically.

pyproject.toml ([project] dependencies, or Poetry's
[tool.poetry.dependencies]), setup.cfg ([options] install_requires) and
setup.py (the literal `install_requires=` of its `setup()` call, or a name
bound to a literal in the same module). setup.py is never executed; libcst is
imported only when one is read. The project itself is built from source by
pip: `compiled` says why it needs a compiler when it visibly does.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path


class Unreadable(Exception):
    def __init__(self, file: str, why: str):
        super().__init__(f"{file}: {why}")
        self.file = file
        self.why = why


class Project:
    __slots__ = ("requirements", "compiled")

    def __init__(self) -> None:
        self.requirements: list[tuple[str, str]] = []  # (requirement, file it came from)
        self.compiled = ""


# Build backends (and build requirements) that exist to compile extensions.
_COMPILING_BACKENDS = ("maturin", "scikit_build", "scikit-build", "mesonpy", "meson-python", "setuptools-rust",
                       "setuptools_rust", "cython", "pybind11", "cffi")


def read(folder: Path, memo=None) -> Project:
    """`memo` (migrator.datacache.Memo): a setup.py read in an earlier run
    is not read again (libcst alone costs ~100 ms to import)."""
    project = Project()
    pyproject = folder / "pyproject.toml"
    data: dict = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise Unreadable("pyproject.toml", f"not valid TOML ({error})") from None
        build = data.get("build-system", {})
        for word in [build.get("build-backend", ""), *build.get("requires", [])]:
            if any(backend in word.lower() for backend in _COMPILING_BACKENDS):
                project.compiled = f"its build system uses {word}"
                break
        pep621 = data.get("project", {})
        if "dependencies" in pep621:
            project.requirements += [(r, "pyproject.toml") for r in pep621["dependencies"]]
            return project
        if "dependencies" in pep621.get("dynamic", []):
            pass  # declared by setup.py / setup.cfg below
        elif "tool" in data and "poetry" in data["tool"]:
            project.requirements += [(r, "pyproject.toml") for r in _poetry(data["tool"]["poetry"])]
            return project
        elif pep621:
            return project  # PEP 621 with no dependencies
    setup_cfg = folder / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(setup_cfg.read_text(encoding="utf-8"))
        except (configparser.Error, UnicodeDecodeError) as error:
            raise Unreadable("setup.cfg", f"cannot be read ({error})") from None
        if parser.has_option("options", "install_requires"):
            value = parser.get("options", "install_requires")
            if value.strip().startswith("file:"):
                raise Unreadable("setup.cfg", "install_requires names a file (file: directive)")
            project.requirements += [(r.strip(), "setup.cfg") for r in value.splitlines() if r.strip()]
            if not (folder / "setup.py").is_file():
                return project
    setup_py = folder / "setup.py"
    if setup_py.is_file():
        requirements, compiled = _setup_py_remembered(setup_py, memo)
        project.requirements += [(r, "setup.py") for r in requirements]
        project.compiled = project.compiled or compiled
    elif not pyproject.is_file() and not setup_cfg.is_file():
        raise Unreadable(".", "no pyproject.toml, setup.cfg or setup.py")
    return project


def _poetry(poetry: dict) -> list[str]:
    """Poetry's main dependencies as PEP 508 strings (optional ones are only
    installed with their extra)."""
    out = []
    for name, spec in poetry.get("dependencies", {}).items():
        if name.lower() == "python":
            continue
        if isinstance(spec, dict):
            if spec.get("optional") or "path" in spec or "git" in spec or "url" in spec:
                if not spec.get("optional"):
                    raise Unreadable("pyproject.toml", f"{name} comes from a path, git or URL")
                continue
            spec = spec.get("version", "*")
        if isinstance(spec, list):
            raise Unreadable("pyproject.toml", f"{name} has several constraints by marker")
        out.append(name + _poetry_constraint(str(spec)))
    return out


def _poetry_constraint(text: str) -> str:
    """Poetry's ^ and ~ constraints as PEP 440 specifiers."""
    parts = []
    for piece in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text.strip()):
        if piece in ("*", ""):
            continue
        if piece.startswith("^") or (piece.startswith("~") and not piece.startswith("~=")):
            version = piece.lstrip("^~")
            numbers = [int(n) for n in re.findall(r"\d+", version)[:3]]
            if piece.startswith("^"):
                first = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
                upper = numbers[: first + 1]
            else:  # ~1.2 and ~1.2.3 allow patch releases, ~1 minor ones
                upper = numbers[:2] if len(numbers) > 1 else numbers[:1]
            upper = upper[:-1] + [upper[-1] + 1]
            parts.append(f">={version},<{'.'.join(map(str, upper))}")
        elif piece[0].isdigit():
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    return ",".join(parts)


def _setup_py_remembered(path: Path, memo) -> tuple[list[str], str]:
    """_setup_py, or what it gave for the same text in an earlier run."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable("setup.py", f"does not parse ({str(error).splitlines()[0]})") from None
    if memo is None:
        return _setup_py(text)
    from migrator.datacache import MISSING

    key = ("setup.py", text)
    known = memo.get("setup.py", key)
    if known is MISSING:
        try:
            requirements, compiled = _setup_py(text)
            known = ("read", tuple(requirements), compiled)
        except Unreadable as error:
            known = ("unreadable", error.why, "")
        memo.put("setup.py", key, known)
    kind, value, compiled = known
    if kind == "unreadable":
        raise Unreadable("setup.py", value)
    return list(value), compiled


def _setup_py(text: str) -> tuple[list[str], str]:
    import libcst as cst  # only here: reading a setup.py is the rare case

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise Unreadable("setup.py", f"does not parse ({str(error).splitlines()[0]})") from None
    bindings: dict[str, cst.BaseExpression] = {}
    calls: list[cst.Call] = []

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    bindings[target.target.value] = node.value

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
            if name == "setup":
                calls.append(node)

    module.visit(Visitor())
    if not calls:
        raise Unreadable("setup.py", "no setup() call")
    arguments = {arg.keyword.value: arg.value for arg in calls[-1].args if arg.keyword is not None}
    if any(arg.star for arg in calls[-1].args):
        raise Unreadable("setup.py", "setup() takes **keyword arguments that cannot be read statically")
    compiled = ""
    if "ext_modules" in arguments or "rust_extensions" in arguments or "cffi_modules" in arguments:
        kind = next(k for k in ("ext_modules", "rust_extensions", "cffi_modules") if k in arguments)
        compiled = f"its setup.py builds {kind}"
    value = arguments.get("install_requires")
    if value is None:
        return [], compiled
    if isinstance(value, cst.Name):
        if value.value not in bindings:
            raise Unreadable("setup.py", f"install_requires={value.value} is not bound to a literal in setup.py")
        value = bindings[value.value]
    strings = _literal_strings(value)
    if strings is None:
        raise Unreadable("setup.py", "install_requires is computed, not a literal list of strings")
    return strings, compiled


def _literal_strings(node) -> list[str] | None:
    import libcst as cst

    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    out = []
    for element in node.elements:
        value = element.value
        if isinstance(value, cst.SimpleString):
            out.append(value.evaluated_value)
        elif isinstance(value, cst.ConcatenatedString) and isinstance(value.evaluated_value, str):
            out.append(value.evaluated_value)
        else:
            return None
    return out
