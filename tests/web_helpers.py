"""Starting ``derive serve`` for a test or a benchmark: a real server process on a free loopback port."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """``derive serve --port 0`` run as a process (the command a user runs), stopped as Ctrl-C stops it."""

    def __init__(self, *options: str, env: dict | None = None):
        self.errors = tempfile.TemporaryFile(mode="w+")          # stderr: never a pipe that could fill up
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())", "serve", "--port", "0",
             *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=self.errors, text=True,
            env=dict(os.environ, **(env or {})))
        line = self.process.stdout.readline()
        if "open http://" not in line:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"derive serve did not start: {line}{self.stderr()[-2000:]}")
        self.url = line.split("open ", 1)[1].split()[0].rstrip("/")

    def wait_until_ready(self, timeout: float = 300) -> None:
        """Until the workers have warmed up: a derivation page comes back (the first one waits for them)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/derive/bce-reduction", timeout=timeout) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> str:
        """Stop it (SIGINT, as Ctrl-C); what it wrote on stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        return self.stderr()

    def stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read()
