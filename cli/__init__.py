"""The callbackctl command line: parse, call the library, print.

Library modules are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from callbackctl import __version__
from callbackctl.cli.common import State

# Recent typer vendors click, older typer uses the click package: take the base
# class of usage errors from typer itself so both work.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class DeskGroup(TyperGroup):
    """Turns the library's errors into one `Error:` line and an exit code.

    Done here rather than around app() so that every way of running the app
    (the console script, python -m, tests with CliRunner) behaves the same.
    Its subcommands are built lazily (see _LazyCommands).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def invoke(self, ctx):
        from callbackctl.errors import CallbackctlError, InvalidValue

        try:
            return super().invoke(ctx)
        except CallbackctlError as e:
            _fail(str(e), 2 if isinstance(e, InvalidValue) and e.usage else 1)
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
            _fail(f"{e.filename}: {e.strerror}" if e.filename else str(e), 1)
        except Exception as e:  # never a traceback for users; the type says where to look
            import sqlite3

            if os.environ.get("CALLBACKCTL_DEBUG"):
                raise
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                _fail("the database is busy (another process held it for 30 s); try again", 1)
            _fail(f"unexpected {type(e).__name__}: {e}", 1)


class _LazyCommands(dict):
    """Subcommands built from their typer definitions on first use.

    typer turns every command's signature into click parameters before it
    runs any one of them; for thirty commands that cost `due` about 0.09 s a
    run (paired runs, 0.31 s against 0.40 s). Here only the command run is
    built; `--help` and typo suggestions still see every name.
    """

    def __init__(self, built):
        super().__init__(built)
        self.update(dict.fromkeys(_PENDING))

    def __getitem__(self, name):
        command = super().__getitem__(name)
        if command is None:
            command = self[name] = _build(_PENDING[name])
        return command

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


_PENDING = {}  # name -> typer's CommandInfo or TyperInfo, moved off `app` by _register


def _build(info):
    options = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}
    if isinstance(info, typer.models.TyperInfo):
        if "suggest_commands" in inspect.signature(typer.main.get_group_from_info).parameters:
            options["suggest_commands"] = True  # typer >= 0.16
        return typer.main.get_group_from_info(info, **options)
    return typer.main.get_command_from_info(info, **options)


def _reader_left():
    """`callbackctl due | head`: the reader left early, which is not an error.

    Output still buffered goes nowhere instead of failing again at exit.
    """
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a file descriptor (a test's runner): nothing left to fail
        pass


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
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    ctx.obj = State(db=db, now=now, policy=policy)


def _register():
    from callbackctl.cli import admin, callbacks, complaints, dispatch, headoffice, orders, reports

    orders.register(app)
    callbacks.register(app)
    dispatch.register(app)
    complaints.register(app)
    reports.register(app)
    headoffice.register(app)
    admin.register(app)
    for info in app.registered_commands:
        _PENDING[info.name or typer.main.get_command_name(info.callback.__name__)] = info
    for info in app.registered_groups:
        _PENDING[info.name] = info
    app.registered_commands, app.registered_groups = [], []


_register()


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
