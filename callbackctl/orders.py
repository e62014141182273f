"""Work orders: importing them losslessly, and looking them up.

An import reads a file row by row, turns each row into canonical values or a
rejected row with a reason, and upserts by order_no in batches inside one
transaction per file. An empty cell never erases a stored value; columns
callbackctl does not know are kept in `extra`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from array import array
from functools import partial

from callbackctl import batches, clock, corrections, customers, db, normalize, status
from callbackctl.batches import RowError
from callbackctl.errors import InputError, InvalidValue, NotFound, StateError
from callbackctl.readers import open_input
from callbackctl.rehearsal import Rehearsal
from callbackctl.vocab import FAULT_HEADERS

FIELDS = tuple(normalize.ORDER_COLUMNS)  # canonical input columns, in contract order
# Stored columns: status is stored as status_given (the table derives status).
STORED = tuple("status_given" if f == "status" else f for f in FIELDS) + ("phone_valid",)
# A bigger page cache while importing: completed_at arrives in no order, so its
# index takes inserts all over; with SQLite's default 2 MiB, 1M rows took 47 s,
# with 64 MiB 40 s. Memory stays bounded by it, whatever the file's size.
IMPORT_CACHE_KIB = 64 * 1024


def _parsers(tz, date_order=None):
    to_time = partial(normalize.datetime, tz=tz, date_order=date_order)
    parsers = {f: to_time for f in normalize.TIME_COLUMNS}
    parsers.update(
        service_type=normalize.service_type, zone=normalize.zone, status=normalize.status,
        machine_hours=normalize.number, fee=normalize.number,
        warranty=normalize.boolean, vip=normalize.boolean, phone=normalize.phone,
    )
    return parsers


@dataclass
class Plan:
    """How one header row's cells become an order: decided once per file."""

    width: int
    known: list        # [(index, field)]: the first column of each field
    spare: list        # [(index, field, header)]: more columns for a field already named
    parsers: list      # [(field, parse, label)] in column order, for fields that need one
    extra: list        # [(index, header)] of columns kept in `extra`
    values: dict       # field -> {a file's value: the value to read instead} ([import.values], --map-value)

    def convert(self, cells):
        """Cells in header order -> (order, extra); RowError names the bad cell.

        The import's inner loop: strips every cell at once, keeps the
        non-empty ones, then runs the few parsers the file's columns need. A
        second column for a field fills it when the first is empty, and is
        kept under its own header when both hold different values.
        """
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        cells = list(map(str.strip, cells))
        order = {name: cells[i] for i, name in self.known if cells[i]}
        extra = {header: cells[i] for i, header in self.extra if cells[i]} if self.extra else {}
        for i, name, header in self.spare:
            value = cells[i]
            if value and order.setdefault(name, value) != value:
                extra[header] = value
        for name, mapping in self.values.items():  # before the parsers: 移机 may become install
            value = order.get(name)
            if value in mapping:
                order[name] = mapping[value]
        for name, parse, label in self.parsers:
            value = order.get(name)
            if value is None:
                continue
            try:
                if name == "phone":
                    order["phone"], order["phone_valid"] = parse(value)
                else:
                    order[name] = parse(value)
            except ValueError as e:
                raise RowError(f"{label}: {e}") from None
        if "order_no" not in order:
            raise RowError("order_no is empty")
        if "status" in order:
            order["status_given"] = order.pop("status")
        return order, extra


class RowConverter:
    """Maps a file's headers once to a Plan; the first column of a field wins.

    `columns`: a desk's own headers, header -> field (--map and the policy's
    [import.columns]), before the built-in aliases. Also keeps, for the file,
    the headers that match no field and the orders already read from it.
    """

    def __init__(self, tz, columns=None, date_order=None, values=None):
        self._parse = _parsers(tz, date_order)
        self._values = {f: m for f, m in (values or {}).items() if m}
        self._columns = normalize.own_columns(columns)
        self._plans = {}
        self.unknown = normalize.Unmatched()   # headers kept in extra that name no field
        self.seen = FileOrders()

    def field_of(self, header) -> str | None:
        return normalize.field_of(header, self._columns)

    def is_header(self, cells) -> bool:
        """A header row names the order number (in an alias, or as --map says)."""
        return any(self.field_of(c) == "order_no" for c in cells)

    def plan(self, headers) -> Plan:
        key = tuple(headers)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._make_plan(headers)
        return plan

    def _make_plan(self, headers) -> Plan:
        seen, known, spare, parsers, extra = set(), [], [], [], []
        for i, h in enumerate(headers):
            name = self.field_of(h)
            if name is None:
                extra.append((i, h))
                if normalize.header_key(h) not in _FAULT_KEYS:
                    self.unknown.note(h)
            elif name in seen:
                spare.append((i, name, h))
            else:
                seen.add(name)
                known.append((i, name))
                if name in self._parse:
                    parsers.append((name, self._parse[name], h if h == name else f"{h} ({name})"))
        return Plan(len(headers), known, spare, parsers, extra, self._values)


_FAULT_KEYS = frozenset(map(normalize.header_key, FAULT_HEADERS))


def _cells(source, conv, row):
    """(plan, cells) for a row of any format; RowError for rows that are not rows."""
    if isinstance(row, list) and source.headers is not None:
        if len(row) > len(source.headers):
            if any(c.strip() for c in row[len(source.headers):]):
                raise RowError(f"row has {len(row)} cells but the header has {len(source.headers)}")
            row = row[:len(source.headers)]  # a trailing delimiter: nothing is dropped
        return conv.plan(source.headers), row
    if isinstance(row, dict):  # JSON: true -> "true", 120 -> "120", null -> empty
        plan, values = conv.plan(list(row)), list(row.values())
        for index, field in plan.known:
            if field == "order_no" and isinstance(values[index], (dict, list)):
                raise RowError(f"order_no is a JSON {'object' if isinstance(values[index], dict) else 'array'}, "
                               "not a value")
        return plan, [_json_cell(v) for v in values]
    raise RowError("not a JSON object")


def _json_cell(value) -> str:
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise RowError(f"broken text in JSON (a lone surrogate): {value.encode('utf-8', 'backslashreplace')!r}")
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        raise RowError("a JSON value nested too deeply") from None


def import_file(desk, path, encoding="auto", input_format=None, dry_run=False, strict=False, progress=None,
                columns=None, date_order=None, delimiter=None, sheet=None, values=None,
                rehearse=2) -> batches.Summary:
    """Import one file; its summary holds the rejected rows (line, error, raw).

    `columns`: header -> field for a dealer's own headers (the policy's
    [import.columns] and --map, the latter winning); `values`: field -> {value:
    value} for a desk's own words ([import.values] and --map-value, the latter
    winning for a value both name). A file (not stdin) is
    rehearsed beside the desk and landed in one short write (rehearsal.py);
    when the desk changed under the rehearsal, it is rehearsed again, up to
    `rehearse` times, then imported under the lock.
    """
    maps = {f: {**desk.policy.import_values.get(f, {}), **(values or {}).get(f, {})}
            for f in {*desk.policy.import_values, *(values or {})}}
    conv = RowConverter(desk.tz, {**desk.policy.import_columns, **(columns or {})}, date_order, maps)
    source = open_input(path, encoding, input_format, is_header=conv.is_header, delimiter=delimiter, sheet=sheet)
    previous = desk.conn.execute("PRAGMA cache_size").fetchone()[0]
    desk.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        _require_order_no(source, conv)
        if rehearse and not dry_run and path != "-" and not desk.conn.read_only:
            summary = _rehearsed(desk, source, conv, strict, progress)
        else:
            summary = _locked(desk, source, conv, strict, dry_run, progress)
    finally:
        desk.conn.execute(f"PRAGMA cache_size = {previous}")
        source.close()
    if summary is None:  # the desk changed under the rehearsal
        return import_file(desk, path, encoding, input_format, dry_run, strict, progress, columns, date_order,
                           delimiter, sheet, values, rehearse=rehearse - 1)
    summary.unknown = conv.unknown
    return summary


def _locked(desk, source, conv, strict, dry_run, progress):
    """The import in one write transaction (a dry run: none)."""
    before = desk.conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]
    indexes = BulkIndexes(desk.conn, before)

    def finish():
        indexes.restore()
        customers.link_new_orders(desk.conn, before)  # the customers' new orders, once per file

    return batches.run(desk, source, partial(_write_chunk, desk, source, conv, indexes), strict=strict,
                       dry_run=dry_run, event="import", progress=progress, finish=finish)


def _rehearsed(desk, source, conv, strict, progress):
    """The import rehearsed outside the write lock and landed; None if the desk changed meanwhile."""
    rehearsal = Rehearsal(desk.conn, STORED + ("extra",))
    with rehearsal:
        summary = batches.run(desk, source, partial(_write_chunk, desk, source, conv, None, rehearsal=rehearsal),
                              strict=strict, event="import", progress=progress)
    indexes = BulkIndexes(desk.conn, rehearsal.max_order)

    def finish(before, relink):
        indexes.restore()
        customers.link_new_orders(desk.conn, before)
        customers.relink_orders(desk.conn, relink)

    summary.batch_id = rehearsal.land(finish, indexes)
    return summary if summary.batch_id is not None else None


def _require_order_no(source, conv):
    if source.headers is not None and "order_no" not in {f for _, f in conv.plan(source.headers).known}:
        aliases = ", ".join(normalize.ORDER_COLUMNS["order_no"][:4])
        raise InputError(
            f"{source.name}: no order_no column (looked for order_no, {aliases}, ...); "
            f"the header is: {', '.join(source.headers)[:200]}"
        )


def _write_chunk(desk, source, conv, indexes, rows, summary, write, rehearsal=None):
    """Convert a chunk of rows and upsert the good ones; returns the rejects."""
    if write and indexes is not None:
        indexes.consider(_expected_rows(source, len(rows)))
    rejects, converted = [], []
    for line, row in rows:
        try:
            plan, cells = _cells(source, conv, row)
            order, extra = plan.convert(cells)
        except RowError as e:
            rejects.append((line, str(e), batches.raw_row(source, row)))
            continue
        converted.append((line, row, order, extra))
    _apply(desk, converted, summary, rejects, write, lambda row: batches.raw_row(source, row), conv.seen,
           rehearsal)
    return rejects


def _apply(desk, batch, result, rejects, write, raw_of, seen, rehearsal=None):
    """Upsert one batch of converted rows, counting each row's effect in file order.

    `seen`: the orders read so far from this file. A later row for one of them
    is one order with the earlier rows when it agrees with them (or fills
    their empty cells; parts add up), else it is rejected: never a mix of two.
    """
    if not batch:
        return
    conn = desk.conn
    numbers = list({order["order_no"] for _, _, order, _ in batch})
    existing, parsed = {}, {}  # parsed: extra JSON text -> dict; few distinct texts recur across rows
    names = ("id", *STORED, "extra")
    if rehearsal is not None:
        rehearsal.pull(numbers)
    for i in range(0, len(numbers), 30000):
        chunk = numbers[i:i + 30000]
        marks = ",".join("?" * len(chunk))
        for row in db.dicts(conn, f"SELECT {', '.join(names)} FROM orders WHERE order_no IN ({marks})", chunk):
            text = row["extra"]
            if not text:
                row["extra"] = {}
            else:  # shared between rows: never changed in place (_merge makes a new dict)
                extra = parsed.get(text)
                if extra is None:
                    extra = parsed[text] = json.loads(text)
                row["extra"] = extra
            existing[row["order_no"]] = row
    new, current = {}, {}  # current: copies of existing rows, made only when one changes
    fixed = corrections.of_orders(conn, [r["id"] for r in existing.values()]) if corrections.any_kept(conn) else {}
    brought = {}  # (order id, field) -> the new values a file brings for a corrected field
    by_id, pending = seen.by_id, seen.pending
    for line, row, order, extra in batch:
        no = order["order_no"]
        target = new.get(no) or current.get(no) or existing.get(no)
        if fixed and target is not None and target.get("id") in fixed:
            _keep_corrected(target, order, fixed[target["id"]], line, result, brought)
        oid = target.get("id") if target is not None else None  # inlined seen.get: the import's inner loop
        first = (by_id[oid] or None) if oid is not None and oid < len(by_id) else pending.get(no)
        if first is not None and target is not None:  # the same order earlier in this file
            clash = _clash(target, order, extra, first & _MASK)
            if clash:
                clash = "status" if clash == "status_given" else clash
                rejects.append((line, f"order_no {no} also on line {first >> 32} with a different {clash}",
                                raw_of(row)))
                continue
            _join_parts(target, order)
        seen.put(no, target, (first or line << 32) | _mask(order))
        if "parts_replaced" in order and target is not None and _parts_within(order, target):
            del order["parts_replaced"]  # parts only add up: a row naming fewer changes nothing
        if target is None:
            if no in seen.refused:  # alone, a later row would make the order the earlier one could not
                rejects.append((line, f"order_no {no} is new and its row on line {seen.refused[no]} was rejected: "
                                      "this row is not imported without it", raw_of(row)))
                continue
            if "service_type" not in order:
                rejects.append((line, "service_type is empty (required for a new order)", raw_of(row)))
                if first is None:
                    seen.forget(no)
                    seen.refused[no] = line
                continue
            order["extra"] = extra
            order.setdefault("zone", "other")
            _explicit_status(order, order.get("completed_at"))
            new[no] = order
            result.inserted += 1
        elif _changes(target, order, extra):
            if target is existing.get(no):
                target = current[no] = {**target, "extra": dict(target["extra"])}  # extra may be shared
            _merge(target, order, extra)
            result.updated += 1
        else:
            result.unchanged += 1
    if not write:
        return
    for (oid, field), values in brought.items():
        corrections.file_brings(conn, oid, field, values)
    now = desk.now_text
    if new:
        # Each insert takes the largest rowid plus one: the new orders' ids follow on.
        base = conn.execute("SELECT max(id) FROM orders").fetchone()[0] or 0
        seen.settle({no: base + i for i, no in enumerate(new, 1)})
        cols = STORED + ("extra", "batch_id", "created_at", "updated_at")
        conn.executemany(
            f"INSERT INTO orders ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [
                [*map(o.get, STORED), _extra_json(o["extra"]), result.batch_id, now, now]
                for o in new.values()
            ],
        )
    for no, row in current.items():
        before = existing[no]
        changed = {c: row[c] for c in row if row[c] != before.get(c)}
        if changed:  # a rehearsal's orders are linked to customers when it lands
            _update(desk, before, changed, relink=rehearsal is None, batch=result.batch_id)


def _keep_corrected(target, order, fixed, line, result, brought):
    """Take the corrected fields out of a row: the desk's value stays. A file value other
    than the one the import gave before is named in a warning (result.kept) and is what
    `order revert` returns from now on."""
    if "status_given" in order:
        _explicit_status(order, order.get("completed_at") or target.get("completed_at"))
    for field, (at, imported) in fixed.items():
        columns = corrections.columns_of(field)
        if columns[0] not in order:
            continue
        given = {c: order.pop(c, None) for c in columns}
        value = given[columns[0]]
        if value == imported.get(columns[0]):
            continue  # the source repeats itself
        key = (target["id"], field)
        if brought.get(key) != given:
            brought[key] = given
            if value != target.get(columns[0]):  # unless the source now agrees with the desk
                result.kept.append((line, target["order_no"], field, at, value))


class BulkIndexes:
    """The secondary indexes of orders, dropped while a large file lands in a small
    table and built again at the end of the same transaction (a crash or a
    --strict failure rolls the drop back with the rest).

    Each new order otherwise goes into every index at a place of its own (the
    file comes in no order of completion): 1M new orders took 2.4 s more that
    way than building the indexes once from the finished table.
    """

    LARGE = 50_000  # rows: below it the drop and build save too little to matter

    def __init__(self, conn, orders_before: int):
        self.conn, self.orders_before = conn, orders_before
        self.decided, self.dropped = False, []

    def consider(self, expected: float | None):
        """At the first chunk: is the file (`expected` rows, None when unknown) large,
        and larger than the table?"""
        if self.decided:
            return
        self.decided = True
        if expected is not None and expected >= self.LARGE and expected > self.orders_before:
            self.dropped = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' "
                "AND sql IS NOT NULL ORDER BY name").fetchall()  # the UNIQUE order_no index stays
            for name, _ in self.dropped:
                self.conn.execute(f'DROP INDEX "{name}"')

    def restore(self):
        if not self.dropped:
            return
        # The sorter behind CREATE INDEX also works on other cores when allowed:
        # 1M orders' three indexes took 1.2 s instead of 1.6-2.1 s on two.
        threads = self.conn.execute("PRAGMA threads").fetchone()[0]
        self.conn.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")
        try:
            for _, sql in self.dropped:
                self.conn.execute(sql)
        finally:
            self.conn.execute(f"PRAGMA threads = {threads}")
        self.dropped = []


def _expected_rows(source, first_rows: int) -> float | None:
    """The file's rows, estimated from how far its first chunk read; None for stdin or
    a workbook (no size to go by)."""
    size, position = source.size, source.position
    return first_rows * size / position if size and position else None


def insert_staged(desk, staged: str, columns, batch_id, start, stop, empty: bool):
    """The [fast] path's new orders: rows start..stop-1 (by `seq`) of the table `staged`,
    whose `columns` are STORED's with `status` for status_given, in file order (so
    their ids follow on as the plain path's do). Unless the desk was `empty`, rows of
    an order already stored are left out (fastimport.py decides that none changes it)."""
    names = [c if c != "status" else "status_given" for c in columns]
    values = []
    for c in columns:
        if c == "zone":
            values.append("coalesce(s.zone, 'other')")
        elif c == "status":  # _explicit_status
            values.append(f"CASE WHEN s.status = (CASE WHEN s.completed_at IS NULL THEN '{status.implied(None)}' "
                          f"ELSE '{status.implied('x')}' END) THEN NULL ELSE s.status END")
        else:
            values.append(f"s.{c}")
    new = "" if empty else " AND NOT EXISTS (SELECT 1 FROM main.orders o WHERE o.order_no = s.order_no)"
    desk.conn.execute(
        f"INSERT INTO main.orders ({', '.join(names)}, batch_id, created_at, updated_at) "
        f"SELECT {', '.join(values)}, ?, ?, ? FROM {staged} s WHERE s.seq >= ? AND s.seq < ?{new} "
        "ORDER BY s.seq", (batch_id, desk.now_text, desk.now_text, start, stop))


_BITS = {name: 1 << i for i, name in enumerate(STORED)}
_MASK = (1 << 32) - 1


class FileOrders:
    """The orders already read from the file being imported: each one's first line
    and the fields its rows gave, packed as line << 32 | fields.

    Kept in an array indexed by the order's id, 8 bytes an order of the desk
    (a dict of order numbers cost 127 bytes an order of the file, growing with
    the file); orders inserted by the current chunk, and all orders of a dry
    run, which has no ids, are kept by number until they have one.
    """

    def __init__(self):
        self.by_id, self.pending = array("Q"), {}
        # New orders whose first row was rejected (no service type): order_no -> its line. A
        # later row of one is rejected too, so that the file imported again does the same.
        self.refused = {}

    def get(self, no, target):
        order_id = target.get("id") if target is not None else None
        if order_id is not None and order_id < len(self.by_id):
            return self.by_id[order_id] or None
        return self.pending.get(no)

    def put(self, no, target, packed):
        order_id = target.get("id") if target is not None else None
        if order_id is None:
            self.pending[no] = packed
            return
        if order_id >= len(self.by_id):
            self.by_id.extend(bytes(8 * (order_id + 1 - len(self.by_id) + 65536)))
        self.by_id[order_id] = packed

    def forget(self, no):
        self.pending.pop(no, None)

    def settle(self, ids: dict):
        """The new orders of a chunk got their ids: keep them by id."""
        for no, order_id in ids.items():
            packed = self.pending.pop(no, None)
            if packed is not None:
                self.put(no, {"id": order_id}, packed)
_masks = {}


def _mask(order) -> int:
    """The fields a row gave, as bits (cached: rows share a few shapes)."""
    key = tuple(order)
    mask = _masks.get(key)
    if mask is None:
        mask = _masks[key] = sum(_BITS.get(k, 0) for k in key)
    return mask


def _clash(target, order, extra, given) -> str | None:
    """The first field (or kept column) an earlier row of the file gave otherwise."""
    for name, value in order.items():
        if given & _BITS.get(name, 0) and name not in ("phone_valid", "parts_replaced") and target.get(name) != value:
            return name
    have = target["extra"]
    return next((h for h, v in extra.items() if have.get(h) not in (None, v)), None)


def _parts_within(order, target) -> bool:
    have = target.get("parts_replaced")
    return have is not None and normalize.parts(order["parts_replaced"]) <= normalize.parts(have)


def _join_parts(target, order):
    """Parts named on several rows of one order add up."""
    if "parts_replaced" in order and target.get("parts_replaced") and not _parts_within(order, target):
        order["parts_replaced"] = f"{target['parts_replaced']}, {order['parts_replaced']}"


def _update(desk, before: dict, changed: dict, kind="order_updated", relink=True, **why):
    """Write one order's changed fields, logged with their values before."""
    desk.log(kind, before["order_no"], {**why, "before": {c: before.get(c) for c in changed}, "after": changed})
    values = {**changed, "updated_at": desk.now_text}
    if isinstance(values.get("extra"), dict):  # an import's: kept as a dict for the log
        values["extra"] = _extra_json(values["extra"])
    sets = ", ".join(f"{c} = ?" for c in values)
    desk.conn.execute(f"UPDATE orders SET {sets} WHERE id = ?", (*values.values(), before["id"]))
    if relink and changed.keys() & _LINKED:
        customers.relink_orders(desk.conn, [before["id"]])


_LINKED = frozenset({"phone", "completed_at", "status_given"})  # what makes an order a customer's completed one


# What a merge copies of an order from a regional file.
COPIED = STORED + ("extra",)


def merge_copy(desk, values: dict, source: str) -> tuple[str, int | None]:
    """Upsert one order copied from another desk file identified by `source`.

    Returns what happened (inserted, updated, unchanged, or conflict when the
    order_no came from another file, which is left alone) and the order's id here.
    """
    have = desk.conn.execute("SELECT * FROM orders WHERE order_no = ?", (values["order_no"],)).fetchone()
    if have is None:
        cols = list(values) + ["source", "created_at", "updated_at"]
        cur = desk.conn.execute(f"INSERT INTO orders ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                (*values.values(), source, desk.now_text, desk.now_text))
        customers.relink_orders(desk.conn, [cur.lastrowid])
        return "inserted", cur.lastrowid
    if have["source"] != source:
        desk.log("merge_conflict", values["order_no"], {"kept_source": have["source"], "other_source": source,
                                                        "other_region": values.get("region")})
        return "conflict", None
    changed = {k: v for k, v in values.items() if v is not None and v != have[k]}
    if changed:
        _update(desk, dict(have), changed, source=source)
    return ("updated" if changed else "unchanged"), have["id"]


_to_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per row as dumps() makes


_json_texts = {}  # extra's items -> its JSON: a file repeats a few values (a fault, a site) over and over


def _extra_json(extra):
    if not extra:
        return None
    try:
        key = tuple(extra.items())
        text = _json_texts.get(key)
    except TypeError:  # a list or an object kept from JSON input: not a key
        return _to_json(extra)
    if text is None:
        text = _to_json(extra)
        if len(_json_texts) < 100_000:
            _json_texts[key] = text
    return text


def _explicit_status(order, completed_at):
    """Keep a given status only where completed_at does not already imply it.

    So an export (which writes the effective status) imports back unchanged.
    """
    if "status_given" in order:
        if order["status_given"] == status.implied(completed_at):
            order["status_given"] = None


def _changes(target, order, extra) -> bool:
    """Would merging this row change `target`? (An empty cell never does.)"""
    _explicit_status(order, order.get("completed_at") or target.get("completed_at"))
    if order.items() <= target.items() and extra.items() <= target["extra"].items():
        return False  # the common case, compared in C: every (key, value) is already there
    get = target.get  # a missing key counts as None (rows new in this file hold only given fields)
    return (any(get(k) != v for k, v in order.items())
            or any(target["extra"].get(k) != v for k, v in extra.items()))


def _merge(target, order, extra):
    """Merge a row's non-empty values into `target`."""
    target.update(order)
    if extra:
        target["extra"] = {**target["extra"], **extra}


def get(conn, order_no: str) -> dict:
    row = conn.execute("SELECT * FROM orders WHERE order_no = ?", (number(conn, order_no),)).fetchone()
    return dict(row)


def number(conn, text: str) -> str:
    """The stored order_no a user means, typed in any case with spaces around it.

    As typed, upper and lower case are index lookups; only a mixed-case
    number falls back to a case-blind scan. NotFound when none matches.
    """
    typed = str(text).strip()
    for candidate in dict.fromkeys((typed, typed.upper(), typed.lower())):
        if conn.execute("SELECT 1 FROM orders WHERE order_no = ?", (candidate,)).fetchone():
            return candidate
    found = [r[0] for r in conn.execute(
        "SELECT order_no FROM orders WHERE order_no = ? COLLATE NOCASE LIMIT 3", (typed,))]
    if len(found) == 1:
        return found[0]
    if found:
        raise NotFound(f"order {text!r} is ambiguous: {', '.join(found)}; type it as stored")
    raise NotFound(f"unknown order {text!r}")


def mark_phone_invalid(conn, order_id):
    """A call found the number wrong: the order needs its contact checked."""
    conn.execute("UPDATE orders SET phone_valid = 0 WHERE id = ?", (order_id,))


# -- corrections ---------------------------------------------------------------

def correct(desk, order_no: str, values: dict, clear=(), reason: str = "", kind="order_corrected") -> tuple[str, dict]:
    """Set fields of one order as a user types them (parsed as an import parses
    them), or clear them; returns the order's number and what changed, logged
    with the reason.

    An empty cell in an import never erases a value: this is how one is erased.
    """
    if not reason or not reason.strip():
        raise InvalidValue("a correction needs its reason", field="reason")
    unknown = [f for f in [*values, *clear] if f not in FIELDS or f == "order_no"]
    if unknown:
        raise InvalidValue(f"{unknown[0]!r} is not a field that can be corrected (use one of "
                           f"{', '.join(f for f in FIELDS if f != 'order_no')})", field=unknown[0])
    if "service_type" in clear:
        raise InvalidValue("an order always has a service type", field="clear")
    parse = _parsers(desk.tz)
    new = {}
    for name, text in values.items():
        try:
            value = parse[name](text.strip()) if name in parse else text.strip()
        except ValueError as e:
            raise InvalidValue(str(e), field=name) from None
        if name == "phone":
            new["phone"], new["phone_valid"] = value
        else:
            new["status_given" if name == "status" else name] = value
    for name in clear:
        new["status_given" if name == "status" else name] = None
        if name == "phone":
            new["phone_valid"] = None
    with db.transaction(desk.conn):
        before = get(desk.conn, order_no)
        clock.not_before(desk.now_text, before["updated_at"], f"order {before['order_no']}")
        changed = {k: v for k, v in new.items() if before.get(k) != v}
        # A new good number answers an open invalid contact, not before it was found
        # (followup verify checks and answers it itself).
        verifies = kind == "order_corrected" and "phone" in changed and new.get("phone_valid")
        if verifies:
            from callbackctl import followups

            followups.check_verification(desk, before)
        if changed:
            _update(desk, before, changed, kind=kind, reason=reason.strip())
            corrections.keep(desk, before, changed, reason.strip())
            if verifies:
                followups.contact_verified(desk, before, new["phone"], reason)
    return before["order_no"], changed


def revert(desk, order_no: str, field: str, reason: str) -> tuple[str, dict]:
    """Hand a corrected field back to imports: the value the import last gave returns
    (audited with the reason); returns the order's number and what changed."""
    if not reason or not reason.strip():
        raise InvalidValue("a revert needs its reason", field="reason")
    field = field.strip().replace("-", "_")
    if field not in FIELDS or field == "order_no":
        raise InvalidValue(f"FIELD: {field!r} is not a field of an order (use one of "
                           f"{', '.join(f for f in FIELDS if f != 'order_no')})", usage=True)
    with db.transaction(desk.conn):
        before = get(desk.conn, order_no)
        clock.not_before(desk.now_text, before["updated_at"], f"order {before['order_no']}")
        try:
            values, at = corrections.give_back(desk, before, field)
        except LookupError:
            raise StateError(f"order {before['order_no']}: {field} was not corrected at the desk") from None
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        why = {"field": field, "reason": reason.strip(), "corrected_at": at}
        if changed:
            _update(desk, before, changed, kind="order_reverted", **why)
        else:
            desk.log("order_reverted", before["order_no"], why)
    return before["order_no"], changed


def cancel(desk, order_no: str, reason: str) -> tuple[str, dict]:
    """Cancel an order (a duplicate, a mistake): it is neither called back nor chased."""
    return correct(desk, order_no, {"status": "cancelled"}, reason=reason, kind="order_cancelled")
