"""Running vmrctl: parse, load the settings (or start the demo), run the command, and turn
whatever went wrong into one sentence and an exit code; SIGTERM ends it as Ctrl-C does."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from typing import cast

from vmrtray.api import Lang
from vmrtray.core import logs
from vmrtray.core import settings as settings_mod
from vmrtray.core.credentials import ENV_KEY
from vmrtray.core.lang import pick, user_lang
from vmrtray.core.settings import Settings

from .commands import COMMANDS, SERVE, SIGN_IN
from .context import Context
from .demo import in_demo
from .exits import EXPECTED, Exit, exit_code, sentence
from .output import register_secret, safe_streams, warn
from .parser import ASK, KEY_ON_COMMAND_LINE, KEY_OPTIONS, STDIN, build_parser

log = logging.getLogger("vmrtray.cli")


def main(argv: Sequence[str] | None = None) -> int:
    """vmrctl's run: the exit code. Every word it writes, argparse's included, goes through
    `output.SafeStream` (no key, no raw control character) — but the simulator's (`vmrctl
    sim`), which prints its demo keys for a user to sign in with."""
    _never_fail_to_print()
    argv = list(sys.argv[1:] if argv is None else argv)
    key_option = _key_given(argv)
    with safe_streams():
        if key_option is not None:
            print(f"vmrctl login: {key_option}", file=sys.stderr)
            return Exit.USAGE
        undecodable = _undecodable(argv)
        if undecodable is not None:
            print(f"vmrctl: {undecodable}: {NOT_UTF8}", file=sys.stderr)
            return Exit.USAGE
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help, --version, or a usage error already said
            return done.code if isinstance(done.code, int) else Exit.USAGE
        if args.command != SERVE:
            unreadable = _undecodable_env(args)
            if unreadable is not None:
                print(f"vmrctl: {unreadable}", file=sys.stderr)
                return Exit.USAGE
            _register_env_key()
            return _main(args)
    return _main(args)


def _main(args: argparse.Namespace) -> int:
    lang = user_lang()
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


def _key_given(argv: Sequence[str]) -> str | None:
    """Why a `vmrctl login` command line is refused before argparse reads it, if it is: a key
    typed on it — the option (`--tenant-key`, `--api-key`, or a prefix of one) it followed,
    or "an extra argument" for a word of the line, before `login` or after it, that is neither
    an option nor a value an option expects (login takes no positional argument: `login
    --tenant-key -- KEY`, `vmrctl --json=KEY login`) — or a value an option of the line does
    not take (`vmrctl --timeout KEY login`), said without the value. Each such word is scrubbed
    from every output from here on, so that no message repeats it — argparse's own included
    ("unrecognized arguments: KEY", "KEY is not a number"), which is why this looks at the
    words before argparse does."""
    if "login" not in argv:  # the one command with these options (a command's name is never abbreviated)
        return None
    given = None
    for i, token in enumerate(argv):
        name, equals, value = token.partition("=")
        if len(name) <= 2 or not any(option.startswith(name) for option in KEY_OPTIONS):
            continue
        if not equals:
            value = argv[i + 1] if i + 1 < len(argv) else ""
            if value == "-h" or (value.startswith("--") and _is_login_option(value)):  # no value given
                continue
        if value not in (ASK, STDIN):
            register_secret(value)
            given = given or name
    line = _login_line(argv)
    extra, typed = line if line is not None else ([], [])
    for word in extra:
        register_secret(word)
    if given or extra:
        return f"{given or 'an extra argument'}: {KEY_ON_COMMAND_LINE}"
    for option, value, action in typed:
        try:
            cast(Callable[[str], object], action.type)(value)
        except (argparse.ArgumentTypeError, TypeError, ValueError):
            register_secret(value)
            return f"{option}: {NOT_A_VALUE}"
    return None


#: Why a value of an option on a login line is refused (the refusal does not repeat it: it may be a key).
NOT_A_VALUE = "its value is not valid (see `vmrctl login --help`)"


def _login_line(argv: Sequence[str]) -> tuple[list[str], list[tuple[str, str, argparse.Action]]] | None:
    """None when the command of `argv` is not `login`; else the words of the line, before or
    after `login`, that are not an option of its parsers, a value one of them takes (`--server
    URL`, `--account A`, `--api-id ID`, a key option's `-`), or a lone '-' — each can only be a
    key — and the options given a value that a type checks (`--timeout`), with their value.
    `login` is the command when it is the first word that is no option's value, or the first
    known command's name after words that are none (`vmrctl KEY login`)."""
    parser = build_parser()
    options = parser._option_string_actions
    commands = _command_names(parser)
    command, extra, typed, only_words, i = None, [], [], False, 0
    while i < len(argv):
        word, i = argv[i], i + 1
        if only_words or not _looks_like_option(word):
            if command is None and word in commands:  # the command's name
                if word != "login":
                    return None
                command, options = word, _login_parser(parser)._option_string_actions
            elif word != STDIN:
                extra.append(word)
        elif word == "--":  # argparse: only positional arguments after it
            only_words = True
        else:
            name, equals, value = word.partition("=")
            known, action = _option(options, name)
            nargs = action.nargs if action is not None else 0
            if not known or (equals and nargs == 0):  # unknown, or a value given to a flag
                extra.append(word)
                continue
            if not equals and nargs in (None, "?") and i < len(argv) and _is_value(argv[i], nargs, options):
                value, equals, i = argv[i], "=", i + 1
            if equals and action is not None and action.type is not None:
                typed.append((name, value, action))
    return (extra, typed) if command is not None else None


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        return set(getattr(action, "choices", {}))
    return set()


#: A word argparse takes for a value though it begins with '-' (no option of vmrctl's looks like a number).
_NUMBER = re.compile(r"-[0-9]+|-[0-9]*\.[0-9]+")


def _looks_like_option(word: str) -> bool:
    return word.startswith("-") and word != STDIN and not _NUMBER.fullmatch(word)


def _is_value(word: str, nargs: object, options: dict[str, argparse.Action]) -> bool:
    """Whether argparse takes `word` as the value of an option whose `nargs` is given: a word that
    does not look like an option; after a key option (nargs '?'), also one that begins with '-'
    but is none of login's options (a key beginning with a dash, which `_key_given` refuses)."""
    if not _looks_like_option(word):
        return True
    return nargs == "?" and word != "--" and not _option(options, word.partition("=")[0])[0]


def _option(options: dict[str, argparse.Action], name: str) -> tuple[bool, argparse.Action | None]:
    """Whether `name` is an option (itself, or a prefix of long options argparse takes for one),
    and its action. An ambiguous prefix, which argparse refuses by itself, counts as an option of
    no value (no action)."""
    if name in options:
        return True, options[name]
    matches = {id(action): action for option, action in options.items() if option.startswith(name)}
    if not name.startswith("--") or len(name) <= 2 or not matches:
        return False, None
    return True, next(iter(matches.values())) if len(matches) == 1 else None


def _login_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        login = getattr(action, "choices", {}).get("login")
        if login is not None:
            return cast(argparse.ArgumentParser, login)
    raise LookupError("vmrctl has no login command")


def _is_login_option(token: str) -> bool:
    """Whether `token` is one of `vmrctl login`'s options (or a prefix argparse takes for one):
    anything else after a key option is a key that begins with "--", which argparse would
    otherwise repeat ("unrecognized arguments: --…")."""
    name = token.partition("=")[0]
    parser = build_parser()
    options = set(parser._option_string_actions) | set(_login_parser(parser)._option_string_actions)
    return any(option.startswith(name) for option in options if option.startswith("--"))


#: Why an argument holding bytes that are not UTF-8 is refused (the refusal does not repeat it).
NOT_UTF8 = "not text: it holds bytes that are not UTF-8 (the terminal's or the script's encoding?); give it in UTF-8"


def _undecodable(argv: Sequence[str]) -> str | None:
    """Which argument holds bytes that are not UTF-8, if one does (Python reads them into
    argv as lone surrogates, '\\udcff', which no text sent, stored or written can hold): the
    option it is the value of, or its place ("argument 3")."""
    for i, word in enumerate(argv):
        if not _SURROGATE.search(word):
            continue
        name, equals, _ = word.partition("=")
        if equals and name.startswith("--") and not _SURROGATE.search(name):
            return name
        before = argv[i - 1] if i else ""
        if not word.startswith("-") and before.startswith("-") and "=" not in before and before in _value_options():
            return before
        return f"argument {i + 1}"
    return None


_SURROGATE = re.compile(r"[\ud800-\udfff]")

#: The environment variables vmrctl takes a value from, and the option that wins over each.
_ENV_VALUES = (("VMRTRAY_SERVER", "server"), ("VMRTRAY_ACCOUNT", "account"), (ENV_KEY, ""))


def _undecodable_env(args: argparse.Namespace) -> str | None:
    """The sentence refusing an environment variable vmrctl would read (VMRTRAY_SERVER and
    VMRTRAY_ACCOUNT unless their option is given, VMRTRAY_AUTH) that holds bytes that are not
    UTF-8: Python reads them as lone surrogates, which no header, URL or JSON sent can carry
    ('internal error: UnicodeEncodeError', before). Named, never repeated (it may be a key).
    The default download folder (HOME, XDG_DOWNLOAD_DIR) is checked where it is used
    (`Context.download_folder`): only `recordings download` and `watch --download` read it."""
    for name, option in _ENV_VALUES:
        if option and getattr(args, option, None):
            continue
        if getattr(args, "demo", False) and name != "VMRTRAY_ACCOUNT":  # the demo's server and key are its own
            continue
        if _SURROGATE.search(os.environ.get(name, "")):
            return pick(
                user_lang(),
                f"{name}: {NOT_UTF8}",
                f"{name}：不是文本：含有非 UTF-8 的字节（终端或脚本的编码？）：请以 UTF-8 设置",
            )
    return None


def _value_options() -> set[str]:
    """Every option of vmrctl's that takes a value (any command's), and the long ones' prefixes."""
    found: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers += action.choices.values()
            elif action.nargs != 0:
                for option in action.option_strings:
                    found |= {option[:n] for n in range(3, len(option) + 1)} if option.startswith("--") else {option}
    return found


def _register_env_key() -> None:
    """`VMRTRAY_AUTH` is scrubbed from every output from the start, whether or not the command
    comes to read it (core.credentials registers it again when it does)."""
    from_env = os.environ.get(ENV_KEY, "").strip()
    if from_env:
        register_secret(from_env)


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
