"""The one worker pool of formkit: ``ordered_map(fn, items, workers=…)`` runs ``fn`` over
``items`` in fresh ``spawn`` processes and yields the results in input order, as they arrive.

Workers are recycled by running the items in chunks of ``workers × recycle``, each chunk in a
new pool, so memory stays flat (docxtpl and WeasyPrint grow in long-lived processes). Neither
``ProcessPoolExecutor``'s ``max_tasks_per_child`` (deadlocks on Python 3.11, CPython gh-115634)
nor ``multiprocessing.Pool``'s ``maxtasksperchild`` (its ``terminate()`` hung once a worker had
retired) is used. Workers ignore Ctrl-C (the parent stops them) and die with the parent
(Linux ``PR_SET_PDEATHSIG``). With ``workers <= 1`` or few items everything runs here.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def ordered_map(fn: Callable[[Any], T], items: Sequence[Any], *, workers: int = 1, recycle: int = 20,
                inline_below: int = 3) -> Iterator[T]:
    """``fn(item)`` for every item, in order (see the module docstring)."""
    if workers <= 1 or len(items) < inline_below:
        for item in items:
            yield fn(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    chunk = max(workers, workers * recycle)
    for i in range(0, len(items), chunk):
        part = items[i:i + chunk]
        with ProcessPoolExecutor(max_workers=min(workers, len(part)), mp_context=ctx,
                                 initializer=_worker_init) as pool:
            futures = [pool.submit(fn, item) for item in part]
            try:
                for fut in futures:
                    yield fut.result()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
