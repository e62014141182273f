"""The `[fast]` extra's report: a wide range's orders and calls counted by polars.

A year's report spends its time in two passes over a million orders and their
calls (reports._OrderScan.first_rounds, reports._call_metrics): SQLite sorts
every row into its group. With the extra, a child process reads the columns those passes
need through ADBC (Arrow, in C) and polars groups them on every core; the
report's other passes, and every deadline a call falls close to, stay with the
parent and its calendar. The rows are the SQL passes' rows, value for value
(tests/test_fast_report.py compares the two over every grouping and period).

Why a child process: ADBC bundles its own SQLite, and a second SQLite library
opening the same file in one process drops the first one's POSIX locks when it
closes it. The child is a reader like any other process; the parent's desk
connection keeps its locks.

The request goes to the child's stdin as two JSON lines: the SQL of what to
read, written by reports.py with the same fragments as its own passes (so the
child starts reading at once), then the deadline bounds (the rows of
reports._setup's table) once the parent has worked them out. The answer is one JSON object on stdout.
When the child cannot answer (the extra missing, an odd column type, a crash),
the parent counts with SQL as without the extra; `last` says which way went.

Library code: never prints, never imports typer; polars only in the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec

ENV = "CALLBACKCTL_FAST"  # 0: never; else when the extra is installed (as fastimport.py)
MIN_ORDERS = 200_000  # below, SQLite counts a year in less time than the child takes to start (0.4 s)
BATCH_ROWS = 65_536  # rows ADBC reads at a time
_SLICE_ROWS = 131_072
_LARGEST_INDEX = 1e12  # hand-edited nonsense: SQLite's sum overflows on it, polars' would wrap

# What the last report did, for the tests (a path that always fell back would pass them).
last = {"path": None, "why": ""}

_ORDER_COUNTS = ("orders_completed", "callbacks_due", "callbacks_done", "on_time", "index_cents", "rated",
                 "very_satisfied", "invalid_contacts", "missed")


def wanted(desk, wide: bool, orders: int) -> bool:
    """A wide range of a desk of MIN_ORDERS or more (CALLBACKCTL_FAST=1: any), the
    extra installed and not turned off (=0), and the desk a writable file."""
    mode = os.environ.get(ENV, "").strip()
    if mode == "0" or not (wide and orders >= MIN_ORDERS or mode == "1") or getattr(desk.conn, "read_only", None):
        return False
    if getattr(desk.conn, "path", ":memory:") in (":memory:", ""):
        return False
    return find_spec("polars") is not None and find_spec("adbc_driver_sqlite") is not None


class Child:
    """The child process counting one report's orders and calls; close() it."""

    TIMEOUT = 600  # seconds: a child still at work by then is stopped, and SQL counts

    def __init__(self, desk, request: dict):
        import callbackctl

        # -P: not the working folder first on the path; the parent's own package first.
        package = os.path.dirname(os.path.dirname(os.path.abspath(callbackctl.__file__)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")]))}
        self.failed = ""
        try:
            self.proc = subprocess.Popen([sys.executable, "-P", "-m", "callbackctl.fastreport"], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, encoding="utf-8")
        except OSError as e:
            self.proc, self.failed = None, str(e)
            return
        self._send({"db": os.path.abspath(desk.conn.path), "batch_rows": BATCH_ROWS, **request})

    def _send(self, message):
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # the child is gone: count() says why

    def count(self, bounds):
        """Hand over the deadline bounds, (key, first, last, first due, last due) as in
        report_deadlines, and wait: {"orders", "calls", "between", "due", "due_between"},
        or None, with `last` saying why."""
        if self.proc is None:
            return self._fail(self.failed)
        self._send(bounds)
        try:
            out, err = self.proc.communicate(timeout=self.TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            return self._fail(str(e))
        if self.proc.returncode != 0:
            return self._fail((err.strip().splitlines() or ["exit %d" % self.proc.returncode])[-1])
        try:
            answer = json.loads(out)
        except ValueError:
            return self._fail("no answer: " + out[:80])
        last.update(path="fast", why="")
        return answer

    def _fail(self, why):
        last.update(path="sql", why=why)
        self.close()
        return None

    def close(self):
        """Stop the child if it is still at work (the report failed or gave up on it)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


# -- the child ---------------------------------------------------------------

def main():
    from concurrent.futures import ThreadPoolExecutor

    request = json.loads(sys.stdin.readline())
    with ThreadPoolExecutor(1) as pool:
        # The bounds are taken as soon as they come: the parent never waits to write them.
        bounds = pool.submit(lambda: json.loads(sys.stdin.readline()))
        answer = count(request, bounds.result)
    sys.stdout.write(json.dumps(answer))


def count(request: dict, read_bounds) -> dict:
    import polars as pl

    orders, calls = _read(request)
    bounds = pl.DataFrame(read_bounds(), schema={"dl_key": pl.Int64, "dl_lo": pl.String, "dl_hi": pl.String,
                                                 "due_lo": pl.String, "due_hi": pl.String}, orient="row")
    facts, between, due, due_between = _order_facts(pl, request, orders, bounds)
    return {"orders": _rows(facts, _ORDER_COUNTS) if facts is not None else [],
            "calls": _rows(_call_counts(pl, request, orders, calls), request["call_counts"]),
            "between": between.rows() if between is not None else [],
            "due": _rows(due, request["due_counts"]) if due is not None else [],
            "due_between": due_between.rows() if due_between is not None else []}


def _read(request):
    """The orders in two halves of their ids and the calls, side by side (three
    reads in C, for two cores or more), each by the SQL the parent wrote."""
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl

    half = request["last_id"] // 2
    orders, calls = request["orders"], request["calls"]
    queries = [(f"{orders} WHERE o.id <= {half}", request["order_columns"]),
               (f"{orders} WHERE o.id > {half}", request["order_columns"]), (calls, request["call_columns"])]
    with ThreadPoolExecutor(3) as pool:
        frames = list(pool.map(lambda q: _query(request["db"], _typed_first(*q), request["batch_rows"]), queries))
    frames = [_typed(pl, f.filter(pl.col(f.columns[0]) != _NOT_A_ROW)) for f in frames]
    return pl.concat(frames[:2], how="vertical_relaxed", rechunk=False), frames[2]


_TEXT, _REAL = ("period", "grp", "reached_at", "order_no"), ("rating", "coverage")
_NOT_A_ROW = -1  # the id of the row _typed_first puts first


def _typed_first(sql: str, columns: list[str]) -> str:
    """`sql` after one row of a value of each column's type. ADBC types a column by
    the values of its first batch, and one all NULL there (70k old orders nobody
    reached, then new ones) is taken for integers: the first text then stops the
    read. The row is dropped after reading (its first column is _NOT_A_ROW)."""
    first = [str(_NOT_A_ROW) if i == 0 else "''" if c in _TEXT else "0.5" if c in _REAL else "0"
             for i, c in enumerate(columns)]
    return f"SELECT {', '.join(f'{v} AS {c}' for v, c in zip(first, columns))} UNION ALL {sql}"


def _typed(pl, frame):
    """Each column in its type, also when the frame is empty."""
    return frame.with_columns(pl.col(c).cast(pl.String if c in _TEXT else pl.Float64 if c in _REAL else pl.Int64)
                              for c in frame.columns)


def _query(path, sql, batch_rows):
    """One query's rows as a polars frame, on a read-only connection of its own."""
    import urllib.parse

    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import polars as pl

    database = adbc_driver_sqlite.connect("file:" + urllib.parse.quote(path) + "?mode=ro")
    try:
        conn = adbc.AdbcConnection(database)
        stmt = adbc.AdbcStatement(conn)
        try:
            stmt.set_options(**{"adbc.sqlite.query.batch_rows": str(batch_rows)})
            stmt.set_sql_query(sql)
            stream, _ = stmt.execute_query()
            return pl.DataFrame(stream)
        finally:
            stmt.close()
            conn.close()
    finally:
        database.close()


def _order_facts(pl, request, orders, bounds):
    """reports._OrderScan.rounds, one row per order, then grouped: the orders completed in
    the range by the period of their completion, and the first callbacks due in it by the
    period of their due time; with the orders whose call or give-up moment falls between
    their deadline's bounds (kind on_time, missed, due_on_time), and those whose due time
    falls between its bounds across a day or now (the parent asks the calendar).
    The same CASEs as there, in polars: tests/test_fast_report.py holds them equal."""
    from callbackctl.schedule import in_coverage

    sel, at, lo, hi = pl.col("selected"), pl.col("reached_at"), pl.col("dl_lo"), pl.col("dl_hi")
    given_up, span = request["given_up"], request["due"]
    # Null where the order is "between" (bounds missing compare as SQL's NULL: between too).
    on_time = pl.when(~sel | at.is_null()).then(0).when(at <= lo).then(1).when(at > hi).then(0)
    missed = pl.when(~sel | at.is_not_null()).then(0).when(hi < given_up).then(1).when(lo >= given_up).then(0)
    counts = [pl.len().alias("orders_completed"), sel.sum().alias("callbacks_due"),
              (sel & at.is_not_null()).sum().alias("callbacks_done"), pl.col("on_time").fill_null(0).sum(),
              (pl.col("rating") * 100 + 0.5).cast(pl.Int64).sum().alias("index_cents"),  # toward 0, as CAST
              pl.col("rating").count().alias("rated"),
              (pl.col("rating") >= request["very_satisfied"]).sum().alias("very_satisfied"),
              pl.col("invalid").sum().alias("invalid_contacts"), pl.col("missed").fill_null(0).sum()]
    due_lo, due_hi = pl.col("due_lo"), pl.col("due_hi")
    known = (due_lo.str.slice(0, 10) == due_hi.str.slice(0, 10)) & ((due_hi <= span["now"]) | (due_lo > span["now"]))
    due_in = (due_lo >= span["lo"]) & (due_lo < span["hi"]) & (due_lo <= span["now"])
    # reports._OrderScan.DUE, named as the parent names them: due, done (reached), on time
    due_counts = [count.alias(name) for count, name in zip(
        (pl.len(), at.is_not_null().sum(), pl.col("on_time").fill_null(0).sum()), request["due_counts"])]
    if (orders["rating"].abs() > _LARGEST_INDEX).any():
        raise OverflowError("an index too large to add up: SQL says so in its own words")
    parts, betweens, dues, due_betweens = [], [], [], []
    # A slice at a time: each order's facts held for a slice only (the whole: 250 MB more).
    for part in orders.iter_slices(_SLICE_ROWS):
        part = _sampled(pl, part.filter((pl.col("in_range") == 1) | (pl.col("due_scope") == 1)), in_coverage)
        o = part.lazy().with_columns(selected=pl.col("selected") == 1)
        o = o.join(bounds.lazy(), on="dl_key", how="left")
        o = o.with_columns(on_time=on_time, missed=missed, rating=pl.when(sel).then(pl.col("rating")))
        c = o.filter(pl.col("in_range") == 1)
        d = o.filter((pl.col("due_scope") == 1) & sel)
        due = d.filter(known.fill_null(False) & due_in).with_columns(period=_period_of(pl, due_lo, span["period"]))
        between = pl.concat([c.filter(pl.col(kind).is_null()).select(
            "period", "grp", pl.lit(kind).alias("kind"), "id", "reached_at") for kind in ("on_time", "missed")]
            + [due.filter(pl.col("on_time").is_null()).select(
                "period", "grp", pl.lit("due_on_time").alias("kind"), "id", "reached_at")])
        found = pl.collect_all([c.group_by("period", "grp").agg(counts), between,
                                due.group_by("period", "grp").agg(due_counts),
                                d.filter(~known.fill_null(False)).select("grp", "id", "reached_at")])
        for kept, frame in zip((parts, betweens, dues, due_betweens), found):
            kept.append(frame)
    if not parts:
        return None, None, None, None
    summed = lambda frames: pl.concat(frames).group_by("period", "grp").agg(pl.all().sum())  # noqa: E731
    return summed(parts), pl.concat(betweens), summed(dues), pl.concat(due_betweens)


def _period_of(pl, column, period: str):
    """reports.period_sql in polars: 2026-11-23, 2026-W48 (ISO), 2026-11."""
    if period == "day":
        return column.str.slice(0, 10)
    if period == "month":
        return column.str.slice(0, 7)
    day = column.str.slice(0, 10).str.to_date()
    return pl.format("{}-W{}", day.dt.iso_year(), day.dt.week().cast(pl.String).str.zfill(2))


def _sampled(pl, part, in_coverage):
    """A sampled rule's orders (selected NULL) picked as cb_selected picks them."""
    selected = part["selected"]
    if not selected.null_count():
        return part
    rows = selected.is_null().arg_true()
    sub = part[rows]
    picks = [int(in_coverage(no, coverage)) for no, coverage in zip(sub["order_no"], sub["coverage"])]
    return part.with_columns(selected.scatter(rows, pl.Series(picks, dtype=selected.dtype)))


def _call_counts(pl, request, orders, calls):
    """reports._call_metrics: the calls made in the range, by the group of their
    order (the kept orders' only, under --region or --product), or their agent."""
    c = calls.lazy()
    if request["by"] != "agent" or request["filtered"]:
        side = orders.lazy().filter(pl.col("kept") == 1).select("id", *([] if request["by"] == "agent" else ["grp"]))
        c = c.join(side, left_on="order_id", right_on="id", how="inner" if request["filtered"] else "left")
    return c.group_by("period", "grp").agg(pl.col(name).sum() for name in request["call_counts"]).collect()


def _rows(frame, counts):
    return [dict(zip(("period", "grp", *counts), row)) for row in frame.select("period", "grp", *counts).rows()]


if __name__ == "__main__":
    main()
