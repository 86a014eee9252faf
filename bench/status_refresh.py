"""One status refresh of many rooms: wall time, requests, TCP connections, ratio to ideal.

    python bench/status_refresh.py --rooms 200 --latency-ms 50

The simulator runs as its own process (`vmrctl sim`), as a server would; a quarter of the
rooms have a meeting running, so the refresh asks `getmeetinginfo` for every room and
`getLiveRecStatus` for the started ones. Ideal: ceil(requests / connections) × latency.
Targets: ratio ≤ 1.15, ≤ 16 connections, requests = rooms + started rooms.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simproc import start_sim
from vmrtray.api import Client
from vmrtray.core.status import DEFAULT_CONCURRENCY, fetch_statuses
from vmrtray.sim import DEMO_PUBLIC_KEY


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (Linux); 0 elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def refresh(url: str, rooms: list[str], concurrency: int) -> tuple[float, int, float]:
    async with Client(url, DEMO_PUBLIC_KEY, max_connections=concurrency) as api:
        began, cpu = time.perf_counter(), time.process_time()
        statuses = await fetch_statuses(api, rooms, limit=concurrency)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    failed = [s for s in statuses if s.error]
    if failed:
        raise SystemExit(f"{len(failed)} rooms failed, first: {failed[0].error}")
    return wall, sum(s.started for s in statuses), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--runs", type=int, default=5, help="refreshes measured; the median is reported")
    args = parser.parse_args()

    process, url = start_sim(args.rooms, args.latency_ms)
    try:
        rooms = [str(100701 + i) for i in range(args.rooms)]
        for room in rooms[::4]:
            httpx.post(f"{url}/_sim/meeting", json={"room": room, "started": True, "participants": 2})
        results = []
        for _ in range(args.runs):
            httpx.post(f"{url}/_sim/stats/reset")
            sim_cpu = cpu_seconds(process.pid)
            wall, started, client_cpu = asyncio.run(refresh(url, rooms, args.concurrency))
            sim_cpu = cpu_seconds(process.pid) - sim_cpu
            stats = httpx.get(f"{url}/_sim/stats").json()
            requests = sum(n for path, n in stats["requests"].items() if path != "files")
            results.append((wall, started, requests, stats["connections"]["*"], client_cpu, sim_cpu))
    finally:
        process.terminate()
        process.wait()

    wall, started, requests, connections, client_cpu, sim_cpu = sorted(results)[len(results) // 2]
    ideal = math.ceil(requests / connections) * args.latency_ms / 1000
    ratio = wall / ideal
    print(f"rooms {args.rooms}, started {started}, latency {args.latency_ms:g} ms, runs {args.runs} (median shown)")
    print(f"wall time        {wall * 1000:8.1f} ms")
    print(f"requests         {requests:8d}   (rooms + started = {args.rooms + started})")
    print(f"TCP connections  {connections:8d}   (target <= 16)")
    print(f"ideal            {ideal * 1000:8.1f} ms   (ceil({requests}/{connections}) x {args.latency_ms:g} ms)")
    print(f"ratio to ideal   {ratio:8.3f}   (target <= 1.15)")
    print(f"CPU: client {client_cpu * 1000:.0f} ms, simulator {sim_cpu * 1000:.0f} ms (the rest is waiting)")
    ok = ratio <= 1.15 and connections <= 16 and requests == args.rooms + started
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
