import xml.etree.ElementTree as ET

from channels.wechat.replies import (
    MAX_TEXT_BYTES,
    customer_service_payloads,
    passive_reply_xml,
    render_turn,
    safe_xml_text,
    split_by_bytes,
)


def _parse(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def test_texts_split_by_rasa_are_merged_back_with_blank_lines() -> None:
    turn = render_turn([{"text": "a"}, {"text": "b"}, {"text": "c"}], "hint")
    xml, leftover = passive_reply_xml(turn, "o-1", "gh_1")
    assert _parse(xml).findtext("Content") == "a\n\nb\n\nc" and leftover.is_empty


def test_cdata_terminator_and_xml_specials_stay_well_formed() -> None:
    text = "x]]>y & <z> 😀 \x01"
    xml, _ = passive_reply_xml(render_turn([{"text": text}], "hint"), "o-1", "gh_1")
    assert _parse(xml).findtext("Content") == "x]]>y & <z> 😀 "
    assert safe_xml_text("]]>") == "]]]]><![CDATA[>"


def test_long_text_is_cut_within_the_byte_limit_and_the_rest_follows() -> None:
    lines = [f"第{i}行：" + "很长的内容" * 20 for i in range(40)]
    turn = render_turn([{"text": "\n".join(lines)}], "hint")
    assert len(turn.texts) > 1 and all(len(t.encode("utf-8")) <= MAX_TEXT_BYTES for t in turn.texts)
    xml, leftover = passive_reply_xml(turn, "o-1", "gh_1")
    assert len(_parse(xml).findtext("Content").encode("utf-8")) <= MAX_TEXT_BYTES
    assert "\n".join([_parse(xml).findtext("Content")] + leftover.texts) == "\n".join(lines)


def test_one_very_long_line_is_cut_between_characters() -> None:
    chunks = split_by_bytes("汉" * 1000)
    assert "".join(chunks) == "汉" * 1000 and all(len(c.encode()) <= MAX_TEXT_BYTES for c in chunks)


def test_an_article_alone_is_the_passive_reply_with_exactly_one_item() -> None:
    article = {"title": "登机牌", "description": "CZ3101", "url": "https://x/bp", "picurl": "https://x/p.png"}
    turn = render_turn([{"custom": {"wechat_article": article}}, {"custom": {"wechat_article": article}}], "hint")
    xml, leftover = passive_reply_xml(turn, "o-1", "gh_1")
    root = _parse(xml)
    assert root.findtext("MsgType") == "news" and root.findtext("ArticleCount") == "1"
    assert len(root.findall("Articles/item")) == 1
    bodies = customer_service_payloads(leftover, "o-1")
    assert [b["msgtype"] for b in bodies] == ["news"] and len(bodies[0]["news"]["articles"]) == 1


def test_repeated_article_replies_do_not_accumulate_items() -> None:
    article = {"title": "t", "description": "d", "url": "u", "picurl": "p"}
    for _ in range(3):
        xml, _ = passive_reply_xml(render_turn([{"custom": {"wechat_article": article}}], "h"), "o-1", "gh_1")
        assert len(_parse(xml).findall("Articles/item")) == 1


def test_buttons_become_lines_numbered_across_the_turn() -> None:
    turn = render_turn([{"text": "选一个", "buttons": [{"title": "甲", "payload": "/a"}, {"title": "乙", "payload": "/b"}]},
                        {"text": "或者", "buttons": [{"title": "丙", "payload": "/c"}]}], "请回复数字选择：")
    assert turn.texts == ["选一个\n1. 甲\n2. 乙\n\n或者\n3. 丙"]


def test_text_comes_before_an_article_in_the_same_turn() -> None:
    article = {"title": "t", "description": "d", "url": "u", "picurl": "p"}
    turn = render_turn([{"text": "值机成功"}, {"custom": {"wechat_article": article}}], "h")
    xml, leftover = passive_reply_xml(turn, "o-1", "gh_1")
    assert _parse(xml).findtext("MsgType") == "text" and _parse(xml).findtext("Content") == "值机成功"
    assert [a.title for a in leftover.articles] == ["t"] and leftover.texts == []


def test_handoff_replies_transfer_and_keeps_the_words_for_later() -> None:
    turn = render_turn([{"text": "正在转接"}, {"custom": {"handoff": True}}], "h")
    xml, leftover = passive_reply_xml(turn, "o-1", "gh_1")
    root = _parse(xml)
    assert root.findtext("MsgType") == "transfer_customer_service"
    assert root.findtext("ToUserName") == "o-1" and root.findtext("FromUserName") == "gh_1"
    assert leftover.texts == ["正在转接"]


def test_nothing_to_say_is_an_empty_body() -> None:
    assert passive_reply_xml(render_turn([], "h"), "o-1", "gh_1")[0] == ""
