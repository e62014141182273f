"""The callbackctl command line: parse, call the library, print.

Library modules are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from callbackctl import __version__
from callbackctl.cli.common import State, option_name

# Recent typer vendors click, older typer uses the click package: take the base
# class of usage errors from typer itself so both work.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class DeskGroup(TyperGroup):
    """Loads each subcommand when it is asked for, and turns the library's
    errors into one `Error:` line and an exit code.

    Lazy loading is click's documented way (a Group overriding list_commands
    and get_command): only the module of the command that runs is imported and
    only its signature becomes click parameters, which typer would otherwise
    do for all thirty commands on every start. Errors are handled here rather
    than around app() so that every way of running the app (the console
    script, python -m, tests with CliRunner) behaves the same.
    """

    def list_commands(self, ctx):
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            self.add_command(_load(COMMANDS[name]), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """The command list with each summary in the interface's language."""
        from callbackctl import i18n

        if not i18n.chosen():  # `--help` came before --lang's turn: take the environment's
            i18n.use(i18n.pick(None))
        rows = [(name, i18n._(cmd.get_short_help_str(limit=300)))
                for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name)) and not cmd.hidden]
        if rows:
            width = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section(i18n._("Commands")):
                formatter.write_dl([(name, _shorten(text, width)) for name, text in rows])

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except _UsageError as e:  # a typo: suggest from every name, loaded or not
            import difflib

            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in e.message:
                e.message = f"{e.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def invoke(self, ctx):
        from callbackctl.errors import CallbackctlError, InvalidValue

        try:
            return super().invoke(ctx)
        except InvalidValue as e:
            _fail(f"{option_name(e.field)}: {e}" if e.field else str(e), 2 if e.usage else 1)
        except CallbackctlError as e:
            _fail(str(e), 1)
        except (typer.Exit, typer.Abort, _ClickException):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:  # click would exit 1
            _reader_left()
            raise typer.Exit(0)
        except OSError as e:  # a path the user gave cannot be read or written
            if os.environ.get("CALLBACKCTL_DEBUG"):
                raise
            _fail(f"{e.filename}: {e.strerror}" if e.filename else e.strerror or str(e), 1)
        except Exception as e:  # never a traceback for users; the type says where to look
            import sqlite3

            if os.environ.get("CALLBACKCTL_DEBUG"):
                raise
            from callbackctl.cli.common import damaged_line

            if damaged_line(ctx, e):  # a damaged page that opening the desk did not read
                _fail(damaged_line(ctx, e), 1)
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                _fail("the database is busy (another process held it for 30 s); try again", 1)
            _fail(f"unexpected {type(e).__name__}: {e}", 1)


# Every subcommand: its name -> "module:attribute", a typer app (a group of
# subcommands) or a function (one command).
COMMANDS = {  # in the order of a desk's day, as --help lists them
    "import": "callbackctl.cli.orders:import_cmd",
    "rejects": "callbackctl.cli.orders:rejects_cmd",
    "export": "callbackctl.cli.orders:export_cmd",
    "due": "callbackctl.cli.callbacks:due",
    "record": "callbackctl.cli.callbacks:record",
    "work": "callbackctl.cli.work:work",
    "claim": "callbackctl.cli.claim:claim",
    "release": "callbackctl.cli.claim:release",
    "chase": "callbackctl.cli.dispatch:chase",
    "report": "callbackctl.cli.reports:report",
    "sample": "callbackctl.cli.headoffice:sample",
    "spot-checks": "callbackctl.cli.headoffice:spot_checks",
    "merge": "callbackctl.cli.headoffice:merge",
    "info": "callbackctl.cli.admin:info",
    "calendar": "callbackctl.cli.calendar_cmd:calendar",
    "backup": "callbackctl.cli.admin:backup",
    "demo": "callbackctl.cli.admin:demo",
    "show": "callbackctl.cli.admin:show",
    "find": "callbackctl.cli.find:find",
    "followup": "callbackctl.cli.callbacks:followup_app",
    "complaint": "callbackctl.cli.complaints:complaint_app",
    "apology": "callbackctl.cli.complaints:apology_app",
    "policy": "callbackctl.cli.admin:policy_app",
    "order": "callbackctl.cli.order:order_app",
    "call": "callbackctl.cli.call:call_app",
    "customer": "callbackctl.cli.customer:customer_app",
    "contact": "callbackctl.cli.contact:contact_app",
    "promises": "callbackctl.cli.promises:promises",
}


def _load(spec: str):
    """The click command for "module:attribute", through typer's public get_command."""
    import importlib

    module, attribute = spec.split(":")
    target = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        one = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)
        one.command()(target)
        target = one
    return _examples_last(typer.main.get_command(target))


def _examples_last(command):
    """A docstring's closing `Examples:` paragraph becomes the epilog, so that
    --help ends with it, after the options."""
    text = command.help or ""
    at = text.find("\b\nExamples:")
    if at >= 0:
        command.help, command.epilog = text[:at].rstrip(), text[at:]
    for sub in getattr(command, "commands", {}).values():
        _examples_last(sub)
    return command


def _reader_left():
    """`callbackctl due | head`: the reader left early, which is not an error.

    Output still buffered goes nowhere instead of failing again at exit.
    """
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a file descriptor (a test's runner): nothing left to fail
        pass


def _shorten(text: str, width: int) -> str:
    """A summary cut to the display width left for it, as click cuts its own."""
    if text.isascii():  # English: no need to load wcwidth for --help
        cols = len
    else:
        from wcwidth import wcswidth as cols
    if cols(text) <= width:
        return text
    while text and cols(text) > width - 3:
        text = text[:-1]
    return text.rstrip(" ,;:") + "..."


def _fail(message, code):
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


app = typer.Typer(
    name="callbackctl",
    help="After-sales callback desk: import work orders, list due callbacks, record calls, "
    "chase providers, handle complaints and print reports. One SQLite file.",
    cls=DeskGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion for bash, zsh, fish, PowerShell
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _language(value: Optional[str]):
    """Eager, so that `--lang zh --help` is already in Chinese."""
    from callbackctl import i18n

    try:
        i18n.use(i18n.pick(value))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--lang")
    return value


def _version(value: bool):
    if value:
        typer.echo(f"callbackctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", envvar="CALLBACKCTL_DB", metavar="PATH",
                                              help="Database file [default: callbackctl.db in the app directory].")] = None,
    now: Annotated[Optional[str], typer.Option("--now", envvar="CALLBACKCTL_NOW", metavar="TIME",
                                               help="Pretend it is this time: 'YYYY-MM-DD HH:MM[:SS]', 'tomorrow 09:00', '+1d'.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", envvar="CALLBACKCTL_POLICY", metavar="FILE.toml",
                                                  help="Policy file [default: the stored policy, else built-in].")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", envvar="CALLBACKCTL_LANG", metavar="zh|en", is_eager=True,
                                                callback=_language,
                                                help="Language of tables, messages and `work` [default: from LANG].")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    ctx.obj = State(db=db, now=now, policy=policy)


def main():
    # What is imported by now lives until exit: take it out of the cyclic GC's
    # reach, so the collections that thousands of rows set off do not walk it
    # again and again, nor at exit (due: 0.27 s -> 0.25 s on 1M orders).
    gc.freeze()
    try:
        app(prog_name="callbackctl")  # always ends in SystemExit
    except SystemExit as e:
        _flush_stdout(failed=e.code not in (0, None))
        raise


def _flush_stdout(failed: bool):
    """Write what is still buffered: under cron a short listing reaches stdout only now."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): said already
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_left()
    except OSError as e:  # a full disk: the rows are lost, so the command failed
        _reader_left()  # and Python's own flush at exit has nothing left to fail on
        if not failed:  # else its one Error: line is out already
            sys.stderr.write(f"Error: cannot write the output: {e.strerror}\n")
            raise SystemExit(1) from None
