"""import_batches and import_rejects: the files read into the desk and their rejected rows
(batches.py says what they mean). During a rehearsal (rehearsal.py) TEMP tables of the
same names shadow these, except where a statement names `main`."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse

_KEPT = ("FROM import_rejects r JOIN import_batches b ON b.id = r.batch_id "
         "LEFT JOIN import_rejects f ON f.id = r.repeat_of")


def open_batch(conn, file: str, fmt: str, encoding: str | None, at: str, actor: str | None, strict: bool) -> int:
    """A new batch for `file`; its id."""
    return conn.execute(
        "INSERT INTO import_batches (file, format, encoding, started_at, actor, strict) VALUES (?, ?, ?, ?, ?, ?)",
        (file, fmt, encoding, at, actor, int(strict))).lastrowid


def close_batch(conn, batch_id: int, read: int, inserted: int, updated: int, unchanged: int, rejected: int):
    conn.execute(
        "UPDATE import_batches SET read = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ? WHERE id = ?",
        (read, inserted, updated, unchanged, rejected, batch_id))


def first_rejects(conn, file: str):
    """(id, line, error, raw) of the rejects stored whole by the earlier batches of `file`."""
    return conn.execute(
        "SELECT r.id, r.line, r.error, r.raw FROM main.import_rejects r "  # main: not a rehearsal's shadow
        "JOIN main.import_batches b ON b.id = r.batch_id WHERE b.file = ? AND r.repeat_of IS NULL", (file,))


def add_rejects(conn, rows: list[tuple]):
    """(batch_id, line, error, raw, repeat_of) each."""
    conn.executemany("INSERT INTO import_rejects (batch_id, line, error, raw, repeat_of) VALUES (?, ?, ?, ?, ?)", rows)


def rejects_of(conn, batch_id: int):
    return conn.execute(
        "SELECT r.batch_id AS batch, b.file, r.line, r.error, coalesce(f.raw, r.raw) AS raw, "
        f"b.started_at AS imported_at {_KEPT} WHERE r.batch_id = ? ORDER BY r.line", (batch_id,))


def every_reject(conn):
    """Every kept reject once, with the last batch that read it."""
    return conn.execute(
        "SELECT max(r.batch_id) AS batch, b.file, r.line, r.error, coalesce(f.raw, r.raw) AS raw, "
        f"max(b.started_at) AS imported_at {_KEPT} GROUP BY b.file, r.line, r.error, 5 ORDER BY 1, r.line")


def files_read(desk_path: str) -> list[tuple] | None:
    """(last batch, file as typed) of every file imported into the desk file at `desk_path`,
    newest first, read without opening the desk for writing; None when it is not a desk."""
    conn = sqlite3.connect("file:" + urllib.parse.quote(os.path.abspath(desk_path)) + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT max(id), file FROM import_batches GROUP BY file ORDER BY 1 DESC").fetchall()
    except sqlite3.Error:  # not a desk, or one before import_batches: nothing imported
        return None
    finally:
        conn.close()
