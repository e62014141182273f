"""callbackctl: the after-sales callback desk over one SQLite file."""

__version__ = "0.1.0"
