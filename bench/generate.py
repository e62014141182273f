"""Generate a seeded, realistic orders CSV (and, optionally, a calls CSV).

    python bench/generate.py --orders 1000000 --out bench/data

Dates use the common export format 'YYYY-MM-DD HH:MM'; about 1 row in 200 has
a messy value (slashes, 年月日) so the slow path is exercised too.
"""

import argparse
import csv
import datetime as dt
import os
import random

TYPES = ["repair", "warranty_repair", "paid_repair", "maintenance", "install", "delivery", "parts", "consultation"]
REGIONS = ["East", "North", "South", "West", "Central", "Northeast", "Northwest", "Southwest"]
ZONES = ["urban", "suburban", "other"]
HEADER = ["order_no", "service_type", "customer", "phone", "address", "zone", "region", "provider", "engineer",
          "product", "serial_no", "reported_at", "dispatched_at", "feedback_at", "completed_at", "machine_hours",
          "parts_replaced", "fee", "location", "warranty", "fault"]


def orders(n, seed=1, end=dt.datetime(2026, 11, 23, 9, 0)):
    rnd = random.Random(seed)
    start = end - dt.timedelta(days=365)
    span = int((end - start).total_seconds() // 60)
    providers = [f"P{i:03d}" for i in range(400)]
    engineers = [f"E{i:04d}" for i in range(3000)]
    for i in range(n):
        reported = start + dt.timedelta(minutes=rnd.randrange(span))
        dispatched = reported + dt.timedelta(minutes=rnd.randrange(5, 90))
        feedback = dispatched + dt.timedelta(minutes=rnd.randrange(10, 400)) if rnd.random() < 0.9 else None
        # As at a real desk: recent orders are often still open, old ones rarely.
        still_open = rnd.random() < (0.5 if reported > end - dt.timedelta(days=5) else 0.002)
        done = None if still_open else reported + dt.timedelta(hours=rnd.randrange(2, 96))
        if done and done > end:
            done = None
        fmt = "%Y-%m-%d %H:%M" if i % 200 else "%Y年%m月%d日 %H:%M"
        yield [
            f"W{i:08d}", rnd.choice(TYPES), f"Customer {rnd.randrange(200000)}", f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}",
            f"{rnd.randrange(1, 999)} Road {rnd.randrange(500)}", rnd.choice(ZONES), rnd.choice(REGIONS),
            rnd.choice(providers), rnd.choice(engineers), f"SY{rnd.choice([75, 135, 215, 365])}C", f"S{rnd.randrange(10**7):07d}",
            reported.strftime(fmt), dispatched.strftime(fmt), feedback.strftime(fmt) if feedback else "",
            done.strftime(fmt) if done else "", str(rnd.randrange(50, 12000)), rnd.choice(["", "", "filter", "pump, seal"]),
            rnd.choice(["", "", "350", "1200.5"]), f"Site {rnd.randrange(900)}", rnd.choice(["yes", "no"]),
            rnd.choice(["", "leak", "noise", "no start", "overheat"]),
        ]


def write_orders(path, n, seed=1):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(orders(n, seed))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "data"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"orders_{args.orders}.csv")
    write_orders(path, args.orders)
    print(path)
