"""LightGCN-format interaction files: the real Gowalla split and every bad-input path."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from groupbuy_ml.data import DataValidationError
from groupbuy_ml.data.loaders import (
    InteractionSplit,
    load_gowalla,
    load_interaction_split,
    read_interaction_file,
)


@pytest.fixture(scope="module")
def gowalla(shared_data: Path) -> InteractionSplit:
    return load_gowalla(shared_data / "gowalla")


def test_counts_match_the_readme(gowalla: InteractionSplit) -> None:
    assert len(gowalla.train) == 810_128
    assert len(gowalla.test) == 217_242
    assert gowalla.num_users == 29_858
    assert gowalla.num_items == 40_981
    assert gowalla.test["item_id"].nunique() == 38_546
    assert gowalla.name == "gowalla"
    assert gowalla.train.dtypes.astype(str).to_dict() == {"user_id": "int64", "item_id": "int64"}


def test_every_user_in_both_files_and_no_overlap(gowalla: InteractionSplit) -> None:
    assert gowalla.train["user_id"].nunique() == gowalla.test["user_id"].nunique() == 29_858
    assert gowalla.users_without_train_items == gowalla.users_without_test_items == ()
    overlap = gowalla.train.merge(gowalla.test, on=["user_id", "item_id"])
    assert overlap.empty
    density = (810_128 + 217_242) / (29_858 * 40_981)
    assert round(density, 5) == 0.00084


def test_loading_is_fast(shared_data: Path) -> None:
    start = time.perf_counter()
    load_gowalla(shared_data / "gowalla")
    assert time.perf_counter() - start < 5.0  # about 0.5 s here; generous for busy CI


def test_split_is_frozen(gowalla: InteractionSplit) -> None:
    with pytest.raises(AttributeError):
        gowalla.num_users = 1  # type: ignore[misc]


def test_any_folder_in_the_format_loads(tmp_path: Path) -> None:
    folder = tmp_path / "my-shop"
    folder.mkdir()
    (folder / "train.txt").write_text("0 1 2\r\n1 0\r\n\r\n2\r\n")
    (folder / "test.txt").write_text("0 3\n1\n2 2\n")
    split = load_gowalla(folder)
    assert split.name == "my-shop"
    assert split.train.values.tolist() == [[0, 1], [0, 2], [1, 0]]
    assert split.test.values.tolist() == [[0, 3], [2, 2]]
    assert (split.num_users, split.num_items) == (3, 4)
    assert split.users_without_train_items == (2,)
    assert split.users_without_test_items == (1,)
    assert split.train.attrs["num_listed_users"] == 3


def test_load_interaction_split_takes_paths(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("0 5\n")
    (tmp_path / "b.txt").write_text("3 1\n")
    split = load_interaction_split(tmp_path / "a.txt", tmp_path / "b.txt", name="x")
    assert (split.num_users, split.num_items, split.name) == (4, 6, "x")


@pytest.mark.parametrize(
    ("content", "column", "shown"),
    [
        ("0 1 2\n1 4 x7\n", "item_id", "line 2: 'x7'"),
        ("0 1 2\n\n1 4 -7\n", "item_id", "line 3: '-7'"),
        ("0 1\nu1 4\n", "user_id", "line 2: 'u1'"),
        ("0 1.5\n", "item_id", "line 1: '1.5'"),
        ("0 99999999999999999999\n", "item_id", "line 1: '99999999999999999999'"),
    ],
)
def test_bad_tokens_name_file_column_and_line(
    tmp_path: Path, content: str, column: str, shown: str
) -> None:
    path = tmp_path / "train.txt"
    path.write_text(content)
    with pytest.raises(DataValidationError) as err:
        read_interaction_file(path)
    message = str(err.value)
    assert str(path) in message and column in message and shown in message


def test_user_listed_twice(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text("0 1\n1 2\n0 3\n")
    with pytest.raises(
        DataValidationError, match=r"(?s)'user_id'.*one line only.*line 1: 0.*line 3: 0"
    ):
        read_interaction_file(path)


def test_repeated_item_on_a_line(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text("0 1\n1 2 5 2\n")
    with pytest.raises(DataValidationError, match=r"(?s)'item_id'.*not? item repeated.*line 2: 2"):
        read_interaction_file(path)


def test_empty_file_is_an_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "test.txt"
    path.write_text("")
    frame = read_interaction_file(path)
    assert frame.empty and list(frame.columns) == ["user_id", "item_id"]
    assert frame.attrs["num_listed_users"] == 0
