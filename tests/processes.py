"""Real processes for tests: a private ``redis-server`` to stop, freeze and start again, any
subprocess with its log, and waiting for a condition with the logs shown when it does not come."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[1]


def real_time_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (the process's own by default) without CLOCK_AT's libfaketime (scripts/with-clock.sh):
    for the programs that need no business clock and misbehave under it (redis-server never
    answers, Chromium spins)."""
    return {name: value for name, value in (os.environ if env is None else env).items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One subprocess of a drill, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        with log_path.open("ab") as log:
            self.popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no acknowledgement, no goodbye."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGCONT)  # a frozen process would not die before it is thawed
            self.popen.kill()
        self.popen.wait(timeout=20)

    def __repr__(self) -> str:
        return f"<{self.name} pid {self.pid}>"


class RedisServer:
    """A private ``redis-server`` on a fixed port: stop it and start it again there, or freeze it."""

    def __init__(self, port: int, log_dir: Path) -> None:
        self.port = port
        self.log_dir = log_dir
        self.process: Process | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.starts += 1
        self.process = Process(
            f"redis-server:{self.port}",
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            real_time_env(), self.log_dir / f"redis-{self.port}-{self.starts}.log",
        )
        wait_for(self.answers, what=f"redis-server on port {self.port} to answer", processes=[self.process],
                 timeout=20)
        return self

    def answers(self) -> bool:
        if self.process is None or not self.process.alive():
            return False
        try:
            return redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Gone: connections are refused (a crash, a restart, a failover in progress)."""
        if self.process is not None:
            self.process.kill()
            self.process = None

    def freeze(self) -> None:
        """Hung: the port still accepts connections but nothing ever answers (SIGSTOP)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


def wait_for(condition: Callable[[], object], *, what: str, processes: Iterable[Process] = (),
             timeout: float = 60.0, interval: float = 0.2):
    """Poll ``condition`` until it answers something true; fail with the processes' logs at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n" + logs_of(processes), pytrace=False)
        time.sleep(interval)


def logs_of(processes: Iterable[Process]) -> str:
    parts = []
    for process in processes:
        state = "running" if process.alive() else f"exited {process.popen.returncode}"
        parts.append(f"----- {process.name} (pid {process.pid}, {state}) -----\n{process.log()[-12000:]}")
    return "\n".join(parts)
