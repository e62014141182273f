"""What every command shares: global state, the format option, output and errors."""

from __future__ import annotations

import enum
import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, List, Optional

import typer

from callbackctl import vocab


def choices(name: str, values) -> type[enum.Enum]:
    """A click choice for one of callbackctl.vocab's lists."""
    return enum.Enum(name, {v: v for v in values}, type=str)


# A listing's formats (with xlsx, written to --output); a document's (show) are text only.
Fmt = choices("Fmt", vocab.LISTING_FORMATS)
DocumentFmt = choices("DocumentFmt", vocab.OUTPUT_FORMATS)


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output format (xlsx: a workbook, with --output FILE).",
                                        case_sensitive=False)]
DocumentFormatOpt = Annotated[DocumentFmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]

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
# The due list's filter on 品类, shared by due, claim and work (recurring callbacks and replies have none).
CategoryOpt = Annotated[Optional[str], typer.Option("--category", help="品类 (空调, 挖掘机): orders only.")]
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


def complete_order_no(ctx: typer.Context, incomplete: str):
    """Shell completion of ORDER_NO: the due list first, then stored numbers that start so.

    Runs inside the shell's completion: it never creates a desk file, and a
    desk it cannot read completes nothing rather than print an error there.
    """
    from callbackctl import desk as desk_mod, find

    params = ctx.find_root().params
    path = params.get("db") or desk_mod.default_db_path(typer.get_app_dir("callbackctl"))
    if not os.path.isfile(path):
        return []
    try:
        desk = desk_mod.open_desk(path, now=params.get("now"), policy_path=params.get("policy"), command="complete")
    except Exception:
        return []
    try:
        return find.completions(desk, incomplete)
    except Exception:
        return []
    finally:
        desk.conn.close()


# ORDER_NO, completed from the due list by the shell (--install-completion)
OrderNoArg = typer.Argument(metavar="ORDER_NO", autocompletion=complete_order_no)


def option_name(field: str) -> str:
    """The command-line option for a library field: callback_at -> --callback-at."""
    return "--" + field.replace("_", "-")


def usage(message: str):
    """A usage error the option parser cannot see (two options that exclude each other): exit 2."""
    _stderr().write(f"Error: {message}\n")
    raise typer.Exit(2)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def open_desk(ctx: typer.Context, command: str, actor: str | None = None):
    """Open the database for a command; closed when the command ends."""
    from callbackctl.desk import open_desk as _open

    st = state(ctx)
    path = st.db_path
    desk = _open(path, now=st.now, policy_path=st.policy, command=command, actor=actor,
                 on_wait=lambda: note(_t("waiting for another callbackctl writing to {path} ...").format(path=path)))
    ctx.call_on_close(lambda: finish(desk))
    if desk.conn.created and command != "demo":  # the demo names its file in its own words
        note(_t("created desk file {path}").format(path=path))
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


def _t(text: str) -> str:
    """A message in the interface's language (gettext, loaded by then)."""
    from callbackctl.i18n import _

    return _(text)


def warn(message: str):
    _stderr().write(f"Warning: {message}\n")


def note(message: str):
    _stderr().write(message + "\n")


# -- output: every listing goes through emit() -------------------------------------

_OUTPUT_HELP = ("Write the listing to FILE (readable by you alone) instead of stdout, in the format of -f, or of "
                "FILE's extension (.csv .tsv .json .jsonl .xlsx) when -f is not given.")
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help=_OUTPUT_HELP)]
_LongOutputOpt = Annotated[Optional[str], typer.Option("--output", metavar="FILE", help=_OUTPUT_HELP)]  # -o is taken
ExcelOpt = Annotated[bool, typer.Option("--excel", help="For Excel: a UTF-8 BOM; phones and order numbers stay text; "
                                                      "cells starting with = + - @ made inert.")]


@dataclass(frozen=True)
class Output:
    """Where the listing of the command that runs goes: --output FILE (None: stdout), --excel, the sheet's name."""
    path: Optional[str] = None
    excel: bool = False
    sheet: str = "callbackctl"


_output: ContextVar[Output] = ContextVar("callbackctl_output", default=Output())
_inputs: ContextVar[tuple] = ContextVar("callbackctl_inputs", default=())


def reads(ctx, *paths):
    """The files this command reads: none may be written as its output (the --output
    given is checked now, before any work; --rejects when the command checks it)."""
    _inputs.set(tuple(paths))
    if _output.get().path:
        check_output(ctx, _output.get().path, "output")


def check_output(ctx, path: str, field: str):
    """Refuse (exit 2) an output path that is the desk, an input, a link or no regular file (outfile.py)."""
    from callbackctl import outfile

    root = ctx.find_root().obj if ctx is not None else None
    state = root if isinstance(root, State) else None
    outfile.check(path, desk=state.db_path if state else None,
                  inputs=(*_inputs.get(), state.policy if state else None), field=field)


def output_options(command):
    """Give a listing command --output FILE and --excel in one place, as sqlite-utils' output_options does.

    typer reads a command's options from its signature: this adds the two
    keyword parameters to the signature typer reads (--output without its -o
    where the command has a -o of its own, as record's --outcome), takes their
    values before the command runs, checks them against -f (xlsx needs a FILE;
    -f not given takes the FILE's extension), and hands them to emit() for that
    run. The command itself is unchanged; its -f is `fmt: FormatOpt`.

        @output_options
        def due(ctx: typer.Context, ..., fmt: FormatOpt = Fmt.table):
            ...
            emit(rows, columns, fmt)
    """
    import functools
    import inspect

    signature = inspect.signature(command, eval_str=True)
    short_names = {d for p in signature.parameters.values() for info in getattr(p.annotation, "__metadata__", ())
                   for d in (getattr(info, "default", None), *(getattr(info, "param_decls", None) or ()))}
    added = [inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=_LongOutputOpt if "-o" in short_names else OutputOpt),
             inspect.Parameter("excel", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=ExcelOpt)]
    parameters = [*signature.parameters.values(), *added]

    @functools.wraps(command)
    def run(*args, output=None, excel=False, **kwargs):
        _stderr()
        ctx = kwargs.get("ctx")
        inputs = _inputs.set(())  # this command's own (reads()): not an earlier command's in this process
        try:
            if output:
                check_output(ctx, output, "output")
            if "fmt" in kwargs:
                kwargs["fmt"] = _check_output(ctx, kwargs["fmt"], output, excel)
            token = _output.set(Output(output, excel, _sheet(ctx)))
            try:
                return command(*args, **kwargs)
            finally:
                _output.reset(token)
        finally:
            _inputs.reset(inputs)

    run.__signature__ = signature.replace(parameters=parameters)
    run.__annotations__ = {p.name: p.annotation for p in parameters if p.annotation is not p.empty}
    return run


def _check_output(ctx, fmt, output, excel):
    """The format to write (from FILE's extension when -f was not given); a usage error exits 2."""
    from callbackctl.errors import CallbackctlError

    if output:
        ext = os.path.splitext(output)[1].lower().lstrip(".")
        given = ctx is None or getattr(ctx.get_parameter_source("fmt"), "name", "") != "DEFAULT"
        if not given and ext in type(fmt).__members__:
            fmt = type(fmt)[ext]
        if os.path.isdir(output):
            raise CallbackctlError(f"cannot write {output}: it is a folder")
        if not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            raise CallbackctlError(f"cannot write {output}: no such folder")
    if fmt.value == "xlsx" and not output:
        usage("-f xlsx writes a workbook: give --output FILE.xlsx")
    if excel and fmt.value == "table":
        usage("--excel is for a file Excel opens: give -f csv, or -f xlsx --output FILE.xlsx")
    if fmt.value == "xlsx" and not output.lower().endswith((".xlsx", ".xlsm")):
        warn(f"{output}: Excel opens a workbook by its name: call it {os.path.splitext(output)[0]}.xlsx")
    return fmt


def _sheet(ctx) -> str:
    """The command's name (`followup list`), as a workbook's sheet name."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names)) or "callbackctl"


def emit(rows, columns, fmt, empty: str | None = None, out=None):
    """Write rows in the chosen format: to --output FILE when the command has one, else stdout.

    A table that is empty says so on stderr; a file is named on stderr with its row count.
    """
    from callbackctl import io

    to = _output.get()
    if out is None and to.path:
        from callbackctl import outfile

        with outfile.replacing(to.path, binary=fmt.value == "xlsx") as f:
            if fmt.value == "xlsx":
                from callbackctl import sheets

                n = sheets.write(rows, columns, f, to.sheet)
            else:
                n = io.write(rows, columns, f, fmt.value, excel=to.excel)
        note(_t("{n} row(s) written to {path}").format(n=n, path=to.path))
        return n
    if fmt.value == "xlsx":  # a command without output_options
        usage("-f xlsx writes a workbook: give --output FILE.xlsx")
    titles = _titles(columns) if fmt.value == "table" else None
    n = io.write(rows, columns, out or stdout(fmt.value), fmt.value, excel=to.excel, titles=titles)
    if n == 0 and fmt.value == "table" and empty:
        from callbackctl.i18n import _

        note(_(empty))
    return n


def _titles(columns):
    """A table's column titles in the interface's language (None: the names as they are)."""
    from callbackctl import i18n

    return [i18n.header(c) for c in columns] if i18n.current() != "en" else None


def echo(text: str):
    """More text after a table (report's chart): to the listing's --output FILE when there is one."""
    to = _output.get()
    if to.path:
        with open(to.path, "a", encoding="utf-8") as f:  # emit() made it, 0600
            f.write(text)
    else:
        stdout("table").write(text)


def stdout(fmt: str):
    """sys.stdout, ready for `fmt`.

    csv, tsv, json and jsonl are UTF-8 whatever the locale: a Chinese Windows
    (or LANG=zh_CN.GBK, PYTHONIOENCODING=gbk) would encode them as GBK and fail
    on a name such as 䶮 or an emoji, which GBK has no code for. Text for the
    screen (a table) stays in the console's encoding, which is what it can show,
    and a character it cannot show becomes ? instead of stopping the command.
    """
    import codecs

    from callbackctl.errors import CallbackctlError

    out = sys.stdout
    if out is None:  # started with stdout closed (`>&-`)
        raise CallbackctlError("standard output is closed: nowhere to write the rows")
    encoding, reconfigure = getattr(out, "encoding", None), getattr(out, "reconfigure", None)
    if encoding and reconfigure and codecs.lookup(encoding).name != "utf-8":
        if fmt in ("csv", "tsv", "json", "jsonl"):
            reconfigure(encoding="utf-8")
        elif out.errors == "strict":
            reconfigure(errors="replace")
    return out


def _stderr():
    """sys.stderr, never failing on a character (PYTHONIOENCODING=gbk:strict): it is \\u-escaped instead."""
    err = sys.stderr
    if getattr(err, "errors", None) == "strict" and hasattr(err, "reconfigure"):
        import codecs

        if codecs.lookup(err.encoding).name != "utf-8":
            err.reconfigure(errors="backslashreplace")
    return err




def is_tty(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
