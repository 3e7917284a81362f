"""The UserInputError family: what each class also is, and one-line pydantic messages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.errors import (
    ConfigError,
    InputNotFoundError,
    InvalidDataError,
    UnknownNameError,
    UserInputError,
)


def test_each_error_is_a_user_input_error_and_keeps_its_builtin_kind() -> None:
    assert issubclass(InputNotFoundError, FileNotFoundError)
    assert issubclass(UnknownNameError, LookupError)
    for kind in (ConfigError, InputNotFoundError, UnknownNameError, InvalidDataError,
                 DataValidationError):
        assert issubclass(kind, UserInputError) and issubclass(kind, ValueError)
    assert str(InputNotFoundError("sales.csv: no such file")) == "sales.csv: no such file"
    with pytest.raises(FileNotFoundError, match="no such file"):
        raise InputNotFoundError("sales.csv: no such file")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n_days: int = Field(1, ge=1)
    alias: str = "champion"


def test_from_validation_names_the_config_path_and_the_known_keys() -> None:
    with pytest.raises(ValidationError) as caught:
        _Settings(n_days=0)
    message = str(ConfigError.from_validation(caught.value, "market"))
    assert message == "market.n_days: Input should be greater than or equal to 1 (got 0)"
    with pytest.raises(ValidationError) as caught:
        _Settings(n_dyas=3)
    message = str(ConfigError.from_validation(caught.value, "market", _Settings.model_fields))
    assert message == "market.n_dyas: no such key; known keys: alias, n_days"
    assert "\n" not in message
