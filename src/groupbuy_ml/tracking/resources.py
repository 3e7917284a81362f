"""Resource use of a run: peak resident memory over a process and its workers."""

from __future__ import annotations

import threading
import time

import psutil


class PeakMemory:
    """Context manager sampling the resident memory of this process tree in a background
    thread; ``peak`` holds the largest sum seen (bytes), ``peak_gb`` the same in GiB."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def peak_gb(self) -> float:
        return self.peak / 2**30

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in (me, *me.children(recursive=True)):
                try:
                    total += proc.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
