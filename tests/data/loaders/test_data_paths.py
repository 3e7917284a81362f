"""shared_data_dir(): environment variable, upward search, clear failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbuy_ml.data.loaders import paths, shared_data_dir


def test_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUPBUY_DATA_DIR", str(tmp_path))
    assert shared_data_dir() == tmp_path


def test_environment_variable_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUPBUY_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="GROUPBUY_DATA_DIR"):
        shared_data_dir()


def test_finds_shared_data_beside_an_ancestor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "shared" / "data"
    data.mkdir(parents=True)
    clone = tmp_path / "main" / "notebooks"
    clone.mkdir(parents=True)
    monkeypatch.delenv("GROUPBUY_DATA_DIR", raising=False)
    monkeypatch.chdir(clone)
    assert shared_data_dir() == data


def test_not_found_tells_the_user_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GROUPBUY_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "paths.py"))
    if (Path(tmp_path.anchor) / "shared" / "data").is_dir():
        pytest.skip("a /shared/data folder exists at the file-system root")
    with pytest.raises(FileNotFoundError, match="set GROUPBUY_DATA_DIR"):
        shared_data_dir()


def test_dataset_folder_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        paths.dataset_dir("rossmann", tmp_path / "nothing-here")
    with pytest.raises(FileNotFoundError, match="train.csv"):
        paths.require_file(tmp_path, "train.csv")


def test_real_shared_folder_holds_every_dataset(shared_data: Path) -> None:
    for name in ["rossmann", "stallion", "m5", "gowalla", "solomon"]:
        assert (shared_data / name / "README.md").is_file(), name
