"""`recordings download`: every file of a recording, resumable, a progress bar each on stderr.

A file another vmrtray or vmrctl is downloading now ends it with that one sentence (exit 5);
a file already there is kept only when the catalog proves it is this one (core.recordings).
Nothing is ever deleted from the cloud here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmrtray.api import RecordFile
from vmrtray.core import recordings
from vmrtray.core.session import download_client
from vmrtray.core.targets import OnProgress

from ..context import Context
from ..exits import Exit
from ..output import raw, terminal_text

if TYPE_CHECKING:
    from tqdm import tqdm


async def download(ctx: Context, record_id: str) -> int:
    folder = await ctx.download_folder(ctx.args.output, "-o")
    bars: list[tqdm[Any]] = []
    segments = ctx.args.segments or ctx.settings.download_segments
    async with ctx.client() as api, download_client(ctx.settings) as http:
        try:
            results = await recordings.download_all(
                api,
                ctx.catalog,
                record_id,
                folder,
                http=http,
                progress=_bars(bars),
                segments=segments,
                wait=ctx.args.wait,
            )
        finally:
            for bar in bars:
                bar.close()
    ctx.emit(
        [
            {"path": str(r.path), "sha256": r.sha256, "resumedFrom": r.resumed_from, "verified": r.vouched}
            for r in results
        ]
    )
    for r in results:
        ctx.say(f"{r.path}  sha256 {r.sha256}", f"{r.path}  sha256 {r.sha256}")
    return Exit.OK


def _bars(bars: list[tqdm[Any]]) -> Callable[[RecordFile, Path], OnProgress]:
    """A progress bar for each file as its download begins (none when stderr is not a terminal)."""
    from tqdm import tqdm  # only when something is downloaded

    def progress(file: RecordFile, target: Path) -> OnProgress:
        bar = tqdm(
            total=file.file_size,
            unit="iB",  # with the divisor: KiB, MiB, GiB, as every size vmrtray shows (core.units)
            unit_scale=True,
            unit_divisor=1024,
            desc=terminal_text(target.name)[:40],  # the bar writes to the stream itself (raw)
            file=raw(sys.stderr),
            disable=None,
        )
        bars.append(bar)

        def update(done: int, total: int) -> None:
            bar.update(done - bar.n)

        return update

    return progress
