"""What every command shares: global state, the format option, output and errors."""

from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass
from typing import Annotated, List, Optional

import typer

from callbackctl import vocab


def choices(name: str, values) -> type[enum.Enum]:
    """A click choice for one of callbackctl.vocab's lists."""
    return enum.Enum(name, {v: v for v in values}, type=str)


Fmt = choices("Fmt", vocab.OUTPUT_FORMATS)


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]

# The options of the file reader, shared by `import` and `record --from`.
InputFmt = choices("InputFmt", vocab.INPUT_FORMATS)
DateOrder = choices("DateOrder", vocab.DATE_ORDERS)
InputFormatOpt = Annotated[Optional[InputFmt], typer.Option(
    "--input-format", help="csv, tsv, json or jsonl [default: from the file's name and content; workbooks by their name].")]
EncodingOpt = Annotated[str, typer.Option(
    "--encoding", help="auto (UTF-8, UTF-8 BOM, UTF-16 BOM, GBK/GB18030) or a codec name.")]
DelimiterOpt = Annotated[Optional[str], typer.Option(
    "--delimiter", metavar="C", help="The cell delimiter [default: found: , tab ; or |].")]
SheetOpt = Annotated[Optional[str], typer.Option(
    "--sheet", metavar="NAME", help="A workbook's sheet [default: the first].")]
MapOpt = Annotated[Optional[List[str]], typer.Option(
    "--map", metavar="HEADER=FIELD", help="Read a column of your own under a field (repeatable): --map '完工日期=completed_at'.")]
DateOrderOpt = Annotated[Optional[DateOrder], typer.Option(
    "--date-order", help="How to read 03/04/2026: dmy (3 April) or mdy (4 March) [default: refuse the row].")]


def reader_options(input_format, encoding, delimiter, sheet, mapping, date_order, fields) -> dict:
    """The shared reader options as the library takes them; a bad --map or --delimiter exits 2."""
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in "\"\r\n":
            usage(f"--delimiter: {delimiter!r} is not one character (use , ; | or tab)")
    columns = {}
    for item in mapping or []:
        header, sep, name = item.partition("=")
        if not sep or not header.strip() or name.strip() not in fields:
            usage(f"--map: {item!r} is not HEADER=FIELD with a field of {', '.join(fields)}")
        columns[header.strip()] = name.strip()
    return dict(input_format=input_format.value if input_format else None, encoding=encoding,
                delimiter=delimiter, sheet=sheet, columns=columns,
                date_order=date_order.value if date_order else None)


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
    path = st.db_path
    desk = _open(path, now=st.now, policy_path=st.policy, command=command, actor=actor,
                 on_wait=lambda: note(f"waiting for another callbackctl writing to {path} ..."))
    ctx.call_on_close(lambda: finish(desk))
    if desk.conn.created and command != "demo":  # the demo names its file in its own words
        note(f"created desk file {path}")
    return desk


def damaged_line(ctx, error: BaseException) -> str | None:
    """The message for an error SQLite raised because the desk file is damaged, or None.

    For the command line's last-resort handler: opening checks the schema
    only, so a damaged data page is found by the query that reads it.
    """
    from callbackctl import db

    root = ctx.find_root().obj
    if not db.is_damage(error) or not isinstance(root, State):
        return None
    return db.damaged_message(root.db_path, error)


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


def open_private(path: str, encoding: str = "utf-8-sig"):
    """A file for rows with phone numbers in them: readable by its owner only, from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
    return os.fdopen(fd, "w", encoding=encoding, newline="")


def is_tty(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
