"""Which file names are compose files (cheap to import: no YAML parser)."""

from __future__ import annotations

import fnmatch

# The names `docker compose` reads, and the override files beside them.
PATTERNS = (
    "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
    "docker-compose.*.yml", "docker-compose.*.yaml", "compose.*.yml", "compose.*.yaml",
)


def is_compose_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PATTERNS)
