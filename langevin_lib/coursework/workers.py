"""Where submissions are graded: in this process, in local worker processes, or on a Dask cluster.

Grading one submission is a self-contained task (the master's and the
submission's bytes, read before any student code ran, and the limits) that
starts its own sandboxed kernel wherever it runs. So the three ways give the
same reports; only the time differs. Results are delivered in the order of
the tasks, whatever order they finish in, so that what a caller writes after
each one (a gradebook, the printed table) does not depend on the way.

- ``jobs=1``: one after the other, here.
- ``jobs=N``: ``N`` worker processes of this machine (``forkserver``, so no
  worker inherits the grader's threads or sockets). A worker that dies
  (killed by the kernel's out-of-memory killer, say) breaks only the tasks it
  held: they run again once in fresh workers, then get ``on_failure``'s report.
- ``client``: a ``dask.distributed`` client (the optional ``cluster``
  dependencies); every worker needs bwrap and this Python environment, as the
  grader does. Dask itself reruns a task whose worker died, and gives up after
  its ``allowed-failures``; then ``on_failure`` makes the report.
"""

from __future__ import annotations

import multiprocessing
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
    done: dict[int, R] = {}
    attempts = dict.fromkeys(range(len(tasks)), 0)
    pending = list(range(len(tasks)))
    delivered = 0
    context = multiprocessing.get_context("forkserver")
    while pending:
        retry = []
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=context) as pool:
            futures = {index: pool.submit(function, tasks[index]) for index in pending}
            for index in pending:
                attempts[index] += 1
                try:
                    done[index] = futures[index].result()
                except BrokenProcessPool as exc:
                    if attempts[index] < _ATTEMPTS:
                        retry.append(index)
                    else:
                        done[index] = on_failure(tasks[index], exc)
                except Exception as exc:  # the task or its result could not be pickled
                    done[index] = on_failure(tasks[index], exc)
                while delivered in done:
                    deliver(done.pop(delivered))
                    delivered += 1
        pending = retry
