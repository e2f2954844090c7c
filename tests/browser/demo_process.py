"""The demo as the README starts it: `make demo` in a subprocess, on a free loopback port.

The journey tests drive this process, not an app object inside pytest: the front door once
seeded, printed "running" and exited while every in-process test stayed green.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "journey-demo-pass"
STARTUP_SECONDS = 180  # a first `make demo` may still compile catalogs and migrate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ctrl_c_as_in_a_terminal() -> None:
    # A shell that starts a job in the background (`cmd &` without job control) ignores Ctrl+C
    # in it, and the demo would inherit that: it gets the default a terminal gives.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class DemoProcess:
    instance: Path
    port: int = field(default_factory=free_port)
    output: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DemoProcess":
        env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDAPP_")}
        env.update(PORT=str(self.port), FIELDAPP_INSTANCE_PATH=str(self.instance), FIELDAPP_DEMO_PASSWORD=PASSWORD)
        self.output.clear()
        # A session of its own: Ctrl+C reaches make and the server it started, as in a terminal.
        self.process = subprocess.Popen(["make", "--no-print-directory", "demo"], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True, preexec_fn=_ctrl_c_as_in_a_terminal)
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_until_serving()
        return self

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"`make demo` exited with {self.process.returncode} before serving:\n"
                                     + "".join(self.output[-40:]))
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("`make demo` did not answer /healthz in time:\n" + "".join(self.output[-40:]))

    def stop(self) -> int:
        """Ctrl+C, as a person stops it; the exit status of make."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout=10)

    def totp_secret(self, username: str) -> str:
        """The TOTP secret the demo prints for a coordinator or admin, as a person copies it."""
        text = "".join(self.output)
        match = re.search(rf"^\s*{re.escape(username)}\s+\S+\s+\S+\s+TOTP secret: ([A-Z2-7]+)", text, re.M)
        assert match, f"no TOTP secret printed for {username}:\n{text[-2000:]}"
        return match.group(1)
