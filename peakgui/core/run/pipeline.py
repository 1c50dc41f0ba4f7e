"""Worker threads taking sub-blocks from a queue; their results collected by block number.

Each worker reads its sub-block's spectra (see core/io/direct_read.py), converts them and runs
the kernel, then drops the results where the one writer finds them in order. No worker waits for
another: there is no barrier per chunk, only the writer's order and the memory budget, which the
driver keeps by limiting what it submits (see core/run/streamed.py).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

Work = Callable[[int, int], Any]
"""Compute positions [a, b): what a worker does with one sub-block."""


class BlockPipeline:
    """``n`` worker threads running ``work`` on submitted sub-blocks; :meth:`take` waits for one.

    A worker's exception is handed to whoever takes that block. :meth:`close` stops the workers
    after the blocks they are computing (blocks not started are dropped).
    """

    def __init__(self, work: Work, n_workers: int):
        self._work = work
        self._n = max(1, n_workers)
        self._tasks: queue.SimpleQueue[tuple[int, int, int] | None] = queue.SimpleQueue()
        self._done: dict[int, tuple[bool, Any]] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def submit(self, index: int, a: int, b: int) -> None:
        if len(self._threads) < self._n:  # started as work arrives: a small run starts fewer
            t = threading.Thread(target=self._loop, name=f"peakgui-worker-{len(self._threads)}",
                                 daemon=True)
            t.start()
            self._threads.append(t)
        self._tasks.put((index, a, b))

    def take(self, index: int) -> Any:
        """The result of block ``index`` (waits for it); its exception is raised here."""
        with self._cond:
            while index not in self._done:
                self._cond.wait()
            ok, value = self._done.pop(index)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self._stop.set()
        for _ in self._threads:
            self._tasks.put(None)
        for t in self._threads:
            t.join()
        self._threads.clear()

    def _loop(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None or self._stop.is_set():
                return
            index, a, b = task
            try:
                result: tuple[bool, Any] = (True, self._work(a, b))
            except BaseException as exc:  # noqa: BLE001 - handed to the taker, who raises it
                result = (False, exc)
            with self._cond:
                self._done[index] = result
                self._cond.notify_all()
