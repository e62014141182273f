"""An order's status, the one rule: a status the dealer gave wins, else
completed_at decides (completed when set, open when not).

The orders table derives its `status` column from the same rule (migration
m001, which is never edited); queries that must stay inside an index spell
it out in SQL with what they already know of completed_at. Both come from
here, and tests/test_status.py checks that they agree.
"""

from __future__ import annotations


def status_of(status_given: str | None, completed_at: str | None) -> str:
    return status_given or implied(completed_at)


def implied(completed_at: str | None) -> str:
    """The status completed_at alone gives."""
    return "completed" if completed_at else "open"


def sql(alias: str = "", completed: bool | None = None) -> str:
    """The rule as SQL over `alias`'s columns; `completed`: whether the query
    already knows completed_at is set (True) or NULL (False)."""
    p = f"{alias}." if alias else ""
    if completed is None:
        return (f"coalesce({p}status_given, CASE WHEN {p}completed_at IS NULL "
                "THEN 'open' ELSE 'completed' END)")
    return f"coalesce({p}status_given, '{implied('x' if completed else None)}')"
