"""Official and wechatpy test vectors (../shared/reference/wechat-protocol.md §1 and §3.4)."""
import pytest

from bot.wechat_sim.crypto import CryptoError, MessageCipher, sign
from channels.wechat.security import RejectedRequest, RequestGuard
from channels.wechat.settings import WeChatSettings

TOKEN, KEY, APPID = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
ENCRYPTED = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6y"
    "dJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/T"
    "ywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5"
    "t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
BODY = (f"<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName><Encrypt><![CDATA[{ENCRYPTED}]]></Encrypt>"
        "<AgentID><![CDATA[1]]></AgentID></xml>").encode()
QUERY = {"msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "timestamp": "1411525903", "nonce": "461056294",
         "encrypt_type": "aes"}


def _guard(token: str = TOKEN, app_id: str = APPID, key: str = KEY) -> RequestGuard:
    settings = WeChatSettings(token, app_id, "secret", key, None, "http://127.0.0.1:1/cgi-bin/")
    return RequestGuard(settings, clock=lambda: 1411525903)


def test_url_verification_vector() -> None:
    guard = _guard(token="AAAAA")
    query = {"signature": "f464b24fc39322e44b38aa78f5edd27bd1441696", "timestamp": "1714036504",
             "nonce": "1514711492", "echostr": "4375120948345356249"}
    assert guard.verify_url(query) == "4375120948345356249"
    with pytest.raises(RejectedRequest):
        guard.verify_url(dict(query, nonce="1514711493"))


def test_plaintext_post_signature_vector() -> None:
    assert sign("AAAAA", "1714037059", "486452656") == "899cf89e464efb63f54ddac96b0a0a235f53aa78"


def test_channel_decrypts_the_official_vector() -> None:
    query = dict(QUERY, signature=sign(TOKEN, QUERY["timestamp"], QUERY["nonce"]))
    opened = _guard().open(query, BODY)
    assert "<Content><![CDATA[test]]></Content>" in opened.xml and "4363689963896700987" in opened.xml


@pytest.mark.parametrize("variant", ["msg_signature", "appid", "key"])
def test_channel_rejects_the_vector_when_anything_is_off(variant: str) -> None:
    query = dict(QUERY, signature=sign(TOKEN, QUERY["timestamp"], QUERY["nonce"]))
    guard = _guard()
    if variant == "msg_signature":
        query["msg_signature"] = "0" * 40
    elif variant == "appid":
        guard = _guard(app_id="wxOTHER")
    else:
        guard = _guard(key="A" * 43)
    with pytest.raises(RejectedRequest):
        guard.open(query, BODY)


def test_stand_in_decrypts_the_vector_and_rejects_another_appid() -> None:
    assert "<Content><![CDATA[test]]></Content>" in MessageCipher(KEY, APPID).decrypt(ENCRYPTED)
    with pytest.raises(CryptoError):
        MessageCipher(KEY, "wxOTHER").decrypt(ENCRYPTED)


def test_stand_in_deterministic_encrypt_vector() -> None:
    plain = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
             "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
             "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>")
    encrypted = MessageCipher(KEY, APPID).encrypt(plain, random_prefix=b"1234567890123456")
    assert encrypted == (
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtOb"
        "vesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8"
        "NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O"
        "5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
    )
    assert sign(TOKEN, "1411525903", "461056294", encrypted) == "407518b7649e86ef23978113f92d27afa9296533"


def test_channel_seals_replies_the_stand_in_can_open() -> None:
    query = dict(QUERY, signature=sign(TOKEN, QUERY["timestamp"], QUERY["nonce"]))
    guard = _guard()
    sealed = guard.seal(guard.open(query, BODY), "<xml><Content><![CDATA[回复]]></Content></xml>")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(sealed)
    assert root.findtext("MsgSignature") == sign(TOKEN, root.findtext("TimeStamp"), root.findtext("Nonce"), root.findtext("Encrypt"))
    assert "回复" in MessageCipher(KEY, APPID).decrypt(root.findtext("Encrypt"))
