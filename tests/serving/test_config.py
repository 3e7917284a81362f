"""ServingConfig: strict fields, paths anchored at root, the API key from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from groupbuy_ml.serving.config import ServingConfig


def test_paths_are_anchored_at_root(tmp_path: Path) -> None:
    config = ServingConfig(root=str(tmp_path), market_dir="outputs/market")
    assert config.market_path() == tmp_path.resolve() / "outputs" / "market"
    assert config.target().uri == f"sqlite:///{tmp_path.resolve()}/mlflow/mlflow.db"
    assert ServingConfig(market_dir=None).market_path() is None


def test_unknown_or_bad_fields_are_errors() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ServingConfig.from_mapping({"forecast_modle": "x"})
    with pytest.raises(ValidationError, match="poll_interval_s"):
        ServingConfig(poll_interval_s=0)


def test_api_key_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_KEY", raising=False)
    config = ServingConfig(api_key_env="MY_KEY")
    assert config.api_key() is None
    monkeypatch.setenv("MY_KEY", "")
    assert config.api_key() is None
    monkeypatch.setenv("MY_KEY", "s3cret")
    assert config.api_key() == "s3cret"
