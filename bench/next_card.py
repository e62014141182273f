"""How long `work` takes to open the next card: claim the next callback and gather
its card (order, earlier calls, complaints, the filled script), in process, as
the session does between two calls. Each card is skipped, as an agent would with
`s`, so every round claims a new one.

    python bench/next_card.py bench/data/bench.db [CARDS]
"""

import statistics
import sys
import time

from callbackctl import desk as desk_mod, session


def main(path, cards=20, now="2026-11-23 10:00"):
    desk = desk_mod.open_desk(path, now=now, command="work", actor="bench")
    s = session.Session(desk, "bench", lang="zh", fixed_now=True)
    times = []
    for _ in range(cards):
        t = time.perf_counter()
        card = s.next()
        times.append(time.perf_counter() - t)
        if card is None:
            break
        s.skip(card)
    ms = [round(t * 1000, 1) for t in times]
    print(f"next card: median {statistics.median(ms)} ms, min {min(ms)}, max {max(ms)} ({len(ms)} cards)")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
