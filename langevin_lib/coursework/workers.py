"""Where submissions are graded: in this process, in local worker processes, or on a Dask cluster.

Grading one submission is a self-contained task (the master's and the
submission's bytes, read before any student code ran, and the limits) that
starts its own sandboxed kernel wherever it runs. So the three ways give the
same reports; only the time differs. Results are delivered in the order of
the tasks, whatever order they finish in, so that what a caller writes after
each one (a gradebook, the printed table) does not depend on the way.

- ``jobs=1``: one after the other, here.
- ``jobs=N``: ``N`` worker processes of this machine (``forkserver``, so no
  worker inherits the grader's threads or sockets), each grading one
  submission at a time. A worker that dies (killed by the out-of-memory
  killer, say) costs only the task it held: that task runs once more in a
  fresh worker, then gets ``on_failure``'s report.
- ``client``: a ``dask.distributed`` client (the optional ``cluster``
  dependencies); every worker needs bwrap and this Python environment, as the
  grader does. Dask itself reruns a task whose worker died, and gives up after
  its ``allowed-failures``; then ``on_failure`` makes the report.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["run"]

T = TypeVar("T")
R = TypeVar("R")

_ATTEMPTS = 2  # runs of a task whose worker process died, before it is given up


def run(
    function: Callable[[T], R],
    tasks: Sequence[T],
    *,
    jobs: int = 1,
    client: Any = None,
    on_result: Callable[[R], None] | None = None,
    on_failure: Callable[[T, BaseException], R],
) -> list[R]:
    """``[function(task) for task in tasks]``, computed by ``jobs`` processes or by a Dask ``client``.

    Parameters
    ----------
    function : callable
        A module-level function (workers import it by name) that does not raise.
    tasks : sequence
        Picklable arguments, one per call.
    jobs : int
        Worker processes on this machine; 1 computes here. Ignored with ``client``.
    client : dask.distributed.Client, optional
        Compute on this cluster.
    on_result : callable, optional
        Called with each result, in the order of ``tasks``, as soon as it and those before it are done.
    on_failure : callable
        The result of a task whose worker failed, from the task and the error.

    Raises
    ------
    ValueError
        If ``jobs`` is not a positive integer.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer (worker processes), got {jobs!r}")
    results: list[R] = []

    def deliver(result: R) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    if client is not None:
        futures = client.map(function, list(tasks), pure=False)  # pure=False: every task runs, even equal ones
        for task, future in zip(tasks, futures, strict=True):
            try:
                deliver(future.result())
            except Exception as exc:  # a worker lost for good (KilledWorker), or a task that could not travel
                deliver(on_failure(task, exc))
        return results
    if jobs == 1 or len(tasks) < 2:
        for task in tasks:
            deliver(function(task))
        return results
    _run_local(function, tasks, jobs, deliver, on_failure)
    return results


def _run_local(
    function: Callable[[T], R],
    tasks: Sequence[T],
    jobs: int,
    deliver: Callable[[R], None],
    on_failure: Callable[[T, BaseException], R],
) -> None:
    # Each of ``jobs`` threads feeds its own one-process pool, one task at a time: when a pool breaks,
    # the task it held is the one that broke it, and no other task is lost with it.
    context = multiprocessing.get_context("forkserver")
    done: dict[int, R] = {}
    errors: list[BaseException] = []
    changed = threading.Condition()
    queue = iter(range(len(tasks)))
    stop = threading.Event()

    def attempt(pool: ProcessPoolExecutor, index: int) -> tuple[ProcessPoolExecutor, R]:
        error: BaseException | None = None
        for _ in range(_ATTEMPTS):
            try:
                return pool, pool.submit(function, tasks[index]).result()
            except BrokenProcessPool as exc:  # the worker died: a fresh one tries again
                error = exc
                pool.shutdown()
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            except Exception as exc:  # the task or its result could not be pickled: trying again cannot help
                return pool, on_failure(tasks[index], exc)
        assert error is not None
        return pool, on_failure(tasks[index], error)

    def feed() -> None:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        try:
            while not stop.is_set():
                with changed:
                    index = next(queue, None)
                if index is None:
                    return
                pool, result = attempt(pool, index)
                with changed:
                    done[index] = result
                    changed.notify_all()
        except BaseException as exc:  # handed to the caller's thread, which raises it
            with changed:
                errors.append(exc)
                changed.notify_all()
        finally:
            pool.shutdown()

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(min(jobs, len(tasks)))]
    for thread in threads:
        thread.start()
    try:
        for index in range(len(tasks)):
            with changed:
                changed.wait_for(lambda index=index: index in done or errors)
                if errors:
                    raise errors[0]
                result = done.pop(index)
            deliver(result)
    finally:
        stop.set()  # tasks under way finish (their kernels shut down cleanly); no new one starts
        for thread in threads:
            thread.join()
