"""Running one submission in its own process, isolated as far as the machine allows.

Every submission runs as ``python -I child.py SPEC`` (:mod:`.child`): isolated mode (no user site,
no PYTHON* variables, no script folder on the path), a fresh temporary directory as its working
directory, a minimal environment (PATH, HOME and TMPDIR in that directory, one BLAS thread), stdin
closed. The harness sets the resource limits itself, before the submission's first line runs:
RLIMIT_CPU (the CPU seconds of all its functions), RLIMIT_AS (``memory_mb`` beyond what Python,
NumPy and the inputs take), RLIMIT_FSIZE (``file_mb``) and RLIMIT_NPROC = 0 (no new process or
thread), after dropping root to an unprivileged user where it starts as root (RLIMIT_NPROC does not
bind root).

Where Debian's bubblewrap (``bwrap``) works, the process runs inside it too: new network, PID, IPC
and UTS namespaces (no network at all, no other process visible), and a file system of its own in
which only what Python and NumPy need is mounted, read-only (``/usr``, ``/etc``, the Python
installation), the inputs and the submission read-only, and the working directory a size-capped
tmpfs. :func:`detect` finds out at run time which isolation is in force (a trial run of the
sandbox), and :meth:`Isolation.describe` says it in the report; without bwrap the limits and the
harness's audit hook are all there is, and the report says so. A hosted autograder (Gradescope)
runs each submission in its own container, which is the boundary there.

The parent enforces the time: ``timeout`` seconds of wall time for each function (all its calls
together) and for loading the file; a child past it is killed, the function it was running gets
"error", and the calls of the other functions go on in a new child.
"""
from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .channel import Reader

HARNESS = Path(__file__).resolve().parent / "child.py"
SANDBOX_ROOT = "/sandbox"
STARTUP_SECONDS = 60.0
LOG_TAIL = 2000
SIGNALS = {signal.SIGXCPU: "used more CPU time than the sandbox allows", signal.SIGXFSZ: "wrote a file larger "
           "than the sandbox allows", signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGABRT: "aborted",
           signal.SIGKILL: "was killed", signal.SIGBUS: "crashed (bus error)", signal.SIGFPE: "crashed "
           "(floating-point exception)"}


@dataclass(frozen=True)
class Limits:
    """What one submission may use."""

    timeout: float = 20.0          # wall seconds for each function (all its calls), and for loading the file
    memory_mb: int = 2048          # address space beyond Python, NumPy and the inputs
    file_mb: int = 16              # the largest file it may write
    workdir_mb: int = 64           # its working directory (a tmpfs, under bubblewrap)

    def cpu_seconds(self, functions: int) -> int:
        return int(self.timeout * (functions + 1)) + 10


@dataclass(frozen=True)
class Isolation:
    """The isolation in force: bubblewrap (and how it was invoked) or resource limits alone, and as whom."""

    bwrap: str | None
    user: tuple | None             # (uid, gid) the submission runs as, when this process is root
    reason: str = ""               # why bubblewrap is not used
    read_only: tuple = ()          # host paths mounted read-only under bubblewrap

    @property
    def kind(self) -> str:
        return "bubblewrap" if self.bwrap else "rlimits"

    def describe(self, limits: Limits) -> str:
        """One sentence for the report: which isolation was in force."""
        bounds = (f"CPU time (RLIMIT_CPU), memory {limits.memory_mb} MB beyond Python and NumPy (RLIMIT_AS), files "
                  f"{limits.file_mb} MB (RLIMIT_FSIZE), no new processes (RLIMIT_NPROC = 0"
                  + (f", as uid {self.user[0]}" if self.user else "") + f"), {limits.timeout:g} s of wall time for "
                  "each function")
        if self.bwrap:
            return (f"bubblewrap: no network, no other process visible, a read-only file system but for a "
                    f"{limits.workdir_mb} MB working directory; and limits: {bounds}.")
        unbound = "" if self.user else " (running as root without a user to switch to, RLIMIT_NPROC does not bind)"
        return (f"resource limits only ({self.reason}): {bounds}{unbound}; network and file system are not "
                "isolated beyond the harness's audit hook, which refuses sockets, processes and writes outside the "
                "working directory. A hosted autograder runs each submission in its own container.")

    def to_dict(self, limits: Limits) -> dict:
        return {"kind": self.kind, "description": self.describe(limits), "uid": self.user[0] if self.user else None,
                "bwrap_unavailable": self.reason or None,
                "limits": {"timeout_s": limits.timeout, "memory_mb": limits.memory_mb, "file_mb": limits.file_mb,
                           "workdir_mb": limits.workdir_mb}}


# --- what the sandbox needs to see ---------------------------------------------------------------------

def _numpy_folder() -> str | None:
    import importlib.util
    spec = importlib.util.find_spec("numpy")
    return str(Path(spec.origin).resolve().parent.parent) if spec and spec.origin else None


def _read_only_paths() -> tuple:
    """Host folders the sandbox mounts read-only: the system's, and Python's with NumPy's."""
    wanted = ["/usr", "/bin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"]
    python = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              str(Path(sys.executable).resolve().parent.parent), _numpy_folder()]
    found = []
    for path in wanted + [p for p in python if p]:
        if os.path.exists(path) and path not in found:
            found.append(path)
    python_only = [p for p in found if p not in wanted]
    # a Python folder inside another one (a venv's site-packages under its prefix) needs no mount of its own
    kept = [p for p in found if p in wanted or not any(p != q and p.startswith(q.rstrip("/") + "/")
                                                        for q in python_only)]
    return tuple(kept)


def _unprivileged() -> tuple | None:
    """(uid, gid) to switch to when this process is root: nobody's."""
    if os.geteuid() != 0:
        return None
    try:
        import pwd
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return 65534, 65534


def _others_can_read(paths) -> bool:
    """Whether a user other than the owner can reach every folder on the way to ``paths``."""
    for raw in paths:
        path = Path(raw).resolve()
        for folder in [path, *path.parents]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            if not mode & stat.S_IXOTH:
                return False
    return True


def _ancestors(paths) -> list:
    """Every folder above ``paths`` that bubblewrap must create (made 0755, so the unprivileged user can pass)."""
    found = []
    for raw in paths:
        for parent in reversed(Path(raw).parents):
            text = str(parent)
            if text != "/" and text not in found and not any(text == p or text.startswith(p.rstrip("/") + "/")
                                                             for p in paths if p != raw):
                found.append(text)
    return [f for f in found if f not in paths]


def bwrap_arguments(bwrap: str, read_only: tuple, binds: list, workdir_mb: int, env: dict, root: bool) -> list:
    """The bubblewrap command line up to the program to run."""
    args = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev"]
    if not root:
        args.append("--unshare-user")
    mounted = list(read_only) + [target for _, target in binds] + [f"{SANDBOX_ROOT}/work"]
    for folder in _ancestors(mounted):
        args += ["--perms", "0755", "--dir", folder]
    for path in read_only:
        args += ["--ro-bind", path, path]
    for source, target in binds:
        args += ["--ro-bind", source, target]
    args += ["--perms", "1777", "--size", str(workdir_mb << 20), "--tmpfs", f"{SANDBOX_ROOT}/work",
             "--chdir", f"{SANDBOX_ROOT}/work", "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    if root:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args


def environment(home: str) -> dict:
    """The submission's whole environment."""
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


@lru_cache(maxsize=4)
def detect(allow_bwrap: bool = True) -> Isolation:
    """The isolation this machine gives: a trial run of bubblewrap importing NumPy, or why not."""
    user = _unprivileged()
    read_only = _read_only_paths()
    if not allow_bwrap:
        reason = "bubblewrap not used (--no-bwrap)"
    elif sys.platform != "linux":
        reason = "bubblewrap needs Linux"
    else:
        found = shutil.which("bwrap")
        if not found:
            reason = "bubblewrap (bwrap) is not installed"
        else:
            env = environment(f"{SANDBOX_ROOT}/work")
            args = bwrap_arguments(found, read_only, [], 8, env, root=user is not None)
            probe = [sys.executable, "-I", "-c", "import numpy, os, sys; os.getuid() == 0 and (os.setgid(%d), "
                     "os.setuid(%d)); import numpy.linalg; sys.exit(0)" % ((user or (0, 0))[1], (user or (0, 0))[0])]
            try:
                run = subprocess.run(args + probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
                if run.returncode == 0:
                    return Isolation(found, user, read_only=read_only)
                reason = "bubblewrap cannot run here: " + (run.stderr.decode(errors="replace").strip().splitlines()
                                                            or [f"exit status {run.returncode}"])[-1][:200]
            except (OSError, subprocess.TimeoutExpired) as error:
                reason = f"bubblewrap cannot run here: {error}"
    if user is not None and not _others_can_read([sys.prefix, sys.base_prefix, _numpy_folder() or sys.prefix]):
        user = None                          # the unprivileged user could not read Python itself
    return Isolation(None, user, reason)


# --- one run ------------------------------------------------------------------------------------------

@dataclass
class CallOutcome:
    """What became of one call: the harness's message and arrays, or why there is none."""

    message: dict | None = None
    arrays: list = field(default_factory=list)
    failure: str | None = None          # timeout, crash, a sandbox violation, stopped with its function
    seconds: float | None = None


@dataclass
class RunResult:
    """Everything one submission's runs produced."""

    ready: dict | None = None
    import_error: dict | None = None     # the harness's description of an exception while loading the file
    load_failure: str | None = None      # the file could not be loaded: timeout, crash, violation
    functions: dict = field(default_factory=dict)
    calls: dict = field(default_factory=dict)    # id -> CallOutcome
    violations: list = field(default_factory=list)
    log: str = ""
    processes: int = 0
    wall: float = 0.0
    own_seconds: float = 0.0             # the submission's own time: loading it and its calls, as the harness timed them


def _signal_words(code: int) -> str:
    if 0 < code < 128:
        return f"ended its own process in the middle of a call (exit status {code})"
    number = -code if code < 0 else code - 128
    try:
        known = signal.Signals(number)
    except ValueError:
        return f"ended with status {code}"
    return SIGNALS.get(known, f"was stopped by {known.name}")


class Sandbox:
    """Runs submissions: ``run(path, functions, calls, inputs)`` for each, in a fresh child each time."""

    def __init__(self, isolation: Isolation, limits: Limits, input_folder: str):
        self.isolation = isolation
        self.limits = limits
        self.input_folder = input_folder

    def _spec(self, submission: str, inputs: dict, functions: list, calls: list, folder: str) -> dict:
        user = self.isolation.user
        return {"submission": submission, "input_folder": folder, "inputs": inputs, "functions": functions,
                "calls": calls, "uid": user[0] if user else None, "gid": user[1] if user else None,
                "cpu_seconds": self.limits.cpu_seconds(len(functions)), "memory_mb": self.limits.memory_mb,
                "file_mb": self.limits.file_mb}

    def _command(self, spec: dict, private: Path, source_name: str) -> tuple:
        """(argv, environment, working directory) of one child."""
        if self.isolation.bwrap:
            inside = f"{SANDBOX_ROOT}/submission/{source_name}"
            spec = dict(spec, submission=inside, input_folder=f"{SANDBOX_ROOT}/inputs")
            binds = [(str(HARNESS), f"{SANDBOX_ROOT}/harness.py"), (self.input_folder, f"{SANDBOX_ROOT}/inputs"),
                     (str(private / "submission"), f"{SANDBOX_ROOT}/submission")]
            env = environment(f"{SANDBOX_ROOT}/work")
            args = bwrap_arguments(self.isolation.bwrap, self.isolation.read_only, binds, self.limits.workdir_mb,
                                   env, root=os.geteuid() == 0)
            return args + [sys.executable, "-I", f"{SANDBOX_ROOT}/harness.py", json.dumps(spec)], None, None
        work = private / "work"
        work.mkdir(exist_ok=True)
        if self.isolation.user:
            os.chown(work, *self.isolation.user)
        spec = dict(spec, submission=str(private / "submission" / source_name))
        return [sys.executable, "-I", str(HARNESS), json.dumps(spec)], environment(str(work)), str(work)

    def run(self, path: Path, functions: list, calls: list, inputs: dict) -> RunResult:
        """Run ``calls`` (dicts with id, function, kind, input, ...) of the submission at ``path``."""
        result = RunResult()
        started = time.perf_counter()
        private = Path(tempfile.mkdtemp(prefix="derive-check-code-"))
        try:
            os.chmod(private, 0o755)
            (private / "submission").mkdir(mode=0o755)
            source_name = source_file_name(path)
            shutil.copyfile(path, private / "submission" / source_name)
            os.chmod(private / "submission" / source_name, 0o644)
            remaining = list(calls)
            while True:
                result.processes += 1
                spec = self._spec("", inputs, functions, remaining, self.input_folder)
                todo = self._one_child(spec, private, source_name, result, remaining)
                if not todo or result.load_failure or result.import_error:
                    break
                remaining = todo
            for call in calls:
                result.calls.setdefault(call["id"], CallOutcome(failure="not run"))
        finally:
            shutil.rmtree(private, ignore_errors=True)
        result.wall = time.perf_counter() - started
        return result

    def _one_child(self, spec, private, source_name, result, calls) -> list:
        """Run one child over ``calls``; the calls still to run in a new child (of functions not stopped)."""
        argv, env, cwd = self._command(spec, private, source_name)
        log_path = private / f"log-{result.processes}"
        by_id = {call["id"]: call for call in calls}
        spent: dict = {}
        with open(log_path, "wb") as log:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env,
                                     cwd=cwd, start_new_session=True, close_fds=True)
        reader = Reader()
        phase, current, mark = "startup", None, time.perf_counter()
        stopped_reason = None
        done = False
        selector = selectors.DefaultSelector()
        selector.register(child.stdout, selectors.EVENT_READ)
        try:
            while True:
                now = time.perf_counter()
                if phase == "startup":
                    deadline = mark + max(STARTUP_SECONDS, self.limits.timeout)
                elif phase == "import":
                    deadline = mark + self.limits.timeout
                elif phase == "call":
                    function = by_id[current]["function"]
                    deadline = mark + self.limits.timeout - spent.get(function, 0.0)
                else:
                    deadline = now + max(STARTUP_SECONDS, self.limits.timeout)
                if now >= deadline:
                    stopped_reason = "timeout"
                    break
                if not selector.select(min(deadline - now, 1.0)):
                    continue
                data = os.read(child.stdout.fileno(), 1 << 16)
                if not data:
                    break
                messages = reader.feed(data)
                for message, arrays in messages:
                    event = message.get("event")
                    now = time.perf_counter()
                    if event == "ready":
                        if result.ready is None:
                            result.ready = message
                        phase, mark = "import", now
                    elif event == "violation":
                        reason = str(message.get("reason", "broke a sandbox rule"))[:200]
                        result.violations.append(reason)
                        if phase == "call" and current is not None:
                            outcome = result.calls.setdefault(current, CallOutcome())
                            outcome.failure = outcome.failure or f"violation: {reason}"
                    elif event == "import-error":
                        result.import_error = message.get("error") if isinstance(message.get("error"), dict) else {}
                        done = True
                    elif event == "imported":
                        result.own_seconds += float(message.get("seconds") or 0.0)
                        if isinstance(message.get("functions"), dict):
                            result.functions = message["functions"]
                        if message.get("violations"):
                            result.load_failure = "violation: " + str(message["violations"][0])[:200]
                        phase, mark = "idle", now
                    elif event == "start" and message.get("id") in by_id:
                        phase, current, mark = "call", message["id"], now
                    elif event == "result" and message.get("id") in by_id:
                        call_id = message["id"]
                        outcome = result.calls.setdefault(call_id, CallOutcome())
                        outcome.message, outcome.arrays = message, arrays
                        outcome.seconds = now - mark
                        function = by_id[call_id]["function"]
                        spent[function] = spent.get(function, 0.0) + (now - mark)
                        own = message.get("seconds")
                        own = sum(message.get("times") or []) if own is None else own
                        result.own_seconds += float(own or 0.0)
                        if message.get("violations") and not outcome.failure:
                            outcome.failure = "violation: " + str(message["violations"][0])[:200]
                        phase, current = "idle", None
                    elif event == "done":
                        done = True
                if reader.error is not None and not done:
                    stopped_reason = f"channel: {reader.error}"
                    break
                if done:
                    break
        finally:
            selector.close()
            try:                        # done or not, nothing more is wanted from it (nor its exit handlers)
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                code = child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                code = child.wait()
            child.stdout.close()
        result.log = _tail(log_path)
        if done:
            return []
        return self._after_stop(result, calls, phase, current, stopped_reason, code)

    def _after_stop(self, result, calls, phase, current, stopped_reason, code) -> list:
        """Record why a child stopped early; the calls of the other functions still to run."""
        if stopped_reason == "timeout":
            why = f"took longer than {self.limits.timeout:g} s" + (" to load" if phase == "import" else "")
        elif stopped_reason:
            why = f"broke the harness's channel ({stopped_reason[9:]})"
        elif code and code != 0:
            why = _signal_words(code)
        else:
            why = "ended without finishing (it may call exit() or os._exit())"
        if phase in ("startup", "import") or current is None and phase != "idle":
            result.load_failure = result.load_failure or why
            return []
        if current is None:                          # between calls: the child exited on its own
            finished = {cid for cid, outcome in result.calls.items() if outcome.message is not None}
            pending = [c for c in calls if c["id"] not in finished]
            if pending:
                outcome = result.calls.setdefault(pending[0]["id"], CallOutcome())
                outcome.failure = outcome.failure or why
                current = pending[0]["id"]
            else:
                return []
        stopped_function = next(c["function"] for c in calls if c["id"] == current)
        outcome = result.calls.setdefault(current, CallOutcome())
        if outcome.message is None:
            outcome.failure = outcome.failure if outcome.failure and outcome.failure.startswith("violation") else why
        finished = {cid for cid, o in result.calls.items() if o.message is not None or o.failure}
        todo = []
        for call in calls:
            if call["id"] in finished:
                continue
            if call["function"] == stopped_function:
                result.calls[call["id"]] = CallOutcome(failure=f"not run: the function {why}")
            else:
                todo.append(call)
        return todo


def source_file_name(path: Path) -> str:
    """The name the submission's file has in the sandbox: its own where that is a plain name, else submission.py."""
    name = Path(path).name
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}\.py", name):
        return name
    return "submission.py"


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(max(0, size - LOG_TAIL))
            return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
