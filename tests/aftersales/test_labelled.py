"""The committed hand-labelled samples: sizes, parts and every text hash match the shared data."""

from groupbuy_ml.aftersales.aspects import ASPECTS
from groupbuy_ml.aftersales.intents import SHOPPING_INTENTS
from groupbuy_ml.aftersales.labelled import load_aspect_labels, load_intent_labels


def test_aspect_sample_is_what_the_guide_says() -> None:
    labels = load_aspect_labels()
    assert len(labels) == 300 and (labels["part"] == "test").sum() == 200
    assert labels["label"].eq(0).all()            # negative reviews only
    assert labels.groupby("domain").size().to_dict() == {"waimai": 150, "水果": 100, "蒙牛": 50}
    assert (labels[list(ASPECTS)].sum(axis=1).eq(0) == labels["none"].eq(1)).all()


def test_intent_sample_keeps_sessions_in_one_part() -> None:
    labels = load_intent_labels()
    assert len(labels) == 478 and set(labels["intent"]) <= set(SHOPPING_INTENTS)
    assert labels.groupby("session_id")["part"].nunique().eq(1).all()
    assert labels["part"].value_counts().to_dict() == {"test": 299, "dev": 179}
