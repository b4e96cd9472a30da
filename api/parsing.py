"""Untrusted files are parsed where they cannot hurt the service: in a worker process of their own.

A roster upload is read by native code (calamine, polars, libyaml) that a hostile file can ask
for hundreds of gigabytes or hours; a request that read it in the server process could abort
the process (a Rust allocation failure is SIGABRT, not an exception) or hold the GIL and freeze
every other request. So each parse runs in a fresh process forked from a `forkserver` that has
the readers imported already (a fork costs milliseconds, not the seconds of importing polars),
with an address-space limit (RLIMIT_AS), a CPU-time limit (RLIMIT_CPU) and a wall-clock
deadline after which it is killed. The worker first checks what the upload may cost
(api.upload_limits), then reads it, and sends back the `RawRoster` (its polars frames pickle)
or the input errors; the request waits in a thread, so the event loop serves others meanwhile.

What comes back, as HTTP: the roster; 422 with the located errors (an unreadable or malformed
file); 413 for a file that is too costly to read — refused by a limit before parsing, or a
worker that ran out of memory, CPU or time; 503 when every worker stays busy past the deadline.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess, set_spawning_popen  # type: ignore[attr-defined]
from typing import Any, Literal

from fastapi import HTTPException

from api import upload_limits
from api.logs import LOGGER
from api.settings import Settings
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.input.raw import RawRoster
from orgmodel.input.readers import guards

Reader = Callable[[bytes, str], RawRoster]
Kind = Literal["roster", "input_errors", "too_costly", "killed", "timed_out", "busy"]

_PRELOAD = ["api.parsing"]  # imports orgmodel.input.readers and every reader: polars, calamine, yaml
WORKER_NICENESS = 5


@dataclass(frozen=True)
class WorkerLimits:
    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float
    upload: upload_limits.UploadLimits

    @classmethod
    def of(cls, settings: Settings) -> WorkerLimits:
        return cls(settings.parse_memory_bytes, settings.parse_cpu_seconds, settings.parse_seconds,
                   upload_limits.UploadLimits.of(settings))


@dataclass
class Outcome:
    """What one parse gave: the roster, or why not; with the worker's peak memory and time."""

    kind: Kind
    roster: RawRoster | None = None
    errors: list[InputError] = field(default_factory=list)
    detail: str = ""
    peak_bytes: int | None = None  # the worker's peak resident memory (None: it died before saying)
    seconds: float = 0.0  # from its start to its answer or its end
    pid: int | None = None
    trace: str = ""  # where a reader failed, for the server's log (kept out of the response)


# --- in the worker ----------------------------------------------------------------------------

def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _parse(read: Reader, data: bytes, name: str, limits: WorkerLimits) -> Outcome:
    try:
        upload_limits.refuse_costly(data, name, limits.upload)
        return Outcome("roster", roster=read(data, name))
    except guards.TooCostly as exc:
        return Outcome("too_costly", errors=exc.errors, detail=exc.errors[0].message_en)
    except upload_limits.UploadTooLarge as exc:
        return Outcome("too_costly", detail=str(exc))
    except RosterInputError as exc:
        return Outcome("input_errors", errors=exc.errors)
    except MemoryError:
        return Outcome("killed", detail=f"reading {name} needed more than {limits.memory_bytes:,} bytes of memory")
    except RecursionError:
        return Outcome("input_errors", errors=[input_error("unreadable_file", file=name,
                                                           value=f"{name}: nested too deep to read")])
    except Exception as exc:  # a reader that fails on a damaged file: the file is unreadable, not the service
        kind = f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins.")
        return Outcome("input_errors", errors=[input_error("unreadable_file", file=name, value=f"{name}: {kind}: {exc}")],
                       trace="".join(traceback.format_exception(exc, limit=-4)).strip())


def _work(connection: Connection, read: Reader, data: bytes, name: str, limits: WorkerLimits) -> None:
    """The worker's whole life: limit itself, parse, send the outcome, exit. It runs niced, so
    that on a busy machine the server's own requests come first."""
    os.nice(WORKER_NICENESS)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))  # soft: SIGXCPU kills
    outcome = _parse(read, data, name, limits)
    del data
    outcome.peak_bytes = _peak_bytes()
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(Outcome("killed", detail=f"the roster read from {name} is too large to hand back",
                                       peak_bytes=_peak_bytes()))
    connection.send_bytes(payload)
    connection.close()


# --- in the server --------------------------------------------------------------------------

class _WorkerPopen(popen_forkserver.Popen):
    """The forkserver's launch, less the parent's `__main__`: a worker needs the readers (the
    forkserver has them), not the server's entry script (`orgmodel`, pytest), which the child
    would otherwise import again on every parse — a second or so each time. The rest is
    `popen_forkserver.Popen._launch` as it is."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Worker(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _WorkerPopen:  # multiprocessing's name
        return _WorkerPopen(process_obj)


_CPU_SIGNALS = frozenset({int(signal.SIGXCPU)})  # RLIMIT_CPU's soft limit; any other death: memory


class Parser:
    """Parses uploads in worker processes, at most `parse_workers` at once."""

    def __init__(self, settings: Settings):
        self.limits = WorkerLimits.of(settings)
        self._slots = threading.BoundedSemaphore(max(1, settings.parse_workers))
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._running: set[int] = set()
        self._lock = threading.Lock()
        # the first upload should not wait for the forkserver to import polars: start it now, aside
        threading.Thread(target=forkserver.ensure_running, daemon=True,
                         name="orgmodel-forkserver").start()

    @property
    def running(self) -> list[int]:
        """The process ids of the workers parsing now."""
        with self._lock:
            return sorted(self._running)

    @contextmanager
    def _slot(self) -> Iterator[bool]:
        taken = self._slots.acquire(timeout=self.limits.wall_seconds)
        try:
            yield taken
        finally:
            if taken:
                self._slots.release()

    def outcome(self, read: Reader, data: bytes, name: str,
                on_start: Callable[[int], None] | None = None) -> Outcome:
        """Parse in a worker and say how it went; blocks the calling thread (never the event loop)."""
        with self._slot() as taken:
            if not taken:
                return Outcome("busy", detail=f"every parsing worker stayed busy for {self.limits.wall_seconds:g} s")
            return self._run(read, data, name, on_start)

    def _run(self, read: Reader, data: bytes, name: str, on_start: Callable[[int], None] | None) -> Outcome:
        receiving, sending = self._context.Pipe(duplex=False)
        process = _Worker(target=_work, args=(sending, read, data, name, self.limits), daemon=True,
                          name=f"orgmodel-parse {name}")
        started = time.monotonic()
        process.start()
        sending.close()  # the worker holds the only writing end: its death is our end of file
        pid = process.pid or 0
        with self._lock:
            self._running.add(pid)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        deadline = threading.Timer(self.limits.wall_seconds, kill)
        deadline.daemon = True
        deadline.start()
        try:
            if on_start is not None:
                on_start(pid)
            try:
                payload: bytes | None = receiving.recv_bytes()
            except (EOFError, OSError):
                payload = None
        finally:
            deadline.cancel()
            receiving.close()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
            with self._lock:
                self._running.discard(pid)
        elapsed = time.monotonic() - started
        if payload is not None:
            outcome: Outcome = pickle.loads(payload)
            outcome.seconds, outcome.pid = elapsed, pid
            if outcome.trace:
                LOGGER.warning("a reader failed on %s (answered as unreadable): %s", name, outcome.trace)
            return outcome
        if timed_out.is_set():
            return Outcome("timed_out", seconds=elapsed, pid=pid,
                           detail=f"reading {name} took longer than {self.limits.wall_seconds:g} s")
        code = process.exitcode
        LOGGER.warning("the parsing worker of %s ended without an answer (exit code %s)", name, code)
        limit = (f"{self.limits.cpu_seconds:,} s of CPU time" if code is not None and -code in _CPU_SIGNALS
                 else f"{self.limits.memory_bytes:,} bytes of memory")
        return Outcome("killed", seconds=elapsed, pid=pid, detail=f"reading {name} needed more than {limit}")

    def parse(self, read: Reader, data: bytes, name: str) -> RawRoster:
        """The roster, or the exception a request (or a job) answers with."""
        outcome = self.outcome(read, data, name)
        if outcome.kind == "roster" and outcome.roster is not None:
            return outcome.roster
        if outcome.kind == "input_errors":
            raise RosterInputError(outcome.errors)
        if outcome.kind == "busy":
            raise HTTPException(503, f"{outcome.detail}; send it again later", headers={"Retry-After": "10"})
        raise HTTPException(413, f"{outcome.detail}: the file is too costly to read" if outcome.kind != "too_costly"
                            else outcome.detail)

    def reader(self, read: Reader) -> Reader:
        """`read`, run in a worker: what a route hands to the pipeline in its place."""
        return lambda data, name: self.parse(read, data, name)

