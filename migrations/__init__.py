"""Numbered schema migrations, applied in order by callbackctl.db through
sqlite-utils' Migrations (history in `_sqlite_migrations`).

Migrations 1-11 have an `up(conn)` taking the sqlite3 connection; from 12 on
a migration has an `apply(db)` taking a sqlite_utils.Database, so schema work
can use its table API. Each runs inside the caller's transaction. Never edit a
migration that has shipped: add the next number instead.
"""

from callbackctl.migrations import (
    m001_orders, m002_callbacks, m003_chases, m004_complaints, m005_head_office, m006_views,
    m007_due_indexes, m008_chase_indexes, m009_spot_and_contact_indexes,
    m010_reached_index_shape, m011_first_round_closed, m012_sqlite_utils_history, m013_voided_calls,
    m014_claims, m015_customers,
    m016_contacts, m017_first_reached_call, m018_calls_by_order, m019_corrections,
    m020_call_details, m021_apology_joins, m022_lowest_score, m023_reject_repeats,
    m024_contacted_at, m025_notice_days, m026_suggestions_index,
    m027_category, m028_dispatched_index, m029_spot_calls_apart, m030_report_indexes,
)

MIGRATIONS = [m001_orders, m002_callbacks, m003_chases, m004_complaints, m005_head_office, m006_views,
              m007_due_indexes, m008_chase_indexes, m009_spot_and_contact_indexes,
              m010_reached_index_shape, m011_first_round_closed, m012_sqlite_utils_history, m013_voided_calls,
              m014_claims, m015_customers,
              m016_contacts, m017_first_reached_call, m018_calls_by_order, m019_corrections,
              m020_call_details, m021_apology_joins, m022_lowest_score, m023_reject_repeats,
              m024_contacted_at, m025_notice_days, m026_suggestions_index,
              m027_category, m028_dispatched_index, m029_spot_calls_apart, m030_report_indexes]


def name(module) -> str:
    """A migration's name in the history: m001_orders."""
    return module.__name__.rsplit(".", 1)[-1]


def migration_set(upto: int):
    """sqlite-utils' Migrations for the first `upto` migrations; each also sets user_version."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("callbackctl")
    for number, module in enumerate(MIGRATIONS[:upto], 1):
        migrations(name=name(module))(_step(module, number))
    return migrations


def _step(module, number):
    def step(db):
        if hasattr(module, "apply"):
            module.apply(db)
        else:
            module.up(db.conn)
        # The version in PRAGMA user_version is what every start reads: cheap,
        # and no sqlite-utils import unless a migration is pending.
        db.conn.execute(f"PRAGMA user_version = {number}")

    return step
