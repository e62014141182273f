"""The interface's language: how it is picked, and the Chinese catalogue's upkeep."""

import ast
import gettext
import io
import os

import pytest

from callbackctl import i18n

ROOT = os.path.join(os.path.dirname(__file__), "..")
LOCALE = os.path.join(ROOT, "callbackctl", "locale", "zh", "LC_MESSAGES")


@pytest.mark.parametrize("given, environ, lang", [
    (None, {}, "en"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "zh_TW.Big5"}, "zh"),
    (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.GB18030"}, "zh"),   # LC_ALL first, as gettext reads them
    (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8", "CALLBACKCTL_LANG": "en"}, "en"),
    ("zh", {"CALLBACKCTL_LANG": "en"}, "zh"),                          # the option wins
    ("ZH-cn", {}, "zh"),
    ("zh_CN.UTF-8", {}, "zh"),
])
def test_pick(given, environ, lang):
    assert i18n.pick(given, environ) == lang


def test_an_unknown_language_is_named():
    with pytest.raises(ValueError, match=r"^unknown language 'fr' \(use en or zh\)$"):
        i18n.pick("fr", {})


def test_the_mo_file_is_the_po_compiled():
    """Edit the .po, then: pybabel compile -D callbackctl -d callbackctl/locale -l zh"""
    pofile = pytest.importorskip("babel.messages.pofile")

    with open(os.path.join(LOCALE, "callbackctl.po"), "rb") as f:
        source = {(f"{m.context}\x04{m.id}" if m.context else m.id): m.string for m in pofile.read_po(f) if m.id}
    with open(os.path.join(LOCALE, "callbackctl.mo"), "rb") as f:
        compiled = {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k}
    assert compiled == source


def literals():
    """Every _("...") in the code."""
    out = set()
    for folder in ("callbackctl", "cli"):
        for name in os.listdir(os.path.join(ROOT, folder)):
            if not name.endswith(".py"):
                continue
            tree = ast.parse(open(os.path.join(ROOT, folder, name), encoding="utf-8").read())
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    out.add(node.args[0].value)
    return sorted(out)


@pytest.mark.parametrize("text", literals())
def test_every_message_has_its_chinese(text):
    with open(os.path.join(LOCALE, "callbackctl.mo"), "rb") as f:
        catalogue = gettext.GNUTranslations(f)
    assert catalogue.gettext(text) != text or text in ("VIP",)
    # the same {names} on both sides, or .format() fails in Chinese only
    import string

    names = lambda s: sorted(n for _, n, _, _ in string.Formatter().parse(s) if n)  # noqa: E731
    assert names(catalogue.gettext(text)) == names(text)


def test_words_in_chinese():
    try:
        i18n.use("zh")
        assert [i18n.word(w) for w in ("no_answer", "paid_repair", "retry", "not_genuine", "escalated")] == [
            "未接通", "保外维修", "重拨", "不属实", "已升级"]
        assert i18n._("order_no") == "工单号"
    finally:
        i18n.use("en")
    assert [i18n.word(w) for w in ("no_answer", "paid_repair")] == ["no answer", "paid repair"]


@pytest.fixture
def demo_desk(cli):
    assert cli("demo").exit_code == 0
    return cli


def test_tables_in_chinese_files_as_the_contract_names_them(demo_desk):
    r = demo_desk("--lang", "zh", "due", "--limit", "1")
    assert r.stdout.splitlines()[0].split() == [
        "工单号", "客户", "电话", "服务类型", "区域", "服务商", "服务工程师", "完工时间", "应回访时间", "回访期限",
        "回访次数", "上次结果", "原因", "超期", "领取人"]
    r = demo_desk("--lang", "zh", "due", "--limit", "1", "-f", "csv")
    assert r.stdout.splitlines()[0] == ("order_no,customer,phone,service_type,region,provider,engineer,completed_at,"
                                        "due_at,deadline,attempts,last_outcome,reason,overdue,claimed_by")


def test_show_and_messages_in_chinese(demo_desk):
    r = demo_desk("--lang", "zh", "show", "SY2026110017")
    assert [line for line in r.stdout.splitlines() if line.startswith("==")] == [
        "== 工单", "== 更正", "== 回访计划", "== 回访记录", "== 回单", "== 催单", "== 服务商时限", "== 投诉", "== 来电登记", "== 操作日志"]
    r = demo_desk("--lang", "zh", "due", "--region", "nowhere")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "没有待回访工单\n")
    r = demo_desk("--lang", "zh", "release", "SY2026110017")
    assert r.stderr == "SY2026110017：无人领取\n"


def test_lang_comes_from_the_locale(demo_desk, monkeypatch):
    monkeypatch.delenv("CALLBACKCTL_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert demo_desk("due", "--region", "nowhere").stderr == "没有待回访工单\n"
    assert demo_desk("--lang", "en", "due", "--region", "nowhere").stderr == "no callbacks due\n"
