"""Live counters: commit-to-event time at many stream clients."""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench.common import FOLLOWS, RESULTS, ROOT, psycopg_params, reset, user_ids


def live(quick: bool) -> None:
    """Live counters without NOTIFY: the time from a commit to the event at 200 stream clients
    (one hub per server process polls the watched values every 50 ms)."""
    reset()
    _latency(clients=200, commits=20 if quick else 60)


def _latency(clients: int, commits: int) -> None:
    """Commit-to-event time at ``clients`` stream clients of a uvicorn server (its own process)."""
    import asyncio
    import subprocess

    import psycopg

    from tests.live import Server, Stream, _free_port
    from tests.utils import database_url

    params = psycopg_params()
    url = database_url()
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "project.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "COUNTERS_DEMO_FOLDER": "0",  # the commit-to-event time of reads with deltas pending
        },
    )
    users = user_ids(commits + 1)

    async def measure() -> list[float]:
        for _ in range(200):  # wait for the server
            try:
                probe = await Stream.open(
                    Server("127.0.0.1", port), "c=counters_social.GlobalStats.total_follows"
                )
                await probe.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        target = Server("127.0.0.1", port)
        streams = [
            await Stream.open(target, "c=counters_social.GlobalStats.total_follows")
            for _ in range(clients)
        ]
        await asyncio.gather(*(s.event(timeout=60) for s in streams))
        samples: list[float] = []
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            for i in range(commits):
                await conn.execute(
                    f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)",
                    [users[i + 1], users[0]],
                )
                committed = time.perf_counter()  # autocommit: the statement's return is the commit

                async def arrival(stream: Stream, since: float = committed) -> float:
                    await stream.event(timeout=30)
                    return time.perf_counter() - since

                samples += await asyncio.gather(*(arrival(s) for s in streams))
                await asyncio.sleep(0.05)
        await asyncio.gather(*(s.close() for s in streams))
        return samples

    try:
        samples = sorted(asyncio.run(measure()))
    finally:
        server.terminate()
        server.wait(10)
    median = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    RESULTS[f"live, commit to event at {clients} clients"] = {
        "clients": clients,
        "commits": commits,
        "median_ms": median * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": samples[-1] * 1000,
    }
    print(
        f"commit -> event at {clients} clients   median {median * 1000:.1f} ms  "
        f"p99 {p99 * 1000:.1f} ms  ({commits} commits)",
        flush=True,
    )
