import pytest

from bot.id_card import check_character, is_valid_id_card


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "440106198503120015"])
def test_valid_numbers(number: str) -> None:
    assert is_valid_id_card(number)


@pytest.mark.parametrize("number", ["110105194912310021", "44010619850312001", "4401061985031200155", "ABCDEFGHIJKLMNOPQR", ""])
def test_invalid_numbers(number: str) -> None:
    assert not is_valid_id_card(number)


def test_check_character_of_the_standard_example() -> None:
    assert check_character("11010519491231002") == "X"
