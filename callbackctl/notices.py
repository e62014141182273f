"""The holiday notices a desk loaded (owns `notice_days`): `calendar load` stores a
year's days as notice.py read them, in place of what the desk had for that year."""

from __future__ import annotations

import datetime as dt

from callbackctl import db
from callbackctl.store import notices as rows


def loaded(conn) -> dict:
    """{day: (working, name, the notice's year)} of every loaded notice (a notice may name a
    day of the year before: 2022年12月31日 in 2023's); {} on a desk of an earlier schema
    opened read-only (no table yet)."""
    return {dt.date.fromisoformat(day): (bool(working), name, year)
            for day, working, name, year in rows.all_days(conn) or []}


def store(desk, notice, source: str) -> bool:
    """Put the notice's year in the desk (its earlier days of that year replaced), in the
    audit log; False (nothing written) when the desk holds exactly these days already."""
    days = {d: (False, n) for d, n in notice.days_off.items()}
    days.update({d: (True, n) for d, n in notice.workdays.items()})
    with db.transaction(desk.conn):
        before = {dt.date.fromisoformat(day): (bool(working), name)
                  for day, working, name in rows.days_of(desk.conn, notice.year)}
        if before == days:
            return False
        rows.replace_year(desk.conn, notice.year, [(d.isoformat(), int(w), n) for d, (w, n) in sorted(days.items())],
                          desk.now_text, desk.actor)
        desk.log("calendar_loaded", detail={"file": source, "year": notice.year, "days_off": len(notice.days_off),
                                            "workdays": len(notice.workdays), "replaced": len(before)})
    return True


def read(path: str):
    """The notice in a file (text or a saved HTML page, in any encoding the reader tells):
    notice.Notice; InputError naming the file when it cannot be read whole."""
    from callbackctl import notice
    from callbackctl.errors import InputError
    from callbackctl.readers import detect_encoding

    try:
        with open(path, "rb") as f:
            data = f.read(4 << 20)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot open ({e.strerror})") from None
    text = data.decode(detect_encoding(data, path), errors="replace")
    try:
        return notice.parse(text)
    except notice.NoticeError as e:
        raise InputError(f"{path}: {e}; nothing loaded") from None
