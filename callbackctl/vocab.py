"""The words commands accept, each list once, for the library and the CLI alike.

Kept free of imports so that building the command line (and --help) stays fast.
"""

OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "jsonl")
INPUT_FORMATS = ("csv", "tsv", "json", "jsonl")
EXPORT_FORMATS = ("csv", "json", "jsonl")
EXPORT_TABLES = ("orders", "callbacks", "complaints", "chases")

OUTCOMES = ("reached", "no_answer", "busy", "hung_up", "refused", "wrong_number", "wrong_person")
CALLBACK_REASONS = ("first", "retry", "promised", "second", "spot_check")

COMPLAINT_AGAINST = ("engineer", "provider", "agent", "product", "sales")
SEVERITIES = ("general", "special")
APOLOGY_OUTCOMES = ("accepted", "refused", "hung_up", "no_answer")

PERIODS = ("day", "week", "month")
GROUPS = ("region", "provider", "engineer", "service_type", "agent")
REPORT_NAMES = ("daily", "weekly", "providers", "faults")
