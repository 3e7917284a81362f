"""What ``groupbuy backtest`` shows while it runs: the model and origin being fitted, with the
time elapsed, on stderr (stdout keeps only the results table).

On a terminal a rich progress bar redraws in place; otherwise (a log file, CI) one line per
fit is printed, so a run of several minutes is never silent.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["BacktestProgress"]


class BacktestProgress:
    """A :data:`~groupbuy_ml.forecasting.backtest.Progress` callback; use as a context manager.

    Args:
        n_models: models per origin (the total is ``n_models x n_origins`` fits).
        stream: where to write (default stderr).
    """

    def __init__(self, n_models: int, stream: TextIO | None = None) -> None:
        self.n_models = n_models
        self.console = Console(file=stream or sys.stderr)
        self.started = time.perf_counter()
        self._bar: Progress | None = None
        self._task = None
        self._done = 0

    def __enter__(self) -> BacktestProgress:
        self.started = time.perf_counter()
        if self.console.is_terminal:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=self.console, transient=False)
            self._bar.start()
        return self

    def __call__(self, model: str, origin: int, n_origins: int) -> None:
        """Report that ``model`` is being fitted at ``origin`` (0-based) of ``n_origins``."""
        total = self.n_models * n_origins
        text = f"backtest: {model} at origin {origin + 1}/{n_origins}"
        if self._bar is None:
            self.console.print(f"{text} (fit {self._done + 1}/{total}, "
                               f"{time.perf_counter() - self.started:.1f} s elapsed)",
                               highlight=False, soft_wrap=True)
        else:
            if self._task is None:
                self._task = self._bar.add_task(text, total=total)
            self._bar.update(self._task, description=text, completed=self._done)
        self._done += 1

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            if self._task is not None and kind is None:
                self._bar.update(self._task, completed=self._done,
                                 description="backtest: done")
            self._bar.stop()
        elif kind is None:
            self.console.print(f"backtest: {self._done} fits in "
                               f"{time.perf_counter() - self.started:.1f} s", highlight=False)
