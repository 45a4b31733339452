from actions.menu import ActionShowMenu
from tests.actions.conftest import make_tracker, run


def test_show_menu_sends_the_numbered_main_menu_and_remembers_it() -> None:
    result = run(ActionShowMenu(), make_tracker(text="菜单"))
    assert result.slot("last_menu") == "main"
    assert len(result.texts) == 1 and result.texts[0].startswith("请回复数字选择服务")
    assert "8. 航班值机" in result.texts[0]
