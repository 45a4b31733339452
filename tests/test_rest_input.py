"""Our REST channel (channels/rest.py): Rasa's URL and formats, but bad bodies get HTTP 400 with a JSON error
instead of 500, and the text is cleaned and capped like the WeChat channel's. Served on a real Sanic server
with a stand-in for Rasa's agent (tests/served_channel.py), so no trained model is needed."""
from __future__ import annotations

import json
import logging
from typing import Iterator

import pytest
import requests

from channels.rest import RestInput
from channels.wechat.content import load_content
from tests.served_channel import ServedChannel

NOTE = load_content().text("message_cut")


@pytest.fixture()
def rest() -> Iterator[ServedChannel]:
    with ServedChannel(RestInput(max_message_chars=20)) as served:
        yield served


def post(served: ServedChannel, body: bytes, **params: str) -> requests.Response:
    return requests.post(served.url, data=body, params=params, headers={"Content-Type": "application/json"}, timeout=10)


@pytest.mark.parametrize(
    "body, says",
    [(b'[{"sender": "a", "message": "hi"}]', "JSON object"),
     (b'"hi"', "JSON object"),
     (b"42", "JSON object"),
     (b"null", "JSON object"),
     (b"{not json", "must be JSON"),
     (b"", "must be JSON"),
     (b"\xff\xfe\x00", "must be JSON"),
     (b'{"message": "hi"}', "sender"),
     (b'{"sender": 42, "message": "hi"}', "sender"),
     (b'{"sender": "  ", "message": "hi"}', "sender"),
     (b'{"sender": "a"}', "message"),
     (b'{"sender": "a", "message": null}', "message"),
     (b'{"sender": "a", "message": ["hi"]}', "message"),
     (b'{"sender": "a", "message": "hi", "metadata": [1]}', "metadata"),
     (b'{"sender": "a", "message": "hi", "input_channel": 5}', "input_channel")],
    ids=["array", "string", "number", "null", "broken-json", "empty", "not-utf8", "no-sender", "numeric-sender",
         "blank-sender", "no-message", "null-message", "list-message", "list-metadata", "numeric-input-channel"],
)
def test_a_body_that_is_not_a_message_gets_400_with_a_json_error_and_no_turn(rest: ServedChannel, body: bytes,
                                                                               says: str) -> None:
    answer = post(rest, body)
    assert answer.status_code == 400
    assert says in answer.json()["error"]
    assert rest.turns == []


def test_a_good_message_reaches_the_dialogue_as_with_rasas_channel(rest: ServedChannel) -> None:
    answer = post(rest, json.dumps({"sender": "designer", "message": "你好", "metadata": {"k": 1}}).encode())
    assert answer.status_code == 200 and answer.json() == [{"recipient_id": "designer", "text": "echo:你好"}]
    turn = rest.turns[0]
    assert (turn.sender_id, turn.input_channel, turn.metadata) == ("designer", "rest", {"k": 1})


def test_an_empty_message_still_reaches_the_dialogue_for_its_polite_fallback(rest: ServedChannel) -> None:
    assert post(rest, b'{"sender": "a", "message": ""}').status_code == 200
    assert rest.texts == [""]


def test_control_and_zero_width_characters_are_removed_before_the_turn(rest: ServedChannel) -> None:
    post(rest, json.dumps({"sender": "a", "message": "\u0000查\u0001话费\u007f\u200b余额\r\n谢谢"}).encode())
    assert rest.texts == ["查话费余额\n谢谢"]


def test_a_long_message_is_cut_and_the_answer_says_so_first(rest: ServedChannel) -> None:
    answer = post(rest, json.dumps({"sender": "a", "message": "长" * 10_000}).encode())
    assert rest.texts == ["长" * 20]
    assert answer.json() == [{"recipient_id": "a", "text": NOTE.format(limit=20)},
                             {"recipient_id": "a", "text": "echo:" + "长" * 20}]


def test_a_message_at_the_cap_gets_no_note(rest: ServedChannel) -> None:
    answer = post(rest, json.dumps({"sender": "a", "message": "长" * 20}).encode())
    assert answer.json() == [{"recipient_id": "a", "text": "echo:" + "长" * 20}]


def test_streaming_keeps_working_and_streams_the_note_first(rest: ServedChannel) -> None:
    answer = post(rest, json.dumps({"sender": "a", "message": "长" * 30}).encode(), stream="true")
    lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
    assert [line["text"] for line in lines] == [NOTE.format(limit=20), "echo:" + "长" * 20]


def test_a_failing_turn_is_logged_without_the_text_and_answered_empty(caplog) -> None:
    class Failing(ServedChannel):
        async def _on_new_message(self, message):  # type: ignore[no-untyped-def]
            raise RuntimeError("dialogue down")

    with Failing(RestInput()) as served, caplog.at_level(logging.DEBUG):
        answer = post(served, json.dumps({"sender": "a", "message": "我的手机号13800138000"}).encode())
    assert answer.status_code == 200 and answer.json() == []
    server_side = [r for r in caplog.records if not r.name.startswith("urllib3")]
    assert any("rest.turn_failed" in r.getMessage() for r in server_side)
    assert not any("13800138000" in caplog.handler.format(r) for r in server_side)


def test_rasa_loads_it_from_its_module_path_under_the_name_rest() -> None:
    from rasa.core.run import _create_single_channel

    channel = _create_single_channel("channels.rest.RestInput", {"max_message_chars": 50})
    assert isinstance(channel, RestInput) and channel.max_message_chars == 50
    assert channel.name() == "rest" and channel.url_prefix() == "rest"


def test_a_bad_cap_stops_start_up_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="max_message_chars"):
        RestInput.from_credentials({"max_message_chars": -1})


def test_the_project_credentials_serve_our_rest_channel_and_the_wechat_channel(monkeypatch) -> None:
    from rasa.core.run import create_http_input_channels

    from bot.settings import PROJECT_ROOT

    for name in ("WECHAT_MODE", "WECHAT_ENCODING_AES_KEY", "WECHAT_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    by_name = {channel.name(): channel for channel in channels}
    assert type(by_name["rest"]) is RestInput and by_name["rest"].max_message_chars == 300
    assert by_name["wechat"].settings.mode == "safe"
