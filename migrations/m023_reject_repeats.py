"""A re-imported file's rejects are not stored a second time (#28).

import_rejects.repeat_of (written by batches.py): the same row of the same file
rejected for the same reason by an earlier batch. The new batch's row points at
the first one and keeps no copy of the raw row (empty): a cron job importing
a file with bad rows every night keeps each bad row, with its personal data,
once; `rejects --batch N` still lists every reject of batch N.
"""


def apply(db):
    db.execute("ALTER TABLE import_rejects ADD COLUMN repeat_of INTEGER REFERENCES import_rejects(id)")
