"""Running vmrctl: parse, load the settings (or start the demo), run the command, and turn
whatever went wrong into one sentence and an exit code; SIGTERM ends it as Ctrl-C does."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import signal
import sys
from collections.abc import Sequence

from vmrtray.api import Lang
from vmrtray.core import logs
from vmrtray.core import settings as settings_mod
from vmrtray.core.lang import pick, user_lang
from vmrtray.core.settings import Settings

from .commands import COMMANDS, SERVE, SIGN_IN
from .context import Context
from .demo import in_demo
from .exits import EXPECTED, Exit, exit_code, sentence
from .output import warn
from .parser import build_parser

log = logging.getLogger("vmrtray.cli")


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_to_print()
    lang = user_lang()
    args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    logs.setup(debug, to_file=False)  # scripts log to stderr only, scrubbed like the app's file
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return int(_run_until_signal(args, lang))
        return Exit.INTERRUPTED
    except BrokenPipeError:  # stdout's reader left (`| head -1`): nothing more to say, no one to say it to
        _drop_stdout()
        return Exit.PIPE_CLOSED
    except EXPECTED as error:
        if debug:
            log.exception("failed")
        warn(sentence(error, lang))
        return exit_code(error)
    except Exception as error:  # the last net: never a traceback in front of a user
        if debug:
            log.exception("internal error")
        warn(
            f"{pick(lang, 'internal error', '内部错误')}: {type(error).__name__}: {error} "
            f"({pick(lang, 'run with --debug for details', '加 --debug 查看详情')})"
        )
        return Exit.INTERNAL


def _never_fail_to_print() -> None:
    """A character the output's encoding cannot carry (Chinese with PYTHONIOENCODING=ascii, a
    C locale) is written as its backslash escape instead of ending vmrctl with an error."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _drop_stdout() -> None:
    """What is still buffered for a closed stdout goes nowhere (else the flush at exit says
    'Exception ignored … BrokenPipeError' on stderr)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _run_until_signal(args: argparse.Namespace, lang: Lang) -> int:
    """asyncio.run, with SIGTERM ending the command as cleanly as Ctrl-C does."""

    async def guarded() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None and hasattr(signal, "SIGTERM"):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await _run(args, lang)
        except asyncio.CancelledError:
            return Exit.INTERRUPTED if args.command != SERVE else Exit.OK

    return asyncio.run(guarded())


async def _run(args: argparse.Namespace, lang: Lang) -> int:
    ctx = Context(args, lang, Settings())
    if getattr(args, "demo", False) and args.command != SERVE:
        async with in_demo(ctx, sign_in=args.command in SIGN_IN):
            return await _command(ctx)
    ctx.settings = settings_mod.load()
    return await _command(ctx)


async def _command(ctx: Context) -> int:
    try:
        return await COMMANDS[ctx.args.command](ctx)
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
