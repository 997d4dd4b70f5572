"""Public-page throughput: gunicorn in a subprocess, driven by a bounded closed-loop load generator.

Each of `concurrency` threads holds one keep-alive connection and sends its next request as soon as the
previous answer is read, for a fixed time. Traffic goes to 127.0.0.1 only. Besides requests/s and latency,
the gunicorn workers' CPU time per request is read from /proc (Linux): on a shared, noisy machine it moves
far less than wall-clock figures do.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from env import BENCH_DIR, GUNICORN, PROJECT_DIR

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class LoadResult:
    path: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    server_cpu_seconds: float  # NaN where /proc is not available

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_seconds / self.requests * 1000 if self.requests else math.nan


@dataclass
class LoadPlan:
    concurrency: int
    seconds: float
    rounds: int
    warmup_seconds: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- Server CPU time --------------------------------------------------------------------------------------


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of gunicorn's workers (the master only supervises). NaN off Linux."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        return sum(_cpu_seconds(int(pid)) for pid in children)
    except OSError:
        return math.nan


def _cpu_seconds(pid: int) -> float:
    # The command name (field 2) may contain spaces; utime and stime are fields 14 and 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


# --- Load ---------------------------------------------------------------------------------------------------


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()  # the whole body: a keep-alive connection can only be reused once it is drained
    if response.will_close:
        conn.close()  # http.client reconnects on the next request
    return response.status


def _client(port: int, path: str, start: threading.Barrier, deadline: list[float], out: list[float]) -> None:
    """One connection's loop. Appends each successful latency (s) to `out`, and -1 for an error."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    start.wait()
    while time.perf_counter() < deadline[0]:
        began = time.perf_counter()
        try:
            status = _get(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            status = 0
        out.append(time.perf_counter() - began if status == 200 else -1.0)
    conn.close()


def drive(port: int, path: str, *, concurrency: int, seconds: float, server_pid: int) -> LoadResult:
    """`concurrency` keep-alive connections hitting `path` for `seconds`."""
    deadline = [0.0]  # set once every thread is ready, so that thread start-up is not measured

    def started() -> None:
        deadline[0] = time.perf_counter() + seconds

    start = threading.Barrier(concurrency + 1, action=started)
    samples: list[list[float]] = [[] for _ in range(concurrency)]
    threads = [
        threading.Thread(target=_client, args=(port, path, start, deadline, out), daemon=True)
        for out in samples
    ]
    for thread in threads:
        thread.start()
    cpu_before = server_cpu_seconds(server_pid)
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server_cpu_seconds(server_pid) - cpu_before
    latencies = sorted(s for out in samples for s in out if s >= 0)
    errors = sum(1 for out in samples for s in out if s < 0)
    return LoadResult(path, len(latencies), errors, elapsed, *_percentiles(latencies), cpu)


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        return math.nan, math.nan
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def measure(port: int, server_pid: int, paths: list[str], plan: LoadPlan) -> dict[str, list[LoadResult]]:
    """Warm every path (both workers fill their page cache), then `rounds` rounds over all paths in turn,
    so that a slow spell of the machine hits every path alike rather than one."""
    for path in paths:
        drive(port, path, concurrency=plan.concurrency, seconds=plan.warmup_seconds, server_pid=server_pid)
    results: dict[str, list[LoadResult]] = {path: [] for path in paths}
    for _round in range(plan.rounds):
        for path in paths:
            result = drive(
                port, path, concurrency=plan.concurrency, seconds=plan.seconds, server_pid=server_pid
            )
            results[path].append(result)
    return results


# --- gunicorn -----------------------------------------------------------------------------------------------


def wait_until_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            if _get(conn, "/healthz") == 200:
                return
        except (OSError, http.client.HTTPException):
            pass  # not listening yet
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT:.0f} s; see {log}")


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The production command line (`make serve`), stopped on the way out whatever happens."""
    log = BENCH_DIR / "gunicorn.log"
    command = [
        str(GUNICORN), "civicplan.wsgi", "-k", "gthread", "-w", "2", "--threads", "4",
        "-b", f"{HOST}:{port}", "--pythonpath", "src",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(process, port, log)
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: gunicorn's graceful shutdown of its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
