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
        source = {m.id: m.string for m in pofile.read_po(f) if m.id}
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
