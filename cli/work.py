"""work: the agent's calling session in the terminal, one card and one key at a time.

Built on prompt_toolkit rather than a full-screen framework: each card is
printed into the terminal's own scrollback (the agent can scroll back to the
last customer), keys are read one at a time without Enter, and it needs
nothing but a VT100 terminal over SSH at 80x24, no mouse. Text is wrapped and
aligned by display width, so Chinese lines up.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from callbackctl.cli.common import CategoryOpt, note, open_desk, state, usage, warn



def work(
    ctx: typer.Context,
    agent: Annotated[Optional[str], typer.Option("--agent", help="Who is calling [default: your user name].")] = None,
    region: Annotated[Optional[str], typer.Option("--region")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider")] = None,
    engineer: Annotated[Optional[str], typer.Option("--engineer")] = None,
    service_type: Annotated[Optional[str], typer.Option("--type", help="Service type (install, repair, 保养, ...).")] = None,
    category: CategoryOpt = None,
    script: Annotated[Optional[str], typer.Option("--script", metavar="FILE.toml", help="The desk's own call script, over the built-in one.")] = None,
):
    """Call customers one after another: claim, read the card and script, record in a few keys.

    Keys: r (or the first score) reached, n no answer, b busy, h hung up,
    x refused, w wrong number, p wrong person, s skip, q quit. Scores as five
    digits (skill, attitude, timeliness, parts, overall), one digit for all,
    or a phrase. Then Enter records; h l p f type what the customer said of
    hours, location, parts and fee; x marks the order not genuine; n a note;
    c a promised call-back time.

    \b
    Examples:
      callbackctl work --agent 王芳
      callbackctl work --agent 王芳 --region 华北 --type repair
    """
    if not (_tty(sys.stdin) and _tty(sys.stdout)):
        which = "input" if not _tty(sys.stdin) else "output"
        usage(f"work needs a terminal, and standard {which} is not one "
              "(in scripts, use `claim` and `record`)")
    from callbackctl import i18n, normalize, session

    if service_type is not None:
        try:
            service_type = normalize.service_type(service_type)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--type")
    desk = open_desk(ctx, "work", actor=agent)
    filters = {k: v for k, v in dict(region=region, provider=provider, engineer=engineer,
                                      service_type=service_type, category=category).items() if v is not None}
    s = session.Session(desk, agent or desk.actor, lang=i18n.current(), filters=filters, script_path=script,
                        fixed_now=state(ctx).now is not None)
    missing = [k for k in ("company", "hotline") if not getattr(desk.policy, k)]
    if missing:
        warn(f"the call script says - for the {' and '.join(missing)}: set [desk] {', '.join(missing)} "
             "in the policy (callbackctl policy load FILE)")
    from callbackctl.cli import work_screen

    _hang_up_is_quit()
    made = work_screen.run(s)
    note(i18n._("{n} call(s) recorded").format(n=made))


def _hang_up_is_quit():
    """The terminal closed (an SSH link dropped): quit as q does, letting the callback in hand go."""
    import signal

    def hang_up(signum, frame):
        raise KeyboardInterrupt

    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, hang_up)


def _tty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:
        return False
