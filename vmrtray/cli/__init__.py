"""`vmrctl`: the meeting service from the command line, on the same core as the tray.

Exit codes (`exits.Exit`): 0 done, 2 bad usage or invalid input, 3 no or rejected
credentials, 4 the service refused (its code and meaning are printed), or lists no files for
the recording yet (still being made, or deleted), or has no live streaming; 5 network or
server failure, or a start not confirmed within the wait.
An error is one line on stderr in the user's language; `--debug` adds the traceback.

`run` parses and runs a command, `context` resolves what every command needs (settings,
server, account, key, catalog), `output` writes tables and JSON, `commands/` holds one
module per command group, `demo` runs a command against a throwaway simulator.
"""

from .run import main

__all__ = ["main"]
