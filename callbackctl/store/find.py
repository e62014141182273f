"""What `find` and the shell's completion read: orders by number, phone, serial or name, and
what is open for them (find.py works out what the typed text can be: its `terms`)."""

from __future__ import annotations

ORDER_COLUMNS = "id, order_no, customer, phone, phone_valid, service_type, status, completed_at, region, provider"
_COMPLAINT_OPEN = "received_at <= :now AND (closed_at IS NULL OR closed_at > :now)"


def phone_condition(terms, column: str) -> tuple[str, list]:
    """A condition on `column` for the phone, or ("", []) when the text is no phone.

    A stored extension follows a comma (`057188886666,123`): a number typed
    without one also finds it. substr and instr, not LIKE '%...': a third
    faster over a million rows.
    """
    if terms.phone:
        if "," in terms.phone:  # typed with an extension: that extension only
            return f"{column} = ?", [terms.phone]
        return f"({column} = ? OR instr({column}, ?) = 1)", [terms.phone, terms.phone + ","]
    if terms.phone_suffix:
        n = len(terms.phone_suffix)
        return (f"(substr({column}, -{n}) = ? OR instr({column}, ?) > 0)",
                [terms.phone_suffix, terms.phone_suffix + ","])
    return "", []


def name_condition(terms, column: str) -> tuple[str, list]:
    """`column` contains the text: LIKE, case-insensitive for Latin letters; instr, a
    little faster, for a text without any (Chinese, digits) where case does not arise."""
    if not terms.latin:
        return "(" + " OR ".join(f"instr({column}, ?) > 0" for _ in terms.names) + ")", list(terms.names)
    return ("(" + " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in terms.names) + ")",
            ["%" + _like_escape(n) + "%" for n in terms.names])


def exact_condition(terms, column: str) -> tuple[str, list]:
    """`column` is the text, in any case."""
    return f"{column} = ?" + (" COLLATE NOCASE" if terms.latin else ""), [terms.folded]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def ids_of_numbers(conn, order_nos: list) -> list[int]:
    """The orders whose number is one of these exactly."""
    return [r[0] for r in conn.execute(f"SELECT id FROM orders WHERE order_no IN ({_marks(order_nos)})", order_nos)]


def ids_from_prefix(conn, prefix: str, limit: int | None) -> list[int]:
    """Order numbers starting with `prefix`: a range of the UNIQUE index on order_no, highest first."""
    sql = "SELECT id FROM orders WHERE order_no >= ? AND order_no < ? ORDER BY order_no DESC"
    params = [prefix, prefix + "\U0010ffff"]
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [i for (i,) in conn.execute(sql, params)]


def scan(conn, conditions: list[tuple], limit: int | None):
    """(id, a hit for each condition) of the orders meeting any of `conditions` ((kind, sql,
    params)), newest first: one backward pass over the orders, at most `limit` rows."""
    select = ", ".join(sql for _, sql, _ in conditions)
    where = " OR ".join(sql for _, sql, _ in conditions)
    params = [p for _, _, ps in conditions for p in ps]
    sql = f"SELECT id, {select} FROM orders WHERE {where} ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return conn.execute(sql, params + params)


def orders_of(conn, ids: list) -> list[dict]:
    """ORDER_COLUMNS of these orders, newest first."""
    return [dict(r) for r in conn.execute(
        f"SELECT {ORDER_COLUMNS} FROM orders WHERE id IN ({_marks(ids)}) ORDER BY id DESC", ids)]


def open_followups(conn, ids: list, now: str):
    """(order_id, reason, since) of the follow-ups open at `now` on these orders."""
    return conn.execute(
        f"SELECT order_id, reason, since FROM followups WHERE order_id IN ({_marks(ids)}) AND since <= ? "
        "AND (done_at IS NULL OR done_at > ?) AND (resolved_at IS NULL OR resolved_at > ?) ORDER BY id",
        [*ids, now, now, now])


def open_complaints(conn, ids: list, phones: list, now: str) -> list[dict]:
    """Complaints not closed at `now`: filed on these orders, or by phone without an order on these phones."""
    params = {"now": now, **{f"o{i}": v for i, v in enumerate(ids)}, **{f"p{i}": v for i, v in enumerate(phones)}}
    order_in = ", ".join(f":o{i}" for i in range(len(ids)))
    phone_in = ", ".join(f":p{i}" for i in range(len(phones)))
    sql = (f"SELECT * FROM complaints WHERE {_COMPLAINT_OPEN} AND (order_id IN ({order_in})"
           + (f" OR (order_id IS NULL AND phone IN ({phone_in}))" if phones else "") + ") ORDER BY id")
    return [dict(c) for c in conn.execute(sql, params)]


def complaints_without_order(conn, terms, now: str) -> list[dict]:
    """Complaints not closed at `now`, filed by phone without an order, whose phone or customer matches."""
    phone, phone_params = phone_condition(terms, "phone")
    name, name_params = name_condition(terms, "customer")
    where = " OR ".join(filter(None, (phone, name)))
    sql = (f"SELECT * FROM complaints WHERE order_id IS NULL AND {_COMPLAINT_OPEN.replace(':now', '?')} "
           f"AND ({where}) ORDER BY id")
    return [dict(c) for c in conn.execute(sql, [now, now, *phone_params, *name_params])]


def numbers_from(conn, start: str, limit: int) -> list[str]:
    """Stored order numbers starting with `start`, in order, at most `limit`."""
    return [no for (no,) in conn.execute("SELECT order_no FROM orders WHERE order_no >= ? AND order_no < ? "
                                         "ORDER BY order_no LIMIT ?", (start, start + "\U0010ffff", limit))]


def narrowed(sql: str, params: dict, order_ids: list) -> tuple[str, dict]:
    """The rows of the query `sql` (named parameters) whose order_id is one of these."""
    marks = ", ".join(f":find_{i}" for i in range(len(order_ids)))
    return (f"SELECT * FROM ({sql}) WHERE order_id IN ({marks})",
            {**params, **{f"find_{i}": v for i, v in enumerate(order_ids)}})

