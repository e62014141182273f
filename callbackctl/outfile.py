"""The files a command writes: --output, --rejects, a form, a backup.

Each holds phone numbers, and each is a path a user typed, so each is:
- refused before anything is read or written (`check`) when it is the desk
  file or its -wal/-shm/-journal, an input file of the same command (the
  policy file too) or of an earlier import into the desk, a symbolic link
  (dangling or not), or not a regular file
  (a folder, a FIFO); a character device (/dev/null, /dev/stdout) is written
  straight through;
- written to a temporary file in the same folder, created 0600 by mkstemp,
  and renamed into place only when complete (`replacing`): a failed or killed
  write leaves the old file, or none, never half of one.

A killed process leaves its temporary file behind (`.NAME.PID.xxxx.part`, and
SQLite's `-journal` beside a backup's): the next write to that folder removes
those whose process is gone.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile

from callbackctl.errors import InvalidValue

_DESK_FILES = ("", "-wal", "-shm", "-journal")


def check(path: str, desk: str | None = None, inputs=(), field: str = "output"):
    """Refuse `path` as an output (InvalidValue naming `field`: exit 2) before any work:
    also a file an earlier import read into this desk (the dealer's own export)."""
    if _device(path):  # /dev/null, /dev/stdout: written straight through
        return
    if os.path.islink(path):
        raise InvalidValue(f"{path} is a symbolic link: give the file itself", field=field)
    if os.path.exists(path) and not os.path.isfile(path):
        what = "a folder" if os.path.isdir(path) else "not a regular file"
        raise InvalidValue(f"{path} is {what}: give a file to write", field=field)
    real = os.path.realpath(path)
    if desk and desk != ":memory:":
        base = os.path.realpath(desk)
        if real in {base + s for s in _DESK_FILES} or _same(path, desk):
            raise InvalidValue(f"{path} is the desk file: writing there would destroy it; choose another name",
                               field=field)
    for given in inputs:
        if given and given != "-" and (real == os.path.realpath(given) or _same(path, given)):
            raise InvalidValue(f"{path} is an input of this command: writing there would destroy it; "
                               "choose another name", field=field)
    if os.path.isfile(path) and desk:
        from callbackctl import batches

        batch = batches.imported_before(desk, path)
        if batch is not None:
            raise InvalidValue(f"{path} was imported into this desk (batch {batch}): writing there would destroy "
                               "it; choose another name", field=field)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InvalidValue(f"cannot write {path}: no such folder", field=field)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidValue(f"cannot write {path}: the folder is not writable", field=field)


def _device(path: str) -> bool:
    """A device the system names (/dev/null, /dev/stdout even when it is a pipe) or any
    character device: written straight through, never replaced."""
    import stat

    if os.path.abspath(path).startswith("/dev/"):
        return os.path.exists(path)
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def temporary(path: str) -> tuple[int, str]:
    """(fd, name) of a new 0600 file beside `path`, leftovers of dead writers removed first."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    sweep(folder, base)
    return tempfile.mkstemp(prefix=f".{base}.{os.getpid()}.", suffix=".part", dir=folder)


def sweep(folder: str, base: str = "*"):
    """Remove the temporary files of writers that died (their pid no longer runs)."""
    for name in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(base) if base != '*' else '*'}.*.part*")):
        pid = os.path.basename(name).rsplit(".part", 1)[0].split(".")[-2]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(pid):
            with contextlib.suppress(OSError):
                os.unlink(name)


def alive(pid: str) -> bool:
    """Is the process that left a temporary file or folder still running? (Unsure, or not
    a pid, counts as yes: left alone.) fastimport's scratch folders ask it too."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def replacing(path: str, binary: bool = False, encoding: str = "utf-8"):
    """A file object whose content becomes `path` when the block ends without an error."""
    if _device(path):
        with open(path, "wb" if binary else "w", encoding=None if binary else encoding) as f:
            yield f
        return
    fd, tmp = temporary(path)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")) as f:
            yield f
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
