import asyncio

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.menu import ActionShowMenu


def _tracker(sender: str = "o-menu") -> Tracker:
    return Tracker(sender, {}, {"intent": {"name": "show_menu"}, "text": "菜单"}, [], False, None, {}, "action_listen")


def test_show_menu_sends_the_numbered_main_menu_and_remembers_it() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionShowMenu().run(dispatcher, _tracker(), {}))
    assert events == [SlotSet("last_menu", "main")]
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].startswith("请回复数字选择服务")
    assert "8. 航班值机" in dispatcher.messages[0]["text"]
