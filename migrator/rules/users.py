"""UA401 busybox-users: busybox adduser/addgroup/deluser/delgroup → shadow's tools.

Busybox's flags mean other things to Debian's adduser (`-D` "no password"
versus nothing at all, `-G` the primary group, `-S` a system account in
group nogroup), and Debian's slim images may not even have adduser (trixie
has none), while useradd and groupadd (package passwd) are always there.
The command is rewritten as a whole, with the same meaning:

    busybox                         shadow
    adduser -D USER                 useradd -m -k /dev/null [-K HOME_MODE=0755] USER
    adduser -S [-D] [-H] USER       useradd -r -g nogroup [-m -k /dev/null] USER
    adduser -G GRP USER             useradd -m -k /dev/null -g GRP USER
    -h DIR / -g GECOS / -s SHELL    -d DIR / -c GECOS / -s SHELL
    -u UID / -k SKEL                -u UID / -k SKEL
    adduser USER GROUP              usermod -a -G GROUP USER
    addgroup [-S] [-g GID] GROUP    groupadd [-r] [-g GID] GROUP
    addgroup USER GROUP             usermod -a -G GROUP USER
    deluser USER / delgroup GROUP   userdel USER / groupdel GROUP

busybox's long options (`--disabled-password`, `--system`, `--ingroup`,
`--home`, ...) read as their short forms; a value may be a variable
(`-u "$UID"`), written back as it was. busybox makes an empty home (Alpine's
/etc/skel is empty), where useradd -m would copy Debian's /etc/skel dotfiles:
`-k /dev/null` keeps it empty; and readable by all (2755), where trixie's
useradd makes it 0700: `-K HOME_MODE=0755` there.

UA402 existing-account: Debian's base already has some accounts Alpine files
create themselves (www-data is 33:33 on Debian, 82:82 on Alpine), and
useradd/groupadd stop on them. Asked: move Debian's account to the ids the
file asks for (volumes depend on them), or use Debian's account as it is.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.busybox_options import Arg, Unsupported, parse_options
from migrator.context import RuleContext, Stage
from migrator.installs import Need, provides
from migrator.proposals import Decision, Edit, Finding, Option, Severity
from migrator.records import Frozen
from migrator.rules import rule
from migrator.shell import Command, Word
from migrator.word_edits import RunPlan

ID = "UA401"
ACCOUNT_ID = "UA402"

_ADDUSER_VALUES = {"h", "g", "s", "G", "u", "k"}
_ADDUSER_FLAGS = {"S", "D", "H"}
_ADDGROUP_VALUES = {"g"}
_ADDGROUP_FLAGS = {"S"}
# busybox's getopt_long tables (loginutils/adduser.c, addgroup.c), plus
# adduser --gid, which Debian's adduser files use and means -G by number.
_ADDUSER_LONG = {
    "home": "h", "gecos": "g", "shell": "s", "ingroup": "G", "gid": "G", "disabled-password": "D",
    "empty-password": "D", "system": "S", "no-create-home": "H", "uid": "u", "skel": "k",
}
_ADDGROUP_LONG = {"gid": "g", "system": "S"}
# Alpine keeps nologin in /sbin; bullseye images have no merged /usr.
_SHELLS = {"/sbin/nologin": "/usr/sbin/nologin", "/bin/ash": "/bin/bash"}
# An empty skeleton: useradd -m then makes the home empty, as busybox did.
EMPTY_SKEL = "/dev/null"
# Suites whose login.defs makes new homes 0700 (HOME_MODE); busybox made
# them 2755 and readable by all, and the file's other accounts may rely on it.
PRIVATE_HOMES = {"trixie"}
# Suites whose base image has no adduser/addgroup (only useradd/groupadd).
NO_ADDUSER = {"trixie"}
# Debian's adduser/addgroup/deluser options (adduser(8), deluser(8)): a call
# left as is that uses only these is in Debian's own syntax, and works once
# the adduser package is there.
_DEBIAN_LONG = {
    "quiet", "debug", "force-badname", "allow-badname", "allow-all-names", "system", "home", "shell", "no-create-home",
    "uid", "firstuid", "lastuid", "gid", "firstgid", "lastgid", "ingroup", "group", "disabled-password",
    "disabled-login", "gecos", "comment", "add_extra_groups", "add-extra-groups", "conf", "extrausers",
    "remove-home", "remove-all-files", "backup", "backup-to", "only-if-empty",
}

# Accounts every Debian image has (base-passwd; the same in bullseye,
# bookworm and trixie): name -> id. tests/test_debian_roots.py checks them
# against a real root.
DEBIAN_GROUPS = {
    "root": 0, "daemon": 1, "bin": 2, "sys": 3, "adm": 4, "tty": 5, "disk": 6, "lp": 7, "mail": 8, "news": 9,
    "uucp": 10, "man": 12, "proxy": 13, "kmem": 15, "dialout": 20, "fax": 21, "voice": 22, "cdrom": 24,
    "floppy": 25, "tape": 26, "sudo": 27, "audio": 29, "dip": 30, "www-data": 33, "backup": 34, "operator": 37,
    "list": 38, "irc": 39, "src": 40, "shadow": 42, "utmp": 43, "video": 44, "sasl": 45, "plugdev": 46,
    "staff": 50, "games": 60, "users": 100, "nogroup": 65534,
}
DEBIAN_USERS = {
    "root": 0, "daemon": 1, "bin": 2, "sys": 3, "sync": 4, "games": 5, "man": 6, "lp": 7, "mail": 8, "news": 9,
    "uucp": 10, "proxy": 13, "www-data": 33, "backup": 34, "list": 38, "irc": 39, "_apt": 42, "nobody": 65534,
}


class Account(Frozen):
    """One account-making command, read: what it makes and the ids asked for."""

    __slots__ = ()

    def __new__(cls, kind: str, name: str | None, number: Arg | None, group: Arg | None,
                options: dict[str, Arg]) -> Account:
        return tuple.__new__(cls, (kind, name, number, group, options))


# A rewrite: either the command's new text as a whole, or word changes
# (a word and its new text; None deletes it), so that the author's layout
# (continuation lines, order) stays.
Changes = list[tuple[Word, "str | None"]]

_ADDUSER_SHADOW = {"h": "-d", "g": "-c", "s": "-s", "u": "-u", "k": "-k", "G": "-g"}


def adduser(words: list[Word], suite: str = "") -> str | Changes:
    parsed = parse_options(words[1:], _ADDUSER_VALUES, _ADDUSER_FLAGS, _ADDUSER_LONG)
    options, operands = parsed.options, parsed.operands
    if len(operands) == 2 and not options:
        return _add_to_group(*operands)
    if len(operands) != 1:
        raise Unsupported("expected one user name")
    head = ["useradd"]
    if "H" not in options:
        head.append("-m")
        if "k" not in options:
            head += ["-k", EMPTY_SKEL]
        if suite in PRIVATE_HOMES:
            head += ["-K", "HOME_MODE=0755"]
    changes: Changes = [(words[0], " ".join(head))]
    for piece in parsed.pieces:
        out = []
        for letter in piece.letters:
            if letter == "S":
                out += ["-r"] if "G" in options else ["-r", "-g", "nogroup"]
            elif letter in _ADDUSER_SHADOW:
                out.append(_ADDUSER_SHADOW[letter])
        value = piece.value
        if value is not None and piece.letters[-1] == "s" and value.value in _SHELLS:
            value = Arg(_SHELLS[value.value], "")
            if piece.value_word is not None:
                changes.append((piece.value_word, value.shell()))
        if value is not None and piece.value_word is None:
            out.append(value.shell())  # attached: `-u1000`, `--uid=$UID`
        changes.append((piece.word, " ".join(out) or None))
    return changes


def addgroup(words: list[Word], suite: str = "") -> str | Changes:
    parsed = parse_options(words[1:], _ADDGROUP_VALUES, _ADDGROUP_FLAGS, _ADDGROUP_LONG)
    if len(parsed.operands) == 2 and not parsed.options:
        return _add_to_group(*parsed.operands)
    if len(parsed.operands) != 1:
        raise Unsupported("expected one group name")
    changes: Changes = [(words[0], "groupadd")]
    for piece in parsed.pieces:
        out = ["-r" if letter == "S" else "-g" for letter in piece.letters]
        if piece.value is not None and piece.value_word is None:
            out.append(piece.value.shell())
        changes.append((piece.word, " ".join(out)))
    return changes


def delete(tool: str):
    def convert(words: list[Word], suite: str = "") -> str | Changes:
        operands = parse_options(words[1:], set(), set()).operands
        if len(operands) == 2 and tool == "userdel":
            return " ".join(["gpasswd", "-d", operands[0].shell(), operands[1].shell()])
        if len(operands) != 1:
            raise Unsupported("expected one name")
        return [(words[0], tool)]

    return convert


def _add_to_group(user: Arg, group: Arg) -> str:
    """`adduser USER GROUP` and `addgroup USER GROUP` mean the same in busybox."""
    return " ".join(["usermod", "-a", "-G", group.shell(), user.shell()])


def existing(name: str, words: list[Word]) -> Account | None:
    """The Debian account an adduser/addgroup call would make again, if any."""
    try:
        if name == "adduser":
            options, operands, _ = parse_options(words, _ADDUSER_VALUES, _ADDUSER_FLAGS, _ADDUSER_LONG)
            if len(operands) == 1 and operands[0].value in DEBIAN_USERS:
                return Account("user", operands[0].value, options.get("u"), options.get("G"), options)
        elif name == "addgroup":
            options, operands, _ = parse_options(words, _ADDGROUP_VALUES, _ADDGROUP_FLAGS, _ADDGROUP_LONG)
            if len(operands) == 1 and operands[0].value in DEBIAN_GROUPS:
                return Account("group", operands[0].value, options.get("g"), None, options)
    except Unsupported:
        return None
    return None


def move(account: Account) -> str | None:
    """The usermod/groupmod that gives Debian's account what the file asked
    for, or None when it asked for nothing Debian's account lacks."""
    if account.kind == "group":
        if account.number is None or account.number.value == str(DEBIAN_GROUPS[account.name]):
            return None
        return " ".join(["groupmod", "-g", account.number.shell(), account.name])
    out = ["usermod"]
    if account.number is not None and account.number.value != str(DEBIAN_USERS[account.name]):
        out += ["-u", account.number.shell()]
    if account.group is not None and account.group.value != account.name:
        out += ["-g", account.group.shell()]
    for busybox, shadow in (("h", "-d"), ("s", "-s")):
        if busybox in account.options:
            arg = account.options[busybox]
            if busybox == "s" and arg.value in _SHELLS:
                arg = Arg(_SHELLS[arg.value], "")
            out += [shadow, arg.shell()]
    return " ".join(out + [account.name]) if len(out) > 1 else None


_CONVERTERS = {"adduser": adduser, "addgroup": addgroup, "deluser": delete("userdel"), "delgroup": delete("groupdel")}


@rule(ID, "busybox-users", "Rewrite busybox adduser/addgroup/deluser/delgroup with useradd/groupadd")
def check(ctx: RuleContext) -> Iterator[Edit | Finding]:
    plan = None  # the word plan of the RUN being rewritten
    for stage, instruction, script, command in ctx.commands():
        if command.name not in _CONVERTERS:
            continue
        if plan is None or plan.instruction is not instruction:
            if plan is not None:
                yield from plan.render()
            plan = RunPlan(ctx.document, instruction, script, ID)
        yield from _convert(ctx, stage, plan, command)
    if plan is not None:
        yield from plan.render()


def _convert(ctx: RuleContext, stage: Stage, plan: RunPlan, command: Command) -> Iterator[Finding]:
    line = ctx.line_of(plan.span(command.words[0])[0])
    account = existing(command.name, list(command.words[1:]))
    if account is not None:
        yield from _existing(ctx, plan, command, account, line)
        return
    try:
        new = _CONVERTERS[command.name](list(command.words), _suite(ctx, stage))
    except Unsupported as why:
        if not _debian_syntax(command):
            yield Finding(ID, line, f"busybox {command.name} left as is ({why}): Debian's {command.name} reads its options differently")
            return
        yield Finding(ID, line, f"{command.name} left as is ({why}): it is in Debian's adduser syntax", Severity.INFO)
        if _suite(ctx, stage) in NO_ADDUSER:
            if _install_adduser(ctx, plan.span(command.words[0])[0], command) == "install":
                yield Finding(ID, line, f"Debian {_suite(ctx, stage)}'s image has no {command.name}: package adduser "
                              "installed before it", Severity.INFO)
            else:
                yield Finding(ID, line, f"Debian {_suite(ctx, stage)}'s image has no {command.name}: it fails there")
        return
    if isinstance(new, str):
        plan.replace(_whole(command), new)
        tool = new.split()[0]
    else:
        for word, text in new:
            if text is None:
                plan.delete(word)
            elif text != word.text:
                plan.replace(word, text)
        tool = new[0][1].split()[0]
    yield Finding(ID, line, f"busybox {command.name} → {tool} (Debian's {command.name} reads busybox's flags differently)", Severity.INFO)
    if tool == "useradd":
        yield from _existing_home(ctx, stage, plan, command, line)


def _existing_home(ctx: RuleContext, stage: Stage, plan: RunPlan, command: Command, line: int) -> Iterator[Finding]:
    """busybox adduser gives a home that exists already (a WORKDIR made it)
    to the user; useradd leaves it root's ("the home directory already
    exists"): a chown after it keeps busybox's result."""
    options, operands, _ = parse_options(list(command.words[1:]), _ADDUSER_VALUES, _ADDUSER_FLAGS, _ADDUSER_LONG)
    home = options.get("h")
    if "H" in options or home is None or home.value is None or operands[0].value is None:
        return
    start = plan.span(command.words[0])[0]
    made = [i for current in stage.lineage() for i in current.instructions if i.start < start and _makes(i, home.value)]
    if not made:
        return
    user = operands[0]
    plan.append(command, f" && chown {user.shell()}: {home.shell()}")
    yield Finding(ID, line, f"{home.value} exists already (line {made[0].line}): busybox adduser gave it to {user.value}, "
                  "useradd does not; chown added", Severity.INFO)


def _makes(instruction, path: str) -> bool:
    """Whether a WORKDIR, COPY or ADD names `path` as the folder it makes."""
    path = path.rstrip("/") or "/"
    if instruction.command == "WORKDIR":
        return instruction.args.strip().strip("\"'").rstrip("/") == path
    if instruction.command in ("COPY", "ADD"):
        words = instruction.json_args or instruction.args.split()
        return len(words) >= 2 and words[-1].rstrip("/") == path
    return False


def _debian_syntax(command: Command) -> bool:
    """Whether every option of the call is one of Debian's adduser's long options."""
    options = [word for word in command.words[1:] if (word.value or word.text).startswith("-")]
    return bool(options) and all((word.value or "").startswith("--")
                                 and word.value[2:].split("=", 1)[0] in _DEBIAN_LONG for word in options)


def _install_adduser(ctx: RuleContext, offset: int, command: Command) -> str:
    return ctx.ask(Decision(
        key=f"{ID}:install-adduser",
        rule=ID,
        question=(f"{command.name} is left in a syntax useradd/groupadd cannot take, and Debian's trixie image has no "
                  "adduser/addgroup: install the adduser package?"),
        options=(Option("install", "install adduser before it"), Option("keep", "no (the command fails)")),
        recommended="install",
        line=ctx.line_of(offset),
        context=ctx.line_text(offset),
    ))


@provides
def _needs(ctx: RuleContext) -> Iterator[Need]:
    """adduser for the calls left as they are, on a suite without it."""
    without = [stage for stage in ctx.migrated() if _suite(ctx, stage) in NO_ADDUSER]
    for stage, _, script, command in ctx.commands(without):
        if command.name not in _CONVERTERS or existing(command.name, list(command.words[1:])) is not None:
            continue
        try:
            _CONVERTERS[command.name](list(command.words), _suite(ctx, stage))
        except Unsupported:
            if not _debian_syntax(command):
                continue
            offset = script.file_span(command.words[0].start, command.words[0].end)[0]
            if _install_adduser(ctx, offset, command) == "install":
                yield Need(stage, offset, "adduser", ID, f"{command.name} left in a syntax only adduser reads")


def _suite(ctx: RuleContext, stage: Stage) -> str:
    """The suite a stage's image is (a stage built on another is its root's)."""
    return stage.root.suite or ctx.image_suite


def _whole(command: Command) -> Command:
    """The command from its first word to its last (not a redirect after them)."""
    return command._replace(start=command.words[0].start, end=command.words[-1].end)


def _existing(ctx: RuleContext, plan: RunPlan, command: Command, account: Account, line: int) -> Iterator[Finding]:
    ids = DEBIAN_USERS if account.kind == "user" else DEBIAN_GROUPS
    debian = f"{account.kind} {account.name} ({ids[account.name]})"
    new = move(account)
    if new is None:
        # nothing to move: Debian's account is what the file asked for
        plan.remove(command)
        yield Finding(ACCOUNT_ID, line, f"Debian already has the {debian}: {command.name} {account.name} removed, Debian's is used",
                      Severity.INFO)
        return
    asked = account.number.text if account.number is not None else ""
    answer = ctx.ask(Decision(
        key=f"{ACCOUNT_ID}:{account.kind}:{account.name}",
        rule=ACCOUNT_ID,
        question=(f"Debian already has the {debian}; {command.name} would stop on it"
                  + (f" (the file asks for {asked}: files in volumes keep their ids)" if asked else "")
                  + ". What should become of it?"),
        options=(
            Option("move", f"change Debian's {account.kind} to what the file asks for: {new}"),
            Option("reuse", f"use Debian's {account.kind} as it is (remove the {command.name})"),
        ),
        recommended="move",
        line=line,
        context=ctx.line_text(plan.span(command.words[0])[0]),
    ))
    if answer == "reuse":
        plan.remove(command)
        yield Finding(ACCOUNT_ID, line, f"Debian already has the {debian}: {command.name} {account.name} removed, "
                      "Debian's is used as it is", Severity.INFO)
        return
    plan.replace(_whole(command), new)
    yield Finding(ACCOUNT_ID, line, f"Debian already has the {debian}: {new.split()[0]} moves it to what the file asked for",
                  Severity.INFO)
