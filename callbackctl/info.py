"""What `info` reports: where things are and how much is in them."""

from __future__ import annotations

import os

from callbackctl import db
from callbackctl.store import files


def info(desk) -> list[dict]:
    conn = desk.conn
    rows = [
        ("database", os.path.abspath(desk.path)),
        ("access", f"read-only: {conn.read_only}" if getattr(conn, "read_only", None) else "read-write"),
        ("size_bytes", os.path.getsize(desk.path) if os.path.exists(desk.path) else 0),
        ("schema_version", db.schema_version(conn)),
        ("sqlite_version", files.engine_version()),
        ("policy", desk.policy.source),
        ("timezone", desk.policy.timezone),
        ("now", desk.now_text),
        ("holiday_data_years", _years(desk)),
    ]
    sdb = db.utils_database(conn)
    for name in sorted(sdb.table_names()):
        if name not in ("meta", "_sqlite_migrations"):
            rows.append((f"rows.{name}", sdb[name].count))
    return [{"key": k, "value": v} for k, v in rows]


def _years(desk):
    if desk.policy.country != "CN":
        return "none (weekends only)"
    from callbackctl.calendar import _official_calendar

    years = sorted(_official_calendar()[0])
    return f"{years[0]}-{years[-1]}" if years else "none"


def backup(conn, dest: str):
    """A consistent copy while others write: VACUUM INTO reads one snapshot.

    The copy holds phone numbers: it is written 0600 from its first byte, to
    a temporary name in DEST's folder (made empty and 0600 by mkstemp, whatever
    the umask; VACUUM INTO writes into an empty file and keeps its mode), and
    linked to DEST only when complete, so a failed or killed backup leaves no
    DEST; a failure also removes the temporary file. A DEST that exists is
    refused, also one made while the copy was written.
    """
    from callbackctl import outfile
    from callbackctl.errors import CallbackctlError

    if os.path.lexists(dest):
        raise CallbackctlError(f"{dest} already exists; choose a new file name")
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise CallbackctlError(f"cannot write backup to {dest}: no such folder")
    try:
        fd, tmp = outfile.temporary(dest)  # and a killed backup's leftovers go
    except OSError as e:
        raise CallbackctlError(f"cannot write backup to {dest}: {e.strerror}") from None
    try:
        os.close(fd)
        try:
            files.copy_to(conn, tmp)
        except files.CopyFailed as e:
            raise CallbackctlError(f"cannot write backup to {dest}: {e}") from None
        _publish(tmp, dest)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _publish(tmp: str, dest: str):
    """Give the finished copy its name without replacing a file that appeared meanwhile."""
    from callbackctl.errors import CallbackctlError

    try:
        os.link(tmp, dest)  # fails if dest exists
    except FileExistsError:
        raise CallbackctlError(f"{dest} already exists; choose a new file name") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(dest):
            raise CallbackctlError(f"{dest} already exists; choose a new file name") from None
        os.replace(tmp, dest)
