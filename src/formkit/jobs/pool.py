"""The one worker pool of formkit: ``ordered_map(fn, items, workers=…)`` runs ``fn`` over
``items`` in ``spawn`` worker processes and yields the results in input order, as they arrive.

The workers are started once per call (a worker costs about 1.5 s of imports and warm-up) and
fed chunks of items (``chunk`` items per task, a few chunks ahead of the results being
consumed, so results waiting in this process stay few). Memory stays flat because what grows
per document is bounded in the workers (one WeasyPrint font configuration per process, caches
of fixed size): ``bench/bench_speed.py`` prints the peak RSS at 100 and 1,000 records. Workers
ignore Ctrl-C (the parent stops them) and die with the parent (Linux ``PR_SET_PDEATHSIG``).
With ``workers <= 1`` or few items everything runs here.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

AHEAD = 2
"""Chunks submitted per worker ahead of the one whose results are being yielded."""


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def _run_chunk(fn: Callable[[Any], T], chunk: Sequence[Any]) -> list[T]:
    return [fn(item) for item in chunk]


def chunk_size(n: int, workers: int) -> int:
    """Items per task: about four tasks per worker, at most 8 items (results come back per chunk)."""
    return max(1, min(8, n // (workers * 4)))


def ordered_map(fn: Callable[[Any], T], items: Sequence[Any], *, workers: int = 1, chunk: int | None = None,
                inline_below: int = 3) -> Iterator[T]:
    """``fn(item)`` for every item, in order (see the module docstring). ``fn`` and the items
    must be picklable (a module-level function)."""
    if workers <= 1 or len(items) < inline_below:
        for item in items:
            yield fn(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = chunk or chunk_size(len(items), workers)
    chunks = iter([items[i:i + size] for i in range(0, len(items), size)])
    ctx = multiprocessing.get_context("spawn")
    tasks = -(-len(items) // size)
    with ProcessPoolExecutor(max_workers=min(workers, tasks), mp_context=ctx, initializer=_worker_init) as pool:
        pending: deque = deque()
        try:
            for _ in range(workers * AHEAD):
                part = next(chunks, None)
                if part is None:
                    break
                pending.append(pool.submit(_run_chunk, fn, part))
            while pending:
                results = pending.popleft().result()
                part = next(chunks, None)
                if part is not None:
                    pending.append(pool.submit(_run_chunk, fn, part))
                yield from results
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
