"""HTTP serving of the champion models (Ray Serve + FastAPI), loaded from the MLflow registry
by alias and swapped when the alias moves.

- :mod:`~groupbuy_ml.serving.schemas`: request/response models (pydantic, bounded);
- :mod:`~groupbuy_ml.serving.services`: ForecastService, RecommendService, RouteService
  (framework-free: ``from_registry(config)`` then ``handle(request)``);
- :mod:`~groupbuy_ml.serving.api`: the FastAPI app (errors as JSON, API key, size limit);
- :mod:`~groupbuy_ml.serving.app`: the Ray Serve deployments and ``build_app``;
- :mod:`~groupbuy_ml.serving.runner`: ``running_app(config)``, local Ray + Serve;
- :mod:`~groupbuy_ml.serving.ingress`: HAProxy (default) or Serve's proxy actor in front;
- :mod:`~groupbuy_ml.serving.client`: a small httpx client.

Guide: ``docs/serving.md``.
"""
