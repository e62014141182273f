"""Build the benchmark database: 1M orders imported, then about 900k calls (seeded).

Calls are inserted with SQL rather than `record` (that is timed separately).
As at a desk that keeps up: every completed order with a callback rule that
finished more than three days ago was reached (one call that ends its round,
one in twenty after an unanswered attempt), so what stays on the due list is
the last days' work. Parts orders have no callback rule and get no calls.

One reached customer in thirty was dissatisfied and handed back: older ones
had their second visit and a satisfied second callback; of the last ten
days' ones, half wait for the visit and half had it and are due a second
callback. Head office has 100 spot checks of last week's calls open.
"""

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys


def add_calls(db_path, n_calls=900_000, seed=2):
    conn = sqlite3.connect(db_path)
    rnd = random.Random(seed)
    ids = conn.execute(
        "SELECT id, completed_at FROM orders WHERE completed_at < '2026-11-20' AND service_type != 'parts' "
        "AND status = 'completed' ORDER BY completed_at LIMIT ?", (n_calls,),
    ).fetchall()
    rows, unhappy = [], []
    for i, completed in ids:
        day = completed[:10]
        if rnd.random() < 0.05:
            rows.append((i, f"{day} 23:00:00", 1, "first", "no_answer", None, None, None, None, None, None, None, 0, "bench"))
        s = [2] * 5 if rnd.random() < 1 / 30 else [rnd.choice((3, 4, 4, 5, 5, 5)) for _ in range(5)]
        rows.append((i, f"{day} 23:30:00", 1, "first", "reached", *s, round(sum(s) / 5, 2), 1, 1, "bench"))
        if s[0] == 2:
            unhappy.append((i, day))
    with conn:
        for table in ("spot_checks", "followups", "callbacks"):
            conn.execute(f"DELETE FROM {table}")
        conn.executemany(
            "INSERT INTO callbacks (order_id, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
            "overall, satisfaction, genuine, closes, agent) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany(
            "INSERT INTO followups (order_id, reason, round, since, callback_id, done_at, resolved_at) "
            "SELECT order_id, 'dissatisfied', 1, called_at, id, ?, ? FROM callbacks "
            "WHERE order_id = ? AND outcome = 'reached'", [_follow_up(rnd, i, day) for i, day in unhappy])
        conn.execute(
            "INSERT INTO callbacks (order_id, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
            "overall, satisfaction, genuine, closes, agent) "
            "SELECT order_id, resolved_at, 2, 'second', 'reached', 5, 5, 5, 5, 5, 5.0, 1, 1, 'bench' "
            "FROM followups WHERE resolved_at IS NOT NULL")
        conn.execute(
            "INSERT INTO spot_checks (order_id, regional_call_id, sampled_at, seed, rate) "
            "SELECT order_id, id, '2026-11-23 08:00:00', 2, 0.01 FROM callbacks "
            "WHERE outcome = 'reached' AND round = 1 AND called_at >= '2026-11-13' AND called_at < '2026-11-20' "
            "ORDER BY id LIMIT 100")
    conn.close()
    return len(rows)


def _follow_up(rnd, order_id, day):
    """(done_at, resolved_at, order_id) of a dissatisfied customer's follow-up."""
    if day < "2026-11-13":
        return f"{_plus_days(day, 2)} 15:00:00", f"{_plus_days(day, 3)} 10:00:00", order_id
    if rnd.random() < 0.5:
        return None, None, order_id
    return f"{_plus_days(day, 2)} 15:00:00", None, order_id


def _plus_days(day, n):
    return (dt.date.fromisoformat(day) + dt.timedelta(days=n)).isoformat()


if __name__ == "__main__":
    csv_path, db_path = sys.argv[1], sys.argv[2]
    if not os.path.exists(db_path):
        subprocess.run(["callbackctl", "--db", db_path, "--now", "2026-11-23 10:00", "import", csv_path],
                       check=True, stdout=subprocess.DEVNULL)
    print(add_calls(db_path), "calls")
