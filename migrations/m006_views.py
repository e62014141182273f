"""Views for people who open the file in the sqlite3 shell or datasette.

Deadlines are not in them: they come from the policy and the calendar, which
live in callbackctl (`callbackctl due`, `report`).
"""

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE VIEW calls_view AS
        SELECT o.order_no, o.service_type, o.region, o.provider, o.engineer, o.completed_at,
               c.called_at, c.round, c.reason, c.outcome, c.skill, c.attitude, c.timeliness, c.parts, c.overall,
               c.satisfaction AS "index", c.genuine, c.discrepancies, c.agent, c.note
        FROM callbacks c JOIN orders o ON o.id = c.order_id;

        CREATE VIEW order_callbacks_view AS
        SELECT o.order_no, o.service_type, o.region, o.provider, o.engineer, o.completed_at,
               (SELECT count(*) FROM callbacks c WHERE c.order_id = o.id) AS calls,
               (SELECT min(called_at) FROM callbacks c WHERE c.order_id = o.id AND c.outcome = 'reached') AS first_reached_at,
               (SELECT satisfaction FROM callbacks c WHERE c.order_id = o.id AND c.outcome = 'reached'
                ORDER BY called_at LIMIT 1) AS first_index,
               (SELECT group_concat(reason) FROM followups f WHERE f.order_id = o.id) AS followups
        FROM orders o WHERE o.status = 'completed';

        CREATE VIEW complaints_view AS
        SELECT c.id, o.order_no, o.region, o.provider, o.engineer, c.customer, c.phone, c.against, c.target,
               c.severity, c.status, c.received_at, c.replied_at, c.resolved_at, c.closed_at, c.text
        FROM complaints c LEFT JOIN orders o ON o.id = c.order_id;

        CREATE VIEW chases_view AS
        SELECT o.order_no, o.region, o.provider, o.engineer, o.zone, h.chased_at, h.reason, h.deadline,
               h.overdue_hours, h.actor
        FROM chases h JOIN orders o ON o.id = h.order_id;
        """,
    )
