"""Running independent tasks in worker processes, one thread each.

A fit that uses every core (OpenMP in HistGradientBoosting, BLAS, torch) slows down
badly when other processes compete for the cores: its threads wait for each other.
The bench runs fits in ``n_jobs`` processes instead, each limited to one thread
(threadpoolctl for OpenMP and BLAS, ``torch.set_num_threads(1)``), so a busy machine
slows a run in proportion, not by an order of magnitude.

Workers start from a fork server (or are spawned where there is none): they never
inherit the parent's threads or locks. What crosses to them (the initializer's
arguments, the tasks, the results) must pickle. Workers ignore SIGINT: the parent
decides what an interrupt means and terminates them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

__all__ = ["WorkerDied", "available_cores", "one_thread", "run_tasks", "warm_up"]


class WorkerDied(RuntimeError):
    """A worker process ended without returning (killed, or out of memory)."""


def available_cores() -> int:
    """The cores this process may run on (``os.sched_getaffinity``), at least 1.

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(os.cpu_count() or 1, 1)


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Limit OpenMP, BLAS and (when imported) torch to one thread inside the block.

    Examples
    --------
    >>> import numpy as np
    >>> with one_thread():
    ...     value = float(np.ones((50, 50)).dot(np.ones(50)).sum())
    >>> value
    2500.0
    """
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch is not None else None
    try:
        with threadpool_limits(limits=1):
            if torch is not None:
                torch.set_num_threads(1)
            yield
    finally:
        if torch is not None and threads is not None:
            torch.set_num_threads(threads)


def _worker_start(
    initializer: Callable[..., None], args: tuple[Any, ...], modules: tuple[str, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in modules:  # import first, so the limits below reach their pools
        with contextlib.suppress(ImportError):
            __import__(name)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    initializer(*args)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["balancekit.bench._worker"])
        return context
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now (it imports the bench in the background), so that
    workers started later fork at once; a no-op where there is none."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the workers now (running tasks are abandoned)."""
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


def run_tasks(
    work: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    n_jobs: int = 1,
    on_result: Callable[[Any], None],
    modules: tuple[str, ...] = (),
) -> None:
    """Call ``on_result(work(task))`` for every task, in ``n_jobs`` processes.

    ``n_jobs=1`` runs in this process (after ``initializer(*initargs)``), with the
    same one-thread limit. Results arrive in completion order. An exception in
    ``on_result`` or an interrupt (any ``BaseException``) terminates the workers and
    propagates; a worker that dies raises :class:`WorkerDied`.

    Parameters
    ----------
    work : callable
        A module-level function (it must pickle) of one task.
    tasks : iterable
        Picklable tasks.
    initializer, initargs
        Run once per worker (module-level function, picklable arguments): the place
        to receive large shared inputs once.
    n_jobs : int, default=1
        Worker processes.
    on_result : callable
        Called in this process with each result.
    modules : tuple of str
        Modules to import in each worker before the thread limits are set (e.g.
        ``"torch"``), so the limits reach their thread pools.

    Examples
    --------
    >>> results = []
    >>> run_tasks(abs, [-1, -2], initializer=dict, on_result=results.append)
    >>> sorted(results)
    [1, 2]
    """
    task_list = list(tasks)
    if n_jobs <= 1 or len(task_list) <= 1:
        initializer(*initargs)
        with one_thread():
            for task in task_list:
                on_result(work(task))
        return
    pool = ProcessPoolExecutor(
        max_workers=min(n_jobs, len(task_list)),
        mp_context=_context(),
        initializer=_worker_start,
        initargs=(initializer, initargs, modules),
    )
    pending: set[Future[Any]] = set()
    queue = iter(task_list)
    in_flight = 2 * n_jobs  # a few ahead, so a worker never waits for the parent
    try:
        for task in queue:
            pending.add(pool.submit(work, task))
            if len(pending) >= in_flight:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool as error:
                    raise WorkerDied(
                        "a worker process ended without returning (killed, or out "
                        "of memory); try fewer --n-jobs"
                    ) from error
                on_result(result)
                for task in queue:
                    pending.add(pool.submit(work, task))
                    break
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
