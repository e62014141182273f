"""What every command shares: global state, the format option, output and errors."""

from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from callbackctl import vocab


def choices(name: str, values) -> type[enum.Enum]:
    """A click choice for one of callbackctl.vocab's lists."""
    return enum.Enum(name, {v: v for v in values}, type=str)


Fmt = choices("Fmt", vocab.OUTPUT_FORMATS)


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]


@dataclass
class State:
    db: Optional[str] = None
    now: Optional[str] = None
    policy: Optional[str] = None

    @property
    def db_path(self) -> str:
        if self.db:
            return self.db
        from callbackctl.desk import default_db_path

        app_dir = typer.get_app_dir("callbackctl")
        os.makedirs(app_dir, exist_ok=True)  # only the app directory is made on first use
        return default_db_path(app_dir)


def option_name(field: str) -> str:
    """The command-line option for a library field: callback_at -> --callback-at."""
    return "--" + field.replace("_", "-")


def usage(message: str):
    """A usage error the option parser cannot see (two options that exclude each other): exit 2."""
    sys.stderr.write(f"Error: {message}\n")
    raise typer.Exit(2)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def open_desk(ctx: typer.Context, command: str, actor: str | None = None):
    """Open the database for a command; closed when the command ends."""
    from callbackctl.desk import open_desk as _open

    st = state(ctx)
    desk = _open(st.db_path, now=st.now, policy_path=st.policy, command=command, actor=actor)
    ctx.call_on_close(lambda: finish(desk))
    return desk


def finish(desk):
    for warning in desk.calendar_warnings():
        warn(warning)
    desk.conn.close()


def warn(message: str):
    sys.stderr.write(f"Warning: {message}\n")


def note(message: str):
    sys.stderr.write(message + "\n")


def emit(rows, columns, fmt: Fmt, empty: str | None = None, out=None):
    """Write rows to stdout in the chosen format; say so on stderr if a table is empty."""
    from callbackctl import io
    from callbackctl.errors import CallbackctlError

    out = out or sys.stdout
    if out is None:  # started with stdout closed (`>&-`)
        raise CallbackctlError("standard output is closed: nowhere to write the rows")
    n = io.write(rows, columns, out, fmt.value)
    if n == 0 and fmt == Fmt.table and empty:
        note(empty)
    return n


def is_tty(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
