"""Claims: which agent is calling which due callback (`claim`, `release`, `due`'s claimed_by).

One row a claimed callback, keyed by the due list's key (an order number today),
so two agents never get the same one: a claim is taken inside a write
transaction and lasts until `until` (policy callback.claim_for).
"""


def apply(db):
    db["claims"].create({"key": str, "agent": str, "claimed_at": str, "until": str}, pk="key",
                        not_null={"agent", "claimed_at", "until"})
    # due reads the live claims on every run: an index range, however many have lapsed
    db["claims"].create_index(["until", "agent"])
