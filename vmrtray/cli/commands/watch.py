"""`watch [ROOM ...] [--download DIR] [--json]`: follow rooms until stopped, one line per event.

The headless companion for a server (core.watch): the rooms named, else the favourites;
with `--download DIR` every recording of theirs is downloaded into DIR once its files are
listed; without, nothing is downloaded. Each event is a line on stdout (`--json`: a JSON
line, the schema in core.watch and the README); the log goes to the usual file as well.
SIGTERM or Ctrl-C ends it cleanly with exit 0 (downloads kept for the next start, which
resumes them); a key the service rejects ends it with one sentence and exit 3.
"""

from __future__ import annotations

import asyncio
import sys

from vmrtray.core import logs
from vmrtray.core.making import FIRST_CHECK
from vmrtray.core.watch import Happening, Watch, json_line

from ..context import Context
from ..exits import Exit, exit_code
from ..output import encodable, local_time, warn


async def watch(ctx: Context) -> int:
    rooms = ctx.rooms(ctx.args.rooms)
    folder = None if ctx.args.download is None else await ctx.download_folder(ctx.args.download, "--download")
    logs.setup(bool(getattr(ctx.args, "debug", False)))  # a long run: the log file too, as the tray's
    tell = _json_lines if ctx.json else _text_lines
    async with ctx.client() as api:  # no key: one sentence and exit 3 (run.py)
        parts = Watch(
            api,
            ctx.catalog,
            rooms,
            tell,
            settings=ctx.settings,
            folder=folder,
            lang=ctx.lang,
            first_check=getattr(ctx.args, "first_check", None) or FIRST_CHECK,
        )
        try:
            rejected = await parts.run()
        except asyncio.CancelledError:  # SIGTERM or Ctrl-C: the end asked for, not a failure
            rejected = None
        finally:
            await parts.aclose()
    if rejected is not None:
        warn(rejected.describe(ctx.lang))
        return exit_code(rejected)
    return Exit.OK


def _text_lines(happening: Happening) -> None:
    print(f"{local_time(happening.time, seconds=True)}  {happening.text}", flush=True)


def _json_lines(happening: Happening) -> None:
    line = json_line(happening)
    if not encodable(line):  # an output that cannot carry Chinese (an ASCII locale): \uXXXX escapes
        line = json_line(happening, ascii_only=True)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
