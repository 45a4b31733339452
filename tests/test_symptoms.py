from bot.symptoms import symptom_in


def test_a_six_digit_verification_code_is_not_a_symptom_number() -> None:
    assert symptom_in("000003") is None


def test_a_list_number_and_free_text_pick_a_symptom() -> None:
    assert symptom_in("3") == "频繁掉线"
    assert symptom_in("光猫LOS灯一直闪") == "光猫红灯/LOS"
    assert symptom_in("嗯") is None
