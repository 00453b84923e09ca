"""What --verify finds: problems (UA901-UA905), what each RUN's apt-get
installs add, what the wheel check saves, and notes on what was not checked;
and the stages as the checks see them."""

from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True)
class Problem:
    line: int
    check: str  # UA901..UA904
    message: str
    package: str = ""


@dataclass
class Install:
    """What one RUN's apt-get installs add to its stage."""

    line: int
    stage: str
    suite: str
    requested: list[str]
    packages: list[tuple[str, str, int]]  # name, version, Installed-Size (KiB)

    @property
    def size_kib(self) -> int:
        return sum(size for _, _, size in self.packages)


@dataclass
class Saving:
    """What the build packages the wheel check removed would have installed
    in a stage, on top of everything the stage still installs."""

    line: int  # the stage's FROM
    suite: str
    removed: list[str]  # Debian names
    packages: list[tuple[str, str, int]]

    @property
    def size_kib(self) -> int:
        return sum(size for _, _, size in self.packages)


@dataclass
class Verification:
    problems: list[Problem] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    savings: list[Saving] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # things not checked, and why

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerifyStage:
    name: str
    image: str  # as expanded
    suite: str | None
    base: str  # "python", "debian" or "" (not a base the resolver knows)
    system: object = None  # depsolver.System once an install needs it
    line: int = 0  # its FROM
    parent: "VerifyStage | None" = None  # the stage it is built FROM
    # What its apt-get installs put in, in file order: (file offset of the
    # install, the packages it adds: resolved, or the names alone offline)
    added: list = field(default_factory=list)
