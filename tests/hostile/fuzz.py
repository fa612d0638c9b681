"""A seeded mutation fuzzer for the compose and nginx readers, shared by the suite (a few hundred cases) and
``benchmarks/fuzz_campaign.py`` (as many as you like).

Each case takes a compose file and an nginx config from compose-samples/, applies a few random mutations
(bytes deleted, duplicated or replaced; tokens that stress the readers inserted: anchors and aliases,
``${``, merge keys, tags, NUL and Latin-1 bytes, braces, long runs), writes the project and runs
``dockernet check`` in-process. Any exit status but 0, 1 and 2, or an exception, is a failure.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.samples import COMPOSE_FILES, SAMPLES

TOKENS: tuple[bytes, ...] = (
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"${",
    b"${X:-${Y}}",
    b"$$",
    b"}",
    b"{",
    b";",
    b'"',
    b"'",
    b"\\",
    b"\n",
    b"\t",
    b"\0",
    b"\xe9",
    b"\xff\xfe",
    b"\r",
    b"\x1b[31m",
    b"!!float ",
    b"!!int ",
    b"!reset ",
    b"!override ",
    b"- ",
    b": ",
    b"[",
    b"]",
    b",",
    b"#",
    b"include /etc/nginx/*.conf;",
    b"location / {",
    b"proxy_pass ",
    b"http://",
    b"$host",
    b"1-65535",
    b"replicas: 99999999",
    b"x" * 5000,
    b"\xf0\x9f\x90\xb3",
    b"~*",
)


@dataclass(frozen=True)
class Seed:
    compose: bytes
    nginx: bytes


def seeds() -> list[Seed]:
    """Every (compose file, nginx config) pair of compose-samples/ that mounts ``./nginx.conf``."""
    out = []
    for project in sorted(p.parent for p in SAMPLES.glob("*/*/nginx.conf")):
        for name in COMPOSE_FILES:
            compose = project / name
            if compose.is_file():
                out.append(Seed(compose.read_bytes(), (project / "nginx.conf").read_bytes()))
                break
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    """``data`` with one to four random mutations."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(buf))
        op = rng.random()
        if op < 0.4:
            buf[pos:pos] = rng.choice(TOKENS)
        elif op < 0.6:
            del buf[pos : pos + rng.randint(1, 20)]
        elif op < 0.8:
            end = min(len(buf), pos + rng.randint(1, 200))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 5)
        elif buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
    return bytes(buf)


def cases(seed: int, count: int) -> Iterator[tuple[int, bytes, bytes]]:
    """``count`` (case number, compose bytes, nginx bytes), the same for the same seed."""
    rng = random.Random(seed)
    pool = seeds()
    for i in range(count):
        s = rng.choice(pool)
        which = rng.random()
        compose = mutate(s.compose, rng) if which < 0.6 else s.compose
        nginx = mutate(s.nginx, rng) if which >= 0.4 else s.nginx
        yield i, compose, nginx


def write(directory: Path, compose: bytes, nginx: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "compose.yaml").write_bytes(compose)
    (directory / "nginx.conf").write_bytes(nginx)
