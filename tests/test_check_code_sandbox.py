"""The sandbox of derive check-code: a hostile submission per limit gets "error" with its reason, the others are graded.

Each file in tests/data/check_code/hostile/ has a hostile svm_loss_naive and a correct svm_loss_vectorized
(at_import.py is hostile while loading). They run under bubblewrap and, again, with resource limits and the
harness's audit hook alone (--no-bwrap); in both, nothing may reach the host: the markers they try to leave
under /tmp must not appear. The hostile actions aim at this machine only (a socket to 127.0.0.1).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derivations.checkcode import batch
from derivations.checkcode.grade import Grader, Settings
from derivations.checkcode.sandbox import Limits, bwrap_arguments, detect, environment

DATA = Path(__file__).parent / "data" / "check_code" / "hostile"
MARKERS = ("/tmp/derive_check_code_test_marker_system", "/tmp/derive_check_code_test_marker_subprocess",
           "/tmp/derive_check_code_test_marker_write", "/tmp/derive_check_code_test_marker_ctypes",
           "/tmp/derive_check_code_test_marker_import")
REASONS = {
    "loop_forever.py": "took longer than 3 s",
    "memory_20gb.py": "ran out of memory",
    "fork.py": "forked a process",
    "os_system.py": "called os.system",
    "subprocess_run.py": "started a subprocess",
    "socket_open.py": "opened a network socket",
    "write_outside.py": "wrote a file outside its working directory",
    "huge_file.py": "wrote a file larger than the sandbox allows (16 MB)",
    "exits.py": "ended its own process in the middle of a call (exit status 3)",
    "kills_parent.py": "sent a signal to a process",
    "ctypes_system.py": "through ctypes",
    "raises_limits.py": "changed its resource limits",
    "pipe_forgery.py": "broke the harness's channel",
}
HAS_BWRAP = detect().bwrap is not None


def test_bubblewrap_in_ci():
    """CI installs bubblewrap (.ci/run): there the sandbox must be in force, not silently the fallback."""
    if not os.environ.get("CI"):
        pytest.skip("outside CI the machine may lack bubblewrap")
    assert detect().kind == "bubblewrap", detect().reason


@pytest.fixture(scope="module", params=["bubblewrap", "rlimits"])
def hostile(request):
    if request.param == "bubblewrap" and not HAS_BWRAP:
        pytest.skip("bubblewrap is not available here")
    for marker in MARKERS:
        if os.path.exists(marker):
            os.unlink(marker)
    settings = Settings("svm", limits=Limits(timeout=3), allow_bwrap=request.param == "bubblewrap")
    with Grader(settings) as grader:
        assert grader.isolation.kind == request.param
        results = batch.grade_all(grader, batch.find_submissions([DATA]), jobs=2)
        description = grader.describe_isolation()
    left = [marker for marker in MARKERS if os.path.exists(marker)]
    return request.param, {r.name: r for r in results}, description, left


def test_each_limit_gives_error_with_reason(hostile):
    _, results, _, _ = hostile
    wrong = {}
    for name, words in REASONS.items():
        naive = results[name].functions[0]
        if naive.verdict != "error" or words not in (naive.reason or ""):
            wrong[name] = (naive.verdict, naive.reason)
    assert not wrong


def test_the_other_function_is_graded(hostile):
    _, results, _, _ = hostile
    assert {name: r.functions[1].verdict for name, r in results.items() if name in REASONS} == \
        {name: "correct" for name in REASONS}


def test_hostile_while_loading(hostile):
    _, results, _, _ = hostile
    result = results["at_import.py"]
    assert "called os.system" in result.error
    assert [f.verdict for f in result.functions] == ["error", "error"]


def test_nothing_reaches_the_host(hostile):
    _, _, _, left = hostile
    assert left == []


def test_isolation_is_said(hostile):
    kind, results, description, _ = hostile
    if kind == "bubblewrap":
        assert description.startswith("bubblewrap: no network")
    else:
        assert description.startswith("resource limits only")
        assert "container" in description
    assert all(r.isolation == description for r in results.values())


@pytest.mark.skipif(not HAS_BWRAP, reason="bubblewrap is not available here")
def test_bubblewrap_holds_without_the_audit_hook(tmp_path):
    """The namespaces and limits alone (no harness, no hook): no network, a read-only file system, no fork."""
    isolation = detect()
    script = tmp_path / "probe.py"
    script.write_text('''
import json, os, resource, socket
found = {}
if os.getuid() == 0:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1); found["network"] = "open"
except OSError as error:
    found["network"] = error.errno
for path in ("/usr/derive_probe", "/etc/derive_probe", "derive_probe"):
    try:
        open(path, "w").close(); found[path] = "written"
    except OSError as error:
        found[path] = error.errno
try:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    found["fork"] = "forked"
except OSError as error:
    found["fork"] = error.errno
found["sees_tests"] = os.path.exists(%r)
print(json.dumps(found))
''' % str(Path(__file__).resolve()))
    os.chmod(tmp_path, 0o755)
    os.chmod(script, 0o644)
    args = bwrap_arguments(isolation.bwrap, isolation.read_only, [(str(script), "/sandbox/probe.py")], 8,
                           environment("/sandbox/work"), root=os.geteuid() == 0)
    run = subprocess.run(args + [sys.executable, "-I", "/sandbox/probe.py"], capture_output=True, timeout=60)
    found = json.loads(run.stdout)
    assert found["network"] != "open"
    assert found["/usr/derive_probe"] != "written" and found["/etc/derive_probe"] != "written"
    assert found["derive_probe"] == "written"                 # its own working directory
    assert found["fork"] != "forked"
    assert found["sees_tests"] is False                       # the repository is not in its file system
