"""The library's exceptions. The CLI turns them into one `Error:` line."""


class CallbackctlError(Exception):
    """Base of every error the library raises on purpose (exit code 1)."""


class InputError(CallbackctlError):
    """Input that cannot be read at all: a missing file, binary data, no header."""


class PolicyError(CallbackctlError):
    """A policy file with an unknown key or a bad value."""


class NotFound(CallbackctlError):
    """An order, complaint or apology that does not exist."""


class InvalidValue(CallbackctlError):
    """A value the user gave that is out of range or malformed.

    `usage` marks values given as command-line options, which exit 2 like any
    other bad option value; the same problem in a data file exits 1.
    """

    def __init__(self, message, usage=False):
        super().__init__(message)
        self.usage = usage


class StateError(CallbackctlError):
    """A step that makes no sense in the current state (respond to a closed complaint)."""
