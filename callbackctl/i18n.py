"""The interface's language: English, or Chinese through a gettext catalogue.

People read tables, messages, `work`, help and report titles in their
language (`--lang`, else CALLBACKCTL_LANG, else LANG and its kin); csv, json
and jsonl keep the contract's column names, which scripts rely on. The
catalogue is locale/zh/LC_MESSAGES/callbackctl.po, compiled to the .mo beside
it that Python's gettext reads (a test checks the two agree).
"""

from __future__ import annotations

import gettext
import os

LANGS = ("en", "zh")
_translation: gettext.NullTranslations = gettext.NullTranslations()
_lang = "en"
_chosen = False


def pick(given: str | None = None, environ=os.environ) -> str:
    """The language asked for: the option, else CALLBACKCTL_LANG, else the locale's."""
    for value in (given, environ.get("CALLBACKCTL_LANG")):
        if value:
            lang = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
            if lang not in LANGS:
                raise ValueError(f"unknown language {value!r} (use {' or '.join(LANGS)})")
            return lang
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):  # the order gettext itself reads them
        value = environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def use(lang: str):
    """Read everything that follows in `lang`."""
    global _translation, _lang, _chosen
    _lang, _chosen = lang, True
    if lang == "en":
        _translation = gettext.NullTranslations()
        return
    localedir = os.path.join(os.path.dirname(__file__), "locale")
    _translation = gettext.translation("callbackctl", localedir, languages=[lang], fallback=True)


def chosen() -> bool:
    return _chosen


def current() -> str:
    return _lang


def _(text: str) -> str:
    return _translation.gettext(text)


def header(column: str) -> str:
    """A table's column title: the contract's name in English, its Chinese one in zh."""
    title = _translation.pgettext("column", column)  # a title apart from the word, where they differ
    return title if title != column else _translation.gettext(column)


def word(value: str) -> str:
    """An outcome, service type, reason or status as people say it: 未接通 / no answer."""
    if _lang == "zh":
        from callbackctl.vocab import OUTCOME_ALIASES, SERVICE_TYPE_ALIASES

        aliases = OUTCOME_ALIASES.get(value) or SERVICE_TYPE_ALIASES.get(value)
        return aliases[0] if aliases else _translation.gettext(value)
    return value.replace("_", " ")
