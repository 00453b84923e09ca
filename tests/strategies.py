"""Hypothesis strategies that write Dockerfiles the awkward ways real files do.

`dockerfiles()` draws a whole file as text. It mixes, on purpose, everything
buildkit's line scanner treats specially: keywords in any case and indented
(by spaces, tabs and the odd Unicode blank), continuations with `\\` or with
the `# escape=`` directive, an escape followed by spaces/tabs, comment and
blank lines inside continuations, heredocs (`<<EOF`, `<<-EOF` with tab
indented terminators, quoted names, two on one line, `COPY <<EOF /path`,
`ONBUILD RUN <<EOF`), exec form, flags, parser directives (and a decoy that
ends them), LF/CRLF/mixed line endings, a BOM, no final newline and a
dangling continuation at the end.

Every drawn file is a valid Dockerfile for buildkit's parser (no unknown
instructions, every heredoc terminated), so the oracle tests can insist that
both parsers accept it. Traps that *look* special but are not are included
too: `<<<` here-strings, `<<EOF` inside exec-form strings, a comment ending
in the escape character, the other escape character at the end of a line.

Not generated: NUL characters (the Python wrapper of buildkit passes text as
a C string and cuts it at the first NUL) and non-ASCII text in flags (Go's
extractBuilderFlags works byte by byte and mangles it, see document.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

ORDINARY = ["ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
            "LABEL", "MAINTAINER", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]
TRIGGERS = [k for k in ORDINARY if k not in ("FROM", "MAINTAINER")]
EXEC_FORM = ["CMD", "ENTRYPOINT", "RUN", "SHELL", "COPY", "ADD", "VOLUME"]

# Shell-ish words. None starts with "#" (a continuation line starting with
# it would be a comment) or ends with an escape character, and none opens a
# heredoc: the generator places those deliberately.
WORDS = [
    "apk", "add", "--no-cache", "pip", "install", "-r", "requirements.txt", "&&", "||", ";", "|",
    "2>&1", ">/dev/null", "/usr/local/bin", "$HOME", "${PY:-3.12}", "\"a b\"", "'c  d'", "a=b",
    "x#y", "\\$HOME", "a\\ b", "$(date)", "a`b", "<<<word", "<<<\"here\"", "é", "中文", "🐍",
    "cat", "echo", "-e", "[", "]", "{", "}",
]
FLAG_WORDS = {
    "RUN": ["--mount=type=cache,target=/root/.cache", "--network=none", "--security=insecure",
            "--mount=\"type=bind,source=a b\""],
    "COPY": ["--from=builder", "--chown=app:app", "--chmod=755", "--link", "--chown=\"app:app\""],
    "ADD": ["--checksum=sha256:0f0f", "--keep-git-dir=true", "--chown=1000"],
    "FROM": ["--platform=linux/amd64", "--platform=$BUILDPLATFORM"],
    "HEALTHCHECK": ["--interval=30s", "--timeout=3s", "--retries=3"],
}
BODY_WORDS = ["echo", "hello", "#", "# not a comment", "EOF ", "set -eux", "$VAR", "\\", "`", "\t",
              "  ", "<<EOF", "RUN x", "END", "é", "}"]
HEREDOC_NAMES = ["EOF", "END", "eof", "X_1", "PY"]

INDENT = st.sampled_from(["", "", "", " ", "  ", "\t", " \t", "    "]) | st.sampled_from(["\xa0", "\u3000", "\v", "\f"])
BLANK = st.sampled_from(["", "", " ", "\t", "  \t ", "\xa0", "\v"])
SEP = st.sampled_from([" ", " ", " ", "  ", "\t"])  # between keyword and arguments
TRAILING = st.sampled_from(["", "", "", " ", "\t", "  \t"])  # after an escape character


def any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flips: "".join(c.lower() if flip else c.upper() for c, flip in zip(word, flips))
    )


@dataclass
class Context:
    escape: str
    lines: list[str] = field(default_factory=list)


def comment(draw, escape: str) -> str:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=4)))
    # A comment that ends in the escape character does not continue.
    tail = draw(st.sampled_from(["", "", f" {escape}", "\\", "`"]))
    return draw(INDENT) + "#" + draw(st.sampled_from(["", " "])) + text + tail


def words(draw, min_size: int = 0) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=min_size, max_size=4)))


def continued(draw, ctx: Context, head: str, parts: list[str], *, spaced: bool) -> None:
    """Append `head` + parts as physical lines joined by the escape character,
    with comment and blank lines dropped in between. `spaced` forces a blank
    before every continued part (needed where words must stay apart)."""
    while parts and not parts[-1]:
        parts = parts[:-1]  # a last line of blanks would be skipped and join the next line
    segments = [head] + parts
    for index, segment in enumerate(segments):
        if index:
            segment = draw(st.sampled_from([" ", "  ", "\t"]) if spaced else INDENT) + segment
        if index < len(segments) - 1:
            ctx.lines.append(segment + draw(st.sampled_from(["", " "])) + ctx.escape + draw(TRAILING))
            for _ in range(draw(st.integers(0, 2))):
                ctx.lines.append(draw(BLANK) if draw(st.booleans()) else comment(draw, ctx.escape))
        else:
            ctx.lines.append(segment)


def split_parts(draw, text_words: list[str]) -> list[str]:
    """Cut a word list into physical-line parts (keeps word order)."""
    if not text_words:
        return [""]
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text_words)), max_size=3))))
    parts, last = [], 0
    for cut in cuts + [len(text_words)]:
        parts.append(" ".join(text_words[last:cut]))
        last = cut
    return parts


def instruction_head(draw, keyword: str) -> tuple[str, str]:
    """(indent + keyword as written [+ ONBUILD prefix], the command that runs)."""
    if keyword == "ONBUILD":
        trigger = draw(st.sampled_from(TRIGGERS))
        return draw(INDENT) + draw(any_case("ONBUILD")) + draw(SEP) + draw(any_case(trigger)), trigger
    return draw(INDENT) + draw(any_case(keyword)), keyword


def flags_for(draw, command: str) -> list[str]:
    return draw(st.lists(st.sampled_from(FLAG_WORDS.get(command, ["--x"])), max_size=2)) if command in FLAG_WORDS else []


def arguments(draw, command: str) -> list[str]:
    """Words buildkit's parser accepts for `command`: ENV and LABEL need
    `key=value` pairs (or the old `key value`), ARG a name."""
    if command in ("ENV", "LABEL"):
        if draw(st.booleans()):
            return ["KEY"] + draw(st.lists(st.sampled_from(["value", "two words", "é"]), min_size=1, max_size=3))
        pairs = st.tuples(st.sampled_from(["A", "b_2", "PATH"]), st.sampled_from(["1", "x", '"a b"', "'c'", "$PATH:/x", ""]))
        return [f"{key}={value}" for key, value in draw(st.lists(pairs, min_size=1, max_size=3))]
    if command == "ARG":
        return [draw(st.sampled_from(["PY", "PY=3.12", "A=\"x y\""]))]
    return draw(st.lists(st.sampled_from(WORDS), max_size=8))


def shell_instruction(draw, ctx: Context) -> None:
    keyword = draw(st.sampled_from(ORDINARY + ["ONBUILD"]))
    head, command = instruction_head(draw, keyword)
    flags = flags_for(draw, command)
    body = flags + arguments(draw, command)
    parts = split_parts(draw, body)
    if command not in ("ENV", "LABEL", "ARG") and draw(st.integers(0, 8)) == 0:
        parts[-1] += " C:" + ctx.escape * 2  # an escaped escape ends the line
    # The keyword and its first words need a blank between them; a keyword
    # alone on its line needs one before the escape character (or after it).
    first = head + draw(SEP) + parts[0]
    # Gluing words across a continuation is fine for a shell command, but
    # "LABEL KEY\\\nvalue" is "LABEL KEYvalue", which buildkit refuses.
    # HEALTHCHECK and flags: Go splits its type word and flag words byte by
    # byte, so a Unicode blank glued to them is cut in half (see
    # test_document_oracle.py); keep ASCII blanks there.
    spaced = bool(flags) or command in ("ENV", "LABEL", "ARG", "HEALTHCHECK")
    continued(draw, ctx, first, parts[1:], spaced=spaced)


def exec_instruction(draw, ctx: Context) -> None:
    command = draw(st.sampled_from(EXEC_FORM + ["HEALTHCHECK", "ONBUILD"]))
    if command == "ONBUILD":
        head = draw(INDENT) + draw(any_case("ONBUILD")) + draw(SEP) + draw(any_case(draw(st.sampled_from(EXEC_FORM))))
    else:
        head = draw(INDENT) + draw(any_case(command))
    items = draw(st.lists(
        st.sampled_from(["/bin/sh", "-c", "cat <<EOF", "<<EOF", "a \"q\" b", "back\\slash", "é", "tab\there", "x`"])
        | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
        max_size=4,
    ))
    ensure_ascii = draw(st.booleans())
    encoded = [json.dumps(item, ensure_ascii=ensure_ascii) for item in items]
    prefix = flags_for(draw, command)
    if command == "HEALTHCHECK":
        prefix.append("CMD")
    # Split the array across lines only between items, never inside a string.
    parts = ["[" + (encoded[0] if encoded else "")]
    for item in encoded[1:]:
        if draw(st.booleans()):
            parts[-1] += ", " + item
        else:
            parts[-1] += ","
            parts.append(item)
    parts[-1] += "]"
    first = head + draw(SEP) + " ".join(prefix + [parts[0]])
    continued(draw, ctx, first, parts[1:], spaced=False)


def heredoc_instruction(draw, ctx: Context) -> None:
    command = draw(st.sampled_from(["RUN", "COPY", "ADD", "ONBUILD"]))
    if command == "ONBUILD":
        head = draw(INDENT) + draw(any_case("ONBUILD")) + draw(SEP) + draw(any_case("RUN"))
        command = "RUN"
    else:
        head = draw(INDENT) + draw(any_case(command))
    names = draw(st.lists(st.sampled_from(HEREDOC_NAMES), min_size=1, max_size=2))
    openers = []
    docs = []
    for name in names:
        chomp = draw(st.booleans())
        quote = draw(st.sampled_from(["", "", "'", '"']))
        fd = draw(st.sampled_from(["", "", "2"])) if command == "RUN" else ""
        openers.append(f"{fd}<<{'-' if chomp else ''}{quote}{name}{quote}")
        docs.append((name, chomp))
    text_words = flags_for(draw, command)
    if command == "RUN":
        text_words += ["cat"] + openers + draw(st.lists(st.sampled_from(["&&", "echo", "done", "|", "sh"]), max_size=2))
    else:
        text_words += openers + ["/app/" + draw(st.sampled_from(["a", "b.sh", "dir/"]))]
    parts = split_parts(draw, text_words)
    continued(draw, ctx, head + draw(SEP) + parts[0], parts[1:], spaced=True)
    for name, chomp in docs:
        for _ in range(draw(st.integers(0, 3))):
            line = "".join(draw(st.lists(st.sampled_from(BODY_WORDS), max_size=3)))
            if (line.lstrip("\t") if chomp else line) == name:
                line += "x"  # would end the heredoc early
            ctx.lines.append(line)
        ctx.lines.append(("\t" * draw(st.integers(0, 2)) if chomp else "") + name)


def blank_or_comment(draw, ctx: Context) -> None:
    ctx.lines.append(draw(BLANK) if draw(st.booleans()) else comment(draw, ctx.escape))


@st.composite
def dockerfiles(draw, *, dangling: bool = True) -> str:
    """A whole Dockerfile as text (see the module docstring)."""
    directives = draw(st.lists(st.sampled_from(["syntax", "escape"]), unique=True, max_size=2))
    escape = draw(st.sampled_from(["\\", "`"])) if "escape" in directives else "\\"
    ctx = Context(escape)
    for name in directives:
        value = escape if name == "escape" else "docker/dockerfile:1"
        ctx.lines.append(
            draw(st.sampled_from(["", "", " ", "\t"])) + "#" + draw(st.sampled_from(["", " "]))
            + draw(any_case(name)) + draw(st.sampled_from(["=", " = "])) + value + draw(st.sampled_from(["", " "]))
        )
    if draw(st.integers(0, 4)) == 0:
        # An unknown directive ends the directives: the escape line after it
        # is an ordinary comment and changes nothing.
        ctx.lines.append("# foo=bar")
        ctx.lines.append("# escape=" + ("`" if escape == "\\" else "\\"))
    instructions = [shell_instruction] * 5 + [exec_instruction] * 2 + [heredoc_instruction] * 2
    draw(st.sampled_from(instructions))(draw, ctx)  # buildkit refuses a file with no instruction
    for _ in range(draw(st.integers(0, 6))):
        draw(st.sampled_from(instructions + [blank_or_comment] * 2))(draw, ctx)
    if dangling and draw(st.integers(0, 5)) == 0:
        # A dangling continuation at the end, maybe followed by lines buildkit drops.
        ctx.lines.append(draw(INDENT) + "RUN echo end " + escape + draw(TRAILING))
        for _ in range(draw(st.integers(0, 2))):
            ctx.lines.append(draw(BLANK))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "mixed"]))
    if newline == "mixed":
        ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r\r\n"]), min_size=len(ctx.lines), max_size=len(ctx.lines)))
    else:
        ends = [newline] * len(ctx.lines)
    text = "".join(line + end for line, end in zip(ctx.lines, ends))
    if draw(st.integers(0, 4)) == 0:
        text = text[: -len(ends[-1])]  # no final newline
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Always present, so the fixture tests never run empty: a small file that
# touches most of what the generator does.
SAMPLE = (
    "\ufeff# syntax=docker/dockerfile:1\r\n"
    "  # escape=`\r\n"
    "\r\n"
    "from --platform=$BUILDPLATFORM python:3.12-alpine AS build\r\n"
    "  Run apk add --no-cache `  \r\n"
    "    # the compiler\r\n"
    "\r\n"
    "      gcc musl-dev \\\r\n"
    "RUN <<-EOF cat <<'PY' > /x\r\n"
    "\techo $HOME\r\n"
    "\tEOF\r\n"
    "print('hi')\r\n"
    "PY\r\n"
    "COPY --chown=\"app:app\" <<EOF /etc/motd\r\n"
    "hello\r\n"
    "EOF\r\n"
    "ONBUILD run [\"pip\", \"install\", `\r\n"
    "  \".\"]\r\n"
    "HEALTHCHECK --interval=5s CMD [\"true\"]\r\n"
    "CMD python -m app `\t\r\n"
)


def fixture_files() -> list[Path]:
    """Every before/after Dockerfile under fixtures/ (others keep adding them)."""
    return sorted(FIXTURES.glob("*/before.Dockerfile")) + sorted(FIXTURES.glob("*/after.Dockerfile"))


def fixture_cases() -> list:
    """pytest params: the sample plus every fixture, read byte for byte."""
    import pytest

    cases = [pytest.param(SAMPLE, id="sample")]
    for path in fixture_files():
        text = path.read_bytes().decode("utf-8")  # no newline translation: CRLF stays CRLF
        cases.append(pytest.param(text, id=str(path.relative_to(FIXTURES))))
    return cases


def fixture_dirs_without_files() -> list[Path]:
    """Case folders under fixtures/ that the glob does not see (misnamed files)."""
    if not FIXTURES.is_dir():
        return []
    seen = {path.parent for path in fixture_files()}
    # compose pairs (before.compose.yml) are tests/test_compose.py's
    return [folder for folder in sorted(FIXTURES.iterdir())
            if folder.is_dir() and folder not in seen and not (folder / "before.compose.yml").is_file()]


SOUP_TOKENS = ["a", "x=1", "--x=1", "--", "<<EOF", "<<-EOF", "<<'EOF'", "2<<EOF", "<<<EOF", "EOF", '"a b"', "'",
               '"', "[", "]", '"s"', ",", "$X", "\\", "`", "#", "é", "\xa0", "\v", "NaN", "1", "CMD", "--mount=a"]
SOUP_KEYWORDS = ["RUN", "run", "COPY", "ADD", "CMD", "ENV", "ONBUILD RUN", "ONBUILD COPY", "HEALTHCHECK", "ARG", "USER"]


@st.composite
def line_soup(draw) -> str:
    """Less careful than dockerfiles(): lines of keywords, comments, blanks
    and loose tokens (heredoc terminators, escapes, brackets) in any order.
    Many draws are not valid Dockerfiles; the tests compare how each parser
    handles them. No `# check=` directive: the wrapper's buildkit predates it
    (test_wrapper_predates_the_check_directive)."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        tokens = draw(st.lists(st.sampled_from(SOUP_TOKENS), max_size=5))
        sep = draw(st.sampled_from([" ", "\t", ""]))
        kind = draw(st.sampled_from(["instruction"] * 4 + ["comment", "blank", "loose", "directive"]))
        if kind == "instruction":
            line = draw(INDENT) + draw(st.sampled_from(SOUP_KEYWORDS)) + " " + sep.join(tokens)
        elif kind == "comment":
            line = draw(INDENT) + "#" + sep.join(tokens)
        elif kind == "blank":
            line = draw(BLANK)
        elif kind == "directive":
            line = draw(st.sampled_from(["# escape=`", "# escape=\\", "#syntax=x", "# foo=bar"]))
        else:
            line = draw(st.sampled_from(["", "\t", "\t\t"])) + sep.join(tokens)
        lines.append(line + draw(st.sampled_from(["", "", "", " \\", "\\ ", " `", "`\t"])))
    ends = draw(st.lists(st.sampled_from(["\n", "\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, ends))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return ("\ufeff" if draw(st.integers(0, 5)) == 0 else "") + text
