"""Review and intent loaders: the texts schema, and clear errors for bad files."""

from pathlib import Path

import pytest

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.intents import load_jddc_turns, load_smp2017
from groupbuy_ml.data.loaders.reviews import read_review_csv


def test_review_csv_reads_into_the_texts_schema(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("label,review\n1,很好\n0,太慢了\n", encoding="utf-8-sig")
    frame = read_review_csv(path)
    assert frame["text"].tolist() == ["很好", "太慢了"] and frame["label"].tolist() == [1, 0]
    assert set(frame["domain"]) == {"mine"} and frame["row"].tolist() == [0, 1]


@pytest.mark.parametrize(("content", "match"), [
    ("label,review\n1,很好\n0,\n".encode(), "line 3"),
    ("label,review\n2,很好\n".encode(), "0 \\(negative\\) or 1"),
    ("label,text\n1,很好\n".encode(), "a column named 'review'"),
    ("label,review\n1,很好\n".encode("gbk"), "GB18030"),
])
def test_bad_review_files_name_the_problem(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataValidationError, match=match):
        read_review_csv(path)


def test_smp2017_blocks_and_jddc_turns(tmp_path: Path) -> None:
    (tmp_path / "smp2017_ecdt_task1.tsv").write_text(
        "Sentence\tTag\n打开微信\tapp\n你好\tchat\n天气\tweather\n打开qq\tapp\n晚安\tchat\n")
    frame = load_smp2017(tmp_path)
    assert frame["block"].tolist() == ["train"] * 3 + ["dev"] * 2
    (tmp_path / "jddc_chat_sample.tsv").write_text(
        "s1\tu1\t0\t0\t0\tnan\t我要改地址\ns1\tu1\t1\t0\t0\tnan\t好的\ns2\tu2\t0\t0\t0\tnan\t发票\n")
    turns = load_jddc_turns(tmp_path)
    assert turns["turn"].tolist() == [0, 1, 0] and turns["is_staff"].tolist() == [0, 1, 0]
