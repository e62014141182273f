import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from callbackctl import clock, normalize

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20 14:05", "2026-11-20 14:05:00"),
    ("2026-11-20 14:05:07", "2026-11-20 14:05:07"),
    ("2026-11-20T14:05", "2026-11-20 14:05:00"),
    ("2026-11-20T9:05", "2026-11-20 09:05:00"),
    ("2026-11-20T14:05:00+00:00", "2026-11-20 22:05:00"),  # UTC converted into the db's zone
    ("2026-11-20T06:05:00Z", "2026-11-20 14:05:00"),
    ("2026-11-20 14:05+0800", "2026-11-20 14:05:00"),
    ("2026/11/20 14:05", "2026-11-20 14:05:00"),
    ("2026/1/5", "2026-01-05 00:00:00"),
    ("2026/11/20", "2026-11-20 00:00:00"),
    ("2026.11.20", "2026-11-20 00:00:00"),
    ("2026年11月20日 14:05", "2026-11-20 14:05:00"),
    ("2026年11月20日14时05分", "2026-11-20 14:05:00"),
    ("2026年11月20日", "2026-11-20 00:00:00"),
    ("2026-11-20", "2026-11-20 00:00:00"),
    ("Nov 20 2026 2:05 PM", "2026-11-20 14:05:00"),  # dateutil fallback
    ("2026/11/20 下午 2:05", "2026-11-20 14:05:00"),
    ("2026/11/20 上午 9:05", "2026-11-20 09:05:00"),
    ("2026/11/20 上午 12:30", "2026-11-20 00:30:00"),
    ("2026-11-20 2:05 pm", "2026-11-20 14:05:00"),
    ("2026-11-20 14:05:00.000", "2026-11-20 14:05:00"),
])
def test_dates(text, expected):
    assert normalize.datetime(text, SH) == expected


@pytest.mark.parametrize("text", ["2026-02-30 10:00", "2026-13-01", "2026年2月30日", "tomorrow", "11/20", "25:00", "2026-11-20 25:61",
                                  "2026/11/20 下午 14:05"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        normalize.datetime(text, SH)


@pytest.mark.parametrize("text, expected", [
    ("138 0013 8000", ("13800138000", True)),
    ("+86 139-1234-5678", ("13912345678", True)),
    ("0086-137-5566-1234", ("13755661234", True)),
    ("(021) 6234 5678", ("02162345678", True)),
    ("0571-88886666", ("057188886666", True)),
    ("400-820-8820", ("4008208820", True)),
    ("12345", ("12345", False)),
    ("1380013800", ("1380013800", False)),   # one digit short
    ("23800138000", ("23800138000", False)),
])
def test_phones(text, expected):
    assert normalize.phone(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("1,234.5", 1234.5), ("¥120", 120), ("120元", 120), ("3500小时", 3500), ("0", 0), ("-3", -3), ("12.0", 12),
])
def test_numbers(text, expected):
    assert normalize.number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "nan", "inf", "about 100"])
def test_bad_numbers(text):
    with pytest.raises(ValueError, match="not a number"):
        normalize.number(text)


@pytest.mark.parametrize("header, canonical", [
    ("工单号", "order_no"), ("Order ID", "order_no"), ("ORDER_NO", "order_no"), (" 服务 类型 ", "service_type"),
    ("\ufeff工单号", "order_no"), ("手机号", "phone"), ("服务网点", "provider"), ("完成时间", "completed_at"),
    ("Serial", "serial_no"), ("故障描述", None),
])
def test_headers(header, canonical):
    assert normalize.canonical_header(header) == canonical


@pytest.mark.parametrize("fn, text, expected", [
    (normalize.service_type, "保内维修", "warranty_repair"),
    (normalize.service_type, "质保期外修理", "paid_repair"),
    (normalize.service_type, "Install", "install"),
    (normalize.service_type, "配件购买", "parts"), (normalize.service_type, "有偿维修", "paid_repair"),
    (normalize.zone, "市区", "urban"), (normalize.zone, "郊区", "suburban"), (normalize.zone, "Other", "other"),
    (normalize.status, "已取消", "cancelled"), (normalize.status, "已完工", "completed"),
    (normalize.boolean, "是", True), (normalize.boolean, "否", False), (normalize.boolean, "VIP", True),
    (normalize.boolean, "普通", False), (normalize.boolean, "Yes", True), (normalize.boolean, "0", False),
])
def test_value_aliases(fn, text, expected):
    assert fn(text) == expected


def test_unknown_values_say_what_they_are():
    with pytest.raises(ValueError, match="unknown service type '拆机'"):
        normalize.service_type("拆机")
    with pytest.raises(ValueError, match="not a yes/no value"):
        normalize.boolean("maybe")


NOW = dt.datetime(2026, 11, 23, 10, 0)


@pytest.mark.parametrize("text, expected", [
    ("now", "2026-11-23 10:00:00"),
    ("tomorrow 17:00", "2026-11-24 17:00:00"),
    ("today", "2026-11-23 00:00:00"),
    ("yesterday 09:30", "2026-11-22 09:30:00"),
    ("+1d", "2026-11-24 10:00:00"),
    ("-2h", "2026-11-23 08:00:00"),
    ("+30m", "2026-11-23 10:30:00"),
    ("2026-12-01 08:00", "2026-12-01 08:00:00"),
    ("2026-12-01 08:00:59", "2026-12-01 08:00:59"),
    ("2026/12/01 8:00", "2026-12-01 08:00:00"),
    ("2026-12-01T08:00:00+00:00", "2026-12-01 16:00:00"),  # to the desk's zone
    ("明天 09:30", "2026-11-24 09:30:00"),
])
def test_when(text, expected):
    assert clock.fmt(clock.when(text, NOW, SH)) == expected


@pytest.mark.parametrize("text", ["tomorrow 25:00", "next week", "+1y", "", "2026-02-30 10:00", "2026-11-23 24:00"])
def test_when_rejects(text):
    with pytest.raises(ValueError, match="bad time"):
        clock.when(text, NOW, SH)
