"""Customers called on a schedule (定期回访): who they are, their contract, their orders.

Owns `customers` and `customer_orders`. A customer is keyed by the normalised
phone, or by the `customer_id` a file gives; orders are theirs by phone.
`customer import` reads a file through batches.run, as `import` reads orders
(every cell stored or its row rejected with line and reason, an empty cell
never erasing a value, the same file twice changing nothing); `customer set`
changes one customer. When a customer gets a class (A, B) or becomes a
project, that moment is the contract's start: the first recurring callback is
a period after it (recurring.py).

`customer_orders` holds which completed orders are each customer's, so that
`due` finds the customers whose last order was six or twelve months ago with
an index range. It is derived: written here when a customer is added or gets
another phone, and when an order is inserted or changes its phone, completion
or status (orders.py calls link_new_orders once per imported file, and
relink_orders). A desk without customers pays one probe of an empty table.
"""

from __future__ import annotations

import json

from callbackctl import batches, normalize
from callbackctl.batches import RowError
from callbackctl.db import transaction
from callbackctl.errors import InputError, InvalidValue, NotFound
from callbackctl.vocab import CUSTOMER_COLUMNS, CUSTOMER_LIST_COLUMNS

FIELDS = tuple(CUSTOMER_COLUMNS)
LIST_COLUMNS = CUSTOMER_LIST_COLUMNS
# What a customer row holds that a file or `customer set` gives.
_STORED = ("customer", "phone", "phone_valid", "class", "contract_from", "contract_until", "project")
_UNSET = object()


# -- linking orders ------------------------------------------------------------

def any_customers(conn) -> bool:
    return conn.execute("SELECT max(id) FROM customers").fetchone()[0] is not None  # one probe of the rowid


# The completed orders of the customers `where` selects, by phone. CROSS JOIN
# keeps orders the outer loop: orders has no index on phone, customers has.
_LINK = ("INSERT OR IGNORE INTO customer_orders (order_id, customer_id, completed_at) "
         "SELECT o.id, c.id, o.completed_at FROM orders o CROSS JOIN customers c ON c.phone = o.phone "
         "WHERE o.status = 'completed' AND o.completed_at IS NOT NULL AND {where}")


def link_new_orders(conn, after_id: int):
    """Orders inserted with ids above `after_id` (an imported file's): link the customers' ones."""
    if any_customers(conn):
        conn.execute(_LINK.format(where="o.id > ?"), (after_id,))


def relink_orders(conn, order_ids):
    """Orders whose phone, completion or status changed: link them afresh."""
    order_ids = list(order_ids)
    if not order_ids or not any_customers(conn):
        return
    for at in range(0, len(order_ids), 500):
        chunk = order_ids[at:at + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM customer_orders WHERE order_id IN ({marks})", chunk)
        conn.execute(_LINK.format(where=f"o.id IN ({marks})"), chunk)


def _link_customers(conn, customer_ids):
    """Customers added or given another phone: link their orders (one pass over the orders)."""
    customer_ids = sorted(customer_ids)
    if not customer_ids:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS linking (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.linking")
    conn.executemany("INSERT INTO temp.linking (id) VALUES (?)", [(i,) for i in customer_ids])
    conn.execute("DELETE FROM customer_orders WHERE customer_id IN (SELECT id FROM temp.linking)")
    # `+c.id`: each order's customer is found by phone, then checked against the list; as an
    # index term SQLite would probe customers once per order and listed customer (1M x 200k).
    conn.execute(_LINK.format(where="+c.id IN (SELECT id FROM temp.linking)"))
    conn.execute("DELETE FROM temp.linking")


# -- reading a customer file ---------------------------------------------------------

class Columns:
    """How a customer file's headers map to fields: the aliases of vocab.CUSTOMER_COLUMNS
    (also with a note written in them), and a desk's own (--map)."""

    def __init__(self, columns=None):
        self._columns = normalize.own_columns(columns)
        self._plans, self.unknown = {}, normalize.Unmatched()

    def field_of(self, header, note=True):
        name = normalize.field_of(header, self._columns, normalize.CUSTOMER_HEADER_MAP)
        if name is None and note:
            self.unknown.note(header)
        return name

    def is_header(self, cells) -> bool:
        return any(self.field_of(c, note=False) in ("phone", "customer_id") for c in cells)

    def plan(self, headers):
        plan = self._plans.get(tuple(headers))
        if plan is None:
            plan = self._plans[tuple(headers)] = [self.field_of(h) for h in headers]
        return plan


def _label(header, name):
    return name if normalize.header_key(header) == normalize.header_key(name) else f"{header} ({name})"


def convert(desk, raw: dict, columns: Columns, date_order=None) -> tuple[dict, dict]:
    """A row (header -> cell) as (the fields it gives, the cells kept in `extra`); RowError says why not."""
    given, label, extra = {}, {}, {}
    for (header, value), name in zip(raw.items(), columns.plan(list(raw))):
        if isinstance(value, (dict, list)) or value is None:
            value = "" if value is None else json.dumps(value, ensure_ascii=False)
        value = str(value).strip()
        if not value:
            continue
        if name is None:
            extra[header] = value
        elif name not in given:
            given[name], label[name] = value, _label(header, name)
        elif given[name] != value:
            extra[header] = value  # a second column for the field: kept under its own header
    out = {}
    if "customer" in given:
        out["customer"] = given["customer"]
    if "phone" in given:
        out["phone"], valid = normalize.phone(given["phone"])
        out["phone_valid"] = int(valid)
    if "customer_id" in given:
        out["key"] = given["customer_id"]
    elif "phone" in given:
        if not valid:
            raise RowError(f"{label['phone']}: {given['phone']!r} does not look like a phone number "
                           "(a customer without a customer_id is known by a valid phone)")
        out["key"] = out["phone"]
    else:
        raise RowError("phone (or customer_id) is empty")
    day = lambda t: _date(desk, t, date_order)  # noqa: E731
    for name, parse in (("class", normalize.customer_class), ("contract_from", day), ("contract_until", day),
                        ("project", lambda t: int(normalize.boolean(t)))):
        if name in given:
            try:
                out[name] = parse(given[name])
            except ValueError as e:
                raise RowError(f"{label[name]}: {e}") from None
    if out.get("contract_from") and out.get("contract_until") and out["contract_until"] < out["contract_from"]:
        raise RowError(f"{label['contract_until']}: {out['contract_until']} is before the contract's start "
                       f"({out['contract_from']})")
    return out, extra


def _date(desk, text, date_order=None) -> str:
    """A day ('2027-06-30', '2027年6月30日'): a contract's first or last day."""
    value = normalize.datetime(text, desk.tz, date_order)
    if value[11:] != "00:00:00":
        raise ValueError(f"a day, not a time: {text!r}")
    return value[:10]


def import_file(desk, path, encoding="auto", input_format=None, dry_run=False, strict=False, columns=None,
                date_order=None, delimiter=None, sheet=None) -> batches.Summary:
    """Read a customer file into the desk (one transaction); its Summary holds the rejects."""
    from callbackctl.readers import open_input

    mapping = Columns(columns)
    source = open_input(path, encoding, input_format, is_header=mapping.is_header, delimiter=delimiter, sheet=sheet)
    seen = {}  # key -> (first line, fields given): the same customer twice in one file
    linking = set()  # customers added or given another phone: their orders are linked once, at the end
    try:
        if source.headers is not None and not {"phone", "customer_id"} & set(mapping.plan(source.headers)):
            raise InputError(f"{source.name}: no phone or customer_id column (looked for phone, 电话, 手机, "
                             f"customer_id, 客户编号, ...); the header is: {', '.join(source.headers)[:200]}")

        def write_chunk(rows, summary, write):
            rejects, good = [], []
            for line, row in rows:
                raw = batches.raw_row(source, row)
                try:
                    if not isinstance(row, (list, dict)):
                        raise RowError("not a JSON object")
                    fields, extra = convert(desk, raw, mapping, date_order)
                    first = seen.get(fields["key"])
                    if first is not None:
                        clash = next((k for k, v in fields.items() if k in first[1] and first[1][k] != v), None)
                        if clash:
                            raise RowError(f"customer {fields['key']} also on line {first[0]} with a different {clash}")
                        first[1].update(fields)
                    else:
                        seen[fields["key"]] = (line, dict(fields))
                except RowError as e:
                    rejects.append((line, str(e), raw))
                    continue
                good.append((fields, extra))
            linking.update(_upsert(desk, good, summary, write))
            return rejects

        summary = batches.run(desk, source, write_chunk, kind="customers/", strict=strict, dry_run=dry_run,
                              event="customer_import", finish=lambda: _link_customers(desk.conn, linking))
        summary.unknown = mapping.unknown
        return summary
    finally:
        source.close()


def _upsert(desk, rows, summary, write) -> set:
    """Insert the new customers and update the others, field by field; count each row.
    Returns the ids of the customers whose orders are to be linked (new, or another phone)."""
    if not rows:
        return set()
    conn, now = desk.conn, desk.now_text
    keys = list({f["key"] for f, _ in rows})
    have = {}
    for at in range(0, len(keys), 30000):
        chunk = keys[at:at + 30000]
        for r in conn.execute(f"SELECT * FROM customers WHERE key IN ({','.join('?' * len(chunk))})", chunk):
            have[r["key"]] = {**dict(r), "extra": json.loads(r["extra"]) if r["extra"] else {}}
    new, changed = {}, {}
    for fields, extra in rows:
        key = fields["key"]
        target = new.get(key) or changed.get(key) or have.get(key)
        if target is None:
            new[key] = {**fields, "extra": extra}
            summary.inserted += 1
            continue
        after = _merged(target, fields, extra)
        if after == target:
            summary.unchanged += 1
            continue
        if key in new:
            new[key] = after
        else:
            changed[key] = after
        summary.updated += 1
    if not write:
        return set()
    linking = set()
    if new:
        cols = ("key", *_STORED, "class_since", "project_since", "extra", "batch_id", "created_at", "updated_at")
        base = conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]
        conn.executemany(
            f"INSERT INTO customers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [(k, *(c.get(f) for f in _STORED), now if c.get("class") else None, now if c.get("project") else None,
              _json(c["extra"]), summary.batch_id, now, now) for k, c in new.items()])
        linking.update(range(base + 1, base + 1 + len(new)))
    for key, after in changed.items():
        before = have[key]
        _write(desk, before, after, "customer_updated", batch=summary.batch_id)
        if after.get("phone") != before.get("phone"):
            linking.add(before["id"])
    return linking


def _merged(target: dict, fields: dict, extra: dict) -> dict:
    """`target` with a row's values over it: an empty cell never erases, a class or project starts its clock."""
    after = {**target, **{k: v for k, v in fields.items() if k != "key"}}
    if extra:
        after["extra"] = {**target.get("extra", {}), **extra}
    return after


def _write(desk, before: dict, after: dict, kind: str, **why):
    """Write one customer's changes, logged with the values before (in the caller's transaction)."""
    now = desk.now_text
    changes = {k: v for k, v in after.items() if k not in ("id", "created_at", "updated_at") and v != before.get(k)}
    if "class" in changes:
        if not changes["class"]:
            changes["class_since"] = None
        elif not before.get("class"):
            changes["class_since"] = now
    if "project" in changes:
        changes["project_since"] = now if changes["project"] else None
    if not changes:
        return {}
    shown = {k: v for k, v in changes.items() if k != "extra"}
    if "extra" in changes:
        shown["extra"] = changes["extra"]
    desk.log(kind, event_key(before["key"]), {**why, "before": {k: before.get(k) for k in shown}, "after": shown})
    values = {**changes, "updated_at": now}
    if "extra" in values:
        values["extra"] = _json(values["extra"])
    conn = desk.conn
    conn.execute(f"UPDATE customers SET {', '.join(f'{quoted(c)} = ?' for c in values)} WHERE id = ?",
                 (*values.values(), before["id"]))
    return changes


def quoted(column: str) -> str:
    return f'"{column}"'


def _json(extra):
    return json.dumps(extra, ensure_ascii=False) if extra else None


def event_key(key: str) -> str:
    """What the audit log files a customer's own events under (its recurring callbacks' keys start with it)."""
    return f"R-{key}"


# -- one customer --------------------------------------------------------------------

def find(conn, text: str) -> dict:
    """The customer a user means: their key as stored (any case), or their phone typed any way."""
    typed = str(text).strip()
    row = conn.execute("SELECT * FROM customers WHERE key = ?", (typed,)).fetchone()
    if row is None:
        number, valid = normalize.phone(typed) if typed else (typed, False)
        if valid:
            row = conn.execute("SELECT * FROM customers WHERE key = ? OR phone = ? ORDER BY key != ? LIMIT 1",
                               (number, number, number)).fetchone()
    if row is None:
        found = conn.execute("SELECT * FROM customers WHERE key = ? COLLATE NOCASE LIMIT 2", (typed,)).fetchall()
        row = found[0] if len(found) == 1 else None
    if row is None:
        raise NotFound(f"unknown customer {text!r}")
    return dict(row)


def set_customer(desk, who: str, cls=_UNSET, contract_until=_UNSET, project=_UNSET, customer=_UNSET,
                 contract_from=_UNSET) -> tuple[str, dict, bool]:
    """Change one customer as a user types the values (`none` takes a class or a
    contract's end away); a phone not known yet adds its customer.

    Returns (key, what changed, whether the customer is new).
    """
    values = {}
    if cls is not _UNSET:
        try:
            values["class"] = normalize.customer_class(cls)
        except ValueError as e:
            raise InvalidValue(str(e), field="class") from None
    for name, text in (("contract_from", contract_from), ("contract_until", contract_until)):
        if text is _UNSET:
            continue
        if normalize.header_key(text) in ("none", "无", ""):
            values[name] = None
        else:
            try:
                values[name] = _date(desk, text.strip())
            except ValueError as e:
                raise InvalidValue(str(e), field=name) from None
    if project is not _UNSET:
        try:
            values["project"] = int(normalize.boolean(project.strip()))
        except ValueError as e:
            raise InvalidValue(str(e), field="project") from None
    if customer is not _UNSET and customer.strip():
        values["customer"] = customer.strip()
    conn = desk.conn
    with transaction(conn):
        try:
            before = find(conn, who)
        except NotFound:
            number, valid = normalize.phone(str(who).strip())
            if not valid:
                raise NotFound(f"unknown customer {who!r} (give a customer's phone number to add them, "
                               "or their customer_id as imported)") from None
            now = desk.now_text
            row = {"key": number, "phone": number, "phone_valid": 1, **values}
            cid = conn.execute(
                "INSERT INTO customers (key, customer, phone, phone_valid, class, class_since, contract_from, "
                "contract_until, project, project_since, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (number, row.get("customer"), number, 1, row.get("class"), now if row.get("class") else None,
                 row.get("contract_from"), row.get("contract_until"), row.get("project"),
                 now if row.get("project") else None, now, now)).lastrowid
            desk.log("customer_added", event_key(number), {k: v for k, v in row.items() if k != "phone_valid"})
            _link_customers(conn, [cid])
            return number, {k: v for k, v in values.items() if v is not None}, True
        before["extra"] = json.loads(before["extra"]) if before["extra"] else {}
        changes = _write(desk, before, {**before, **values}, "customer_set")
    return before["key"], changes, False


def mark_phone_invalid(conn, customer_id):
    """A recurring call found the customer's number wrong (inside the caller's transaction)."""
    conn.execute("UPDATE customers SET phone_valid = 0 WHERE id = ?", (customer_id,))

