"""The comparison server: the app's own services behind a plain FastAPI app on uvicorn, no Ray.

One uvicorn worker process serving :func:`groupbuy_ml.serving.api.create_api` with a
:class:`~groupbuy_ml.serving.api.LocalBackend`: the very same routes, schemas, validation, API
key check, body-size limit and ``ForecastService`` / ``RecommendService`` / ``RouteService``
objects (loaded from the same registry alias) that the Ray Serve ingress uses, only called in
this process's thread pool, one request per call, instead of through Serve deployment handles
with ``@serve.batch``. The benchmark divides Ray Serve's numbers by this server's.

    python experiments/serving/plain_fastapi.py --port 8011 --config '{"root": "/tmp/gb"}'
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from fastapi import FastAPI

from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.services import ForecastService, RecommendService, RouteService


def create_plain_app(config: ServingConfig) -> FastAPI:
    """The app with every service loaded once in this process (each polls the alias)."""
    backend = LocalBackend(
        forecast=ForecastService.from_registry(config) if config.forecast_model else None,
        recommend=RecommendService.from_registry(config) if config.recommend_model else None,
        route=RouteService.from_registry(config),
    )
    return create_api(backend, config.api_key(), config.max_body_bytes)


def main() -> None:
    parser = argparse.ArgumentParser(description="plain FastAPI + uvicorn comparison server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", default="{}", help="ServingConfig fields as JSON")
    args = parser.parse_args()
    config = ServingConfig.from_mapping(json.loads(args.config))
    uvicorn.run(create_plain_app(config), host="127.0.0.1", port=args.port, workers=1,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
