"""Fixtures for the loader tests: the shared benchmark folder, skipped when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbuy_ml.data.loaders import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``shared_data_dir()``, or a skip when this machine has no benchmark data."""
    try:
        return shared_data_dir()
    except FileNotFoundError as err:
        pytest.skip(f"no shared benchmark data: {err}")
