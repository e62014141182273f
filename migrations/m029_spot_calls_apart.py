"""Head office's spot-check calls count only in the spot-check columns (#30).

A spot-check call (callbacks.spot_check_id) is head office's check of a region's
work, not the region's work: it is left out of an order's first reached call
(the satisfaction index) by new triggers (m017's, which are not edited, are
replaced), and callbacks_order (m018, m022) carries spot_check_id so that a wide
report leaves those calls out of calls_made, calls_reached and satisfied_rate
from the index alone. Orders whose first reached call was a spot check are
worked out again.
"""

FIRST = ("UPDATE orders SET (first_reached_call, first_reached_at, first_reached_index) = (SELECT c.id, c.called_at, "
         "c.satisfaction FROM callbacks c WHERE c.order_id = orders.id AND c.outcome = 'reached' "
         "AND c.spot_check_id IS NULL ORDER BY c.called_at, c.id LIMIT 1) WHERE {which}")
TRIGGERS = {
    "callbacks_first_reached": "AFTER INSERT ON callbacks WHEN NEW.outcome = 'reached' BEGIN "
                               + FIRST.format(which="id = NEW.order_id") + "; END",
    "callbacks_unreach": "AFTER DELETE ON callbacks WHEN OLD.outcome = 'reached' BEGIN "
                         + FIRST.format(which="id = OLD.order_id") + "; END",
    "callbacks_edit_reached": "AFTER UPDATE OF order_id, outcome, called_at, satisfaction, spot_check_id ON callbacks "
                              "WHEN OLD.outcome = 'reached' OR NEW.outcome = 'reached' BEGIN "
                              + FIRST.format(which="id = OLD.order_id") + "; " + FIRST.format(which="id = NEW.order_id")
                              + "; END",
}
INDEX = ("CREATE INDEX callbacks_order ON callbacks(order_id, round, closes, called_at, outcome, satisfaction, lowest, "
         "spot_check_id)")


def apply(db):
    for name, body in TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"CREATE TRIGGER {name} {body}")
    db.execute(FIRST.format(which="id IN (SELECT order_id FROM callbacks WHERE spot_check_id IS NOT NULL "
                                "AND outcome = 'reached')"))
    db.execute("DROP INDEX IF EXISTS callbacks_order")
    db.execute(INDEX)
