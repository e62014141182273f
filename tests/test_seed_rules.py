"""The seeds' call, to the letter (#29): seed 000's words for a 5, and the hours reading
that grows with use after the service."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,completed_at,machine_hours
H1,repair,Li,13800138000,2026-11-17 15:00,1344
H2,repair,Wu,13800138001,2026-11-20 15:00,1344
"""


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-17 16:00").exit_code == 0
    return cli


@pytest.mark.parametrize("said", ["很好", "特别好", "非常好", "很满意", "建议对王工进行嘉奖", "建议对××予以表扬。",
                                  "服务比其他厂家好", "质量比其他厂家好"])
def test_every_phrase_of_seed_000s_table_for_5(desk, said):
    r = desk("record", "H1", "--outcome", "reached", "--satisfaction", said, "-f", "json", now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["index"] == 5.0


@pytest.mark.parametrize("order, reading, genuine, found", [
    ("H1", 1400, True, None),        # 5 whole days after (11-17 15:00 to 11-23 10:00): 1344 + 50 + 5 x 20 = 1494
    ("H1", 1494, True, None),
    ("H1", 1495, False, "hours: customer reads 1495, order has 1344"),
    ("H1", 1293, False, "hours: customer reads 1293, order has 1344"),  # less than the order said, beyond 50
    ("H2", 1434, True, None),        # 2 whole days: 1344 + 50 + 40
    ("H2", 1435, False, "hours: customer reads 1435, order has 1344"),
])
def test_the_hours_reading_may_grow_with_the_days_since_the_service(desk, db_path, order, reading, genuine, found):
    r = desk("record", order, "--outcome", "reached", "--satisfaction", "5", "--hours", str(reading), "-f", "json",
             now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)[0]
    assert (row["genuine"], row["discrepancies"]) == (genuine, [found] if found else [])
