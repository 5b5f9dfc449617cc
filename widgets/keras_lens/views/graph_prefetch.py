"""Lay out the drawings a click may ask for next, in background threads.

Opening a folded group or a nested model is a new Graphviz layout of a larger graph (0.1-1 s
for ResNet50's and DenseNet121's stages on a loaded 2-core machine): too slow for the 300 ms an
interaction may take. ``GraphView`` therefore asks a ``Prefetcher`` to render, right after each
drawing, every state one click away (each group or nested model drawn, opened or closed), in
``workers`` threads at once (each waits on its own ``dot`` subprocess, so the kernel stays
free). ``first(key)`` moves one job to the front and starts it at once (the page reports the
group under the pointer: its layout starts before the click). A click whose drawing is still
being laid out waits for that one job instead of starting a second ``dot``. Only Python walks
the records; the page never lays anything out.

Set ``KERAS_LENS_PREFETCH=0`` to turn it off (every click then lays out on demand).

Example:
    >>> done = []
    >>> p = Prefetcher(done.append, workers=1)
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
    """Runs ``work(key)`` for queued keys in up to ``workers`` daemon threads, queue order."""

    def __init__(
        self, work: Callable[[Hashable], object], delay: float = 0.0, workers: int = 2
    ) -> None:
        self._work = work
        self._delay = delay  # seconds before the first job: the page draws what it got first
        self._workers = max(1, workers)
        self._queue: deque[Hashable] = deque()
        self._running: set[Hashable] = set()
        self._done = threading.Condition()
        self._active = 0  # threads in _loop (changed under the lock)
        self._hurry = False  # first() was called: no more waiting for the delay

    def ahead(self, keys: Iterable[Hashable]) -> None:
        """Replace the queue with ``keys`` (the ones not yet started are dropped)."""
        with self._done:
            self._queue = deque(k for k in dict.fromkeys(keys) if k not in self._running)
            self._hurry = False
            self._start()

    def first(self, key: Hashable) -> None:
        """Put ``key`` at the front of the queue and start it now (no delay)."""
        with self._done:
            if key in self._running:
                return
            with contextlib.suppress(ValueError):
                self._queue.remove(key)
            self._queue.appendleft(key)
            self._hurry = True
            self._done.notify_all()
            busy = len(self._running) >= self._workers
            self._start(extra=1 if busy else 0)  # all busy: one more thread, this must not wait

    def running(self, key: Hashable) -> bool:
        """True while ``key`` is being worked on."""
        with self._done:
            return key in self._running

    def wait(self, key: Hashable, timeout: float = 60.0) -> bool:
        """If ``key`` is being worked on now, wait for it; True if it was (then it is done).

        Otherwise the caller lays it out itself, so it is dropped from the queue (no second layout).
        """
        with self._done:
            if key not in self._running:
                with contextlib.suppress(ValueError):
                    self._queue.remove(key)
                return False
            return self._done.wait_for(lambda: key not in self._running, timeout)

    def idle(self, timeout: float = 60.0) -> bool:
        """Wait until the queue is empty and nothing runs (benchmarks and tests)."""
        with self._done:
            return self._done.wait_for(lambda: not self._queue and not self._running, timeout)

    def _start(self, extra: int = 0) -> None:  # under the lock
        while self._active < min(self._workers + extra, len(self._running) + len(self._queue)):
            self._active += 1
            threading.Thread(target=self._loop, name="keras-lens-prefetch", daemon=True).start()

    def _loop(self) -> None:
        if self._delay:
            with self._done:
                self._done.wait_for(lambda: self._hurry, self._delay)
        while True:
            with self._done:
                if not self._queue:
                    self._active -= 1
                    self._done.notify_all()
                    return
                key = self._queue.popleft()
                self._running.add(key)
            with contextlib.suppress(Exception):  # a failed layout shows when it is clicked
                self._work(key)
            with self._done:
                self._running.discard(key)
                self._done.notify_all()
