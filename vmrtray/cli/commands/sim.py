"""`sim`: the simulated service, until stopped (Ctrl-C or SIGTERM)."""

from __future__ import annotations

from ..context import Context
from ..exits import Exit


async def sim(ctx: Context) -> int:
    from vmrtray.sim import DEMO_PACE, INSTANT_PACE, PACES, Sim, serve_forever, set_pace  # only for this command

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
    # --pace, else: the lively demo (--seed) has the service's real pace; a plain one answers at
    # once (tests, benchmarks)
    if args.pace is not None:
        set_pace(simulator, PACES[args.pace])
    else:
        set_pace(simulator, DEMO_PACE if args.seed is not None else INSTANT_PACE)
    await serve_forever(simulator, lambda line: print(line, flush=True))
    return Exit.OK
