"""Numbered schema migrations, applied in order by callbackctl.db.

Each module has an `up(conn)` run inside one transaction. Never edit a
migration that has shipped: add the next number instead.
"""

from callbackctl.migrations import (
    m001_orders, m002_callbacks, m003_chases, m004_complaints, m005_head_office, m006_views,
    m007_due_indexes, m008_chase_indexes, m009_spot_and_contact_indexes,
    m010_reached_index_shape, m011_first_round_closed,
)

MIGRATIONS = [m001_orders, m002_callbacks, m003_chases, m004_complaints, m005_head_office, m006_views,
              m007_due_indexes, m008_chase_indexes, m009_spot_and_contact_indexes,
              m010_reached_index_shape, m011_first_round_closed]
