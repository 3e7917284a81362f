"""``groupbuy serve``: start Ray and the Serve app locally, print the URL, block until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from typing import Any

import httpx
from omegaconf import DictConfig, OmegaConf
from pydantic import ValidationError
from rich.console import Console

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.runner import running_app

__all__ = ["serve_command", "serving_config"]


def serving_config(cfg: DictConfig) -> tuple[ServingConfig, dict[str, dict[str, Any]]]:
    """The :class:`ServingConfig` and per-deployment options of a composed ``serve`` config.

    Raises:
        ConfigError: a ``serving.*`` value breaks its field's rule (named).
    """
    values = OmegaConf.to_container(cfg.serving, resolve=True)
    try:
        config = ServingConfig.from_mapping(values)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError.from_validation(error, "serving", ServingConfig.model_fields) from None
    options = OmegaConf.to_container(cfg.deployments, resolve=True) if cfg.get("deployments") \
        else {}
    return config, options  # type: ignore[return-value]


def serve_command(overrides: Sequence[str] = (), stop: threading.Event | None = None) -> None:
    """Compose ``configs/serve.yaml`` with ``overrides``, serve until Ctrl-C/SIGTERM (or until
    ``stop`` is set), then shut Serve and Ray down."""
    cfg = compose_config("serve", overrides)
    config, options = serving_config(cfg)
    console = Console()
    stop = stop or threading.Event()
    previous = None
    console.print(f"starting Ray Serve ({cfg.num_cpus} CPUs); replicas load "
                  f"{config.forecast_model} / {config.recommend_model} @{config.alias} ...")
    try:
        with running_app(config, port=int(cfg.port), host=str(cfg.host),
                         num_cpus=int(cfg.num_cpus), object_store_mb=int(cfg.object_store_mb),
                         temp_dir=cfg.ray_temp_dir, deployment_options=options,
                         ready_timeout_s=float(cfg.ready_timeout_s),
                         ingress=str(cfg.get("ingress", "haproxy"))) as url:
            _announce(console, url, config)
            if _main_thread():  # after ray.init, which installs its own SIGTERM handler
                previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
            console.print("shutting down ...")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    console.print("stopped")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _announce(console: Console, url: str, config: ServingConfig) -> None:
    key = config.api_key()
    headers = {"X-API-Key": key} if key else {}
    models = httpx.get(f"{url}/v1/models", headers=headers, timeout=10).json()
    lines = [f"[bold]groupbuy-ml[/] serving at {url}   (API docs: {url}/docs)"]
    for name in ("forecast", "recommend"):
        ref = models.get(name)
        lines.append(f"  /v1/{name:<9} " + ("no model loaded (503 until one is promoted)"
                                            if ref is None else
                                            f"{ref['name']} v{ref['version']} "
                                            f"({ref['model_class']})"))
    lines.append(f"  /v1/route     {models.get('route', {}).get('solver', '-')}")
    lines.append(f"  API key       {'required (X-API-Key)' if key else 'not required'}")
    lines.append("press Ctrl-C to stop")
    console.print("\n".join(lines))
