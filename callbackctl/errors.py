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

    The message names the value; `field` names what it was given for, in the
    library's words (rate, satisfaction, callback_at): the command line adds
    its option's name, a file's reader its column's. A value given for a
    field, or a call that makes no sense (`usage`), is a usage error (exit 2)
    on the command line; the same problem in a data file rejects the row.
    """

    def __init__(self, message, field=None, usage=False):
        super().__init__(message)
        self.field = field
        self.usage = usage or field is not None


def one_of(value, choices, field):
    """`value` if it is one of `choices`, else InvalidValue naming them."""
    if value not in choices:
        raise InvalidValue(f"{value!r} is not one of {', '.join(choices)}", field=field)
    return value


class StateError(CallbackctlError):
    """A step that makes no sense in the current state (respond to a closed complaint)."""
