"""The tray's cost, against a bare PySide6 app that only shows a QSystemTrayIcon.

    python bench/tray.py            (needs Xvfb, trayer, xwininfo: see README, Development)

Measured in one run, on Xvfb with trayer as the tray host:
- start to tray shown: process start until the icon is embedded in the tray (median of runs),
  as a ratio to the bare app (target <= 1.5x);
- idle RSS, after the icon is shown and a few seconds of settling: over the bare app, and
  split into the stack's floor (a third app: the bare one plus qasync, httpx and pydantic, in
  use) and vmrtray's own cost over that floor (target <= +20 MB; issue 3 asked <= bare + 40 MB,
  which the chosen stack alone nearly fills: see DEVELOPERS.md, Memory);
- CPU seconds used in 60 s idle, 20 favourites, 10 s interval (target <= 1 s);
- the longest event-loop stall while the tray refreshes and renders 200 favourites at
  50 ms latency (target <= 50 ms), measured in-process with a 5 ms ticker.
vmrtray runs with real settings (a temp folder) against `vmrctl sim` in its own process.
Both apps run from a venv holding only what a user installs (`pip install -e .`, no test or
dev extras: import-linter's rich and click would otherwise make httpx load its CLI), made
once in bench/out/user-venv.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.simproc import start_sim  # noqa: E402
from tests.support import desktop as x11  # noqa: E402

BARE = """
import sys
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(["baretray"])
app.setApplicationName("baretray")
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("#3b6ea5"))
icon = QSystemTrayIcon(QIcon(pixmap))
icon.show()
sys.exit(app.exec())
"""


#: The bare app plus the libraries the stack fixes, used as vmrtray uses them: the qasync loop,
#: an httpx client (with its SSL context) and a validated pydantic model. What vmrtray adds
#: over this is its own cost.
FLOOR = """
import asyncio, sys
import httpx, pydantic, qasync
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

class Room(pydantic.BaseModel):
    id: str
    name: str = ""

app = QApplication(["floortray"])
app.setApplicationName("floortray")
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("#3b6ea5"))
icon = QSystemTrayIcon(QIcon(pixmap))

async def main():
    async with httpx.AsyncClient():
        Room.model_validate({"id": "100701", "name": "Room"})
        icon.show()
        await asyncio.Event().wait()

qasync.run(main())
"""


USER_VENV = ROOT / "bench" / "out" / "user-venv"


def user_python() -> str:
    """The interpreter of a user's install of this checkout (editable, so it runs this code),
    installed again whenever pyproject.toml or a translation changed since (new dependencies,
    new .qm files)."""
    python = USER_VENV / "bin" / "python"
    stamp = USER_VENV / "installed-from"
    sources = [ROOT / "pyproject.toml", *(ROOT / "resources" / "i18n").glob("*.ts")]
    wanted = "\n".join(f"{p.name} {p.stat().st_mtime_ns}" for p in sources)
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"installing this checkout into {USER_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(USER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(ROOT)], check=True)
        stamp.write_text(wanted)
    return str(python)


def vmrtray_env(env: dict[str, str], folder: Path, url: str, rooms: int) -> dict[str, str]:
    from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY

    (folder / "config").mkdir(parents=True, exist_ok=True)
    favourites = ", ".join(f'"{100701 + i}"' for i in range(rooms))
    (folder / "config" / "settings.toml").write_text(
        f'server = "{url}"\naccount = "{DEMO_ACCOUNT}"\nfavourites = [{favourites}]\n'
        "interval_active = 10.0\ninterval_idle = 10.0\n"
    )
    return {
        **env,
        "QT_QPA_PLATFORM": "xcb",
        "VMRTRAY_CONFIG_DIR": str(folder / "config"),
        "VMRTRAY_DATA_DIR": str(folder / "data"),
        "VMRTRAY_AUTH": DEMO_PUBLIC_KEY,
        "VMRTRAY_INSTANCE": f"vmrtray-bench-{os.getpid()}",
        "VMRTRAY_LOG_DIR": str(folder / "logs"),
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def launch(command: list[str], env: dict[str, str], wm_class: str) -> tuple[subprocess.Popen[bytes], float]:
    """Start `command`; return it and the seconds until its icon sat in the tray."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    x11.wait_for(lambda: x11.embedded_icon(env, wm_class), f"{wm_class} in the tray", every=0.01)
    return process, time.perf_counter() - began


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=20)


def measure_start_and_rss(env: dict[str, str], app_env: dict[str, str], runs: int) -> dict[str, float]:
    python = user_python()
    bare_times, app_times = [], []
    bare_rss = app_rss = floor_rss = 0.0
    for run in range(runs):
        bare, seconds = launch([python, "-c", BARE], env, "baretray")
        bare_times.append(seconds)
        app, seconds = launch([python, "-m", "vmrtray"], app_env, "vmrtray")
        app_times.append(seconds)
        if run == runs - 1:
            floor, _ = launch([python, "-c", FLOOR], env, "floortray")
            time.sleep(5)  # settle: first refresh done, nothing pending
            bare_rss, app_rss, floor_rss = rss_mb(bare.pid), rss_mb(app.pid), rss_mb(floor.pid)
            stop(floor)
        stop(app)
        stop(bare)
    return {
        "floor_rss": floor_rss,
        "bare_start": statistics.median(bare_times),
        "app_start": statistics.median(app_times),
        "bare_rss": bare_rss,
        "app_rss": app_rss,
    }


def measure_idle_cpu(app_env: dict[str, str], seconds: float) -> float:
    app, _ = launch([user_python(), "-m", "vmrtray"], app_env, "vmrtray")
    try:
        time.sleep(5)  # past start-up and the first refresh
        before = cpu_seconds(app.pid)
        time.sleep(seconds)
        return cpu_seconds(app.pid) - before
    finally:
        stop(app)


def measure_stall(url: str, rooms: int, refreshes: int) -> tuple[float, float]:
    """In-process: the real Tray and Coordinator on the qasync loop; the worst lag of a 5 ms ticker."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from vmrtray.api import Client
    from vmrtray.core.coordinator import Coordinator
    from vmrtray.sim import DEMO_PUBLIC_KEY
    from vmrtray.ui.asyncutil import freeze_startup_heap
    from vmrtray.ui.session import TRAY_CONCURRENCY  # what the app uses
    from vmrtray.ui.tray import Tray

    app = QApplication.instance() or QApplication(["vmrtray-bench"])

    async def run() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        worst = 0.0

        async def ticker() -> None:
            nonlocal worst
            while True:
                began = loop.time()
                await asyncio.sleep(0.005)
                worst = max(worst, loop.time() - began - 0.005)

        async with Client(url, DEMO_PUBLIC_KEY) as api:
            favourites = [str(100701 + i) for i in range(rooms)]
            coordinator = Coordinator(
                api, favourites, interval_active=3600, interval_idle=3600, concurrency=TRAY_CONCURRENCY
            )
            first = asyncio.Event()  # the first refresh (connections opening) is not measured
            coordinator.add_listener(lambda snapshot, _: first.set() if snapshot.rooms[0].available else None)
            tray = Tray()
            tray.attach(coordinator)
            await first.wait()
            freeze_startup_heap()  # as the app does after its first refresh
            watch = asyncio.ensure_future(ticker())
            began = time.perf_counter()
            for _ in range(refreshes):
                await coordinator.refresh()
            per_refresh = (time.perf_counter() - began) / refreshes
            watch.cancel()
            tray.hide()
            await coordinator.aclose()
        return worst, per_refresh

    result = qasync.run(run())
    del app  # kept alive until here: the loop runs inside this QApplication
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    args = parser.parse_args()
    if missing := x11.missing_tools():
        raise SystemExit(f"needs {', '.join(missing)}")

    sim20, url20 = start_sim(20)
    sim200, url200 = start_sim(200, latency_ms=50)
    try:
        with tempfile.TemporaryDirectory() as folder, x11.desktop() as env:
            app_env = vmrtray_env(env, Path(folder), url20, rooms=20)
            figures = measure_start_and_rss(env, app_env, args.runs)
            idle_cpu = measure_idle_cpu(app_env, args.idle_seconds)
        stall, per_refresh = measure_stall(url200, rooms=200, refreshes=5)
    finally:
        for process in (sim20, sim200):
            process.terminate()
            process.wait()

    ratio = figures["app_start"] / figures["bare_start"]
    extra = figures["app_rss"] - figures["bare_rss"]
    print(
        f"start to tray shown  bare {figures['bare_start'] * 1000:6.0f} ms"
        f"   vmrtray {figures['app_start'] * 1000:6.0f} ms   ratio {ratio:.2f}   (target <= 1.5, median of {args.runs})"
    )
    floor = figures["floor_rss"] - figures["bare_rss"]
    own = figures["app_rss"] - figures["floor_rss"]
    print(
        f"idle RSS             bare {figures['bare_rss']:6.1f} MB   vmrtray {figures['app_rss']:6.1f} MB"
        f"   +{extra:.1f} MB   (issue 3's target <= +40 MB)"
    )
    print(
        f"  of which the stack +{floor:.1f} MB (bare + qasync, httpx, pydantic: {figures['floor_rss']:.1f} MB)"
        f"   and vmrtray's own +{own:.1f} MB   (target <= +20 MB)"
    )
    print(
        f"idle CPU             {idle_cpu:.2f} s in {args.idle_seconds:.0f} s, 20 favourites at 10 s   (target <= 1 s)"
    )
    print(
        f"longest loop stall   {stall * 1000:.1f} ms while refreshing 200 favourites at 50 ms latency"
        f" ({per_refresh * 1000:.0f} ms a refresh)   (target <= 50 ms)"
    )
    ok = ratio <= 1.5 and own <= 20 and idle_cpu <= 1.0 and stall <= 0.05
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
