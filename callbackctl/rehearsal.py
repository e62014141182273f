"""A plain import rehearsed beside the desk, then landed in one short write.

Reading and converting a large file takes seconds to minutes; holding the
desk's write lock all that time made every agent's `claim` or `contact add`
wait behind it, and give up after the busy timeout. So the import first runs
whole, unchanged, against TEMP tables that shadow the tables it writes
(SQLite looks an unqualified name up in temp first): the orders the file
names are copied in chunk by chunk as it reads them (a trigger keeps each
one's row before its first change), the corrections whole; the batch, its rejects and its audit events are written
there. The desk itself is only read, from one snapshot.

Landing is one BEGIN IMMEDIATE. If a field the file changes was changed or
corrected since the snapshot, or a new order's number was taken, nothing is
written and `land` says so: the caller rehearses the file once
more, then imports it the old way, under the lock. Else the shadows' new and
changed rows go into the desk in bulk, the batch under the next free number
(another file may have come in meanwhile). A crash at any point leaves the desk as it was: the
shadows live in this connection's temporary file only.

The tables keep their owners: the rows copied here are the ones orders.py,
batches.py, corrections.py and desk.log wrote into the shadows.
"""

from __future__ import annotations

import re

from callbackctl import corrections, db

# Parents first: dropped in reverse, so that no shadow row points at a dropped one.
SHADOWED = ("import_batches", "orders", "import_rejects", "events", "corrections")
# Columns an import changes together: a phone and whether it is valid, a completion and the status.
TOGETHER = (("phone", "phone_valid"), ("completed_at", "status_given"))


class Changed(Exception):
    """The desk changed under the rehearsal in a way its result depends on."""


class Rehearsal:
    def __init__(self, conn, imported_columns):
        """`imported_columns`: what an import writes of an order (compared and copied)."""
        self.conn, self.columns = conn, tuple(imported_columns)
        self.open, self.pragmas = False, None

    # -- the rehearsal ---------------------------------------------------------

    def __enter__(self):
        conn = self.conn
        # Pragmas that cannot change inside a transaction: the shadows may hold a
        # million orders (a file, not memory), and their rows point at rows not copied.
        self.pragmas = {p: conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("temp_store", "foreign_keys")}
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")  # deferred: a read snapshot of the desk, no lock on it
        self.open = True
        try:
            for table in SHADOWED:
                sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?",
                                   (table,)).fetchone()[0]
                conn.execute(re.sub(r"^CREATE TABLE (IF NOT EXISTS )?", "CREATE TEMP TABLE ", sql))
            self.order_columns = [r[1] for r in conn.execute("PRAGMA main.table_info(orders)")]  # not `status`
            conn.execute(f"CREATE TEMP TABLE orders_base AS SELECT {', '.join(self.order_columns)} "
                         "FROM main.orders WHERE 0")
            conn.execute("CREATE UNIQUE INDEX temp.orders_base_id ON orders_base(id)")
            conn.execute("CREATE TEMP TABLE corrections_base AS SELECT * FROM main.corrections")
            conn.execute("INSERT INTO temp.corrections SELECT * FROM main.corrections")
            self.max_order = self._max("orders")
            self.max_batch = self._max("import_batches")
            # A stored order as it was before the import's first change to it: only those are
            # compared with the desk when landing (a copy of every order read cost 1.3x). Not a
            # new order of the file that a later row changes: the desk has no row of it.
            old = ", ".join(f"OLD.{c}" for c in self.order_columns)
            conn.execute(f"CREATE TEMP TRIGGER orders_base_kept AFTER UPDATE ON orders WHEN OLD.id <= {self.max_order} "
                         f"BEGIN INSERT OR IGNORE INTO orders_base ({', '.join(self.order_columns)}) VALUES ({old}); END")
            # The largest ids come along, so the shadows' new rows take the ids the desk would give.
            self._copy_orders("id = ?", [self.max_order])
            conn.execute("INSERT INTO temp.import_batches SELECT * FROM main.import_batches WHERE id = ?",
                         (self.max_batch,))
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None:
            self._close()
        return False

    def pull(self, numbers):
        """The desk's rows of these order numbers, into the shadow (once each)."""
        for i in range(0, len(numbers), 30000):
            chunk = numbers[i:i + 30000]
            self._copy_orders(f"order_no IN ({','.join('?' * len(chunk))})", chunk)

    def _copy_orders(self, where, args):
        cols = ", ".join(self.order_columns)
        self.conn.execute(f"INSERT OR IGNORE INTO temp.orders ({cols}) SELECT {cols} FROM main.orders WHERE {where}",
                          args)

    def _max(self, table) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) FROM main.{table}").fetchone()[0]

    # -- the landing -----------------------------------------------------------

    def land(self, finish, indexes) -> int | None:
        """Write the rehearsal's result into the desk in one transaction and return its batch's
        id (the next free one: another file may have come in meanwhile); None (nothing
        written) when the desk changed under it. `indexes.consider(new orders)` runs before
        they are inserted; `finish(before, relink)` last, with the largest order id before
        the new ones and the ids of the orders whose customer link may have changed."""
        conn = self.conn
        # What the file changes is known before the lock: only those orders are checked then.
        differs = " OR ".join(f"t.{c} IS NOT b.{c}" for c in self.columns)
        conn.execute("CREATE TEMP TABLE changed (id INTEGER PRIMARY KEY)")
        conn.execute(f"INSERT INTO temp.changed SELECT t.id FROM temp.orders t JOIN temp.orders_base b "
                     f"ON b.id = t.id WHERE {differs}")
        linked = " OR ".join(f"t.{c} IS NOT b.{c}" for c in ("phone", "completed_at", "status_given"))
        relink = [r[0] for r in conn.execute(f"SELECT t.id FROM temp.orders t JOIN temp.orders_base b "
                                             f"ON b.id = t.id WHERE {linked}")]
        new = conn.execute("SELECT count(*) FROM temp.orders WHERE id > ?", (self.max_order,)).fetchone()[0]
        conn.execute("CREATE TEMP TABLE brought AS SELECT t.order_id, t.field FROM temp.corrections t "
                     "JOIN temp.corrections_base b USING (order_id, field) WHERE t.imported IS NOT b.imported")
        conn.execute("COMMIT")  # the shadows only: the desk was not written
        self.open = False
        conn.execute(f"PRAGMA foreign_keys = {self.pragmas['foreign_keys']}")  # temp_store's would drop them
        try:
            with db.transaction(conn):
                self._check()
                indexes.consider(new)
                batch, before = self._copy()
                self._drop()
                finish(before, relink)
            return batch
        except Changed:
            return None
        finally:
            self._drop()
            self._restore_pragmas()

    def _check(self):
        """Serialised before whatever the desk took in meanwhile, the import does the same: no
        field it changes was changed meanwhile (nor corrected), and its new order numbers are
        still free. An agent's change to another field of the same order stands beside the
        import's: the import, done first, would have left that field as it was. (Another
        file's batch meanwhile only moves this one's number: _copy.)"""
        conn = self.conn
        both = " OR ".join("(" + " OR ".join(f"o.{c} IS NOT b.{c}" for c in group) + ") AND ("
                           + " OR ".join(f"t.{c} IS NOT b.{c}" for c in group) + ")" for group in self._groups())
        if conn.execute(f"SELECT 1 FROM temp.changed ch JOIN temp.orders_base b ON b.id = ch.id JOIN temp.orders t "
                        f"ON t.id = ch.id LEFT JOIN main.orders o ON o.id = b.id WHERE o.id IS NULL OR {both} "
                        "LIMIT 1").fetchone():
            raise Changed("a field the file changes was changed")
        if conn.execute("SELECT 1 FROM temp.orders t JOIN main.orders o ON o.order_no = t.order_no "
                        "WHERE t.id > ? LIMIT 1", (self.max_order,)).fetchone():
            raise Changed("a new order of the file was stored")
        mine = "WHERE order_id IN (SELECT id FROM temp.changed UNION SELECT order_id FROM temp.brought)"
        differing = conn.execute(
            f"SELECT order_id, field FROM (SELECT * FROM main.corrections {mine} EXCEPT SELECT * FROM "
            f"temp.corrections_base {mine}) UNION SELECT order_id, field FROM (SELECT * FROM temp.corrections_base "
            f"{mine} EXCEPT SELECT * FROM main.corrections {mine})").fetchall()
        brought = set(conn.execute("SELECT order_id, field FROM temp.brought").fetchall()) if differing else set()
        for order_id, field in differing:  # few: a correction made while the file was read
            changes = " OR ".join(f"t.{c} IS NOT b.{c}" for c in corrections.columns_of(field) if c in self.columns)
            if (order_id, field) in brought or changes and conn.execute(
                    f"SELECT 1 FROM temp.orders t JOIN temp.orders_base b ON b.id = t.id WHERE t.id = ? AND ({changes})",
                    (order_id,)).fetchone():
                raise Changed("a field the file changes was corrected")

    def _groups(self) -> list:
        """The imported columns, those that change together in one group (a clash on one is on all)."""
        together = [g for g in TOGETHER if set(g) <= set(self.columns)]
        taken = {c for g in together for c in g}
        return together + [(c,) for c in self.columns if c not in taken]

    def _copy(self) -> tuple[int, int]:
        """The rows into the desk, the batch under the next free number; (that number, the
        largest order id before the new orders)."""
        conn, mine = self.conn, self.max_batch + 1
        batch = self._max("import_batches") + 1
        columns = [r[1] for r in conn.execute("PRAGMA main.table_info(import_batches)")]
        conn.execute(f"INSERT INTO main.import_batches ({', '.join(columns)}) SELECT ?, "
                     f"{', '.join(columns[1:])} FROM temp.import_batches WHERE id = ?", (batch, mine))
        before = self._max("orders")
        new = [c for c in self.order_columns if c != "id"]
        picked = ["?" if c == "batch_id" else c for c in new]  # only the new orders: all of this batch
        conn.execute(f"INSERT INTO main.orders ({', '.join(new)}) SELECT {', '.join(picked)} FROM temp.orders "
                     "WHERE id > ? ORDER BY id", (batch, self.max_order))
        # The fields the import changed; an agent's change to another field meanwhile stays (_check).
        sets = ", ".join([f"{c} = CASE WHEN t.{c} IS NOT b.{c} THEN t.{c} ELSE o.{c} END" for c in self.columns]
                         + ["updated_at = t.updated_at"])
        conn.execute(f"UPDATE main.orders AS o SET {sets} FROM temp.orders t JOIN temp.orders_base b ON b.id = t.id "
                     "WHERE o.id = t.id AND t.id IN (SELECT id FROM temp.changed)")
        conn.execute("INSERT INTO main.import_rejects (batch_id, line, error, raw, repeat_of) "
                     "SELECT ?, line, error, raw, repeat_of FROM temp.import_rejects ORDER BY id", (batch,))
        # The events name the batch as json.dumps wrote it, first: its text moves with the number.
        was, now = f'{{"batch": {mine},', f'{{"batch": {batch},'
        conn.execute("INSERT INTO main.events (at, actor, command, kind, order_no, detail) "
                     "SELECT at, actor, command, kind, order_no, CASE WHEN substr(detail, 1, ?) = ? "
                     "THEN ? || substr(detail, ? + 1) ELSE detail END FROM temp.events ORDER BY id",
                     (len(was), was, now, len(was)))
        conn.execute("UPDATE main.corrections AS c SET imported = t.imported FROM temp.corrections t "
                     "JOIN temp.corrections_base b USING (order_id, field) "
                     "WHERE c.order_id = t.order_id AND c.field = t.field AND t.imported IS NOT b.imported")
        return batch, before

    # -- cleaning up -----------------------------------------------------------

    def _close(self):
        if self.open and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.open = False
        self._drop()
        self._restore_pragmas()

    def _drop(self):
        for table in ("orders_base", "corrections_base", "changed", "brought", *reversed(SHADOWED)):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def _restore_pragmas(self):
        if self.pragmas and not self.conn.in_transaction:
            for name, value in self.pragmas.items():
                self.conn.execute(f"PRAGMA {name} = {value}")
            self.pragmas = None
