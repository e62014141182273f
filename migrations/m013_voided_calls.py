"""Voided calls: a call entered by mistake is voided, not deleted.

`call void CALL_ID --reason` sets the call's outcome to 'voided' and its
`closes` to 0, so it counts nowhere (the due list, reports, the first-round
flag kept by m011's triggers all read outcome and closes) and its id is never
reused; this table keeps who voided it, when, why, and the call as it was.
"""


def apply(db):
    db["voided_calls"].create(
        {"id": int, "call_id": int, "order_id": int, "voided_at": str, "voided_by": str, "reason": str,
         "call": str},
        pk="id", not_null={"call_id", "order_id", "voided_at", "reason", "call"},
        foreign_keys=[("call_id", "callbacks", "id"), ("order_id", "orders", "id")],
    )
    db["voided_calls"].create_index(["call_id"], unique=True)
    db["voided_calls"].create_index(["order_id"])
