"""sample, spot-checks, merge."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, note, open_desk, output_options, reads


@output_options
def sample(
    ctx: typer.Context,
    rate: Annotated[float, typer.Option("--rate", help="Share of reached callbacks to check, e.g. 0.05.")],
    date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="Calls made from this day.")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Calls made up to this day.")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="The same seed picks the same calls [default: random, printed].")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Head office spot checks (抽访): pick reached callbacks per region; each becomes due now.

    \b
    Examples:
      callbackctl sample --rate 0.05 --from 2026-11-01 --seed 7
    """
    from callbackctl import headoffice

    desk = open_desk(ctx, "sample")
    picks, used, new = headoffice.sample(desk, rate, desk.when(date_from, "from").date() if date_from else None,
                                    desk.when(date_to, "to").date() if date_to else None, seed)
    emit(picks, headoffice.SAMPLE_COLUMNS, fmt)
    before = f", {len(picks) - new} sampled before" if len(picks) > new else ""
    note(f"{new} spot check(s) due now{before} (seed {used})")


@output_options
def spot_checks(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Spot checks with the region's and head office's answers, and whether they disagree.

    \b
    Examples:
      callbackctl spot-checks
      callbackctl spot-checks -f csv > spot-checks.csv
    """
    from callbackctl import headoffice

    desk = open_desk(ctx, "spot-checks")
    emit(headoffice.spot_checks(desk), headoffice.SPOT_COLUMNS, fmt, empty="no spot checks")


@output_options
def merge(
    ctx: typer.Context,
    files: Annotated[List[str], typer.Argument(metavar="REGION_DB", help="Regional callbackctl files.")],
    region: Annotated[Optional[str], typer.Option("--region", help="Region name for every merged order [default: as in the file].")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Copy regional files into this one (idempotent); the same order from two regions is a conflict.

    \b
    Examples:
      callbackctl --db head-office.db merge callbackctl-demo.db
    """
    from callbackctl import headoffice

    reads(ctx, *files)  # -o never a regional file
    desk = open_desk(ctx, "merge")
    rows = [headoffice.merge(desk, path, region) for path in files]
    emit(rows, headoffice.MERGE_COLUMNS, fmt)
    conflicts = sum(r["conflicts"] for r in rows)
    if conflicts:
        note(f"{conflicts} order(s) already came from another file and were left as they were "
             "(see `callbackctl show ORDER_NO`)")
        raise typer.Exit(1)
