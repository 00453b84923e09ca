# unalpine in a container, on the Debian slim image it migrates to.
#
#   docker build -t unalpine .
#   docker run --rm -v "$PWD:/src" unalpine --check /src
#
# It runs as an unprivileged user, which can read the files mounted at /src.
# --write replaces files: run it as yourself, so that they stay yours:
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/src" unalpine --yes --write /src
FROM python:3.11-slim-bookworm

# git: inside a repository unalpine lists the files git does (what .gitignore
# leaves out is not migrated), and --commit commits with it. The files at /src
# belong to another user than the one running git: trust them. Not pinned: it
# follows bookworm's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'

WORKDIR /opt/unalpine
COPY pyproject.toml README.md ./
COPY migrator/ migrator/
COPY mappings/ mappings/
RUN pip install --no-cache-dir --disable-pip-version-check . \
    && useradd --create-home --uid 10001 unalpine

# a cache any user (-u) can write: index answers and compiled tables
ENV XDG_CACHE_HOME=/tmp/unalpine-cache
USER 10001
WORKDIR /src
ENTRYPOINT ["unalpine"]
CMD ["--help"]
