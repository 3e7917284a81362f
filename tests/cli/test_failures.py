"""How `groupbuy` reports failures (in process): one line for what the user can fix, the
traceback and a bug line for everything else; `--help` for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

import groupbuy_ml.cli.simulate as simulate_module
from groupbuy_ml.cli import COMMANDS, main
from groupbuy_ml.cli.failures import user_message
from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.errors import ConfigError


def _exit(args: list[str]) -> SystemExit:
    with pytest.raises(SystemExit) as caught:
        main(args)
    return caught.value


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_answers_help(command: str, capsys) -> None:
    main([command, "--help"])
    out = capsys.readouterr().out
    assert out.startswith(f"usage: groupbuy {command} [key=value ...]")
    if command != "demo":
        assert f"configs/{command}.yaml" in out and "Config groups" in out
        assert "paths:" in out  # the composed config, every key an override


def test_a_user_error_is_one_line_and_a_bug_keeps_its_traceback(monkeypatch, capsys) -> None:
    def fails(error: Exception):
        def command(args):
            raise error
        return command

    monkeypatch.setattr(simulate_module, "simulate_command",
                        fails(ConfigError("market.n_days=0: use n_days >= 1")))
    error = _exit(["simulate"])
    assert error.code == "groupbuy simulate: market.n_days=0: use n_days >= 1"
    assert "Traceback" not in capsys.readouterr().err

    monkeypatch.setattr(simulate_module, "simulate_command", fails(KeyError("units")))
    error = _exit(["simulate"])
    err = capsys.readouterr().err
    assert error.code == 1
    assert "Traceback" in err and "KeyError: 'units'" in err
    assert "this is a bug in groupbuy-ml" in err.splitlines()[-1]


def test_a_bug_inside_a_hydra_app_keeps_its_traceback(tmp_path: Path, monkeypatch,
                                                       capsys) -> None:
    monkeypatch.setenv("GROUPBUY_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    error = _exit(["train", "pipeline=json.loads"])  # json.loads(cfg): a TypeError, a "bug"
    err = capsys.readouterr().err
    assert error.code == 1 and "Traceback" in err and "TypeError" in err
    assert "this is a bug in groupbuy-ml" in err.splitlines()[-1]


@pytest.mark.parametrize(("name", "overrides", "expected"), [
    ("simulate", ["market.n_dyas=3"], "market.n_dyas: no such key in the config; keys there:"),
    ("train", ["data=nope"],
     "data=nope: no such config in configs/data/; choose one of: aspect_labels, csv,"),
    ("simulate", ["market.n_days=[1"], "cannot parse the override 'market.n_days=[1'"),
    ("train", ["model._target_=no.such.Model"], "_target_=no.such.Model: no such class"),
])
def test_config_errors_become_one_line_naming_the_key(name: str, overrides: list[str],
                                                      expected: str) -> None:
    from hydra.utils import instantiate

    with pytest.raises(Exception) as caught:
        cfg = compose_config(name, overrides)
        instantiate(cfg.model)
    message = user_message(caught.value)
    assert message is not None and message.startswith(expected) and "\n" not in message


def test_library_errors_outside_the_family_are_bugs() -> None:
    assert user_message(KeyError("units")) is None
    assert user_message(ValueError("arrays differ in length")) is None
