"""Reading what the sandboxed harness sends: JSON lines and .npy arrays, never a pickle, every size checked.

The child is untrusted (the submission runs in it and may write to the channel itself), so:

* a message line is at most :data:`MAX_LINE` bytes of JSON that must decode to an object;
* an array is the .npy format only: its header is parsed (:func:`numpy.lib.format.read_array_header_1_0`,
  no pickle), its dtype must be little-endian float64 with at most two dimensions, and its length must be
  exactly the header's shape times 8 bytes, checked before anything is allocated;
* the whole stream is capped at :data:`MAX_STREAM` bytes.

Anything else is a :class:`ChannelError`, and the parent stops the child.
"""
from __future__ import annotations

import io
import json

import numpy as np

MAX_LINE = 1 << 20
MAX_ARRAY = 64 << 20
MAX_STREAM = 512 << 20
MAX_ARRAYS = 4


class ChannelError(ValueError):
    """The child's stream is not what the harness writes."""


def read_npy(blob: bytes) -> np.ndarray:
    """A float64 array from .npy bytes, checked: no pickle, no object dtype, the length the header promises."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ChannelError(f"unexpected .npy version {version}")
    except ChannelError:
        raise
    except Exception as error:  # noqa: BLE001 - any malformed header
        raise ChannelError(f"malformed .npy header ({error})") from None
    if dtype != np.dtype("<f8"):
        raise ChannelError(f"array of {dtype}, not float64")
    if not isinstance(shape, tuple) or len(shape) > 2 or any(not isinstance(s, int) or s < 0 for s in shape):
        raise ChannelError(f"array of shape {shape}")
    count = 1
    for size in shape:
        count *= size
    offset = stream.tell()
    if len(blob) - offset != count * 8:
        raise ChannelError(f"array of shape {shape} with {len(blob) - offset} bytes of data")
    array = np.frombuffer(blob, dtype="<f8", count=count, offset=offset)
    return (array.reshape(shape[::-1]).T if fortran else array.reshape(shape)).astype(np.float64, copy=True)


class Reader:
    """Messages parsed from the bytes the child writes, as they arrive."""

    def __init__(self):
        self.buffer = bytearray()
        self.total = 0
        self.pending = None           # a message waiting for its arrays: (message, [lengths])
        self.error: ChannelError | None = None

    def feed(self, data: bytes) -> list:
        """The complete messages in ``data`` and what came before it: (message, [arrays]) pairs. When the stream
        goes wrong, the messages before the fault are returned and ``self.error`` holds the fault (read no more)."""
        found = []
        try:
            self._feed(data, found)
        except ChannelError as error:
            self.error = error
        return found

    def _feed(self, data: bytes, found: list) -> None:
        self.total += len(data)
        if self.total > MAX_STREAM:
            raise ChannelError(f"more than {MAX_STREAM >> 20} MB from the sandbox")
        self.buffer += data
        while True:
            if self.pending is None:
                end = self.buffer.find(b"\n")
                if end < 0:
                    if len(self.buffer) > MAX_LINE:
                        raise ChannelError("a message line longer than 1 MB")
                    return
                if end > MAX_LINE:
                    raise ChannelError("a message line longer than 1 MB")
                line = bytes(self.buffer[:end])
                del self.buffer[:end + 1]
                try:
                    message = json.loads(line)
                except (ValueError, UnicodeDecodeError):
                    raise ChannelError("a message that is not JSON") from None
                if not isinstance(message, dict):
                    raise ChannelError("a message that is not a JSON object")
                lengths = message.get("arrays", [])
                if not isinstance(lengths, list) or len(lengths) > MAX_ARRAYS or \
                        any(not isinstance(n, int) or not 0 < n <= MAX_ARRAY for n in lengths):
                    raise ChannelError("a message announcing arrays of impossible sizes")
                self.pending = (message, lengths)
            message, lengths = self.pending
            needed = sum(lengths)
            if len(self.buffer) < needed:
                return
            arrays, start = [], 0
            for length in lengths:
                arrays.append(read_npy(bytes(self.buffer[start:start + length])))
                start += length
            del self.buffer[:needed]
            self.pending = None
            found.append((message, arrays))
