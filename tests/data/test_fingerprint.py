"""Fingerprints change exactly when content, names or layout change."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.data.fingerprint import fingerprint_files, fingerprint_frame


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "panel"
    (root / "week=1").mkdir(parents=True)
    (root / "week=2").mkdir()
    (root / "week=1" / "part-0.csv").write_text("a,b\n1,2\n")
    (root / "week=2" / "part-0.csv").write_text("a,b\n3,4\n")
    return root


def test_file_digest_is_sha256_hex_and_deterministic(tmp_path: Path) -> None:
    file = tmp_path / "x.csv"
    file.write_bytes(b"hello")
    digest = fingerprint_files([file])
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == fingerprint_files([file]) == fingerprint_files(file)
    assert digest != hashlib.sha256(b"hello").hexdigest()  # the name is part of it


def test_content_name_and_layout_changes_change_the_digest(dataset: Path) -> None:
    before = fingerprint_files([dataset])
    part = dataset / "week=2" / "part-0.csv"
    part.write_text("a,b\n3,5\n")
    edited = fingerprint_files([dataset])
    part.rename(dataset / "week=2" / "part-1.csv")
    renamed = fingerprint_files([dataset])
    (dataset / "week=3").mkdir()
    (dataset / "week=3" / "part-0.csv").write_text("")
    added = fingerprint_files([dataset])
    assert len({before, edited, renamed, added}) == 4


def test_location_and_argument_order_do_not_matter(dataset: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "panel"
    shutil.copytree(dataset, other)
    extra = tmp_path / "extra.txt"
    extra.write_text("x")
    assert fingerprint_files([dataset]) == fingerprint_files([other])
    assert fingerprint_files([dataset, extra]) == fingerprint_files([extra, dataset])
    assert fingerprint_files([dataset, extra]) != fingerprint_files([dataset])


def test_bytes_cannot_shift_between_files(tmp_path: Path) -> None:
    one, two = tmp_path / "c" / "same", tmp_path / "e" / "same"
    for folder, first, second in ((one, b"xy", b"z"), (two, b"x", b"yz")):
        folder.mkdir(parents=True)
        (folder / "1").write_bytes(first)
        (folder / "2").write_bytes(second)
    assert fingerprint_files([one]) != fingerprint_files([two])


def test_parquet_dataset_folder(tmp_path: Path) -> None:
    df = pd.DataFrame({"shop": ["a", "a", "b"], "qty": [1, 2, 3]})
    folder = tmp_path / "orders"
    df.to_parquet(folder, partition_cols=["shop"])
    digest = fingerprint_files([folder])
    assert digest == fingerprint_files([folder])
    assert len(list(folder.rglob("*.parquet"))) == 2


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        fingerprint_files([tmp_path / "nope"])


def test_frame_digest_is_stable_for_equal_content() -> None:
    df = pd.DataFrame({"shop": ["a", "b"], "qty": [1, 2], "price": [1.5, 2.0]})
    assert fingerprint_frame(df) == fingerprint_frame(df.copy())
    assert fingerprint_frame(df) == fingerprint_frame(pd.DataFrame(df.to_dict("list")))


def test_frame_digest_sees_values_names_dtypes_order_and_index() -> None:
    df = pd.DataFrame({"shop": ["a", "b"], "qty": [1, 2]})
    variants = [
        df,
        df.assign(qty=[1, 3]),
        df.rename(columns={"qty": "quantity"}),
        df.astype({"qty": np.float64}),
        df.iloc[::-1],
        df.set_axis([5, 6]),
        df.iloc[:1],
    ]
    assert len({fingerprint_frame(v) for v in variants}) == len(variants)
    assert fingerprint_frame(df.set_axis([5, 6]), index=False) == fingerprint_frame(df, index=False)


def test_empty_frames() -> None:
    assert fingerprint_frame(pd.DataFrame()) == fingerprint_frame(pd.DataFrame())
    assert fingerprint_frame(pd.DataFrame({"a": []})) != fingerprint_frame(pd.DataFrame())
