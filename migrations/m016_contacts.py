"""Inbound calls (来电登记, 首问制): every call to the desk, registered and classified.

- `contacts` (written by contacts.py): one row an inbound call: when, the
  caller's phone, the order it is about (if any), its kind (consultation,
  service, complaint, chase), what was said, whether it was answered on the
  spot, who took it, the complaint it opened; and the reply the desk owed:
  when it was made, by whom, what was said. The reply's deadline is not
  stored: it is worked out from `received_at` and the policy (desk hours).
- `contact_calls` (contacts.py): the desk's calls to give an owed reply, each
  with its outcome: one that reached the caller (or a refusal, a wrong
  number) gives the reply; the others are attempts, tried again later.

And an index of the end-of-day clean-up's chases (`chase --end-of-day`,
dispatch.py), which the next morning's leftovers start from: a probe, not a
pass over a day's chases.
"""


def apply(db):
    db["contacts"].create(
        {"id": int, "received_at": str, "phone": str, "phone_valid": int, "customer": str, "order_id": int,
         "kind": str, "text": str, "answered": int, "agent": str, "complaint_id": int,
         "replied_at": str, "replied_by": str, "reply": str},
        pk="id", not_null={"received_at", "phone", "kind", "text", "answered"},
        foreign_keys=[("order_id", "orders", "id"), ("complaint_id", "complaints", "id")],
    )
    # the replies still owed (due, promises, contact list --open): a short range, however many were made
    db.execute("CREATE INDEX contacts_owed ON contacts(received_at) WHERE answered = 0 AND replied_at IS NULL")
    # replies by their time: those made after a --now in the past, and the late ones a report counts
    db.execute("CREATE INDEX contacts_replied ON contacts(replied_at) WHERE replied_at IS NOT NULL")
    db["contacts"].create_index(["received_at"])
    # an order's calls (show, find) and its customer's chases (chase: one probe per unfinished order)
    db["contacts"].create_index(["order_id", "kind", "received_at"])
    db["contacts"].create_index(["phone", "received_at"])
    # whether any customer chased a repair by now: one probe before chase reads them
    db.execute("CREATE INDEX contacts_chases ON contacts(received_at) WHERE kind = 'chase'")

    db["contact_calls"].create(
        {"id": int, "contact_id": int, "called_at": str, "outcome": str, "callback_at": str, "agent": str,
         "note": str},
        pk="id", not_null={"contact_id", "called_at", "outcome"},
        foreign_keys=[("contact_id", "contacts", "id")],
    )
    db["contact_calls"].create_index(["contact_id", "called_at"])

    db.execute("CREATE INDEX chases_end_of_day ON chases(chased_at) WHERE reason = 'end_of_day'")
