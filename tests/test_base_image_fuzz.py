"""Seeded random FROM lines (official images, odd versions, variables,
digests, stages built on stages, --target): UA101 never crashes, a second
run changes nothing, and every FROM it writes names a published tag unless
it said the version was unknown to the table or a variable decides it.

CI runs 400 files; `UNALPINE_FROM_FUZZ=N` runs N by hand."""

from __future__ import annotations

import os
import random

from migrator.engine import Settings, migrate
from migrator.images import image_table
from migrator.resolve import Answers, TakeRecommended
from test_fixtures import published

VERSIONS = ["", "20", "1.22", "8.2-fpm", "8-cli", "lts", "3.8.5", "2.7", "3.4", "${V}", "${V:-3}", "${NOPE}",
            "9.6.24", "1.21", "4", "x", "14.17.0", "17-jdk", "8-jre", "mainline", "3.15-rc", "3.13.0a1", "1.2.3.4.5"]
ALPINES = ["alpine", "alpine3.19", "alpine-perl", "alpine-slim", "alpine-3.21", "alpine${A}", "slim", "bookworm"]
BODIES = ["", "RUN apk add --no-cache curl\n", "RUN apt-get update\n", "COPY . /app\n"]


def dockerfile(rng: random.Random, names: list[str]) -> str:
    stages = []
    for index in range(rng.randint(1, 3)):
        version = rng.choice(VERSIONS)
        tag = (version + "-" if version else "") + rng.choice(ALPINES)
        digest = rng.choice(["", "@sha256:" + "a" * 64])
        stages.append(f"FROM {rng.choice(names)}:{tag}{digest} AS s{index}\n" + rng.choice(BODIES))
    if rng.random() < 0.3:
        stages.append("FROM s0\n" + rng.choice(BODIES))
    return ("ARG V=3.9\n" if rng.random() < 0.5 else "") + "".join(stages)


def test_random_from_lines():
    rng = random.Random(6)
    names = [*image_table().images, "alpine", "traefik", "foo/bar", "docker.io/library/node", "arm64v8/php"]
    resolver = Answers(TakeRecommended(lambda message: None))
    for _ in range(int(os.environ.get("UNALPINE_FROM_FUZZ", "400"))):
        text = dockerfile(rng, names)
        settings = Settings(target=rng.choice([None, None, "bookworm", "buster"]))
        try:
            result = migrate(text, "Dockerfile", settings, resolver)
        except Exception as error:  # an InputError is fine only when it is not ours
            assert "internal error" not in str(error) and type(error).__name__ == "InputError", (text, error)
            continue
        assert migrate(result.text, "Dockerfile", settings, resolver).text == result.text, text
        said = " ".join(finding.message for finding in result.findings)
        for line in result.text.splitlines():
            if line.startswith("FROM ") and "$" not in line and line not in text.splitlines():
                assert published(line.split()[1]) or "not in unalpine's table" in said, (text, line)
