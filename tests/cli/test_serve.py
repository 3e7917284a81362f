"""`groupbuy serve`: config wiring, one-line errors, and (slow) a real start and clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import groupbuy_ml.cli.serve as serve_cli
from groupbuy_ml.serving.runner import free_port

GROUPBUY = str(Path(sys.executable).with_name("groupbuy"))


class _Answer:
    def json(self) -> dict:
        return {"forecast": {"name": "f", "version": 3, "model_class": "LightGBMForecaster"},
                "recommend": None, "route": {"solver": "ortools"}}


def test_serve_command_wires_the_config_and_stops(monkeypatch, tmp_path, capsys) -> None:
    seen = {}

    @contextmanager
    def fake_running_app(config, **kwargs):
        seen.update(config=config, **kwargs)
        yield "http://127.0.0.1:9999"
        seen["closed"] = True

    monkeypatch.setattr(serve_cli, "running_app", fake_running_app)
    monkeypatch.setattr(serve_cli.httpx, "get", lambda *a, **k: _Answer())
    stop = threading.Event()
    stop.set()
    serve_cli.serve_command([f"paths.root_dir={tmp_path}", "port=9999", "serving.alias=staging",
                             "deployments.route.num_replicas=2", "ingress=proxy"], stop=stop)
    config = seen["config"]
    assert config.alias == "staging" and Path(config.root) == tmp_path
    assert seen["port"] == 9999 and seen["deployment_options"]["route"]["num_replicas"] == 2
    assert seen["deployment_options"]["api"]["user_config"]["recommend_max_batch_size"] == 32
    assert seen["ingress"] == "proxy" and seen["closed"]
    out = capsys.readouterr().out
    assert "http://127.0.0.1:9999/docs" in out and "f v3" in out and "503" in out


def test_bad_serving_value_is_one_line(tmp_path: Path) -> None:
    out = subprocess.run([GROUPBUY, "serve", "serving.poll_interval_s=0"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GROUPBUY_ROOT": str(tmp_path)})
    assert out.returncode != 0
    assert "serving.poll_interval_s" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
@pytest.mark.server
def test_groupbuy_serve_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    """Route only (no registered models needed): the forecast and recommend endpoints are
    switched off and report so."""
    port = free_port()
    proc = subprocess.Popen(
        [GROUPBUY, "serve", f"port={port}", "serving.forecast_model=null",
         "serving.recommend_model=null"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env={**os.environ, "GROUPBUY_ROOT": str(tmp_path)})
    lines: list[str] = []
    try:
        for line in proc.stdout:  # the command installs its SIGTERM handler once it says so
            lines.append(line)
            if "press Ctrl-C to stop" in line:
                break
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models").json()
        assert models["forecast"] is None and models["route"]["solver"] == "ortools"
        off = httpx.post(f"http://127.0.0.1:{port}/v1/recommend", json={"user_id": 1})
        assert off.status_code == 503
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=120)
        output = "".join(lines) + rest
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output[-2000:]
    assert "stopped" in output
