"""A fleet of repositories as platform teams have them, written from scratch
for fleet.py: each folder holds a Dockerfile of a Python service on Alpine
and, as real repositories do, sometimes its requirements file, a
pyproject.toml or a compose file.

The constructs are those of the real files listed in
../shared/corpus-dev.tsv (read there, never copied): `apk add --no-cache`,
`apk update`/`--update`/`upgrade`, `--virtual .build-deps` removed again,
build dependencies for cryptography/psycopg2/lxml/Pillow/grpcio (cargo
too), Alpine's py3-* packages on `alpine:` bases, `ARG` in `FROM`, digest
pins, multi-stage builds (a wheel-building stage, node and golang stages),
busybox adduser/addgroup, tini and su-exec, crond, locale settings, a
heredoc; and on the pip side: requirement files present in the folder and
absent from it (they come from elsewhere at build time), pins of
sdist-only releases, private index URLs (in pip options, in a requirements
file, in ENV) that cannot be reached from here, poetry, `pip install .`.

Every file is different (seeded by its number), and valid: buildkit parses
it and its RUN lines are sh (tests/test_fleet_corpus.py checks a sample).

    python benchmarks/realistic.py FOLDER [--files N]   # write a corpus to look at
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
ALPINES = ("3.15", "3.16", "3.17", "3.18", "3.19", "3.20")

# (requirement, the apk build dependencies a team typically adds for it)
WITH_BUILD_DEPS = (
    ("cryptography==3.4.7", "gcc musl-dev libffi-dev openssl-dev cargo"),
    ("cryptography==41.0.7", "gcc musl-dev libffi-dev openssl-dev cargo rust"),
    ("psycopg2==2.9.9", "gcc musl-dev postgresql-dev"),
    ("psycopg2-binary==2.9.9", "gcc musl-dev postgresql-dev"),
    ("lxml==4.9.3", "gcc musl-dev libxml2-dev libxslt-dev"),
    ("Pillow==10.4.0", "gcc musl-dev jpeg-dev zlib-dev freetype-dev"),
    ("grpcio==1.60.0", "g++ linux-headers"),
    ("mysqlclient==2.2.4", "gcc musl-dev mariadb-dev pkgconfig"),
    ("bcrypt==4.1.2", "gcc musl-dev libffi-dev"),
    ("numpy==1.26.4", "g++ gfortran openblas-dev"),
    ("pyzmq==25.1.2", "g++ zeromq-dev"),
    ("psutil==5.9.8", "gcc musl-dev linux-headers"),
)
# Releases with no wheel at all: their metadata is asked of PyPI's JSON API.
SDIST_ONLY = ("docopt==0.6.2", "uwsgi==2.0.25", "future==0.18.3", "termcolor==1.1.0", "python-ldap==3.4.4",
              "pycrypto==2.6.1")
PLAIN = ("Django==4.2.13", "flask==3.0.3", "gunicorn==22.0.0", "requests==2.32.3", "redis==5.0.4",
         "PyYAML==6.0.1", "click==8.1.7", "python-dotenv==1.0.1", "SQLAlchemy==2.0.30", "celery==5.4.0",
         "boto3==1.34.120", "jinja2==3.1.4", "pytz==2024.1", "six==1.16.0", "urllib3==1.26.18",
         "fastapi==0.111.0", "uvicorn==0.30.1", "pydantic==2.7.4", "aiohttp==3.9.5", "discord.py==2.3.2",
         "flask", "requests", "gunicorn", "python-telegram-bot")
PY3_PACKAGES = ("py3-cryptography", "py3-lxml", "py3-yaml", "py3-requests", "py3-psycopg2", "py3-pillow",
                "py3-dnspython", "py3-numpy")
RUNTIME = ("bash", "curl", "git", "jq", "tzdata", "ca-certificates", "openssh-client", "libpq", "libxslt",
           "libjpeg-turbo", "postgresql-client", "mariadb-connector-c", "libstdc++", "libffi", "openssl")
TEAMS = ("payments", "search", "platform", "data", "growth", "infra", "ml", "billing", "identity", "ops")


def _private_index(rng: random.Random) -> str:
    # .invalid never resolves (RFC 2606): as unreachable as a VPN-only index from CI
    team = rng.choice(TEAMS)
    return rng.choice((
        f"https://pypi.{team}.corp.invalid/simple/",
        f"https://nexus.{team}.invalid/repository/pypi-internal/simple",
        f"https://artifactory.invalid/api/pypi/{team}-pypi/simple",
    ))


def _continued(command: str, words: list[str], rng: random.Random, indent: str = "    ") -> str:
    """`command` and its words on one line, or one word per continued line."""
    if len(words) <= 3 or rng.random() < 0.4:
        return f"{command} {' '.join(words)}"
    return f"{command} \\\n" + " \\\n".join(f"{indent}    {word}" for word in words)


class Repository:
    """One repository's build files, made from its number."""

    def __init__(self, number: int):
        self.number = number
        self.rng = random.Random(number * 7919 + 17)
        self.files: dict[str, str] = {}
        self.constructs: set[str] = set()

    # --- pieces -------------------------------------------------------------------

    def base(self) -> tuple[list[str], str, bool]:
        """(lines before the first stage's body, image kind, python image?)"""
        rng, python = self.rng, self.rng.choice(PYTHONS)
        roll = rng.random()
        if roll < 0.55:
            tag = rng.choice((f"{python}-alpine", f"{python}-alpine{rng.choice(ALPINES)}", f"{python}.{rng.randint(1, 5)}-alpine",
                              "3-alpine", "alpine"))
            return [f"FROM python:{tag}"], "python", True
        if roll < 0.67:
            self.constructs.add("argfrom")
            return [f"ARG PYTHON_VERSION={python}", "", "FROM python:${PYTHON_VERSION}-alpine"], "python", True
        if roll < 0.72:
            self.constructs.add("digest")
            digest = "".join(rng.choice("0123456789abcdef") for _ in range(64))
            return [f"FROM alpine:{rng.choice(ALPINES)}@sha256:{digest}"], "alpine", False
        return [f"FROM alpine:{rng.choice((*ALPINES, 'latest', 'edge'))}"], "alpine", False

    def requirements(self, pins: list[str], private: str | None) -> None:
        lines = []
        if private:
            lines.append(f"--extra-index-url {private}")
        lines += pins
        if self.rng.random() < 0.3:
            lines.insert(0, "# pinned by pip-compile")
        self.files["requirements.txt"] = "\n".join(lines) + "\n"

    def pins(self) -> tuple[list[str], str]:
        """Requirements and the build packages they bring."""
        rng = self.rng
        chosen = rng.sample(WITH_BUILD_DEPS, rng.randint(0, 2))
        pins = [pin for pin, _ in chosen] + rng.sample(PLAIN, rng.randint(1, 4))
        if rng.random() < 0.3:
            self.constructs.add("sdist-only")
            pins.append(rng.choice(SDIST_ONLY))
        build = " ".join(dict.fromkeys(" ".join(deps for _, deps in chosen).split()))
        return pins, build

    # --- the Dockerfile -----------------------------------------------------------

    def dockerfile(self) -> str:
        rng = self.rng
        lines: list[str] = []
        if rng.random() < 0.15:
            lines.append("# syntax=docker/dockerfile:1")
        if rng.random() < 0.2:
            lines += [f"# {rng.choice(TEAMS)} service {self.number}", "#"]
        builder = rng.random() < 0.12
        if rng.random() < 0.05:
            self.constructs.add("nonpython")
            lines += [f"FROM node:{rng.choice(('18', '20', '21'))}-alpine AS assets", "WORKDIR /build",
                      "COPY package*.json ./", "RUN apk add --no-cache python3 make g++ && npm ci", "COPY . .",
                      "RUN npm run build", ""]
        if rng.random() < 0.04:
            self.constructs.add("nonpython")
            lines += ["FROM golang:alpine AS tools", "RUN apk add --no-cache git ca-certificates",
                      f"RUN go install github.com/example/tool{self.number % 50}@latest", ""]
        head, kind, python_image = self.base()
        pins, build = self.pins()
        private = _private_index(rng) if rng.random() < 0.18 else None
        if private:
            self.constructs.add("private-index")
        present = rng.random() < 0.55
        if builder and python_image:
            self.constructs.add("multistage")
            head = [head[0] + " AS builder", *head[1:]] if len(head) == 1 else [*head[:-1], head[-1] + " AS builder"]
        lines += head
        if kind == "python" and rng.random() < 0.5:
            lines += ["", "ENV PYTHONUNBUFFERED=1 \\", "    PYTHONDONTWRITEBYTECODE=1"]
        if private and rng.random() < 0.3:
            lines.append(f"ENV PIP_EXTRA_INDEX_URL={private}")
            self.constructs.add("private-index-env")
            private_in = "env"
        else:
            private_in = rng.choice(("option", "requirements")) if private else None
        if rng.random() < 0.2:
            self.constructs.add("locale")
            lines += ["ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 MUSL_LOCPATH=/usr/share/i18n/locales/musl"]
        lines += ["", f"WORKDIR {rng.choice(('/app', '/usr/src/app', '/srv', '/code'))}"]
        if kind == "alpine":
            extra = rng.sample(PY3_PACKAGES, rng.randint(0, 2))
            if extra:
                self.constructs.add("py3pkg")
            lines.append("RUN " + _continued("apk add --no-cache", ["python3", "py3-pip", *extra], rng))
            pip = "pip3 install --break-system-packages" if rng.random() < 0.5 else "pip3 install"
        else:
            pip = rng.choice(("pip install", "pip install --no-cache-dir", "pip3 install", "python -m pip install"))
        if rng.random() < 0.2:
            lines.append("RUN apk update && apk upgrade --no-cache")
            self.constructs.add("upgrade")
        copy_requirements = rng.random() < 0.8
        if copy_requirements:
            lines.append(rng.choice(("COPY requirements.txt .", "COPY requirements.txt /tmp/requirements.txt",
                                     "COPY requirements*.txt ./")))
            source = "/tmp/requirements.txt" if "/tmp/" in lines[-1] else "requirements.txt"
            if present:
                self.requirements(pins, private if private_in == "requirements" else None)
                self.constructs.add("requirements-present")
            else:
                self.constructs.add("requirements-absent")
            install = f"{pip} -r {source}"
        else:
            install = f"{pip} " + " ".join(f"'{pin}'" if "[" in pin else pin for pin in pins)
        if private_in == "option" or (private_in == "requirements" and not (copy_requirements and present)):
            install = install.replace(" install", f" install --extra-index-url {private}", 1)
        if rng.random() < 0.3:
            lines.append(f"RUN {pip.replace(' --no-cache-dir', '')} --upgrade pip setuptools wheel")
        style = rng.random()
        runtime = rng.sample(RUNTIME, rng.randint(0, 3))
        if build and style < 0.45:
            self.constructs.update({"virtual", "builddeps-del"})
            name = rng.choice((".build-deps", ".tmp", "build-dependencies", ".build"))
            lines.append("RUN " + _continued(f"apk add --no-cache --virtual {name}", build.split(), rng)
                         + f" \\\n    && {install} \\\n    && apk del {name}")
            if runtime:
                lines.append("RUN " + _continued("apk add --no-cache", runtime, rng))
        elif build and style < 0.75:
            self.constructs.add("update")
            comment = "    # build dependencies of the wheels below\n" if rng.random() < 0.3 else ""
            lines.append("RUN apk update \\\n" + comment + "    && " + _continued("apk add", [*build.split(), *runtime], rng)
                         + " \\\n    && rm -rf /var/cache/apk/*")
            lines.append(f"RUN {install}")
        else:
            if build or runtime:
                flag = rng.choice(("--no-cache", "--update", "--update --no-cache"))
                lines.append("RUN " + _continued(f"apk {flag} add" if flag == "--update" else f"apk add {flag}",
                                                 [*build.split(), *runtime], rng))
            lines.append(f"RUN {install}")
        if rng.random() < 0.08 and kind == "python":
            self.constructs.add("poetry")
            self.files["pyproject.toml"] = (
                f'[tool.poetry]\nname = "svc{self.number}"\nversion = "0.1.0"\ndescription = ""\n'
                f'authors = ["{rng.choice(TEAMS)} <team@example.invalid>"]\n\n'
                '[tool.poetry.dependencies]\npython = "^3.8"\n'
                + "".join(f'{pin.split("==")[0]} = "{pin.split("==")[1] if "==" in pin else "*"}"\n' for pin in pins[:3])
            )
            lines += ["COPY pyproject.toml ./", "RUN pip install poetry==1.8.3 && poetry install --no-root --only main"]
        lines.append(rng.choice(("COPY . .", "COPY . /app", "COPY src/ ./src/")))
        if builder and python_image:
            lines += ["RUN pip wheel --wheel-dir /wheels -r requirements.txt" if copy_requirements
                      else "RUN pip wheel --wheel-dir /wheels .", "",
                      head[-1].split(" AS ")[0], "COPY --from=builder /wheels /wheels",
                      "RUN pip install --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels",
                      "COPY --from=builder /app /app" if rng.random() < 0.5 else "WORKDIR /app"]
        if rng.random() < 0.35:
            self.constructs.add("adduser")
            user = rng.choice(("app", "appuser", "worker", "svc"))
            if rng.random() < 0.5:
                lines.append(f"RUN addgroup -S {user} && adduser -S {user} -G {user}")
            else:
                lines.append(f"RUN adduser -D -u {1000 + self.number % 9000} {user} && chown -R {user}:{user} /app")
            lines.append(f"USER {user}")
        entry = rng.random()
        if entry < 0.1:
            self.constructs.add("tini")
            lines[-1:-1] = ["RUN apk add --no-cache tini"] if lines[-1].startswith("USER") else []
            if not lines[-1].startswith("USER"):
                lines.append("RUN apk add --no-cache tini")
            lines.append('ENTRYPOINT ["/sbin/tini", "--"]')
        elif entry < 0.16:
            self.constructs.add("cron")
            lines += ["COPY crontab /etc/crontabs/root", 'CMD ["crond", "-f", "-l", "2"]']
        elif entry < 0.2:
            self.constructs.add("heredoc")
            lines += ["RUN <<EOF", "apk add --no-cache su-exec", "mkdir -p /data", "EOF",
                      'ENTRYPOINT ["su-exec", "nobody"]']
        if rng.random() < 0.4:
            port = rng.choice((5000, 8000, 8080, 8888, 9000))
            lines.append(f"EXPOSE {port}")
            if rng.random() < 0.3:
                lines.append(f"HEALTHCHECK CMD wget -qO- http://localhost:{port}/health || exit 1")
        if not any(line.startswith(("CMD", "ENTRYPOINT")) for line in lines[-3:]) or rng.random() < 0.5:
            lines.append(rng.choice(('CMD ["python", "app.py"]', 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]',
                                     "CMD python3 -m service", f'CMD ["python", "-m", "svc{self.number}"]')))
        return "\n".join(lines) + ("\n" if rng.random() < 0.9 else "")

    def compose(self) -> str:
        rng = self.rng
        self.constructs.add("compose")
        python = rng.choice(PYTHONS)
        services = ["services:", "  app:", "    build: .", "    ports:", '      - "8000:8000"']
        if rng.random() < 0.6:
            services += ["  worker:", f"    image: python:{python}-alpine", "    command: python worker.py"]
        services += ["  db:", f"    image: postgres:{rng.choice(('14', '15', '16'))}-alpine",
                     "  cache:", '    image: "redis:7-alpine"']
        return "\n".join(services) + "\n"

    def build(self) -> dict[str, str]:
        self.files["Dockerfile"] = self.dockerfile()
        if self.rng.random() < 0.15:
            self.files["docker-compose.yml"] = self.compose()
        return self.files


def write_corpus(root: Path, count: int) -> tuple[list[Path], dict[str, int]]:
    """`count` repositories under root (repo00000/...): the Dockerfiles'
    paths, and how many repositories show each construct."""
    dockerfiles, seen, counts = [], set(), {}
    for number in range(count):
        repository = Repository(number)
        files = repository.build()
        assert files["Dockerfile"] not in seen, f"two equal Dockerfiles (#{number})"
        seen.add(files["Dockerfile"])
        folder = root / f"repo{number:05d}"
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        dockerfiles.append(folder / "Dockerfile")
        for construct in repository.constructs:
            counts[construct] = counts.get(construct, 0) + 1
    return dockerfiles, dict(sorted(counts.items()))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    _, found = write_corpus(args.folder, args.files)
    print(", ".join(f"{name} {count}" for name, count in found.items()), file=sys.stderr)
