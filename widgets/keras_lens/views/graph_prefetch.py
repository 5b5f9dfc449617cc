"""Lay out the drawings a click may ask for next, in one background thread.

Opening a folded group or a nested model is a new Graphviz layout of a larger graph (0.4-1 s
for ResNet50's and DenseNet121's stages on a loaded 2-core machine): too slow for the 300 ms an
interaction may take. ``GraphView`` therefore asks a ``Prefetcher`` to render, right after each
drawing, every state one click away (each group or nested model drawn, opened or closed). The
thread runs the ``dot`` subprocess, so the kernel stays free; a click whose drawing is still
being laid out waits for that one job instead of starting a second ``dot``. Only Python walks
the records; the page never lays anything out.

Set ``KERAS_LENS_PREFETCH=0`` to turn it off (every click then lays out on demand).

Example:
    >>> done = []
    >>> p = Prefetcher(done.append)
    >>> p.ahead(["a", "b"])
    >>> p.idle(timeout=5) and done
    ['a', 'b']
    >>> p.wait("a")  # not running now: nothing to wait for
    False
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable

__all__ = ["ENABLED", "Prefetcher"]

#: False when ``KERAS_LENS_PREFETCH=0``.
ENABLED = os.environ.get("KERAS_LENS_PREFETCH", "1") != "0"


class Prefetcher:
    """Runs ``work(key)`` for queued keys in a daemon thread, one at a time, newest list first."""

    def __init__(self, work: Callable[[Hashable], object], delay: float = 0.0) -> None:
        self._work = work
        self._delay = delay  # seconds before the first job: the page draws what it got first
        self._queue: deque[Hashable] = deque()
        self._running: Hashable | None = None
        self._done = threading.Condition()
        self._active = False  # a thread is in _loop (set and cleared under the lock)

    def ahead(self, keys: Iterable[Hashable]) -> None:
        """Replace the queue with ``keys`` (the ones not yet started are dropped)."""
        with self._done:
            self._queue = deque(keys)
            if self._queue and not self._active:
                self._active = True
                threading.Thread(target=self._loop, name="keras-lens-prefetch", daemon=True).start()

    def wait(self, key: Hashable, timeout: float = 60.0) -> bool:
        """If ``key`` is being worked on now, wait for it; True if it was (then it is done).

        Otherwise the caller lays it out itself, so it is dropped from the queue (no second layout).
        """
        with self._done:
            if self._running != key:
                with contextlib.suppress(ValueError):
                    self._queue.remove(key)
                return False
            return self._done.wait_for(lambda: self._running != key, timeout)

    def idle(self, timeout: float = 60.0) -> bool:
        """Wait until the queue is empty and nothing runs (benchmarks and tests)."""
        with self._done:
            return self._done.wait_for(lambda: not self._queue and self._running is None, timeout)

    def _loop(self) -> None:
        if self._delay:
            with self._done:
                self._done.wait(self._delay)
        while True:
            with self._done:
                if not self._queue:
                    self._running = None
                    self._active = False
                    self._done.notify_all()
                    return
                self._running = self._queue.popleft()
                key = self._running
            with contextlib.suppress(Exception):  # a failed layout shows when it is clicked
                self._work(key)
            with self._done:
                self._running = None
                self._done.notify_all()
