"""The call script (回访话术) and the order card that `work` shows for each callback.

The texts live in one data file, fixtures/script.toml; a desk's own file
(policy `[desk] script`, or `work --script`) overrides only the keys it gives.
Each text is filled from the order and the policy's [desk], so the agent can
compare what the customer says with what the dealer reported.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from callbackctl.errors import PolicyError

LANGS = ("zh", "en")
# The spoken parts, in the order of a call; the questions go between on_site and scores.
QUESTIONS = ("on_site", "hours", "times", "parts", "fee", "location")
TEXTS = ("greeting", *QUESTIONS, "scores", "closing")
# Which question asks for the value of which check in calls.Call (the rest are heard, not typed).
CHECKS = {"hours": "hours", "parts": "parts", "fee": "fee", "location": "location"}


@dataclass(frozen=True)
class Script:
    questions: dict   # service type -> question names
    texts: dict       # lang -> name -> text
    source: str

    def lines(self, lang: str, service_type: str, values: dict) -> list[tuple[str, str]]:
        """[(name, filled text)] for one call: greeting, the type's questions, scores, closing."""
        asked = self.questions.get(service_type, ("on_site",))
        names = ["greeting", *asked, "scores", "closing"]
        texts = self.texts[lang if lang in self.texts else "zh"]
        return [(n, string.Formatter().vformat(texts[n], (), _Blank(values))) for n in names]


class _Blank(dict):
    """A value the order lacks reads as '-' rather than stopping the call."""

    def __missing__(self, key):
        return "-"


def load(path: str | None = None) -> Script:
    """The built-in script, with a desk's own file over it."""
    import tomllib

    from callbackctl.demo import fixture_path

    builtin = fixture_path("script.toml")
    with open(builtin, "rb") as f:
        data = tomllib.load(f)
    source = "built-in"
    if path:
        try:
            with open(path, encoding="utf-8-sig") as f:  # as Notepad saves it, BOM or not
                own = tomllib.loads(f.read())
        except OSError as e:
            raise PolicyError(f"script: {path}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise PolicyError(f"script: {path}: not UTF-8 text (save it as UTF-8)") from None
        except tomllib.TOMLDecodeError as e:
            raise PolicyError(f"script: {path}: not valid TOML: {e}") from None
        data = _over(data, own, path)
        source = path
    return Script(
        questions={t: tuple(q) for t, q in data["questions"].items()},
        texts={lang: dict(data[lang]) for lang in LANGS},
        source=source,
    )


def _over(base: dict, own: dict, path: str) -> dict:
    from callbackctl.vocab import SERVICE_TYPES

    out = {k: dict(v) for k, v in base.items()}
    for table, values in own.items():
        if table not in out or not isinstance(values, dict):
            raise PolicyError(f"script: {path}: unknown table [{table}] (use [questions], [zh] or [en])")
        for key, value in values.items():
            if table == "questions":
                if key not in SERVICE_TYPES:
                    raise PolicyError(f"script: {path}: questions.{key}: not a service type")
                if not isinstance(value, list) or not set(value) <= set(QUESTIONS):
                    raise PolicyError(f"script: {path}: questions.{key}: must be a list of {', '.join(QUESTIONS)}")
            elif key not in TEXTS:
                raise PolicyError(f"script: {path}: {table}.{key}: unknown text (use {', '.join(TEXTS)})")
            elif not isinstance(value, str):
                raise PolicyError(f"script: {path}: {table}.{key}: must be text in quotes")
            else:
                wrong = placeholder_error(value)
                if wrong:
                    raise PolicyError(f"script: {path}: {table}.{key}: {wrong}")
            out[table][key] = value
    return out


def placeholder_error(text: str) -> str | None:
    """What is wrong with a text's {words}, or None: each must be one the order or desk fills."""
    from callbackctl.vocab import ORDER_COLUMNS

    known = set(ORDER_COLUMNS) | DESK_WORDS
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as e:
        return f"{e} (write a brace itself as {{{{ or }}}})"
    for name in names:
        if name not in known:
            return (f"{{{name}}} is not a word the script can fill (use {{company}}, {{hotline}}, {{agent}}, "
                    "{service} or an order's field such as {customer}, {engineer}, {machine_hours})")
    return None


DESK_WORDS = {"company", "hotline", "agent", "service"}


def values(order: dict, policy, agent: str, service_name: str) -> dict:
    """What the script's braces are filled with, for one order."""
    from callbackctl import normalize

    shown = normalize.present(dict(order))
    out = {k: ("-" if v is None or v == "" else str(v)) for k, v in shown.items()}
    out.update(company=policy.company or "-", hotline=policy.hotline or "-", agent=agent, service=service_name)
    for key in ("arrived_at", "completed_at"):
        if order.get(key):
            out[key] = order[key][5:16]  # MM-DD HH:MM: what a customer remembers
    return out
