"""One execution environment: a runtime process, its Runtime API listener and the invocation it runs.

An instance runs one invocation at a time, as Lambda's do. Its process's standard output and error are read
without blocking (``loop.add_reader``) and drained once more when the runtime posts its answer, so every line
printed before the answer belongs to that invocation (a pipe keeps a process's writes in order). The
process's end (end of its output) fails the invocation it was running with ``Runtime.ExitError``; the pool
then replaces the instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .runtime_api import Reply, listen

log = logging.getLogger("poolgate.lambdas")

INIT_LIMIT = 10.0
"""Seconds a runtime may take to ask for its first event (Lambda's init phase limit)."""
MAX_LINE = 256 * 1024
"""Bytes of output without a newline kept before they are logged as one line (CloudWatch's event size)."""
KEPT_LINES = 1000
"""Lines of an invocation's log kept for ``LogType: Tail`` (it needs the last 4 KB); older ones are dropped."""
MEMORY_SAMPLE = 0.5
"""Seconds between two reads of an instance's peak memory."""


@dataclass(slots=True)
class Outcome:
    """What an invocation produced: the response payload, or the error document when ``error_type`` is set."""

    payload: bytes
    error_type: str | None = None
    """None on success; else the error's ``errorType`` (the caller sees ``FunctionError: Unhandled``)."""
    lines: list[str] = field(default_factory=list)
    """The invocation's log, START to REPORT (``LogType: Tail``)."""


@dataclass(slots=True)
class Invocation:
    request_id: str
    """Lambda's request id (``Lambda-Runtime-Aws-Request-Id``)."""
    tag: str
    """The caller's request id, put before every log line of this invocation in the server log."""
    payload: bytes
    timeout: float
    future: asyncio.Future[Outcome]
    trace_id: str = ""
    arrived: float = field(default_factory=time.perf_counter)
    started: float = 0.0
    deadline_ms: int = 0
    timer: asyncio.TimerHandle | None = None
    lines: list[str] = field(default_factory=list)
    logged: int = 0
    """How many of ``lines`` are in the server log already."""
    finished: bool = False
    """It has its outcome (its future may have been cancelled by a caller that went away)."""
    init_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Launch:
    """How to start an instance of one function."""

    command: list[str]
    env: dict[str, str]
    cwd: str
    function_name: str
    arn: str
    memory_size: int
    logger: logging.Logger
    version: str = "$LATEST"


class Instance:
    """A runtime process serving one function (module doc)."""

    def __init__(self, launch: Launch, on_end: Callable[[Instance, Invocation], None],
                 on_exit: Callable[[Instance, Invocation | None], None]) -> None:
        self.launch = launch
        self.on_end = on_end
        """Called once an invocation has its outcome (the instance may take the next one)."""
        self.on_exit = on_exit
        """Called once the process has ended, with the invocation it was given but never asked for (a warm
        instance that ended between two invocations): the pool gives that one to another instance."""
        self.process: subprocess.Popen[bytes] | None = None
        self.server: asyncio.Server | None = None
        self.waiting: Reply | None = None
        """The runtime's ``/next`` request, held until an event comes."""
        self.current: Invocation | None = None
        self.delivered = False
        self.spawned = time.perf_counter()
        self.initialised = False
        self.dead = False
        self.killed = False
        self._peak_mb = 0
        self._sampled = -MEMORY_SAMPLE
        self._fd = -1
        self._partial = b""
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.server = await listen(self)
        port = self.server.sockets[0].getsockname()[1]
        env = {**self.launch.env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"}
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                self.launch.command, cwd=self.launch.cwd, env=env, stdin=subprocess.DEVNULL, stdout=write_fd,
                stderr=write_fd, start_new_session=True, close_fds=True)
        except OSError:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        _batch_policy(self.process.pid)
        os.set_blocking(read_fd, False)
        self._fd = read_fd
        self._loop.add_reader(read_fd, self._read)
        self.spawned = time.perf_counter()

    # --- the pool's side
    def assign(self, invocation: Invocation) -> None:
        self.current = invocation
        self.delivered = False
        if not self.initialised:
            invocation.timer = self._call_later(INIT_LIMIT, self._init_timed_out)
        if self.waiting is not None:
            reply, self.waiting = self.waiting, None
            self._deliver(reply)

    @property
    def retired(self) -> bool:
        """Killed or ended: it takes no more invocations."""
        return self.killed or self.dead

    def kill(self) -> None:
        self.killed = True
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def max_memory_mb(self) -> int:
        """The process's peak resident memory (``VmHWM``), in MB, as REPORT's ``Max Memory Used``: read at most
        every ``MEMORY_SAMPLE`` seconds (reading /proc costs more than a warm invocation's other work)."""
        now = time.monotonic()
        if self.process is None or self.dead or now - self._sampled < MEMORY_SAMPLE:
            return self._peak_mb
        self._sampled = now
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        self._peak_mb = max(self._peak_mb, 1, round(int(line.split()[1]) / 1024))
        except OSError:
            pass
        return self._peak_mb

    # --- the Runtime API's side (runtime_api.RuntimeApiHost)
    def next_invocation(self, reply: Reply) -> None:
        if not self.initialised:
            self.initialised = True
            init_ms = (time.perf_counter() - self.spawned) * 1000
            if self.current is not None:
                self.current.init_ms = init_ms
        invocation = self.current
        if invocation is not None and not self.delivered:
            self._deliver(reply)
        else:
            self.waiting = reply

    def invocation_response(self, request_id: str, body: bytes) -> tuple[int, dict[str, str]]:
        invocation = self._running(request_id)
        if invocation is None:
            return 400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
        self._read()
        self._finish(invocation, Outcome(body))
        return 202, {"status": "OK"}

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> tuple[int, dict[str, str]]:
        invocation = self._running(request_id)
        if invocation is None:
            return 400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
        self._read()
        payload, kind = _error_document(body, error_type)
        self._finish(invocation, Outcome(payload, kind))
        return 202, {"status": "OK"}

    def init_error(self, body: bytes, error_type: str | None) -> tuple[int, dict[str, str]]:
        self._read()
        payload, kind = _error_document(body, error_type or "Runtime.Unknown")
        invocation = self.current
        self.kill()
        if invocation is not None and not invocation.finished:
            self._finish(invocation, Outcome(payload, kind))
        return 202, {"status": "OK"}

    def connection_lost(self, reply: Reply) -> None:
        if self.waiting is reply:
            self.waiting = None

    # --- internals
    def _running(self, request_id: str) -> Invocation | None:
        invocation = self.current
        if invocation is None or not self.delivered or invocation.request_id != request_id:
            return None
        return invocation if not invocation.finished else None

    def _deliver(self, reply: Reply) -> None:
        invocation = self.current
        assert invocation is not None
        self.delivered = True
        if invocation.timer is not None:
            invocation.timer.cancel()
        invocation.started = time.perf_counter()
        invocation.deadline_ms = int(time.time() * 1000 + invocation.timeout * 1000)
        invocation.timer = self._call_later(invocation.timeout, self._timed_out)
        self._emit(invocation, f"START RequestId: {invocation.request_id} Version: {self.launch.version}")
        headers = [("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
                   ("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)),
                   ("Lambda-Runtime-Invoked-Function-Arn", self.launch.arn),
                   ("Lambda-Runtime-Trace-Id", invocation.trace_id)]
        reply.send(200, invocation.payload, headers)

    def _call_later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        assert self._loop is not None
        return self._loop.call_later(delay, callback)

    def _timed_out(self) -> None:
        invocation = self.current
        if invocation is None or invocation.finished:
            return
        self._read()
        self.kill()
        message = f"Task timed out after {invocation.timeout:.2f} seconds"
        self._emit(invocation, f"{_now()} {invocation.request_id} {message}")
        document = {"errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {invocation.request_id} Error: {message}"}
        self._finish(invocation, Outcome(json.dumps(document).encode(), "Sandbox.Timedout"), "timeout")

    def _init_timed_out(self) -> None:
        invocation = self.current
        if invocation is None or invocation.finished or self.initialised:
            return
        self.kill()
        message = f"Task timed out after {INIT_LIMIT:.2f} seconds"  # UNCONFIRMED: the init phase's own words
        self._emit(invocation, f"{_now()} {invocation.request_id} INIT_REPORT Init Duration: "
                               f"{INIT_LIMIT * 1000:.2f} ms\tPhase: init\tStatus: timeout")
        document = {"errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {invocation.request_id} Error: {message}"}
        self._finish(invocation, Outcome(json.dumps(document).encode(), "Sandbox.Timedout"), "timeout")

    def _finish(self, invocation: Invocation, outcome: Outcome, status: str | None = None) -> None:
        if invocation.timer is not None:
            invocation.timer.cancel()
            invocation.timer = None
        started = invocation.started or time.perf_counter()
        duration = (time.perf_counter() - started) * 1000 if invocation.started else 0.0
        if outcome.error_type == "Runtime.ExitError":
            self._emit(invocation, json.loads(outcome.payload)["errorMessage"])
            self._emit(invocation, "Runtime.ExitError")
        self._emit(invocation, f"END RequestId: {invocation.request_id}")
        billed = int(-(-duration // 1))
        report = (f"REPORT RequestId: {invocation.request_id}\tDuration: {duration:.2f} ms\tBilled Duration: "
                  f"{max(1, billed)} ms\tMemory Size: {self.launch.memory_size} MB\tMax Memory Used: "
                  f"{self.max_memory_mb()} MB")
        if invocation.init_ms is not None:
            report += f"\tInit Duration: {invocation.init_ms:.2f} ms"
        if status is not None:
            report += f"\tStatus: {status}"
        self._emit(invocation, report)
        self._log(invocation)
        outcome.lines = invocation.lines
        if self.current is invocation:
            self.current = None
            self.delivered = False
        invocation.finished = True
        if not invocation.future.done():  # a caller that went away leaves a cancelled future
            invocation.future.set_result(outcome)
        self.on_end(self, invocation)

    def _emit(self, invocation: Invocation | None, line: str) -> None:
        """Add a line to the invocation's log; the server log gets it with the next output line or at its end
        (a warm invocation that prints nothing costs one log record, not three)."""
        if not line:
            return
        if invocation is not None:
            invocation.lines.append(line)
        else:
            self.launch.logger.info("%s", line)

    def _log(self, invocation: Invocation) -> None:
        lines = invocation.lines
        if invocation.logged < len(lines):
            tag = invocation.tag
            self.launch.logger.info("%s", "\n".join(f"{tag}\t{line}" for line in lines[invocation.logged:]))
            invocation.logged = len(lines)
        if len(lines) > KEPT_LINES:
            drop = len(lines) - KEPT_LINES // 2
            del lines[:drop]
            invocation.logged -= drop

    def _read(self) -> None:
        """Take what the process has written so far (non-blocking); end of output means it has exited."""
        if self._fd < 0:
            return
        chunks = []
        eof = False
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                eof = True
                break
            if not chunk:
                eof = True
                break
            chunks.append(chunk)
        if chunks:
            data = self._partial + b"".join(chunks)
            *lines, self._partial = data.split(b"\n")
            if len(self._partial) > MAX_LINE:  # a line without end: cut as Lambda cuts log events
                lines.append(self._partial)
                self._partial = b""
            current = self.current
            for line in lines:
                self._emit(current, line.decode("utf-8", "replace").rstrip("\r"))
            if current is not None:
                self._log(current)
        if eof:
            self._exited()

    def _exited(self) -> None:
        if self._fd >= 0:
            assert self._loop is not None
            self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
        if self._partial:
            self._emit(self.current, self._partial.decode("utf-8", "replace"))
            self._partial = b""
        if self.dead:
            return
        self.dead = True
        process = self.process
        status = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = process.wait(timeout=0.5)  # its output closed: it has ended or is ending
        invocation = self.current
        if invocation is not None and not self.delivered and self.initialised and not invocation.finished:
            self.current = None  # never asked for: not this instance's to fail
            self.close()
            self.on_exit(self, invocation)
            return
        if invocation is not None and not invocation.finished:
            reason = (f"signal: {_signal_name(-status)}" if status is not None and status < 0
                      else f"exit status {status}")
            document = {"errorType": "Runtime.ExitError",
                        "errorMessage": f"RequestId: {invocation.request_id} Error: Runtime exited with error: "
                                        f"{reason}"}
            self._finish(invocation, Outcome(json.dumps(document).encode(), "Runtime.ExitError"),
                         "error\tError Type: Runtime.ExitError")
        self.close()
        self.on_exit(self, None)

    def close(self) -> None:
        """Stop the process and the listener (idempotent); an invocation still running ends as the killed
        process's (``Runtime.ExitError``, ``signal: killed``)."""
        self.kill()
        invocation = self.current
        if invocation is not None and not invocation.finished:
            self.dead = True
            document = {"errorType": "Runtime.ExitError",
                        "errorMessage": f"RequestId: {invocation.request_id} Error: Runtime exited with error: "
                                        f"signal: killed"}
            self._finish(invocation, Outcome(json.dumps(document).encode(), "Runtime.ExitError"),
                         "error\tError Type: Runtime.ExitError")
        if self.server is not None:
            self.server.close()
            self.server = None
        if self._fd >= 0 and self._loop is not None:
            self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1)


def _batch_policy(pid: int) -> None:
    """Run the runtime's main thread under SCHED_BATCH: handing it an event then does not make it preempt the
    gateway's event loop mid-write (wake-up preemption), which on a busy machine cost more than the handler."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))


def _signal_name(number: int) -> str:
    # Go's os.ProcessState wording, which Lambda's runtime reports ("signal: killed")
    names = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated", signal.SIGSEGV: "segmentation fault",
             signal.SIGABRT: "aborted", signal.SIGINT: "interrupt"}
    try:
        return names.get(signal.Signals(number), f"signal {number}")
    except ValueError:
        return f"signal {number}"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"


def _error_document(body: bytes, error_type: str | None) -> tuple[bytes, str]:
    """The error a runtime posted, as Invoke returns it: its JSON document, else one made from the text."""
    document: Any
    try:
        document = json.loads(body) if body else None
    except ValueError:
        document = None
    if isinstance(document, dict):
        kind = str(document.get("errorType") or error_type or "Unhandled")
        return body, kind
    kind = error_type or "Unhandled"
    text = body.decode("utf-8", "replace")
    return json.dumps({"errorMessage": text, "errorType": kind}).encode(), kind
