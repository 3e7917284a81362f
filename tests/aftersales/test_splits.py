"""The fixed split: stratified, deterministic, every row in exactly one part."""

import pandas as pd
import pytest

from groupbuy_ml.aftersales.splits import split_texts, stratified_split
from groupbuy_ml.errors import UserInputError


def frame(n: int = 200) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"t{i}" for i in range(n)], "label": [i % 4 == 0 for i in
                         range(n)], "domain": ["a" if i < n // 2 else "b" for i in range(n)]})


def test_split_is_stratified_and_fixed() -> None:
    data = frame()
    split = split_texts(data, ("domain", "label"), seed=3)
    assert split.sizes() == {"n_train": 140, "n_validation": 20, "n_test": 40}
    for part in (split.train, split.validation, split.test):
        assert part["label"].mean() == pytest.approx(0.25, abs=0.06)   # whole rows per stratum
        assert (part["domain"] == "a").mean() == pytest.approx(0.5)
    again = split_texts(data, ("domain", "label"), seed=3)
    assert again.test["text"].tolist() == split.test["text"].tolist()
    other = split_texts(data, ("domain", "label"), seed=4)
    assert other.test["text"].tolist() != split.test["text"].tolist()
    every = pd.concat([split.train, split.validation, split.test])["text"]
    assert sorted(every) == sorted(data["text"])


@pytest.mark.parametrize(("by", "fractions"), [(["nope"], (0.7, 0.1, 0.2)),
                                               (["label"], (0.7, 0.1, 0.1))])
def test_bad_split_settings_are_named(by: list[str], fractions: tuple) -> None:
    with pytest.raises(UserInputError):
        stratified_split(frame(), by, fractions)


def test_review_source_reads_a_changed_file_again(tmp_path) -> None:
    import os

    from groupbuy_ml.aftersales.sources import ReviewSource

    file = tmp_path / "waimai_10k.csv"
    file.write_text("label,review\n" + "".join(f"{i % 2},好{i}\n" for i in range(40)),
                    encoding="utf-8")
    first = ReviewSource("waimai", root=tmp_path).load()
    first.train.loc[0, "text"] = "changed by the caller"          # a copy: the cache keeps its own
    again = ReviewSource("waimai", root=tmp_path).load()
    assert again.train["text"].tolist() != first.train["text"].tolist()
    assert sum(again.sizes().values()) == 40
    file.write_text("label,review\n" + "".join(f"{i % 2},差{i}\n" for i in range(50)),
                    encoding="utf-8")
    os.utime(file, ns=(1, 1))                                      # a new modification time
    changed = ReviewSource("waimai", root=tmp_path).load()
    assert sum(changed.sizes().values()) == 50 and changed.test["text"].str[0].eq("差").all()
