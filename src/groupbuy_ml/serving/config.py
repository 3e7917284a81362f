"""What a serving process needs to know: the registry, the data sources and the limits.

One :class:`ServingConfig` drives every way of running the app: ``groupbuy serve``
(``configs/serve.yaml``), ``serve run serving/groupbuy.yaml`` (its ``args`` are these fields),
:func:`groupbuy_ml.serving.runner.running_app` in tests, and a plain FastAPI process built with
:func:`groupbuy_ml.serving.api.create_api`. It holds no secret: the API key is read from the
environment variable it names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from groupbuy_ml.tracking import TrackingTarget

__all__ = ["ServingConfig"]


class ServingConfig(BaseModel):
    """Settings of the serving app.

    Attributes:
        tracking_uri: MLflow tracking/registry URI (``None``: ``MLFLOW_TRACKING_URI``, else the
            local SQLite store under ``root``; see :func:`groupbuy_ml.tracking.resolve_tracking`).
        root: project folder that relative paths and the local store are anchored at.
        forecast_model, recommend_model: registered model names served by each endpoint
            (``None`` switches the endpoint off: it answers 503).
        review_model, aspect_model: the sentiment and complaint-aspect models of
            ``/v1/review`` (no aspect model: reviews get no aspects).
        intent_model: the shopper-intent model of ``/v1/intent``.
        alias: registry alias to serve (``champion``).
        market_dir: the market tables folder (``groupbuy simulate`` output): demand history for
            the forecaster, products and scenes for orders and filters, pickup points for routes.
        history_periods: history kept per series when the model does not say how much it needs
            (a LightGBMForecaster says: ``spec_.history_needed``).
        poll_interval_s: how often each replica asks the registry where the alias points.
        api_key_env: environment variable holding the API key; unset or empty = no key needed.
        max_body_bytes: request bodies above this size get 413.
        forecast_memo: forecast each series once per champion version for the requests
            without covariates of their own (they all read the same carried-forward future;
            :class:`~groupbuy_ml.serving.services.forecast_answers.ForecastMemo`).

    Request sizes (series, stops, k, time limit) are bounded in the request schemas
    (:mod:`groupbuy_ml.serving.schemas`), so that the OpenAPI document states them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracking_uri: str | None = None
    root: str = "."
    forecast_model: str | None = "forecast_market"
    recommend_model: str | None = "recommend_market"
    review_model: str | None = "review_sentiment_waimai"
    aspect_model: str | None = "review_aspects"
    intent_model: str | None = "intent_jddc"
    alias: str = "champion"
    market_dir: str | None = "outputs/market"
    history_periods: int = Field(56, ge=1, le=3660)
    poll_interval_s: float = Field(5.0, gt=0, le=3600)
    api_key_env: str = "GROUPBUY_API_KEY"
    max_body_bytes: int = Field(1_000_000, ge=1024)
    forecast_memo: bool = True

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> ServingConfig:
        """Build from a plain mapping (Serve ``args``, a Hydra node); unknown keys are errors."""
        return cls(**dict(values or {}))

    @property
    def root_path(self) -> Path:
        """``root`` as an absolute path."""
        return Path(self.root).expanduser().resolve()

    def target(self) -> TrackingTarget:
        """The MLflow store to read the registry from."""
        from groupbuy_ml.tracking import resolve_tracking  # MLflow: only where models load

        return resolve_tracking(self.tracking_uri, self.root_path)

    def market_path(self) -> Path | None:
        """``market_dir`` anchored at ``root`` (``None`` when not configured)."""
        if not self.market_dir:
            return None
        path = Path(self.market_dir).expanduser()
        return path if path.is_absolute() else self.root_path / path

    def api_key(self) -> str | None:
        """The key requests must send in ``X-API-Key``, or ``None`` when none is configured."""
        return os.environ.get(self.api_key_env) or None
