"""`vmrctl`: the meeting service from the command line, on the same core as the tray.

Exit codes (`exits.Exit`): 0 done, 2 bad usage or invalid input, 3 no or rejected
credentials, 4 the service refused (its code and meaning are printed), or lists no files for
the recording yet (still being made, or deleted), or has no live streaming; 5 network or
server failure, or a start not confirmed within the wait; 130 stopped by Ctrl-C or SIGTERM;
141 stdout's reader went away.
An error is one line on stderr in the user's language; `--debug` adds the traceback.

`run` parses and runs a command, `context` resolves what every command needs (settings,
server, account, key, catalog), `output` writes tables and JSON, `commands/` holds one
module per command group, `demo` runs a command against a throwaway simulator.
"""

from __future__ import annotations

from collections.abc import Sequence

#: `exits.Exit.INTERRUPTED`, named here without loading vmrctl's modules.
_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """The `vmrctl` entry point. vmrctl's modules load here, not when this package is imported,
    so that a Ctrl-C while they load (the first third of a second) ends it as a Ctrl-C later
    does: quietly, with exit 130, not a traceback of whatever module was loading."""
    try:
        from .run import main as run

        return run(argv)
    except KeyboardInterrupt:
        return _INTERRUPTED


__all__ = ["main"]
