"""Framework-free services: each holds what its endpoint serves and answers a validated request.

``ForecastService.from_registry(config)``, ``RecommendService.from_registry(config)`` and
``RouteService.from_registry(config)`` build them; ``handle(request) -> response`` answers one
request and ``handle_batch(requests)`` several (errors returned in place). Ray Serve deployments
(:mod:`groupbuy_ml.serving.app`) and a plain FastAPI process (:mod:`groupbuy_ml.serving.api`)
wrap the very same objects.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ForecastService", "IntentService", "RecommendService", "ReviewService",
           "RouteService"]

_MODULES = {"ForecastService": "forecast", "RecommendService": "recommend",
            "RouteService": "route", "ReviewService": "text", "IntentService": "text"}


def __getattr__(name: str) -> Any:
    # Imported on first use: a route replica then never loads MLflow or torch.
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
