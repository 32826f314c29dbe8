"""Reading input files and writing output files so that neither hangs nor damages anything.

Input (``verify``, ``check``, ``--data``): only a regular file is read. It is opened without blocking (a
FIFO with no writer is refused at once, not waited on), then checked with ``fstat`` on the open file: a
folder, FIFO, device or socket is refused with one line naming it, and so is a file larger than the
caller's limit, before any of it is read; at most limit + 1 bytes are ever read (a file that grows while
it is read is refused too).

Output (``-o``): a regular file (or a new one) is replaced atomically: the new contents go to a temporary
file beside it, which is then renamed over it, keeping the old file's permissions. A symbolic link is
written through: its target is replaced, the link stays. A character device (``/dev/null``, ``/dev/full``,
a terminal) or a FIFO is written into, never replaced by a regular file; a FIFO that no process opens for
reading within :data:`FIFO_WAIT` seconds is refused. A folder, block device or socket is refused. Every
failure is a :class:`FileProblem` with a one-line message. This module imports nothing but the standard
library.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
import time
from pathlib import Path

#: seconds an output FIFO may wait for a reader before the run is refused
FIFO_WAIT = 5.0
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _blocking(descriptor: int) -> None:
    """Clear O_NONBLOCK on an open file (where the platform has it)."""
    if _NONBLOCK:
        import fcntl
        fcntl.fcntl(descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) & ~_NONBLOCK)


class FileProblem(ValueError):
    """A file that cannot be read or written as asked: the message (one line) says why."""


def kind(mode: int) -> str:
    """What a file of ``mode`` is, in words: 'a folder', 'a FIFO', 'a character device', ..."""
    for test, words in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return words
    return "not a regular file"


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower() if error.errno != errno.ENOENT else "no such file"


# --- input --------------------------------------------------------------------------------------

def open_regular(path, limit: int | None, what: str = "") -> io.BufferedReader:
    """``path`` opened for reading, when it is a regular file of at most ``limit`` bytes (None: no limit).

    ``what`` names the file in messages (default: its path). Raises FileProblem naming the problem.
    """
    name = what or str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except OSError as error:
        raise FileProblem(f"cannot read {name}: {_reason(error)}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"cannot read {name}: it is {kind(info.st_mode)}, not a file")
        if limit is not None and info.st_size > limit:
            raise FileProblem(f"{name} is {info.st_size:,} bytes; at most {limit:,} are read")
        _blocking(descriptor)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_bytes(path, limit: int, what: str = "") -> bytes:
    """The contents of the regular file ``path``, refused (FileProblem) beyond ``limit`` bytes."""
    name = what or str(path)
    with open_regular(path, limit, what) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise FileProblem(f"cannot read {name}: {_reason(error)}") from None
    if len(data) > limit:
        raise FileProblem(f"{name} is more than {limit:,} bytes; at most {limit:,} are read")
    return data


def read_stream(stream, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of an open stream (standard input), refused (FileProblem) when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(f"{what} is more than {limit:,} bytes; at most {limit:,} are read")
    return data


def is_regular(path) -> bool:
    """Whether ``path`` (links followed) is a regular file; False for anything else or nothing."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


# --- output -------------------------------------------------------------------------------------

def check_output(path) -> None:
    """Raise FileProblem, before any work, when ``-o path`` could not be written."""
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileProblem(f"cannot write {path}: {_reason(error)}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"cannot write {path}: it is a folder")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            if not os.access(target, os.W_OK):
                raise FileProblem(f"cannot write {path}: permission denied")
            return
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"cannot write {path}: it is {kind(info.st_mode)}")
    parent = target.parent
    if not parent.is_dir():
        raise FileProblem(f"cannot write {path}: folder {Path(path).parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (info is not None and not os.access(target, os.W_OK)):
        raise FileProblem(f"cannot write {path}: permission denied")


def write_output(path, data: bytes) -> None:
    """Write ``data`` to ``path`` as ``-o`` promises (see the module's notes); FileProblem when it cannot."""
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileProblem(f"cannot write {path}: {_reason(error)}") from None
    if info is not None and stat.S_ISCHR(info.st_mode):
        _write_into(path, target, data, os.O_WRONLY)
    elif info is not None and stat.S_ISFIFO(info.st_mode):
        _write_into(path, target, data, os.O_WRONLY | _NONBLOCK)
    elif info is not None and not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"cannot write {path}: it is {kind(info.st_mode)}")
    else:
        _replace(path, target, data, None if info is None else stat.S_IMODE(info.st_mode))


def _write_into(shown, target: str, data: bytes, flags: int) -> None:
    """Write into a device or FIFO (opened without truncating, never replaced)."""
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            descriptor = os.open(target, flags | _CLOEXEC)
            break
        except OSError as error:
            if error.errno == errno.ENXIO and time.monotonic() < deadline:
                time.sleep(0.05)                         # a FIFO nobody reads yet: wait a little for a reader
                continue
            if error.errno == errno.ENXIO:
                raise FileProblem(f"cannot write {shown}: it is a FIFO and no process opened it for reading "
                                  f"within {FIFO_WAIT:g} s") from None
            raise FileProblem(f"cannot write {shown}: {_reason(error)}") from None
    try:
        _blocking(descriptor)
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
    except OSError as error:
        raise FileProblem(f"cannot write {shown}: {_reason(error)}") from None
    finally:
        os.close(descriptor)


def _replace(shown, target: str, data: bytes, mode: int | None) -> None:
    """Replace the regular file ``target`` (or make it) atomically: a temporary file beside it, then a rename."""
    folder = os.path.dirname(target) or "."
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", dir=folder)
    except OSError as error:
        raise FileProblem(f"cannot write {shown}: {_reason(error)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask                      # like an ordinary new file, not mkstemp's 0600
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        _discard(temporary)
        raise FileProblem(f"cannot write {shown}: {_reason(error)}") from None
    except BaseException:
        _discard(temporary)
        raise


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["FileProblem", "open_regular", "read_bytes", "read_stream", "is_regular", "check_output",
           "write_output", "kind", "FIFO_WAIT"]
