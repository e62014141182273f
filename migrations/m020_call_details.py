"""What the customer told the agent beyond the scores (seed 000, seed 002 item 6).

callbacks gets (written by calls.py):
- respondent: who answered (受访人): on_site, aware (knows the service) or other;
  a call with anyone else is kept as not reached (wrong_person) and stays due.
- said_arrived, said_finished: the engineer's arrival and finish as the customer
  tells them, checked against the order's arrived_at and completed_at.
- recording: the call recording's id or file (回访通话必须保有录音).
- suggestion: the customer's suggestions and service needs (记录用户服务需求).
"""


def apply(db):
    for column in ("respondent", "said_arrived", "said_finished", "recording", "suggestion"):
        db.execute(f"ALTER TABLE callbacks ADD COLUMN {column} TEXT")
