"""Reading the arrays of a ``--data`` file (.npz or .json) with every size checked before it is read.

* The file must be a regular file (a FIFO, device or folder is refused at once, see
  :mod:`derivations.files`) of at most :data:`MAX_NPZ_BYTES` (.npz) or :data:`MAX_JSON_BYTES` (.json).
* An .npz is read member by member, never whole: for each array asked for, the .npy header (shape,
  dtype) is read first and checked (real numbers only: no objects, which would be pickles, no complex
  numbers, dates, strings or records; at most :data:`MAX_ENTRIES` entries in all), and then exactly the
  bytes that header promises are read, so an archive that claims terabytes, or a small compressed
  member that unpacks to gigabytes, is refused before its data are unpacked.
* A JSON file is parsed with its nesting bounded (a file nested 100,000 deep is refused, not a crash)
  and numbers beyond float64 (a 400-digit integer) are refused by name.

Every problem is an InputError with one line naming the file and the array.
"""
from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np

from ..engine.inputs import InputError
from ..files import FileProblem, open_regular

#: an .npz file larger than this is not opened; a JSON file larger than this is not read
MAX_NPZ_BYTES = 2_000_000_000
MAX_JSON_BYTES = 256_000_000
#: entries of all the arrays read from one file together (50 million float64 numbers: 400 MB)
MAX_ENTRIES = 50_000_000
#: members an .npz may hold
MAX_MEMBERS = 64

#: the kinds of NumPy dtype that hold real numbers (bool, signed and unsigned integers, floats)
REAL_KINDS = "biuf"
_KIND_WORDS = {"c": "complex numbers", "M": "dates (datetime64)", "m": "time spans (timedelta64)",
               "U": "text (strings)", "S": "bytes (strings)", "V": "records (a structured array)",
               "O": "Python objects (a pickled object array)"}


def describe(dtype) -> str:
    """What an array of ``dtype`` holds, in words, for a message."""
    return _KIND_WORDS.get(np.dtype(dtype).kind, f"values of type {dtype}")


def read_arrays(path, names=("X", "y", "W")) -> dict:
    """The arrays ``names`` (those present) of the .npz or .json file ``path``; InputError names a problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".json"):
        raise InputError(f"--data must be a .npz or .json file holding {', '.join(names)}, not {path.name}")
    limit = MAX_NPZ_BYTES if suffix == ".npz" else MAX_JSON_BYTES
    try:
        stream = open_regular(path, limit, str(path))
    except FileProblem as error:
        raise InputError(str(error)) from None
    with stream:
        return _read_npz(stream, path.name, names) if suffix == ".npz" else _read_json(stream, path.name, limit)


def _read_npz(stream, name: str, names) -> dict:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise InputError(f"cannot read {name} as .npz: {_first_line(error)}") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(f"{name} holds {len(members)} arrays; at most {MAX_MEMBERS} are looked at")
        by_name = {member.filename: member for member in members}
        found, total = {}, 0
        for key in names:
            member = by_name.get(f"{key}.npy")
            if member is None:
                continue
            try:
                with archive.open(member) as data:
                    shape, fortran, dtype = _header(data, name, key)
                    entries = math.prod(shape)
                    total += entries
                    if total > MAX_ENTRIES:
                        raise InputError(f"{name}: {key} has shape {shape} ({entries:,} entries); at most "
                                         f"{MAX_ENTRIES:,} entries are read from one file")
                    array = np.empty(entries, dtype=dtype)          # exactly what the header promises
                    filled = _fill(data, memoryview(array.view(np.uint8)))
            except InputError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
                raise InputError(f"cannot read {key} from {name}: {_first_line(error)}") from None
            if filled != array.nbytes:
                raise InputError(f"{name}: {key} is truncated ({filled:,} of its {array.nbytes:,} bytes)")
            found[key] = array.reshape(shape, order="F" if fortran else "C")
        return found


def _fill(stream, buffer, chunk: int = 1 << 18) -> int:
    """Read from ``stream`` into ``buffer`` until it is full or the stream ends; the bytes read.

    In pieces of 256 KB (as np.load does): one read of the whole array would make and copy a bytes object
    as large as the array.
    """
    filled = 0
    while filled < len(buffer):
        count = stream.readinto(buffer[filled:filled + chunk])
        if not count:
            break
        filled += count
    return filled


def _header(data, name: str, key: str):
    """The shape, order and dtype of an .npy member, checked to hold real numbers, before any data is read."""
    try:
        version = np.lib.format.read_magic(data)
        reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if reader is None:
            raise InputError(f"{name}: {key} is an .npy of version {version[0]}.{version[1]}; save it with np.savez")
        shape, fortran, dtype = reader(data)
    except InputError:
        raise
    except (ValueError, OSError, EOFError, SyntaxError) as error:
        raise InputError(f"cannot read {key} from {name}: {_first_line(error)}") from None
    if dtype.hasobject or dtype.kind not in REAL_KINDS:
        raise InputError(f"{name}: {key} holds {describe(dtype)}; only real numbers are read (float or integer "
                         f"arrays)")
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise InputError(f"{name}: {key} has an impossible shape {shape}")
    return shape, fortran, dtype


def _read_json(stream, name: str, limit: int) -> dict:
    try:
        text = stream.read(limit + 1)
        if len(text) > limit:
            raise InputError(f"{name} is more than {limit:,} bytes; at most {limit:,} are read")
        data = json.loads(text.decode("utf-8"))
    except RecursionError:
        raise InputError(f"cannot read {name} as JSON: it is nested too deeply") from None
    except (UnicodeDecodeError, ValueError, OSError) as error:          # JSONDecodeError is a ValueError
        raise InputError(f"cannot read {name} as JSON: {_first_line(error)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{name} must hold an object with the arrays by name")
    return data


def real_array(value, name: str, shape_words: str) -> np.ndarray:
    """``value`` (an array, or lists from JSON) as float64, refused unless it holds real numbers only."""
    if isinstance(value, np.ndarray):
        raw = value
    else:
        if isinstance(value, list) and value and isinstance(value[0], list):
            widths = {len(row) if isinstance(row, list) else -1 for row in value}
            if len(widths) != 1:
                raise InputError(f"{name} has rows of different lengths; it must be {shape_words}")
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError, RecursionError):
            raise InputError(f"{name} must hold numbers, {shape_words}") from None
    if raw.dtype.kind == "O":                         # from JSON: integers too large for int64, or null, or nested
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw.flat):
            raise InputError(f"{name} must hold numbers only, {shape_words}")
        try:
            raw = raw.astype(np.float64)
        except OverflowError:
            raise InputError(f"{name} holds an integer beyond float64's range (about 1.8e308)") from None
    if raw.dtype.kind not in REAL_KINDS:
        raise InputError(f"{name} holds {describe(raw.dtype)}; it must hold real numbers, {shape_words}")
    return np.asarray(raw, dtype=np.float64)


def _first_line(error) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:120]


__all__ = ["read_arrays", "real_array", "describe", "MAX_ENTRIES", "MAX_JSON_BYTES", "MAX_NPZ_BYTES", "REAL_KINDS"]
