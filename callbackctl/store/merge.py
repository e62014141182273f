"""Rows copied from a regional desk file into head office's (headoffice.merge says what is copied)."""

from __future__ import annotations


def orders_of(src, columns) -> list:
    """(id, *columns) of every order of the regional file `src`."""
    return src.execute(f"SELECT id, {', '.join(columns)} FROM orders").fetchall()


def copy_rows(here, there, source: str, id_map: dict, local_ids) -> int:
    """Copy the rows of the regional table `there` (a sqlite_utils Table) whose order was
    merged into `here`, each keeping its `source` and its id there; how many were new. The
    columns in `local_ids` mean something in their own file only and are not copied."""
    columns = [c for c in there.columns_dict if c not in local_ids]
    rows = ({**{c: r[c] for c in columns}, "order_id": id_map.get(r["order_id"]), "source": source,
             "source_id": r["id"]}
            for r in there.rows_where(select=", ".join(["id", "order_id", *columns]), order_by="id")
            if r["order_id"] is None or r["order_id"] in id_map)  # else its order is a conflict: left alone
    count = f"SELECT count(*) FROM [{here.name}] WHERE source = ?"
    before = here.db.execute(count, [source]).fetchone()[0]
    here.insert_all(rows, ignore=True)
    return here.db.execute(count, [source]).fetchone()[0] - before
