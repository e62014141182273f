"""The State Council's holiday notices a desk loaded (`calendar load`).

notice_days (written by notices.py): a loaded year's days off and make-up working
days, as the notice gives them; they take the place of the official calendar's
(chinesecalendar) and of the predicted holidays for that year.
"""


def apply(db):
    db.execute("""
        CREATE TABLE notice_days (
            day TEXT PRIMARY KEY,          -- YYYY-MM-DD
            year INTEGER NOT NULL,         -- the notice's year (a day may fall in the next)
            working INTEGER NOT NULL,      -- 1: a make-up working day (调休上班), 0: a day off
            name TEXT,                     -- the holiday: 春节, 国庆...
            loaded_at TEXT NOT NULL,
            actor TEXT
        )""")
    db.execute("CREATE INDEX notice_days_year ON notice_days(year)")
