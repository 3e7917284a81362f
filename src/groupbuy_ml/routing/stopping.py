"""Small callable stopping criteria, shared by both backends.

In the spirit of PyVRP's ``pyvrp.stop`` (Wouda, Lan & Kool 2024): a criterion is called with the
best objective found so far each time a solver reports a solution and returns ``True`` to stop.
The wall-clock limit of :func:`groupbuy_ml.routing.solve` is enforced separately (a criterion can
only stop a search earlier, never extend it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from groupbuy_ml.errors import ConfigError


class StoppingCriterion:
    """Base class: ``criterion(best_cost) -> bool``; :meth:`reset` before each search."""

    def reset(self) -> None:
        """Start counting afresh."""

    def __call__(self, best_cost: float) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class MaxRuntime(StoppingCriterion):
    """Stop after ``seconds`` of wall-clock time since :meth:`reset`."""

    seconds: float
    _start: float = field(default_factory=time.perf_counter, repr=False)

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ConfigError(f"MaxRuntime(seconds={self.seconds}): use seconds >= 0")

    def reset(self) -> None:
        self._start = time.perf_counter()

    def __call__(self, best_cost: float) -> bool:
        return time.perf_counter() - self._start >= self.seconds


@dataclass
class MaxSolutions(StoppingCriterion):
    """Stop after ``count`` reported solutions (a deterministic budget)."""

    count: int
    _seen: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigError(f"MaxSolutions(count={self.count}): use count >= 1")

    def reset(self) -> None:
        self._seen = 0

    def __call__(self, best_cost: float) -> bool:
        self._seen += 1
        return self._seen >= self.count


@dataclass
class NoImprovement(StoppingCriterion):
    """Stop after ``count`` consecutive solutions that do not improve the best cost."""

    count: int
    _best: float = field(default=math.inf, repr=False)
    _since: int = field(default=0, repr=False)

    def reset(self) -> None:
        self._best, self._since = math.inf, 0

    def __call__(self, best_cost: float) -> bool:
        if best_cost < self._best:
            self._best, self._since = best_cost, 0
        else:
            self._since += 1
        return self._since >= self.count


@dataclass
class AnyOf(StoppingCriterion):
    """Stop as soon as any of ``criteria`` says so."""

    criteria: Sequence[StoppingCriterion]

    def reset(self) -> None:
        for c in self.criteria:
            c.reset()

    def __call__(self, best_cost: float) -> bool:
        # Every criterion sees every solution (counters stay right), then any may stop.
        return any([c(best_cost) for c in self.criteria])
