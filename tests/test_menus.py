from bot.menus import load_menus, parse_menus


def test_main_menu_from_data_file_is_numbered_and_has_no_blank_lines() -> None:
    text = load_menus()["main"].render()
    assert "\n\n" not in text
    assert "1. 话费余额" in text and "0. 转人工客服" in text


def test_menu_item_lookup_by_key() -> None:
    menus = parse_menus({"menus": {"m": {"header": "h", "items": [{"key": 1, "label": "A", "intent": "greet"}]}}})
    assert menus["m"].item(" 1 ").intent == "greet"
    assert menus["m"].item("2") is None
