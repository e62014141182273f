"""policy, info, backup, show, demo."""

from __future__ import annotations

import os


from typing import Annotated

import typer

from callbackctl.cli.common import (
    DocumentFmt, DocumentFormatOpt, Fmt, FormatOpt, OrderNoArg, emit, note, open_desk, output_options, state, stdout,
    usage, warn,
)

policy_app = typer.Typer(help="Show, check or store the desk's policy.", no_args_is_help=True, rich_markup_mode=None,
                   add_completion=False)


@policy_app.command("show")
def policy_show(ctx: typer.Context):
    """Print the policy in force, as TOML (defaults filled in).

    \b
    Examples:
      callbackctl policy show > my.toml
    """
    from callbackctl.policy import to_toml

    desk = open_desk(ctx, "policy show")
    note(f"# policy: {desk.policy.source}")
    typer.echo(to_toml(desk.policy.raw), nl=False)


@policy_app.command("check")
def policy_check(file: Annotated[str, typer.Argument(metavar="FILE")]):
    """Validate a policy file without storing it.

    \b
    Examples:
      callbackctl policy check my.toml
    """
    from callbackctl import desk, policy

    checked = policy.load_text(desk.read_policy_file(file), file)
    _check_script(checked)
    for warning in checked.warnings:
        warn(warning)
    note(f"{file}: OK")


def _check_script(checked):
    """A desk's own call script is read when it is named, not first when an agent starts work."""
    if checked.script:
        from callbackctl import script

        script.load(checked.script)


@policy_app.command("load")
def policy_load(ctx: typer.Context, file: Annotated[str, typer.Argument(metavar="FILE")]):
    """Validate a policy file and store it in the database for every later command.

    \b
    Examples:
      callbackctl policy load my.toml
    """
    from callbackctl import desk as desk_mod

    from callbackctl import policy

    text = desk_mod.read_policy_file(file)
    checked = policy.load_text(text, file)
    _check_script(checked)
    named = policy.load_text(text, "stored policy").script  # as it will be read, from any folder
    if named and not os.path.isabs(named):
        usage(f"{file}: [desk] script = {named!r}: give its full path ({checked.script}), "
              "as the stored policy is read from any folder")
    desk = open_desk(ctx, "policy load")
    desk.store_policy(text, file)
    note(f"policy from {file} stored in {desk.path}")


@output_options
def info(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Paths, schema version, policy in force and row counts.

    \b
    Examples:
      callbackctl info
      callbackctl info -f json > desk-info.json
    """
    from callbackctl import info as info_mod

    desk = open_desk(ctx, "info")
    emit(info_mod.info(desk), ["key", "value"], fmt)


def backup(ctx: typer.Context, dest: Annotated[str, typer.Argument(metavar="DEST")]):
    """Write a consistent copy of the database, even while others write to it.

    \b
    Examples:
      callbackctl backup desk-2026-11-23.db
    """
    from callbackctl import info as info_mod

    desk = open_desk(ctx, "backup")
    info_mod.backup(desk.conn, dest)
    note(f"backup written to {dest}")


def demo(ctx: typer.Context):
    """Build a demo database from the shipped fixtures at a fixed now and show a desk's day.

    \b
    Examples:
      callbackctl demo
    """
    from callbackctl import demo as demo_mod
    from callbackctl.cli.common import State

    st = state(ctx)
    path = st.db or "callbackctl-demo.db"
    demo_mod.prepare(path)
    ctx.find_root().obj = State(db=path, now=demo_mod.DEMO_NOW, policy=st.policy)
    desk = open_desk(ctx, "demo")
    demo_mod.mark(desk.conn)
    note(f"demo database: {path}   now: {demo_mod.DEMO_NOW} (Monday)")
    for i, (title, columns, rows) in enumerate(demo_mod.build(desk)):
        typer.echo(("\n" if i else "") + f"== {title}")
        emit(rows, columns, Fmt.table)
    typer.echo(f"\nTry: callbackctl --db {path} --now '{demo_mod.DEMO_NOW}' show SY2026110017")

def show(ctx: typer.Context, order_no: Annotated[str, OrderNoArg],
         fmt: DocumentFormatOpt = DocumentFmt.table):
    """Everything about one order: its fields, calls, follow-ups, complaints, chases, audit log.

    \b
    Examples:
      callbackctl show SY2026110017
      callbackctl show SY2026110017 -f json > SY2026110017.json
    """
    from callbackctl import show as show_mod

    desk = open_desk(ctx, "show")
    sections = show_mod.details(desk, order_no)
    if fmt in (Fmt.json, Fmt.jsonl):
        from callbackctl import io

        io.write_document(show_mod.document(sections), stdout(fmt.value), fmt.value)
        return
    from callbackctl.i18n import _

    said = _ if fmt == Fmt.table else str  # files keep the names scripts rely on
    for i, (title, columns, rows) in enumerate(sections):
        typer.echo(("\n" if i else "") + f"== {said(title)}")
        if rows:
            emit(rows, columns, fmt)
        else:
            typer.echo(said("(none)"))
