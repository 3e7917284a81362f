"""Ingress modes: the environment each sets for Ray, and that it never leaks."""

from __future__ import annotations

import os

import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.serving import ingress
from groupbuy_ml.serving.ingress import ingress_environment, process_environment


def test_haproxy_mode_turns_on_haproxy_and_direct_ingress(monkeypatch) -> None:
    monkeypatch.delenv("RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S", raising=False)
    env = ingress_environment("haproxy", stats_port=41001, metrics_port=41002)
    assert env["RAY_SERVE_ENABLE_HA_PROXY"] == "1"
    assert env["RAY_SERVE_ENABLE_DIRECT_INGRESS"] == "1"
    assert env["RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S"] == "2"
    assert env["RAY_SERVE_HAPROXY_STATS_PORT"] == "41001"
    assert env["RAY_SERVE_HAPROXY_METRICS_PORT"] == "41002"
    # every endpoint is idempotent: a request whose replica died mid-way goes to another one
    assert env["RAY_SERVE_HAPROXY_RETRY_ON"].split() == ["conn-failure", "empty-response",
                                                         "junk-response"]


def test_haproxy_state_lives_in_the_given_folder(monkeypatch) -> None:
    monkeypatch.delenv("RAY_SERVE_HAPROXY_SOCKET_PATH", raising=False)
    env = ingress_environment("haproxy", state_dir="/tmp/ray_gb_x/haproxy")
    assert env["RAY_SERVE_HAPROXY_SOCKET_PATH"] == "/tmp/ray_gb_x/haproxy/admin.sock"
    assert env["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"] == "/tmp/ray_gb_x/haproxy/haproxy.cfg"
    assert env["RAY_SERVE_HAPROXY_SERVER_STATE_BASE"] == "/tmp/ray_gb_x/haproxy"
    too_long = ingress_environment("haproxy", state_dir="/tmp/" + "d" * 40)
    assert "RAY_SERVE_HAPROXY_SOCKET_PATH" not in too_long  # HAProxy would refuse the sockets


def test_proxy_mode_turns_both_off_even_if_the_shell_turned_them_on(monkeypatch) -> None:
    monkeypatch.setenv("RAY_SERVE_ENABLE_HA_PROXY", "1")
    assert ingress_environment("proxy") == {"RAY_SERVE_ENABLE_HA_PROXY": "0",
                                            "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0"}


def test_settings_already_in_the_environment_win_over_defaults(monkeypatch) -> None:
    monkeypatch.setenv("RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S", "30")
    monkeypatch.setenv("RAY_SERVE_HAPROXY_STATS_PORT", "8404")
    env = ingress_environment("haproxy", stats_port=41001)
    assert "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S" not in env
    assert "RAY_SERVE_HAPROXY_STATS_PORT" not in env


def test_unknown_mode_names_the_field_and_the_choices() -> None:
    with pytest.raises(ValueError, match=r"ingress: 'nginx' .* haproxy, proxy"):
        ingress_environment("nginx")


def test_missing_haproxy_binary_is_a_clear_error(monkeypatch) -> None:
    from ray.serve._private import haproxy

    def missing() -> str:
        raise FileNotFoundError("Could not find an HAProxy binary.")

    monkeypatch.setattr(haproxy, "get_haproxy_binary", missing)
    with pytest.raises(ConfigError, match="ingress=proxy"):
        ingress_environment("haproxy")
    assert ingress.ingress_environment("proxy")["RAY_SERVE_ENABLE_HA_PROXY"] == "0"


def test_process_environment_restores_what_was_there(monkeypatch) -> None:
    monkeypatch.setenv("GB_INGRESS_A", "before")
    monkeypatch.delenv("GB_INGRESS_B", raising=False)
    with process_environment({"GB_INGRESS_A": "during", "GB_INGRESS_B": "new"}):
        assert os.environ["GB_INGRESS_A"] == "during" and os.environ["GB_INGRESS_B"] == "new"
    assert os.environ["GB_INGRESS_A"] == "before" and "GB_INGRESS_B" not in os.environ
