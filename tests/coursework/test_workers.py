"""The ways of running tasks, on cheap functions: order kept, a dying worker costs only its task."""

from __future__ import annotations

import os

import pytest

from langevin_lib.coursework.workers import run


def square_or_die(n: int) -> int:
    if n < 0:
        os._exit(3)  # the worker process dies, as one killed for its memory would
    return n * n


def lost(n: int, error: BaseException) -> str:
    return f"lost {n}: {type(error).__name__}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_come_in_the_order_of_the_tasks(jobs):
    seen = []
    assert run(square_or_die, [3, 1, 2, 5], jobs=jobs, on_result=seen.append, on_failure=lost) == [9, 1, 4, 25]
    assert seen == [9, 1, 4, 25]


def test_a_dying_worker_costs_only_its_own_task():
    assert run(square_or_die, [1, 2, -1, 3, 4], jobs=2, on_failure=lost) == [1, 4, "lost -1: BrokenProcessPool", 9, 16]


def test_on_a_dask_cluster_too():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        assert run(square_or_die, [3, 1, 2], client=client, on_failure=lost) == [9, 1, 4]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_jobs_must_be_a_positive_integer(jobs):
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        run(square_or_die, [1], jobs=jobs, on_failure=lost)
