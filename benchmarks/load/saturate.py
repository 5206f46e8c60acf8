"""Saturation run: residents browse the public pages and support and comment as fast as the site
answers, against gunicorn with 3 workers and a jobs worker on PostgreSQL with the demo city.
Loopback only; stops by itself after --seconds (default 300). Prints, per kind of request: count,
errors (any status of 400 or more, or no answer), throughput and latency percentiles.

    .venv/bin/python benchmarks/load/saturate.py [--database-url postgresql://postgres@127.0.0.1:5433/load]
        [--seconds 300] [--users 12] [--port 8321]

The client is a small asyncio loop on httpx (one connection and cookie jar per resident, no think
time): lighter than locust on a 2-core machine, so the site rather than the load generator is what
saturates.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # noqa: E402

FLASH = re.compile(r'class="flash flash--error">([^<]+)')
SEARCHES = ["公園", "カメラ", "バス", "図書館", "park", "データ"]


class Recorder:
    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, seconds: float, problem: str | None = None) -> None:
        self.samples[kind].append(seconds)
        if problem:
            self.errors[kind].append(problem)

    def table(self, elapsed: float) -> str:
        head = (
            f"{'request':<18}{'count':>8}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        )
        lines = [head, "-" * len(head)]
        everything = []
        for kind in sorted(self.samples):
            values = self.samples[kind]
            everything += values
            lines.append(_row(kind, values, len(self.errors[kind]), elapsed))
        lines.append("-" * len(head))
        lines.append(_row("all", everything, sum(len(e) for e in self.errors.values()), elapsed))
        return "\n".join(lines)


def _row(kind: str, values: list[float], errors: int, elapsed: float) -> str:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return (
        f"{kind:<18}{len(values):>8}{errors:>8}{len(values) / elapsed:>8.1f}"
        f"{q[49] * 1000:>9.0f}{q[94] * 1000:>9.0f}{q[98] * 1000:>9.0f}{ordered[-1] * 1000:>9.0f}"
    )


async def timed(recorder: Recorder, kind: str, request) -> httpx.Response | None:
    """Await ``request`` (a client call not yet awaited) and record how long it took."""
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        recorder.add(kind, time.perf_counter() - started, f"{type(exc).__name__}")
        return None
    problem = f"HTTP {response.status_code}" if response.status_code >= 400 else None
    recorder.add(kind, time.perf_counter() - started, problem)
    return response


async def resident(n, client: httpx.AsyncClient, token: str, ids: dict, until: list, recorder: Recorder) -> None:
    """One signed-in resident, with no think time, until ``until[0]``."""
    rng = random.Random(n)
    supported = client.supported  # what this resident supports now, kept across phases
    while time.monotonic() < until[0]:
        roll = rng.random()
        proposal = rng.choice(ids["proposals"])
        if roll < 0.15:
            await timed(recorder, "GET /", client.get("/"))
        elif roll < 0.25:
            await timed(recorder, "GET /processes", client.get("/processes"))
        elif roll < 0.35:
            process = rng.choice(ids["processes"])
            await timed(recorder, "GET process", client.get(f"/processes/{process}"))
        elif roll < 0.55:
            await timed(recorder, "GET proposal", client.get(f"/proposals/{proposal}"))
        elif roll < 0.62:
            await timed(recorder, "GET /sensors", client.get("/sensors"))
        elif roll < 0.70:
            q = rng.choice(SEARCHES)
            await timed(recorder, "GET /search", client.get("/search", params={"q": q}))
        elif roll < 0.88:
            target = rng.choice(ids["support"])
            action = "unsupport" if target in supported else "support"
            supported.symmetric_difference_update({target})
            await timed(
                recorder,
                "POST support",
                client.post(f"/proposals/{target}/{action}", data={"csrf_token": token}),
            )
        else:
            target = rng.choice(ids["comment"])
            body = f"負荷試験のコメントです。{n}-{rng.randrange(10**9)}"
            data = {"body": body, "stance": rng.choice(["for", "against", "neutral"]), "csrf_token": token}
            response = await timed(recorder, "POST comment", client.post(f"/comments/proposal/{target}", data=data))
            if response is not None and response.status_code == 302 and "#comment-" not in response.headers["Location"]:
                page = await client.get(response.headers["Location"])  # sent back to the form: say why
                recorder.errors["POST comment"].append("refused: " + " / ".join(FLASH.findall(page.text)))


async def run(base: str, ids: dict, users: int, seconds: float, warmup: float) -> tuple[Recorder, float]:
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(users)]
    for client in clients:
        client.supported = set()
    try:
        tokens = [await stack.sign_in(client, f"load{n}@example.jp") for n, client in enumerate(clients)]
        residents = list(enumerate(zip(clients, tokens, strict=True)))
        # Warm up first (each worker compiles its templates on first use); those samples are dropped.
        until = [time.monotonic() + warmup]
        await asyncio.gather(*(resident(f"warm-{n}", c, t, ids, until, Recorder()) for n, (c, t) in residents))
        recorder = Recorder()
        started = time.monotonic()
        until = [started + seconds]
        await asyncio.gather(*(resident(n, c, t, ids, until, recorder) for n, (c, t) in residents))
        return recorder, time.monotonic() - started
    finally:
        for client in clients:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=stack.DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--warmup", type=float, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="participation-load-"))
    env = stack.environment(args.database_url, work / "instance", args.port)
    print(f"preparing {args.database_url} (logs in {work})", flush=True)
    stack.prepare(args.database_url, env, residents=args.users)
    ids = stack.targets(env)
    server = stack.start_gunicorn(env, args.port, work)
    worker = stack.start_worker(env, work)
    try:
        print(
            f"{args.users} residents for {args.seconds:.0f} s against gunicorn -w 3 on 127.0.0.1:{args.port}",
            flush=True,
        )
        recorder, elapsed = asyncio.run(
            run(f"http://127.0.0.1:{args.port}", ids, args.users, args.seconds, args.warmup)
        )
    finally:
        worker.stop()
        server.stop()
    print(recorder.table(elapsed))
    for kind, problems in recorder.errors.items():
        if problems:
            print(f"errors in {kind}: {dict(Counter(problems))}")


if __name__ == "__main__":
    main()
