"""Text normalisation: every documented step and every refused input."""

import pytest

from groupbuy_ml.aftersales.text import EmptyTextError, NotTextError, TextNormalizer
from groupbuy_ml.errors import UserInputError


@pytest.mark.parametrize(("raw", "expected"), [
    ("味道著實一般送到時候飯涼涼的", "味道著实一般送到时候饭凉凉的"),   # traditional -> simplified
    ("\ufeff做父母　ＡＢＣ１２", "做父母 abc12"),                       # BOM, NFKC, full-width
    ("iPhone很好用", "iphone很好用"),                                   # mixed Chinese / English
    ("  很\t快 \n ", "很 快"),                                          # whitespace collapsed
    ("送\u200b餐", "送餐"),                                             # zero-width removed
])
def test_normalised_text(raw: str, expected: str) -> None:
    assert TextNormalizer()(raw) == expected


def test_flags_say_what_happened() -> None:
    norm = TextNormalizer(max_chars=5)
    long = norm.inspect("好" * 10_000)
    assert long.text == "好" * 5 and long.truncated and long.informative
    emoji = norm.inspect("👍👍!!")
    assert emoji.text == "👍👍!!" and not emoji.informative and not emoji.truncated
    assert norm.inspect("飯涼").converted and not norm.inspect("饭凉").converted


@pytest.mark.parametrize("bad", ["", "   ", "\u200b\ufeff"])
def test_empty_text_is_a_user_error(bad: str) -> None:
    with pytest.raises(EmptyTextError, match="empty"):
        TextNormalizer()(bad)


@pytest.mark.parametrize("bad", [None, 3, b"\xe5\xa5\xbd"])
def test_non_text_is_a_user_error(bad: object) -> None:
    with pytest.raises(NotTextError, match="expected a text") as caught:
        TextNormalizer()(bad)
    assert isinstance(caught.value, UserInputError)


def test_control_characters_only_is_empty() -> None:
    # found by fuzzing /v1/review: a text of control characters normalises to nothing
    with pytest.raises(EmptyTextError):
        TextNormalizer()("\u0010\u0096")
