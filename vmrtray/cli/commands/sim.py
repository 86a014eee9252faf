"""`sim`: the simulated service, until stopped (Ctrl-C or SIGTERM)."""

from __future__ import annotations

from ..context import Context
from ..exits import Exit


async def sim(ctx: Context) -> int:
    from vmrtray.sim import Sim, serve_forever  # the simulator (aiohttp) loads only for this command

    args = ctx.args
    simulator = Sim(
        host=args.host,
        port=args.port,
        file_port=args.file_port,
        rooms=args.rooms,
        contacts=args.contacts,
        seed=args.seed or 0,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        fault_rate=args.faults,
        script_interval=args.script_interval if args.seed is not None else None,
    )
    await serve_forever(simulator, lambda line: print(line, flush=True))
    return Exit.OK
