"""Numbers and codes as followers type them reach the validators in one form (issue 12)."""
import pytest

from bot.phone_numbers import digit_count, find_code, find_mobile


@pytest.mark.parametrize("typed", ["13800138000", "１３８００１３８０００", "+86 138 0013 8000", "+8613800138000",
                                   "0086-138-0013-8000", "138-0013-8000", "＋８６　１３８　００１３　８０００", "号码是138 0013 8000。"])
def test_mobile_numbers_in_every_typed_form(typed: str) -> None:
    assert find_mobile(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["138001380001", "23800138000", "1380013800", "8613800138000", ""])
def test_what_is_not_one_mobile_number(typed: str) -> None:
    assert find_mobile(typed) is None


@pytest.mark.parametrize("typed, code", [("123456", "123456"), ("１２３４５６", "123456"), ("验证码是 ０４２７１９", "042719"),
                                         ("1234567", None), ("１２３４５", None)])
def test_codes_in_ascii_or_full_width_digits(typed: str, code: str) -> None:
    assert find_code(typed) == code


def test_digits_are_counted_whatever_their_width() -> None:
    assert digit_count("１３８ 0013") == 7
