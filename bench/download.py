"""Downloading a recording: throughput against curl, memory, and segments against a slow store.

    python bench/download.py [--size-mib 1024]      (needs nginx and curl: apt install nginx-light curl)

In one run:
1. A real nginx serves a file of --size-mib on loopback. curl fetches it to disk, then the
   app's downloader does (in a child process, as the app would: streamed to `.part`, sha256
   and CRC-64 computed, fsync, atomic rename) — in one stream (the default) and in 4 segments.
   Printed: throughput of each, the ratio to curl (target >= 0.9x), and the child's peak RSS
   growth while downloading (target <= 30 MB). Then one stream resuming a `.part` of half the
   file left by another process: its bytes are read back and hashed (issue 13: the checksums
   are of what is on disk), and what that read-back costs is printed.
2. The simulator with a per-connection rate limit serves a recording; single-connection curl
   against the app's segmented download (target >= 3x).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESUME = 0  # the key of the runs resuming half a part another process left
sys.path.insert(0, str(ROOT))

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        types {{ video/mp4 mp4; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_file(path: Path, size: int) -> None:
    rng = random.Random(7)
    block = 1 << 20
    with path.open("wb") as handle:
        for start in range(0, size, block):
            handle.write(rng.randbytes(min(block, size - start)))


def start_nginx(prefix: Path, root: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, root=root))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(prefix)])
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"nginx did not start: {(prefix / 'error.log').read_text()}") from None
            time.sleep(0.05)


def curl(url: str, target: Path, *, durable: bool = False) -> float:
    """Seconds for curl to fetch `url` to disk; `durable`: and fsync it, as the app does."""
    began = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-o", str(target), url], check=True)
    if durable:
        with target.open("rb") as handle:
            os.fsync(handle.fileno())
    seconds = time.perf_counter() - began
    target.unlink()
    return seconds


def app_download(url: str, size: int, folder: Path, segments: int) -> dict[str, float]:
    """The app's downloader in a child process: its seconds and peak RSS growth."""
    command = [sys.executable, __file__, "--child", url, str(size), str(folder), str(segments)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def child(url: str, size: int, folder: Path, segments: int) -> None:
    from vmrtray.api import RecordFile
    from vmrtray.core.downloads import download, new_file_session

    def status(field: str) -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return 0.0

    async def run() -> dict[str, float]:
        file = RecordFile.model_validate(
            {
                "recordId": "bench",
                "conferenceKey": "100701",
                "startTime": "2026-11-29 10:00:00",
                "fileSize": size,
                "downUrl": url,
            }
        )
        target = folder / "bench.mp4"

        async def no_refresh() -> str:
            raise RuntimeError("the link does not expire here")

        async with new_file_session() as http:
            baseline = status("VmRSS:")
            began = time.perf_counter()
            result = await download(file, target, http=http, refresh=no_refresh, segments=segments)
            seconds = time.perf_counter() - began
        peak = status("VmHWM:")
        target.unlink()
        return {"seconds": seconds, "rss_growth": peak - baseline, "resumed_from": result.resumed_from}

    print(json.dumps(asyncio.run(run())))


def leave_half(www_file: Path, folder: Path, size: int, url: str) -> None:
    """A `.part` holding the first half of the file, as another process would have left it:
    with the `.part.meta` that process wrote from the store's answer (the object's ETag and
    Last-Modified, here nginx's), without which a part is not resumed but started over."""
    import httpx

    from vmrtray.core.transfer import Validator, save_stream_meta

    answer = httpx.head(url)
    validator = Validator(answer.headers.get("etag"), answer.headers.get("last-modified"), None)
    save_stream_meta(folder / "bench.mp4.part", size, validator)
    with www_file.open("rb") as source, (folder / "bench.mp4.part").open("wb") as part:
        left = size // 2
        while left:
            block = source.read(min(left, 16 << 20))
            part.write(block)
            left -= len(block)
        part.flush()
        os.fsync(part.fileno())  # on disk, as a killed download's part long is: only the read-back is timed


def nginx_part(size: int, runs: int) -> tuple[float, float, dict[int, list[dict[str, float]]]]:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as name:
        folder = Path(name)
        folder.chmod(0o755)  # nginx's worker drops root: it must be able to read the file
        (folder / "www").mkdir(mode=0o755)
        make_file(folder / "www" / "rec.mp4", size)
        nginx, port = start_nginx(folder / "nginx", folder / "www")
        url = f"http://127.0.0.1:{port}/rec.mp4"
        try:
            curls, durable, apps = [], [], {1: [], 4: [], RESUME: []}  # type: ignore[var-annotated]
            for _ in range(runs):
                curls.append(curl(url, folder / "curl.mp4"))
                durable.append(curl(url, folder / "curl.mp4", durable=True))
                for segments in (1, 4):
                    apps[segments].append(app_download(url, size, folder, segments))
                leave_half(folder / "www" / "rec.mp4", folder, size, url)
                apps[RESUME].append(app_download(url, size, folder, 1))
        finally:
            nginx.terminate()
            nginx.wait()
    return statistics.median(curls), statistics.median(durable), apps


def sim_part(size: int, rate: int) -> tuple[float, float]:
    from bench.simproc import start_sim
    from vmrtray.api import Client
    from vmrtray.sim import DEMO_PUBLIC_KEY

    sim, url = start_sim(6)
    try:
        import httpx

        httpx.post(f"{url}/_sim/room", json={"room": "100701", "file_size": size})
        httpx.post(f"{url}/_sim/meeting", json={"room": "100701", "started": True})

        async def record() -> str:
            async with Client(url, DEMO_PUBLIC_KEY) as api:
                record_id = await api.open_record("100701")
                await api.close_record("100701")
                return (await api.get_records(record_id))[0].down_url

        link = asyncio.run(record())
        httpx.post(f"{url}/_sim/files", json={"rate_limit": rate})
        with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as name:
            single = curl(link, Path(name) / "curl.mp4")
            segmented = app_download(link, size, Path(name), 4)["seconds"]
    finally:
        sim.terminate()
        sim.wait()
    return single, segmented


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, size, folder, segments = args.child
        child(url, int(size), Path(folder), int(segments))
        return
    for tool in ("nginx", "curl"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"needs {tool} (apt install nginx-light curl)")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    size = args.size_mib << 20
    curl_s, durable_s, apps = nginx_part(size, args.runs)
    mib = size / (1 << 20)
    print(f"nginx, {args.size_mib} MiB on loopback, median of {args.runs}")
    print(f"  curl to disk                    {mib / curl_s:5.0f} MiB/s")
    print(f"  curl to disk, then fsync        {mib / durable_s:5.0f} MiB/s   (as the app: the file on disk)")
    for segments, results in apps.items():
        if segments == RESUME:
            continue
        seconds = statistics.median(r["seconds"] for r in results)
        growth = max(r["rss_growth"] for r in results)
        label = "one stream (default)" if segments == 1 else f"{segments} segments (opt-in)"
        aim = "target >= 0.9" if segments == 1 else "no target: segments help only a store that limits a connection"
        print(
            f"  vmrtray, {label:20s}   {mib / seconds:5.0f} MiB/s   ratio to curl {curl_s / seconds:.2f},"
            f" to curl + fsync {durable_s / seconds:.2f} ({aim})"
            f"   peak RSS growth {growth:.1f} MB (target <= 30)"
        )
    whole = statistics.median(r["seconds"] for r in apps[1])
    resumed = statistics.median(r["seconds"] for r in apps[RESUME])
    resumed_from = min(r["resumed_from"] for r in apps[RESUME]) / (1 << 20)
    print(
        f"  vmrtray, one stream resuming a part of half the file another process left: {resumed:.2f} s,"
        f" resumed from {resumed_from:.0f} MiB (the whole file fresh: {whole:.2f} s; either way every"
        f" byte on disk is read back and hashed at the end)"
    )
    rate = 4 << 20
    single, segmented = sim_part(64 << 20, rate)
    print(f"simulator, 64 MiB at {rate >> 20} MiB/s per connection")
    print(
        f"  curl, one connection {single:6.1f} s   vmrtray, 4 segments {segmented:6.1f} s"
        f"   ratio {single / segmented:.2f} (target >= 3)"
    )


if __name__ == "__main__":
    main()
