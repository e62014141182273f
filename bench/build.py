"""Build the benchmark database: 1M orders imported, then about 900k calls (seeded).

Calls are inserted with SQL rather than `record` (that is timed separately).
As at a desk that keeps up: every completed order with a callback rule that
finished more than three days ago was reached (one call that ends its round,
one in twenty after an unanswered attempt), so what stays on the due list is
the last days' work. Parts orders have no callback rule and get no calls.
"""

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
    rows = []
    for i, completed in ids:
        day = completed[:10]
        if rnd.random() < 0.05:
            rows.append((i, f"{day} 23:00:00", 1, "first", "no_answer", None, None, None, None, None, None, None, 0, "bench"))
        s = [rnd.choice((3, 4, 4, 5, 5, 5)) for _ in range(5)]
        rows.append((i, f"{day} 23:30:00", 1, "first", "reached", *s, round(sum(s) / 5, 2), 1, 1, "bench"))
    with conn:
        conn.execute("DELETE FROM callbacks")
        conn.executemany(
            "INSERT INTO callbacks (order_id, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
            "overall, satisfaction, genuine, closes, agent) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.close()
    return len(rows)


if __name__ == "__main__":
    csv_path, db_path = sys.argv[1], sys.argv[2]
    if not os.path.exists(db_path):
        subprocess.run(["callbackctl", "--db", db_path, "--now", "2026-11-23 10:00", "import", csv_path],
                       check=True, stdout=subprocess.DEVNULL)
    print(add_calls(db_path), "calls")
