"""`derive serve` under load: simulated users on loopback, derivation pages and 10-line verifies.

Starts `derive serve --port 0` (a free port on 127.0.0.1; nothing else is ever addressed), waits for its
workers, and opens every derivation page once (they are then cached, as on a course's server after its
first visitors). Then, in one run:

1. the reference: one user, one request at a time (--reference requests of each kind): the median
   latency of a cached derivation page and of a 10-line verify;
2. the load: --users simulated users (threads, each with its own keep-alive connection), for --seconds,
   each in a loop: read a derivation page or check a 10-line derivation (half and half, seeded), then
   think for a while (uniform in --think MIN,MAX seconds; 0,0 for a closed loop with no pause).
   Every verify sends a text no one sent before (its first line names the user and the request), so
   none is answered from the server's cache of checked texts: each is checked, 10 lines, in a worker.

Prints, for each kind: requests, errors (a status other than 200, or a page without its verdicts),
median, 95th percentile and maximum latency, and the 95th percentile against the reference; the
targets (a cached page <= 100 ms p95, a 10-line verify <= 2 s p95); and the load average before and
after (the machine is shared: read the figures with it).

    python bench/serve.py [--users 20] [--seconds 60] [--think 1,3] [--workers 2]
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = ["/derive/svm-grad", "/derive/svm-grad?delta=2", "/derive/softmax-grad", "/derive/softmax-grad?scale=2",
         "/derive/softmax-jacobian", "/derive/bce-reduction", "/derive/logistic-grad", "/derive/compare",
         "/derive/diff", "/derive/backprop", "/derive/svm-grad?wrt=weights", "/derive/softmax-grad?wrt=batch"]

#: a derivation with 10 lines of maths (the gradient of the softmax loss and its worked example)
TEN_LINES = r"""% attempt {tag}
$$p_j = \frac{{e^{{s_j}}}}{{\sum_{{m=1}}^{{K}} e^{{s_m}}}}$$
$$L_i = -\log p_{{y_i}} = -s_{{y_i}} + \log \sum_{{m=1}}^{{K}} e^{{s_m}}$$
$$
\begin{{aligned}}
\frac{{\partial L_i}}{{\partial s_k}} &= -\frac{{\partial s_{{y_i}}}}{{\partial s_k}} + \frac{{1}}{{\sum_m e^{{s_m}}}} \frac{{\partial}}{{\partial s_k}} \sum_m e^{{s_m}} \\
&= -\delta_{{k y_i}} + \frac{{e^{{s_k}}}}{{\sum_m e^{{s_m}}}} \\
&= p_k - \delta_{{k y_i}}
\end{{aligned}}
$$
$$\frac{{\partial L_i}}{{\partial s_k}} = \begin{{cases}} p_k - 1 & k = y_i \\ p_k & k \neq y_i \end{{cases}}$$
With the scores $s = [3, -1, 4]$ and $y_i = 0$:
$$p_0 = \frac{{e^3}}{{e^3 + e^{{-1}} + e^4}} \approx 0.2676$$
$$L_i = -\log p_0 \approx 1.318$$
$$\frac{{\partial L_i}}{{\partial s_0}} = p_0 - 1 \approx -0.732$$
"""


def start(workers: int):
    process = subprocess.Popen([sys.executable, "-c", "import sys; from cli import main; sys.exit(main())", "serve",
                                "--port", "0", "--workers", str(workers)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if "open http://" not in line:
        process.kill()
        sys.exit(f"derive serve did not start: {line!r}")
    url = urllib.parse.urlsplit(line.split("open ", 1)[1].split()[0])
    assert url.hostname == "127.0.0.1", url            # loopback only
    return process, url.hostname, url.port


class User:
    """One simulated user: a keep-alive connection and the latencies of its requests."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=300)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                answer = self.connection.getresponse()
                return answer.status, answer.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
                if attempt == 2:
                    return 0, b""

    def page(self, path: str) -> tuple[float, bool]:
        began = time.perf_counter()
        status, body = self.request("GET", path)
        return time.perf_counter() - began, status == 200 and b"every step verified" in body and b"<math" in body

    def verify(self, tag: str) -> tuple[float, bool]:
        body = urllib.parse.urlencode({"text": TEN_LINES.format(tag=tag)}).encode()
        began = time.perf_counter()
        status, answer = self.request("POST", "/verify", body,
                                      {"content-type": "application/x-www-form-urlencoded"})
        ok = status == 200 and answer.count(b'data-verdict="verified"') >= 10 and b'data-verdict="wrong"' not in answer
        return time.perf_counter() - began, ok


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}ms" if seconds < 0.01 else f"{seconds * 1000:.0f}ms"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load(host, port, users, seconds, think, seed):
    results = {"page": [], "verify": []}
    errors = {"page": 0, "verify": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(number):
        rng = random.Random(seed * 1000 + number)
        user = User(host, port)
        count = 0
        while time.monotonic() < stop:
            count += 1
            if rng.random() < 0.5:
                kind, (took, ok) = "page", user.page(rng.choice(PAGES))
            else:
                kind, (took, ok) = "verify", user.verify(f"user {number} request {count} seed {seed}")
            with lock:
                results[kind].append(took)
                errors[kind] += not ok
            pause = rng.uniform(*think)
            if pause:
                time.sleep(min(pause, max(0.0, stop - time.monotonic())))
    threads = [threading.Thread(target=run, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", default="1,3", help="MIN,MAX seconds a user pauses between requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference", type=int, default=5, help="requests of each kind for the reference")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    think = tuple(float(v) for v in options.think.split(","))
    process, host, port = start(options.workers)
    try:
        user = User(host, port)
        began = time.perf_counter()
        while True:                                          # the workers warm up; then every page once
            status, _ = user.request("GET", "/api/derive/bce-reduction")
            if status == 200:
                break
            time.sleep(0.5)
        for path in PAGES:
            took, ok = user.page(path)
            assert ok, path
        print(f"server ready, {len(PAGES)} derivation pages built, in {time.perf_counter() - began:.1f} s")
        reference = {"page": [user.page(PAGES[i % len(PAGES)])[0] for i in range(options.reference * 4)],
                     "verify": [user.verify(f"reference {i}")[0] for i in range(options.reference)]}
        before = os.getloadavg()
        results, errors = load(host, port, options.users, options.seconds, think, options.seed)
        after = os.getloadavg()
    finally:
        process.terminate()
        process.wait(timeout=60)
    print(f"derive serve: {options.users} users for {options.seconds:g} s, think time {think[0]:g}-{think[1]:g} s, "
          f"{options.workers} workers; {os.cpu_count()} cores; load average {before[0]:.2f} before, "
          f"{after[0]:.2f} after")
    names = {"page": "cached derivation page", "verify": "10-line verify"}
    targets = {"page": 0.100, "verify": 2.0}
    print(f"{'':24} {'requests':>8} {'errors':>6} {'median':>9} {'p95':>9} {'max':>9} {'reference':>10} {'p95/ref':>8}")
    for kind in ("page", "verify"):
        times = results[kind]
        ref = statistics.median(reference[kind])
        if not times:
            print(f"{names[kind]:24} {0:8d}")
            continue
        p95 = percentile(times, 0.95)
        print(f"{names[kind]:24} {len(times):8d} {errors[kind]:6d} {ms(statistics.median(times)):>9} {ms(p95):>9} "
              f"{ms(max(times)):>9} {ms(ref):>10} {p95 / ref:8.1f}")
    for kind in ("page", "verify"):
        if results[kind]:
            p95 = percentile(results[kind], 0.95)
            print(f"target: {names[kind]} p95 <= {targets[kind] * 1000:g} ms: "
                  f"{'met' if p95 <= targets[kind] else 'NOT met'} ({p95 * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
