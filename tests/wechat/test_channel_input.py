"""The WeChat channel's input rules (issue 12), through a real Sanic server and the local WeChat stand-in:
the account's mode, one message per signed nonce, and odd messages answered politely instead of HTTP 500."""
from __future__ import annotations

import logging
from typing import Iterator

import pytest
import requests

from bot.wechat_sim.messages import MessageFactory
from bot.wechat_sim.platform import AccountConfig, WeChatPlatform
from channels.wechat.channel import WeChatInput
from channels.wechat.content import load_content
from channels.wechat.settings import WeChatSettings, settings_from_credentials
from tests.served_channel import ServedChannel

TOKEN, APP_ID, AES_KEY = "unit-token", "wx0000000000unit01", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEXTS = load_content().texts
ENV = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY",
       "WECHAT_PREVIOUS_ENCODING_AES_KEY", "WECHAT_API_BASE_URL", "WECHAT_REDIS_URL", "WECHAT_MODE")


@pytest.fixture(autouse=True)
def no_operator_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def credentials(**extra: object) -> dict:
    return {"token": TOKEN, "app_id": APP_ID, "app_secret": "secret", "encoding_aes_key": AES_KEY,
            "api_base_url": "http://127.0.0.1:9/cgi-bin/", **extra}


def serve(mode: str, **extra: object) -> ServedChannel:
    settings = settings_from_credentials(credentials(mode=mode, **extra))
    return ServedChannel(WeChatInput(settings))


def wechat(served: ServedChannel, mode: str) -> WeChatPlatform:
    return WeChatPlatform(AccountConfig(url=served.url, token=TOKEN, app_id=APP_ID, encoding_aes_key=AES_KEY, mode=mode),
                          attempts=1)


def messages(platform: WeChatPlatform, openid: str = "o-follower") -> MessageFactory:
    return MessageFactory(platform.config.account, openid)


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the server side logged (the test's own HTTP client, urllib3, logs the URLs it calls)."""
    return "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("urllib3"))


@pytest.fixture()
def compat_bot() -> Iterator[ServedChannel]:
    with serve("compat") as served:
        yield served


# -- the mode: configuration ---------------------------------------------------------------------------
def test_mode_defaults_to_safe_with_a_key_and_plain_without() -> None:
    assert settings_from_credentials(credentials()).mode == "safe"
    assert settings_from_credentials(credentials(encoding_aes_key=None)).mode == "plain"


def test_wechat_mode_in_the_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECHAT_MODE", "compat")
    assert settings_from_credentials(credentials(mode="safe")).mode == "compat"


@pytest.mark.parametrize(
    "extra, says",
    [({"mode": "secure"}, "plain, compat, safe"),
     ({"mode": "safe", "encoding_aes_key": None}, "encoding_aes_key"),
     ({"mode": "compat", "encoding_aes_key": None}, "encoding_aes_key"),
     ({"max_message_chars": 0}, "max_message_chars"),
     ({"max_message_chars": "many"}, "max_message_chars")],
    ids=["unknown-mode", "safe-without-key", "compat-without-key", "zero-cap", "non-numeric-cap"],
)
def test_a_bad_configuration_stops_start_up_with_a_clear_message(extra: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        settings_from_credentials(credentials(**extra))


def test_the_committed_credentials_run_the_stand_in_account_in_safe_mode() -> None:
    from bot.wechat_sim.cli import channel_credentials

    settings = channel_credentials()
    assert settings["mode"] == "safe" and settings["max_message_chars"] == 300


# -- the mode: what each accepts -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bot_mode, sent_as, accepted",
    [("safe", "safe", True), ("safe", "compat", True), ("safe", "plain", False),
     ("plain", "plain", True), ("plain", "safe", False), ("plain", "compat", False),
     ("compat", "plain", True), ("compat", "compat", True), ("compat", "safe", True)],
)
def test_each_mode_accepts_only_its_own_kind_of_post(bot_mode: str, sent_as: str, accepted: bool) -> None:
    with serve(bot_mode) as served:
        platform = wechat(served, sent_as)
        result = platform.push(messages(platform).text("你好"), "o-follower")
        if accepted:
            assert result.accepted and result.reply.content == "echo:你好" and served.texts == ["你好"]
        else:
            assert result.status == 403 and served.turns == []


def test_a_refused_plaintext_post_is_logged_with_its_reason_and_never_its_signed_url(caplog) -> None:
    with serve("safe") as served, caplog.at_level(logging.DEBUG):
        platform = wechat(served, "plain")
        query, body = platform.envelope(messages(platform).text("你好"), "o-follower")
        assert platform.post_raw(query, body).status_code == 403
    assert "plaintext message refused in safe mode" in server_log(caplog)
    assert query["signature"] not in server_log(caplog) and query["nonce"] not in server_log(caplog)


# -- one message per signed nonce ---------------------------------------------------------------------------
def test_a_signature_copied_from_a_request_cannot_carry_another_message(compat_bot: ServedChannel) -> None:
    """The attack of issue 12: signature, timestamp and nonce of a genuine encrypted push, reused for a plaintext
    message in the victim's name (the signature does not cover the body)."""
    platform = wechat(compat_bot, "safe")
    query, body = platform.envelope(messages(platform, "o-attacker").text("你好"), "o-attacker")
    assert platform.post_raw(query, body).status_code == 200
    forged = {key: query[key] for key in ("signature", "timestamp", "nonce")}
    answer = platform.post_raw(forged, messages(platform, "o-victim").text("解绑我的手机号").encode("utf-8"))
    assert answer.status_code == 403
    assert compat_bot.texts == ["你好"]


def test_the_identical_request_again_gets_the_same_answer_without_a_second_turn(compat_bot: ServedChannel) -> None:
    platform = wechat(compat_bot, "safe")
    query, body = platform.envelope(messages(platform).text("你好"), "o-follower")
    first, again = platform.post_raw(query, body), platform.post_raw(query, body)
    assert first.status_code == again.status_code == 200
    assert platform.read_reply(again.content, "o-follower")[0].content == "echo:你好"
    assert len(compat_bot.turns) == 1


def test_a_retry_re_encrypted_under_the_same_nonce_is_still_the_same_message(compat_bot: ServedChannel) -> None:
    platform = wechat(compat_bot, "safe")
    xml = messages(platform).text("你好")
    first = platform.envelope(xml, "o-follower")
    retry = platform.envelope(xml, "o-follower", timestamp=first[0]["timestamp"], nonce=first[0]["nonce"])
    assert retry[1] != first[1]  # a new random prefix: different ciphertext, same message
    answers = [platform.post_raw(*first), platform.post_raw(*retry)]
    assert [a.status_code for a in answers] == [200, 200]
    assert platform.read_reply(answers[1].content, "o-follower")[0].content == "echo:你好"
    assert len(compat_bot.turns) == 1


def test_a_url_verification_nonce_cannot_carry_a_message(compat_bot: ServedChannel) -> None:
    platform = wechat(compat_bot, "plain")
    query = platform.signed_query()
    assert requests.get(compat_bot.url, params=dict(query, echostr="42"), timeout=5).text == "42"
    answer = platform.post_raw(query, messages(platform).text("你好").encode("utf-8"))
    assert answer.status_code == 403 and compat_bot.turns == []


# -- odd messages: a polite answer, never HTTP 500 -------------------------------------------------------------
@pytest.mark.parametrize("latitude, longitude", [("abc", "113.3"), ("23.1", ""), ("nan", "113.3"), ("91", "113.3")],
                         ids=["letters", "empty", "nan", "off-the-globe"])
def test_a_location_with_unreadable_coordinates_gets_a_polite_reply_and_no_turn(
        compat_bot: ServedChannel, latitude: str, longitude: str) -> None:
    platform = wechat(compat_bot, "safe")
    result = platform.push(messages(platform).location(latitude, longitude, "天河"), "o-follower")  # type: ignore[arg-type]
    assert result.accepted and result.reply.content == TEXTS["location_unreadable"]
    assert compat_bot.turns == []


def test_a_readable_location_still_shares_its_coordinates(compat_bot: ServedChannel) -> None:
    platform = wechat(compat_bot, "safe")
    platform.push(messages(platform).location(23.1291, 113.3612, "天河"), "o-follower")
    assert compat_bot.texts == ['/share_location{"latitude": 23.1291, "longitude": 113.3612}']


@pytest.mark.parametrize("field, value", [("MsgId", "x1"), ("CreateTime", "yesterday")])
def test_non_numeric_ids_and_times_get_an_empty_answer_not_a_500(
        compat_bot: ServedChannel, field: str, value: str, caplog) -> None:
    platform = wechat(compat_bot, "plain")
    xml = messages(platform).text("你好")
    start = xml.index(f"<{field}>") + len(field) + 2
    xml = xml[:start] + value + xml[xml.index(f"</{field}>"):]
    query = platform.signed_query()
    with caplog.at_level(logging.DEBUG):
        answer = platform.post_raw(query, xml.encode("utf-8"))
    assert answer.status_code == 200 and answer.text == "" and compat_bot.turns == []
    assert "wechat.malformed" in server_log(caplog) and query["signature"] not in server_log(caplog)


@pytest.mark.parametrize("sent_as", ["plain", "safe"])
def test_control_and_zero_width_characters_are_removed_before_the_turn(compat_bot: ServedChannel, sent_as: str) -> None:
    platform = wechat(compat_bot, sent_as)
    typed = "\x00查\x01话费\x7f\u200b余\u200d额\ufeff\x1b[0m\r\n谢谢\t！"
    result = platform.push(messages(platform).text(typed), "o-follower")
    assert result.accepted and compat_bot.texts == ["查话费余额[0m\n谢谢\t！"]


@pytest.mark.parametrize("typed", ["\x00\x01\x02", "\u200b\u200c\ufeff", " \x7f\n "])
def test_a_message_with_nothing_visible_asks_to_type_again_without_a_turn(compat_bot: ServedChannel, typed: str) -> None:
    platform = wechat(compat_bot, "safe")
    result = platform.push(messages(platform).text(typed), "o-follower")
    assert result.accepted and result.reply.content == TEXTS["message_empty"]
    assert compat_bot.turns == []


def test_a_long_message_is_cut_for_nlu_and_the_follower_is_told_first() -> None:
    with serve("safe", max_message_chars=50) as served:
        platform = wechat(served, "safe")
        result = platform.push(messages(platform).text("长" * 10_000), "o-follower")
    assert result.accepted and served.texts == ["长" * 50]
    note = TEXTS["message_cut"].format(limit=50)
    assert "50" in note and result.reply.content == f"{note}\n\necho:{'长' * 50}"
    assert served.turns[0].metadata["wechat"]["original_chars"] == 10_000


def test_a_message_at_the_cap_is_not_cut_and_gets_no_note() -> None:
    with serve("safe", max_message_chars=50) as served:
        platform = wechat(served, "safe")
        result = platform.push(messages(platform).text("长" * 50), "o-follower")
    assert served.texts == ["长" * 50] and result.reply.content == "echo:" + "长" * 50


def test_the_default_cap_is_300_characters() -> None:
    assert WeChatSettings("t", "wx", "s", None, None, "http://127.0.0.1:9/").max_message_chars == 300


def test_a_long_recognised_voice_message_is_capped_too() -> None:
    with serve("safe", max_message_chars=20) as served:
        platform = wechat(served, "safe")
        result = platform.push(messages(platform).voice("查" * 100), "o-follower")
    assert served.texts == ["查" * 20] and result.reply.content.startswith(TEXTS["message_cut"].format(limit=20))


# -- the local stand-in's chat (`make chat`) ------------------------------------------------------------------
@pytest.mark.parametrize("bot_mode", ["safe", "compat", "plain"])
def test_the_chat_follows_the_bots_configured_mode(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path,
                                                   bot_mode: str) -> None:
    """`python -m bot wechat-sim chat` without --mode talks to a bot configured by credentials.yml (+ WECHAT_MODE)."""
    from bot.cli import main
    from bot.wechat_sim.cli import CHANNEL_KEY
    from bot.settings import PROJECT_ROOT
    import yaml

    monkeypatch.setenv("WECHAT_MODE", bot_mode)
    project = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8"))[CHANNEL_KEY]
    monkeypatch.setenv("WECHAT_API_BASE_URL", "http://127.0.0.1:9/cgi-bin/")  # nothing listens: no API calls
    script = tmp_path / "chat.txt"
    script.write_text("你好\n", encoding="utf-8")
    with ServedChannel(WeChatInput(settings_from_credentials(project))) as served:
        assert served.channel.settings.mode == bot_mode
        assert main(["wechat-sim", "chat", "--url", served.url, "--script", str(script), "--settle", "0"]) == 0
    out = capsys.readouterr().out
    assert "公众号> echo:你好" in out and served.texts == ["你好"]
