"""The floor for an import in Python: csv module -> executemany, converting nothing.

    python bench/rawload.py ORDERS.csv DB

It shows how much of `.import`'s speed is left to a Python program before any
cell is checked: every cell is handed to SQLite as the text it was read as.
"""

import csv
import sqlite3
import sys


def main(csv_path, db_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"CREATE TABLE orders ({', '.join(f'c{i}' for i in range(len(header)))})")
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * len(header))})", reader)
        conn.execute("COMMIT")
        conn.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
