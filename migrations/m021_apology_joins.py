"""One apology call for a customer's several complaints (seed 004).

complaints.apology_id (written by complaints.py): the open apology another
complaint of the same customer started, which this complaint joined, so that the
customer is called once, not once per complaint.
"""


def apply(db):
    db.execute("ALTER TABLE complaints ADD COLUMN apology_id INTEGER REFERENCES apologies(id)")
