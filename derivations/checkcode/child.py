"""The harness that runs one submission inside the sandbox: ``python -I child.py SPEC_JSON``.

It is a standalone script (the standard library and NumPy only; it is never imported by the
package) and the one trusted piece of code in the sandbox. In order:

1. keep a private copy of stdout as the channel to the parent, and point fd 1 at fd 2 (the
   submission's prints go to the log); close stdin;
2. import NumPy (one BLAS thread) and read the inputs (.npy files, ``allow_pickle=False``) and the
   submission's source, while it may still read them;
3. drop privileges where it runs as root (setgid, setuid to the spec's user), forbid new processes
   (RLIMIT_NPROC = 0), ignore SIGXFSZ (an oversized write raises instead of killing), and install
   an audit hook that refuses, and reports at once, what a loss function never needs: os.system,
   subprocesses, fork and exec, sockets, signals to other processes, native libraries through
   ctypes, and writing or changing files outside the working directory;
4. execute the submission as module ``submission`` and run the calls of the spec, announcing each
   before it starts (so the parent can stop one that runs too long) and sending its results.

Messages are lines of JSON; one that carries arrays is followed by them as .npy bytes (float64,
little-endian), their lengths in the line. The parent reads them without unpickling anything.
"""
import io
import json
import linecache
import os
import resource
import signal
import sys
import time
import traceback
import types

_clock = time.perf_counter
_write = os.write
_CHANNEL = None
_VIOLATIONS = []


def send(message, arrays=()):
    """One message, and its arrays as .npy bytes (the lengths are in the message)."""
    import numpy as np
    blobs = []
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array, dtype="<f8"), allow_pickle=False)
        blobs.append(buffer.getvalue())
    if blobs:
        message = dict(message, arrays=[len(b) for b in blobs])
    data = json.dumps(message, allow_nan=True).encode() + b"\n" + b"".join(blobs)
    view = memoryview(data)
    while view:
        written = _write(_CHANNEL, view)
        view = view[written:]


# --- what the sandbox refuses -------------------------------------------------------------------------

_PROCESS_EVENTS = {
    "os.system": "called os.system",
    "subprocess.Popen": "started a subprocess",
    "os.fork": "forked a process",
    "os.forkpty": "forked a process",
    "os.exec": "replaced itself with another program (os.exec*)",
    "os.posix_spawn": "started a process (posix_spawn)",
    "os.spawn": "started a process (os.spawn*)",
    "pty.spawn": "started a process (pty.spawn)",
    "os.kill": "sent a signal to a process",
    "os.killpg": "sent a signal to a process group",
    "signal.pthread_kill": "sent a signal to a thread",
    "ctypes.dlopen": "loaded a native library through ctypes",
    "ctypes.dlsym": "looked up a native function through ctypes",
    "ctypes.call_function": "called a native function through ctypes",
    "resource.setrlimit": "changed its resource limits",
    "resource.prlimit": "changed resource limits",
}
_SOCKET_EVENTS = ("socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                  "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.gethostname")
_PATH_EVENTS = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.link",
                "os.symlink", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile",
                "os.chflags", "os.lchflags", "os.mkfifo", "os.mknod", "os.setxattr", "os.removexattr")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxViolation(PermissionError):
    """An operation the sandbox refuses."""


def _outside(path, home) -> bool:
    if isinstance(path, int) or path is None:
        return False
    try:
        path = os.fsdecode(path)
        full = os.path.realpath(os.path.join(os.getcwd() if not os.path.isabs(path) else "", path))
    except (TypeError, ValueError, OSError):
        return True
    return not (full == home or full.startswith(home + os.sep))


def _refuse(reason, detail=""):
    _VIOLATIONS.append(reason)
    try:
        send({"event": "violation", "reason": reason, "detail": str(detail)[:200]})
    except OSError:
        pass
    raise SandboxViolation(f"not allowed in the sandbox: {reason}")


def _make_hook(home):
    def hook(event, args):
        if event in _PROCESS_EVENTS:
            _refuse(_PROCESS_EVENTS[event], args[0] if args else "")
        elif event.startswith("socket.") and event in _SOCKET_EVENTS:
            _refuse("opened a network socket", event)
        elif event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                      (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing and _outside(path, home):
                _refuse("wrote a file outside its working directory", path)
        elif event in _PATH_EVENTS:
            for path in args[:2]:
                if isinstance(path, (str, bytes, os.PathLike)) and _outside(path, home):
                    _refuse("changed the file system outside its working directory", path)
    return hook


# --- running -------------------------------------------------------------------------------------------

def _address_space():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limits(spec):
    """CPU time, memory (beyond what is taken now), file size; drop root (where the spec names a user), then
    forbid new processes; report what is in force."""
    cpu = int(spec["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = int(spec["file_mb"]) << 20
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    try:
        memory = _address_space() + (int(spec["memory_mb"]) << 20)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (OSError, ValueError):
        pass
    dropped = None
    if spec.get("uid") is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
        dropped = spec["uid"]
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    in_force = {name: resource.getrlimit(getattr(resource, name))[1]
                for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NPROC")}
    return {"uid": os.getuid(), "dropped_to": dropped, "limits": in_force}


def _shim_past():
    """CS231n's files start ``from past.builtins import xrange``: provide it where the future package is missing."""
    import importlib.util
    if importlib.util.find_spec("past") is not None:
        return
    past = types.ModuleType("past")
    builtins = types.ModuleType("past.builtins")
    builtins.xrange = range
    builtins.basestring = str
    builtins.unicode = str
    builtins.long = int
    past.builtins = builtins
    sys.modules["past"] = past
    sys.modules["past.builtins"] = builtins


def _where(error, path):
    """The innermost line of the submission in the traceback of ``error``: (line number, the code), or None."""
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == path:
            found = (frame.lineno, (frame.line or "").strip()[:200])
    return found


def _describe(error, path):
    kind = type(error).__name__
    message = str(error)[:500]
    where = _where(error, path)
    if isinstance(error, SyntaxError) and error.lineno:
        where = (error.lineno, (error.text or "").strip()[:200])
        message = str(error.msg)[:500]
    return {"type": kind, "message": message, "line": where[0] if where else None,
            "code": where[1] if where else None, "memory": isinstance(error, MemoryError),
            "violation": isinstance(error, SandboxViolation),
            "file_too_large": isinstance(error, OSError) and getattr(error, "errno", None) == 27}


def _as_outputs(value, np):
    """(loss, dW) as float64 arrays, or a description of what is wrong with the returned value."""
    if not isinstance(value, tuple) or len(value) != 2:
        what = type(value).__name__ + (f" of {len(value)}" if isinstance(value, (tuple, list)) else "")
        return None, f"returned a {what}, not the pair (loss, dW)"
    loss, grad = value
    try:
        loss_array = np.asarray(loss)
        if loss_array.dtype.kind not in "fiub" or loss_array.size != 1:
            return None, f"the loss is {type(loss).__name__} of shape {loss_array.shape}, not one number"
        grad_array = np.asarray(grad)
        if grad_array.dtype.kind not in "fiub":
            return None, f"dW is a {type(grad).__name__} of {grad_array.dtype}, not an array of numbers"
        if grad_array.ndim > 2:
            return None, f"dW has {grad_array.ndim} dimensions (shape {grad_array.shape})"
        return (np.asarray(loss_array, dtype="<f8").reshape(1), np.asarray(grad_array, dtype="<f8"),
                str(grad_array.dtype), type(grad).__name__), None
    except Exception as error:  # noqa: BLE001 - whatever the returned objects do
        return None, f"the returned values cannot be read as numbers ({type(error).__name__}: {str(error)[:200]})"


def _call(function, data, name, delta, np):
    X, y, W, reg = data[name]
    args = (W.copy(), X.copy(), y.copy(), reg)
    kwargs = {} if delta is None else {"delta": delta}
    start = _clock()
    value = function(*args, **kwargs)
    seconds = _clock() - start
    changed = [label for label, before, after in (("W", W, args[0]), ("X", X, args[1]), ("y", y, args[2]))
               if isinstance(after, np.ndarray) and (after.shape != before.shape or not np.array_equal(after, before))]
    return value, seconds, changed


def run_call(call, module, data, np, path):
    """One call of the spec: grade (one run), gradcheck (W +- h at every entry) or time (repeated runs)."""
    function = getattr(module, call["function"], None)
    if not callable(function):
        send({"event": "result", "id": call["id"], "status": "missing"})
        return
    delta = call.get("delta")
    if delta is not None and not _accepts_delta(function):
        send({"event": "result", "id": call["id"], "status": "skipped", "why": "takes no delta argument"})
        return
    before = len(_VIOLATIONS)
    try:
        if call["kind"] == "grade":
            value, seconds, changed = _call(function, data, call["input"], delta, np)
            outputs, problem = _as_outputs(value, np)
            if problem:
                send({"event": "result", "id": call["id"], "status": "bad-return", "why": problem, "seconds": seconds,
                      "violations": _VIOLATIONS[before:]})
                return
            loss, grad, dtype, kind = outputs
            send({"event": "result", "id": call["id"], "status": "ok", "seconds": seconds, "dtype": dtype,
                  "type": kind, "changed": changed, "violations": _VIOLATIONS[before:]}, (loss, grad))
        elif call["kind"] == "gradcheck":
            X, y, W, reg = data[call["input"]]
            h = float(call["h"])
            plus, minus = np.zeros(W.shape), np.zeros(W.shape)
            kwargs = {} if delta is None else {"delta": delta}
            seconds = 0.0
            for index in np.ndindex(*W.shape):
                for sign, store in ((1.0, plus), (-1.0, minus)):
                    moved = W.copy()
                    moved[index] += sign * h
                    start = _clock()
                    value = function(moved, X.copy(), y.copy(), reg, **kwargs)
                    seconds += _clock() - start
                    store[index] = float(np.asarray(value[0]).reshape(-1)[0])
            send({"event": "result", "id": call["id"], "status": "ok", "seconds": seconds,
                  "violations": _VIOLATIONS[before:]}, (plus, minus))
        elif call["kind"] == "time":
            times = []
            budget = float(call.get("budget", 1.0))
            spent = 0.0
            for _ in range(int(call.get("repeat", 3))):
                _, seconds, _ = _call(function, data, call["input"], delta, np)
                times.append(seconds)
                spent += seconds
                if spent > budget:
                    break
            send({"event": "result", "id": call["id"], "status": "ok", "times": times,
                  "violations": _VIOLATIONS[before:]})
    except BaseException as error:  # noqa: BLE001 - the submission's exception, whatever it is
        if isinstance(error, KeyboardInterrupt):
            raise
        send({"event": "result", "id": call["id"], "status": "exception", "error": _describe(error, path),
              "violations": _VIOLATIONS[before:]})


def _accepts_delta(function):
    import inspect
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return "delta" in parameters


def _functions(module, names):
    import inspect
    found = {}
    for name in names:
        function = getattr(module, name, None)
        info = {"found": function is not None, "callable": callable(function)}
        if callable(function):
            try:
                info["parameters"] = list(inspect.signature(function).parameters)[:20]
            except (TypeError, ValueError):
                info["parameters"] = None
            info["accepts_delta"] = _accepts_delta(function)
        found[name] = info
    return found


def main(argv):
    global _CHANNEL
    spec = json.loads(argv[1])
    _CHANNEL = os.dup(1)
    os.dup2(2, 1)
    try:
        os.close(0)
    except OSError:
        pass
    sys.stdin = None
    sys.dont_write_bytecode = True
    started = _clock()
    import numpy as np
    data = {}
    for name, item in spec["inputs"].items():
        folder = spec["input_folder"]
        arrays = [np.load(os.path.join(folder, f"{name}.{part}.npy"), allow_pickle=False) for part in ("X", "y", "W")]
        data[name] = (*arrays, float(item["reg"]))
    path = spec["submission"]
    with open(path, "rb") as stream:
        source = stream.read()
    text = source.decode("utf-8", errors="replace")
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    home = os.path.realpath(os.getcwd())
    facts = _limits(spec)
    _shim_past()
    sys.addaudithook(_make_hook(home))
    send({"event": "ready", "seconds": _clock() - started, **facts})
    module = types.ModuleType("submission")
    module.__file__ = path
    sys.modules["submission"] = module
    sys.path.insert(0, os.path.dirname(path))
    start = _clock()
    try:
        exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - the sandbox's one job
    except BaseException as error:  # noqa: BLE001 - a submission that fails to load, however it fails
        if isinstance(error, KeyboardInterrupt):
            raise
        send({"event": "import-error", "error": _describe(error, path), "violations": list(_VIOLATIONS)})
        return 0
    send({"event": "imported", "seconds": _clock() - start, "functions": _functions(module, spec["functions"]),
          "violations": list(_VIOLATIONS)})
    for call in spec["calls"]:
        send({"event": "start", "id": call["id"]})
        run_call(call, module, data, np, path)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a stream the submission replaced or closed
            pass
    send({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
