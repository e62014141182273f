"""Build the benchmark database: 1M orders imported, then 900k calls (seeded).

Calls are inserted with SQL rather than `record` (that is timed separately):
every completed order older than three days gets one reached call that ends
its round, so what stays on the due list is the recent work, as at a desk.
"""

import os
import random
import sqlite3
import subprocess
import sys


def add_calls(db_path, n_calls=900_000, seed=2):
    conn = sqlite3.connect(db_path)
    rnd = random.Random(seed)
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM orders WHERE completed_at IS NOT NULL AND completed_at < '2026-11-20' ORDER BY completed_at LIMIT ?",
        (n_calls,),
    )]
    rows = []
    for i in ids:
        s = [rnd.choice((3, 4, 4, 5, 5, 5)) for _ in range(5)]
        rows.append((i, "2026-11-19 10:00:00", 1, "first", "reached", *s, round(sum(s) / 5, 2), 1, 1, "bench"))
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
