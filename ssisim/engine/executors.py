"""Where batches run: this process, local worker processes, or a Dask cluster.

Every executor takes :class:`~ssisim.engine.driver.Batch` es with ``submit`` and
hands back one :class:`BatchOutcome` per batch with ``wait``, in completion order;
:func:`ssisim.engine.driver.execute` drives them and never sees the difference. None
of them changes the results: a batch's chunks are computed the same way
everywhere (see the seed contract in :mod:`ssisim.engine.driver`).

- :class:`InProcess`: runs each batch when asked for an outcome (``workers=1``).
- :class:`LocalProcesses`: one process per worker, started with
  ``forkserver`` (fast, and safe next to the progress bar's thread), each
  serving one batch at a time through its own pipe. The parent knows which
  batch every worker holds, so a worker that dies (killed, out of memory) is
  replaced and its batch reported as ``died``, never hangs the run. Workers
  ignore Ctrl-C: the parent stops them (SIGTERM) when interrupted.
- :class:`DaskExecutor`: ``distributed.Client.submit`` on a scheduler address,
  or on a ``LocalCluster`` it starts (``scheduler="local"``). Dask itself
  reschedules a batch whose worker died (``distributed.scheduler.allowed-failures``
  times, set to the retries for a cluster started here); after that the batch
  is reported as ``died``. Each Dask worker process keeps its population
  cache across batches. A local cluster's workers are forked by a
  forkserver that ignores Ctrl-C (as for local processes); Ctrl-C while the
  cluster starts is held until it has started, then the cluster is closed and
  the interrupt raised. Dask is imported only when used.
"""

from __future__ import annotations

import ast
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ssisim.engine.worker import Batch, ChunkError, ChunkResult, run_batch
from ssisim.errors import OperationalError, SsisimError

__all__ = [
    "BatchOutcome",
    "DaskExecutor",
    "Executor",
    "InProcess",
    "LocalProcesses",
    "make_executor",
    "quiet_pool",
    "resolve_scheduler",
]

LOCAL_CLUSTER = "local"
CONNECT_TIMEOUT = "5s"
"""How long a Dask scheduler address is tried before it is reported unreachable."""


@dataclass
class BatchOutcome:
    """A batch's fate: its results (some chunks may hold errors), or its death."""

    token: int
    results: list[ChunkResult | ChunkError] | None = None
    died: str | None = None


class Executor:
    """The interface :func:`ssisim.engine.driver.execute` drives."""

    workers: int = 1
    description: str = "this process"

    @property
    def capacity(self) -> int:
        """How many batches to keep submitted at once."""
        return 2 * self.workers

    def submit(self, token: int, batch: Batch) -> None:
        raise NotImplementedError

    def wait(self) -> BatchOutcome:
        """Block until a submitted batch is done; return its outcome."""
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel`` stops running work at once."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


class InProcess(Executor):
    """Runs each batch in this process, one at a time."""

    def __init__(self) -> None:
        self.workers = 1
        self.description = "1 worker (this process)"
        self.queue: deque[tuple[int, Batch]] = deque()

    @property
    def capacity(self) -> int:
        return 1

    def submit(self, token: int, batch: Batch) -> None:
        self.queue.append((token, batch))

    def wait(self) -> BatchOutcome:
        token, batch = self.queue.popleft()
        return BatchOutcome(token, run_batch(batch))

    def close(self, cancel: bool = False) -> None:
        self.queue.clear()  # an interrupted call's batches are not the next call's


# --------------------------------------------------------------------------- local processes


def _serve(conn: Connection) -> None:
    """A local worker: run the batches that arrive on ``conn`` until told to stop."""
    # Ctrl-C goes to the whole process group; the parent decides, and stops us
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        except OSError:  # the parent is gone mid-message: nothing to print
            os._exit(0)
        if message is None:
            return
        token, batch = message
        result = run_batch(batch)
        try:
            conn.send((token, result))
        except (BrokenPipeError, ConnectionResetError):
            # the parent is gone (interrupted, killed): nobody to tell, nothing to print;
            # its --resume reruns what was not written
            os._exit(0)


def _context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["ssisim.engine.driver", "ssisim.experiments.store", "ssisim.engine.executors"]
        )
        return ctx
    return mp.get_context("spawn")


def _deaf_forkserver() -> None:
    """Start the forkserver (if it is not running) with Ctrl-C ignored: it keeps
    SIG_IGN across exec, and every process it forks inherits it. A few
    milliseconds: the server's imports come after."""
    from multiprocessing import forkserver

    with _no_sigint():
        forkserver.ensure_running()


def quiet_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool for work submitted elsewhere (the explorer's), its workers
    deaf to Ctrl-C and started now.

    Its forkserver is started with Ctrl-C ignored, which the processes it forks
    inherit: a Ctrl-C to the terminal's process group reaches the parent only
    (which stops them), and they print nothing. The workers are started at once,
    a Ctrl-C meanwhile held: one interrupted while starting would print a
    traceback (its parent's semaphore already gone).
    """
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        _deaf_forkserver()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    with _held_sigint():
        # one task each, submitted together: each submit starts a process while none is idle
        for started in [pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
    return pool


def _unguarded_script() -> str | None:
    """The main script, if it starts workers at its top level without a ``__main__`` guard.

    Worker processes start by importing the main script again (as Python's
    ``spawn`` and ``forkserver`` do): a script whose top level starts workers
    without ``if __name__ == "__main__":`` would start them again in every
    worker, and each would die. Notebooks, ``python -c`` and the ``ssisim``
    command have no such script, or a guarded one.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not str(path).endswith(".py") or getattr(main, "__spec__", None) is not None:
        return None  # a notebook, -c, or python -m (whose modules are importable)
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            names = {node.left.id} | {
                c.value for c in node.comparators if isinstance(c, ast.Constant)
            }
            if names == {"__name__", "__main__"}:
                return None
    return str(path)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    token: int | None = None


class LocalProcesses(Executor):
    """One process per worker on this machine; see the module's notes."""

    def __init__(self, workers: int) -> None:
        main = sys.modules.get("__main__")
        if getattr(main, "__file__", None) == "<stdin>":
            # a worker starts by running the main script again: one read from stdin is gone
            raise SsisimError(
                "worker processes cannot start from a script read on standard input "
                "(python - < script): save it to a file, or use workers=1"
            )
        script = _unguarded_script()
        if script is not None:
            raise SsisimError(
                f'{script}: starts worker processes without `if __name__ == "__main__":`; '
                "put the code that runs ssisim under that guard (or use workers=1)"
            )
        self.workers = max(1, workers)
        self.description = f"{self.workers} local worker processes"
        self.ctx = _context()
        self.pool: list[_Worker] = []
        self.queue: deque[tuple[int, Batch]] = deque()
        self.ready: deque[BatchOutcome] = deque()

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
        # Ctrl-C stays with the parent: the forkserver (started by the first
        # worker) and the workers it forks never see it, so they print nothing.
        for attempt in (0, 1):
            try:
                if self.ctx.get_start_method() == "forkserver":
                    # Ctrl-C ignored only while the forkserver is spawned; held
                    # while it imports the engine (a second), never lost
                    _deaf_forkserver()
                    with _held_sigint():
                        process.start()
                else:
                    with _no_sigint():
                        process.start()
                break
            except (OSError, EOFError) as exc:  # the forkserver was killed: it restarts once
                if attempt:
                    parent.close()
                    child.close()
                    why = (
                        (exc.strerror if isinstance(exc, OSError) else None)
                        or exc
                        or "its server died"
                    )
                    raise OperationalError(
                        f"cannot start a worker process ({why}); run again, or with --workers 1"
                    ) from None
                process = self.ctx.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
        child.close()
        worker = _Worker(process, parent)
        self.pool.append(worker)
        return worker

    def submit(self, token: int, batch: Batch) -> None:
        self.queue.append((token, batch))
        self._dispatch()

    def _dispatch(self) -> None:
        while self.queue:
            idle = next((w for w in self.pool if w.token is None), None)
            if idle is None:
                if len(self.pool) >= self.workers:
                    return
                idle = self._start()
            token, batch = self.queue.popleft()
            try:
                idle.conn.send((token, batch))
            except OSError:  # it died while idle: replace it
                self._bury(idle)
                self.queue.appendleft((token, batch))
                continue
            idle.token = token

    def _bury(self, worker: _Worker) -> None:
        worker.conn.close()
        worker.process.join(timeout=1)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=1)
        self.pool.remove(worker)

    def wait(self) -> BatchOutcome:
        while not self.ready:
            handles: dict[Any, _Worker] = {}
            for w in self.pool:
                if w.token is not None:
                    handles[w.conn] = w
                    handles[w.process.sentinel] = w
            if not handles:
                raise RuntimeError("wait() with nothing submitted")
            for handle in wait(list(handles)):
                worker = handles[handle]
                if worker.token is None:  # already handled through its other handle
                    continue
                token = worker.token
                try:
                    if worker.conn.poll():
                        got, results = worker.conn.recv()
                        worker.token = None
                        self.ready.append(BatchOutcome(got, results))
                        continue
                except (EOFError, OSError):
                    pass  # its end of the pipe closed: it died
                else:
                    if worker.process.is_alive():
                        continue
                worker.process.join(timeout=5)
                code = worker.process.exitcode
                worker.token = None
                self._bury(worker)
                self.ready.append(BatchOutcome(token, died=_death(code)))
            self._dispatch()
        return self.ready.popleft()

    def close(self, cancel: bool = False) -> None:
        for w in list(self.pool):
            if cancel:
                w.process.terminate()
            else:
                try:
                    w.conn.send(None)
                except OSError:
                    w.process.terminate()
        for w in list(self.pool):
            w.process.join(timeout=5 if not cancel else 2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=1)
            w.conn.close()
        self.pool.clear()
        self.queue.clear()
        self.ready.clear()  # outcomes of an interrupted call are not the next call's


def _death(code: int | None) -> str:
    if code is None:
        return "worker died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"worker died: killed by {name}{hint}"
    return f"worker died: exit status {code}"


# --------------------------------------------------------------------------- dask


def _dask_run(batch: Batch) -> list[ChunkResult | ChunkError]:
    return run_batch(batch)


class DaskExecutor(Executor):
    """Batches on a Dask cluster: a scheduler address, or ``"local"``.

    Parameters
    ----------
    address : str
        ``tcp://host:8786`` (any address ``distributed.Client`` takes), or
        ``"local"`` to start a ``LocalCluster`` of ``workers`` single-threaded
        worker processes on this machine.
    workers : int
        Workers of a local cluster (0: all cores); ignored for an address.
    retries : int
        For a local cluster: how many worker deaths a batch survives.
    processes : bool
        For a local cluster: worker processes (default) or threads (for tests).
    """

    def __init__(
        self, address: str, workers: int = 0, retries: int = 1, processes: bool = True
    ) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster, as_completed
        except ImportError as exc:  # pragma: no cover - a dependency
            raise SsisimError(f"--scheduler needs dask[distributed] ({exc})") from None
        self.cluster: Any = None
        self.config: Any = None
        if address == LOCAL_CLUSTER:
            n = resolve_workers(workers)
            self.config = _quiet_workers(processes)
            try:
                # Ctrl-C is held while the cluster starts, then the cluster closed and
                # the interrupt raised: a start cut short leaves Dask's half-started
                # workers to print tracebacks when this process exits
                with (
                    dask.config.set({"distributed.scheduler.allowed-failures": retries}),
                    _held_sigint(),
                ):
                    self.cluster = LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=processes,
                        dashboard_address=None,
                        silence_logs=50,
                    )
                self.client = Client(self.cluster)
            except BaseException:
                self._release()
                raise
            self.description = (
                f"Dask LocalCluster of {n} worker {'processes' if processes else 'threads'}"
            )
        else:
            try:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise SsisimError(
                    f"--scheduler {address}: cannot reach the Dask scheduler ({exc})"
                ) from None
            self.description = f"Dask scheduler {address}"
        self.workers = max(1, sum(self.client.nthreads().values()))
        if address != LOCAL_CLUSTER:
            self.description += f" ({self.workers} worker threads)"
        self.counted = time.monotonic()
        self.as_completed = as_completed()
        self.futures: dict[Any, int] = {}

    @property
    def capacity(self) -> int:
        # workers may join or leave a cluster while it runs: look again now and then
        now = time.monotonic()
        if now - self.counted > 10:
            self.workers = max(1, sum(self.client.nthreads().values()))
            self.counted = now
        return 3 * self.workers

    def submit(self, token: int, batch: Batch) -> None:
        future = self.client.submit(_dask_run, batch, pure=False)
        self.futures[future] = token
        self.as_completed.add(future)

    def wait(self) -> BatchOutcome:
        from distributed import KilledWorker

        future = next(self.as_completed)
        token = self.futures.pop(future)
        try:
            results = future.result()
        except KilledWorker as exc:
            return BatchOutcome(token, died=f"worker died ({exc})")
        except Exception as exc:  # the scheduler went away, or a bug of ours
            raise SsisimError(f"Dask: batch failed: {type(exc).__name__}: {exc}") from None
        finally:
            future.release()
        return BatchOutcome(token, results)

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel and self.futures:
                self.client.cancel(list(self.futures), force=True)
            self.futures.clear()
            self.client.close()
        finally:
            self._release()

    def _release(self) -> None:
        """Close the cluster started here, if any, and restore Dask's settings."""
        try:
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self.cluster = None
            if self.config is not None:
                self.config.close()
                self.config = None


def _quiet_workers(processes: bool) -> ExitStack:
    """Make a ``LocalCluster``'s worker processes deaf to Ctrl-C, the parent not.

    Ctrl-C reaches the whole process group: the workers must ignore it (the
    parent stops them) while the parent hears it, also during the cluster's
    start of several seconds (Dask's start is interruptible). The workers are
    forked by a forkserver spawned with Ctrl-C ignored, which they inherit
    (as for :class:`LocalProcesses`). Where there is no forkserver, Ctrl-C is
    ignored during the start, as before. Closed with the executor: until then
    Dask restarts a dead worker the same way.
    """
    import dask

    stack = ExitStack()
    if not processes:
        return stack
    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - not Linux/macOS
        stack.enter_context(_no_sigint())
        return stack
    from distributed.utils import get_mp_context

    stack.enter_context(
        dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    )
    get_mp_context()  # Dask's preload for the forkserver: the workers start fast
    _deaf_forkserver()
    return stack


@contextmanager
def _no_sigint() -> Iterator[None]:
    """Start child processes with Ctrl-C ignored (Python keeps SIG_IGN across exec):
    on Ctrl-C the parent stops them, and they print nothing."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _held_sigint() -> Iterator[None]:
    """A Ctrl-C meanwhile is held, then raised as KeyboardInterrupt at the end."""
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


# --------------------------------------------------------------------------- choosing


def resolve_scheduler(option: str | None, scenario_setting: str | None) -> str | None:
    """The Dask scheduler to use: ``--scheduler``, then ``SSISIM_SCHEDULER``,
    then the scenario's ``execution.scheduler``; None for local processes.
    ``--scheduler none`` forces local processes."""
    for value in (option, os.environ.get("SSISIM_SCHEDULER") or None, scenario_setting):
        if value:
            return None if value.lower() in ("none", "processes") else value
    return None


def make_executor(workers: int = 1, scheduler: str | None = None, retries: int = 1) -> Executor:
    """The executor for these settings (``workers`` 0: all cores)."""
    if scheduler:
        return DaskExecutor(scheduler, workers=workers, retries=retries)
    n = resolve_workers(workers)
    if n <= 1:
        return InProcess()
    return LocalProcesses(n)


def resolve_workers(workers: int) -> int:
    """Worker processes for a ``--workers`` value: 0 means every core."""
    return (os.cpu_count() or 1) if workers == 0 else workers
