"""A user's CSV as it comes: gzip / zip / bz2 / xz read, several-file zips and non-UTF-8 text
refused in one line naming the file and the fix."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path

import pytest

from groupbuy_ml.data.loaders import read_demand_csv
from groupbuy_ml.errors import ConfigError, InvalidDataError

MAPPING = {"location_id": "shop", "date": "day", "units": "qty"}
TEXT = "shop,day,qty\nMünchen,2024-01-01,3\nMünchen,2024-01-02,4\n"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(("name", "pack"), [
    ("sales.csv.gz", gzip.compress), ("sales.csv.bz2", bz2.compress),
    ("sales.csv.xz", lzma.compress), ("sales.csv", gzip.compress),  # misnamed: read by content
    ("sales.csv.zip", None)])
def test_compressed_files_read_like_the_plain_one(tmp_path: Path, name: str, pack) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text(TEXT, encoding="utf-8")
    path = tmp_path / name
    if pack is None:
        _zip(path, {"sales.csv": TEXT.encode(), "__MACOSX/._sales.csv": b"\x00\x05junk"})
    else:
        path.write_bytes(pack(TEXT.encode()))
    got = read_demand_csv(path, MAPPING)
    assert got.equals(read_demand_csv(plain, MAPPING))
    assert got["location_id"].tolist() == ["München", "München"]


def test_a_zip_of_several_files_names_them_and_the_fix(tmp_path: Path) -> None:
    path = _zip(tmp_path / "bundle.zip", {"train.csv": TEXT.encode(), "store.csv": b"a\n1\n"})
    with pytest.raises(InvalidDataError, match=r"bundle\.zip.*2 files \(train\.csv, store\.csv"
                       r"\).*unzip") as caught:
        read_demand_csv(path, MAPPING)
    assert "\n" not in str(caught.value)
    with pytest.raises(InvalidDataError, match="no file"):
        read_demand_csv(_zip(tmp_path / "empty.zip", {}), MAPPING)
    broken = tmp_path / "cut.csv.gz"
    broken.write_bytes(gzip.compress(TEXT.encode())[:20])
    with pytest.raises(InvalidDataError, match=r"cut\.csv\.gz.*does not unpack"):
        read_demand_csv(broken, MAPPING)


def test_a_file_in_another_encoding_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "weekly.csv"
    path.write_bytes(TEXT.encode("cp1252"))
    with pytest.raises(InvalidDataError) as caught:
        read_demand_csv(path, MAPPING)
    message = str(caught.value)
    assert message.startswith(str(path)) and "line 2" in message and "0xfc" in message
    assert "data.columns.encoding=" in message and "\n" not in message
    panel = read_demand_csv(path, {**MAPPING, "encoding": "cp1252"})
    assert panel["location_id"].iloc[0] == "München"
    with pytest.raises(ConfigError, match="data.columns.encoding=klingon"):
        read_demand_csv(path, {**MAPPING, "encoding": "klingon"})
