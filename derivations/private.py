"""The private cache folder: files only this user wrote, authenticated with a per-user key.

Every cache of derive (verified reports, Jinja's compiled templates, lark's parser tables) lives here, as
files in a subfolder (``reports``, ``templates``, ``grammars``). Some of them are pickles or marshalled
code, so nothing is read that another user or a shared folder could have planted:

* The folder is ``$DERIVE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``
  (created with mode 0700). When it is owned by this user and nobody else may write to it, the caches go
  in it; when it is shared (another owner, or writable by the group or others, like /tmp), they go in a
  subfolder ``user-<uid>`` of it, mode 0700. Each subfolder is opened without following a symbolic link,
  checked to be owned by this user and tightened to 0700; every file operation is relative to the open
  folder (no path is looked up twice).
* A file is read only when it is a regular file (opened without following a link and without blocking,
  so a FIFO never hangs), owned by this user, readable by nobody else, and no larger than its limit.
* Its first line is ``hmac-sha256 <digest>``: HMAC-SHA256, under the key, of its subfolder, its name and
  its contents. A file whose digest does not check out (planted, edited with a plain SHA-256 recomputed,
  truncated, renamed) is ignored and rebuilt, so its contents are never unpickled or served.
* The key is 32 random bytes in the file ``key`` of the folder, mode 0600, created atomically (written
  under a temporary name, then hard-linked into place: a concurrent run either wins or reads the winner's).

Anything odd where an entry belongs (a link, a FIFO, a folder, a file of the wrong owner or mode) is
removed when the entry is written again. When the folder cannot be used, nothing is cached and
:func:`state` says why. This module imports nothing but the standard library.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

#: the subfolders, one per cache
SUBFOLDERS = ("reports", "templates", "grammars")
KEY_NAME = "key"
KEY_BYTES = 32
_HEADER = b"hmac-sha256 "
_HEADER_LENGTH = len(_HEADER) + 64 + 1             # the prefix, the hex digest, the newline
# (flags a platform lacks count as 0; without opening files relative to a folder the cache is not used)
_NOFOLLOW, _NONBLOCK, _CLOEXEC = (getattr(os, name, 0) for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC"))
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_READ = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
_SUPPORTED = _NOFOLLOW != 0 and {os.open, os.stat, os.mkdir, os.unlink, os.rmdir} <= os.supports_dir_fd


class Unusable(Exception):
    """The cache folder cannot be used safely (or at all): the message says why."""


def folder() -> Path:
    """The cache folder: $DERIVE_CACHE_DIR, else $XDG_CACHE_HOME/derive, else ~/.cache/derive."""
    explicit = os.environ.get("DERIVE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "derive"


def _uid() -> int:
    return os.geteuid()


# --- the folder --------------------------------------------------------------------------------

def _open_root() -> tuple[int, Path]:
    """A descriptor of the folder the caches go in (the cache folder, or its user-<uid> subfolder), and its path."""
    path = folder()
    if not _SUPPORTED:
        raise Unusable("this platform cannot open files relative to a folder without following links")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except OSError as error:
        raise Unusable(f"cannot open {path}: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if info.st_uid == _uid() and not info.st_mode & 0o022:
            return descriptor, path
        # a shared folder: this user's own private subfolder in it
        name = f"user-{_uid()}"
        own = _open_subfolder(descriptor, name, path, repair=False)
    except BaseException:
        os.close(descriptor)
        raise
    os.close(descriptor)
    return own, path / name


def _open_subfolder(parent: int, name: str, where: Path, repair: bool = True) -> int:
    """A descriptor of the private subfolder ``name`` (created 0700; owner and mode checked, never a link).

    With ``repair``, something else in its place (a file, a link, a FIFO) is removed first.
    """
    for attempt in (1, 2):
        try:
            os.mkdir(name, 0o700, dir_fd=parent)
        except FileExistsError:
            pass
        except OSError as error:
            raise Unusable(f"cannot create {where / name}: {error.strerror or error}") from None
        try:
            descriptor = os.open(name, _DIRECTORY | _NONBLOCK, dir_fd=parent)
            break
        except OSError as error:
            if not repair or attempt == 2:
                raise Unusable(f"{where / name} is not a folder of this user's ({error.strerror or error})") from None
            _remove(parent, name)
    info = os.fstat(descriptor)
    if info.st_uid != _uid():
        os.close(descriptor)
        raise Unusable(f"{where / name} belongs to user {info.st_uid}, not to this user ({_uid()})")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.fchmod(descriptor, 0o700)
    return descriptor


class _Open:
    """The private folder and, optionally, one of its subfolders, opened (a context manager)."""

    def __init__(self, subfolder: str | None = None):
        self.subfolder = subfolder
        self.root = self.here = None

    def __enter__(self):
        self.root, self.path = _open_root()
        if self.subfolder is None:
            self.here = self.root
            return self
        try:
            self.here = _open_subfolder(self.root, self.subfolder, self.path)
        except BaseException:
            os.close(self.root)
            raise
        self.path = self.path / self.subfolder
        return self

    def __exit__(self, *_):
        if self.here is not None and self.here != self.root:
            os.close(self.here)
        os.close(self.root)


def state() -> tuple[Path, str | None]:
    """Where the caches are kept, and why they are not used (None when they are)."""
    try:
        with _Open() as opened:
            return opened.path, None
    except Unusable as error:
        return folder(), str(error)


# --- reading and writing files --------------------------------------------------------------------

def _read(directory: int, name: str, limit: int) -> bytes | None:
    """The bytes of the regular file ``name`` (this user's, private, at most ``limit`` bytes), else None."""
    try:
        descriptor = os.open(name, _READ, dir_fd=directory)
    except OSError:
        return None                                   # missing, a link (ELOOP), unreadable
    try:
        info = os.fstat(descriptor)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != _uid() or info.st_mode & 0o077
                or info.st_size > limit):
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _write(directory: int, name: str, data: bytes) -> None:
    """Put ``data`` in the file ``name`` atomically (mode 0600): a new file beside it, then a rename."""
    temporary = f".{name}.{os.urandom(8).hex()}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600,
                         dir_fd=directory)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        try:
            info = os.stat(name, dir_fd=directory, follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                _remove(directory, name)              # a folder where the file belongs: rename cannot replace it
        except FileNotFoundError:
            pass
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        raise


def _remove(directory: int, name: str) -> None:
    """Remove ``name`` (a file, link, FIFO, or a whole folder) without following any link."""
    info = os.stat(name, dir_fd=directory, follow_symlinks=False)
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(name, dir_fd=directory)
        return
    # a folder, walked without recursion and without following links: empty it, then remove it
    stack = [(directory, name, None)]
    while stack:
        parent, child, descriptor = stack[-1]
        if descriptor is None:
            descriptor = os.open(child, _DIRECTORY | _NONBLOCK, dir_fd=parent)
            stack[-1] = (parent, child, descriptor)
        pending = None
        with os.scandir(descriptor) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending = entry.name
                    break
                os.unlink(entry.name, dir_fd=descriptor)
        if pending is not None:
            stack.append((descriptor, pending, None))
            continue
        os.close(descriptor)
        stack.pop()
        os.rmdir(child, dir_fd=parent)


# --- the key and the digests ----------------------------------------------------------------------

def _key(root: int) -> bytes:
    """The per-user secret: read from ``key`` (0600), or made and linked into place atomically."""
    for _ in range(3):
        secret = _read(root, KEY_NAME, KEY_BYTES)
        if secret is not None and len(secret) == KEY_BYTES:
            return secret
        try:
            os.stat(KEY_NAME, dir_fd=root, follow_symlinks=False)
            _remove(root, KEY_NAME)                    # there, but not a key of this user's: make a new one
        except FileNotFoundError:
            pass
        temporary = f".{KEY_NAME}.{os.urandom(8).hex()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                             0o600, dir_fd=root)
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(os.urandom(KEY_BYTES))
            try:
                os.link(temporary, KEY_NAME, src_dir_fd=root, dst_dir_fd=root, follow_symlinks=False)
            except FileExistsError:
                pass                                   # another run made it first: read theirs
        finally:
            os.unlink(temporary, dir_fd=root)
    raise Unusable("cannot make the cache's key")


def _digest(secret: bytes, subfolder: str, name: str, payload: bytes) -> bytes:
    message = hmac.new(secret, f"{subfolder}/{name}".encode("utf-8") + b"\0", hashlib.sha256)
    message.update(payload)
    return message.hexdigest().encode("ascii")


# --- what the caches use --------------------------------------------------------------------------

def load(subfolder: str, name: str, limit: int) -> bytes | None:
    """The contents stored under ``subfolder/name`` when they check out (see the module's notes), else None."""
    try:
        with _Open(subfolder) as opened:
            data = _read(opened.here, name, limit + _HEADER_LENGTH)
            if data is None or not data.startswith(_HEADER) or data[_HEADER_LENGTH - 1:_HEADER_LENGTH] != b"\n":
                return None
            payload = data[_HEADER_LENGTH:]
            expected = _digest(_key(opened.root), subfolder, name, payload)
            return payload if hmac.compare_digest(data[len(_HEADER):_HEADER_LENGTH - 1], expected) else None
    except (Unusable, OSError):
        return None


def store(subfolder: str, name: str, payload: bytes) -> bool:
    """Keep ``payload`` under ``subfolder/name``, authenticated; False (nothing left behind) when it cannot be."""
    try:
        with _Open(subfolder) as opened:
            digest = _digest(_key(opened.root), subfolder, name, payload)
            _write(opened.here, name, _HEADER + digest + b"\n" + payload)
            return True
    except (Unusable, OSError):
        return False


def files(subfolder: str, suffix: str = "") -> list[tuple[Path, int]]:
    """The regular files of a subfolder ending in ``suffix`` (temporary files left out), with their sizes.

    Links, FIFOs and folders are not counted and never followed; an unusable folder has none.
    """
    try:
        with _Open(subfolder) as opened:
            found = []
            with os.scandir(opened.here) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.name.endswith(suffix):
                        continue
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        found.append((opened.path / entry.name, info.st_size))
            return sorted(found)
    except (Unusable, OSError):
        return []


def _ours(name: str) -> bool:
    """Whether a name in the folder is derive's: a subfolder, the key (or its temporary), or where earlier
    versions kept compiled templates (jinja-*) and parser tables (grammar-*)."""
    return (name in SUBFOLDERS or name == KEY_NAME or name.startswith(f".{KEY_NAME}.") or name.startswith("jinja-")
            or name.startswith("grammar-"))


def clear() -> int:
    """Remove everything derive keeps in the folder (every subfolder, odd entries and all, and the key).

    Returns how many verified reports were removed. Other files a user keeps in their cache folder are left
    alone; in a shared folder only this user's subfolder is emptied.
    """
    removed = len(files("reports", ".json"))
    try:
        with _Open() as opened:
            with os.scandir(opened.root) as entries:
                names = [entry.name for entry in entries if _ours(entry.name)]
            for name in names:
                _remove(opened.root, name)
    except (Unusable, OSError):
        pass
    return removed


__all__ = ["folder", "state", "load", "store", "files", "clear", "Unusable", "SUBFOLDERS"]
