"""Builds the XML WeChat pushes for each message and event type (CDATA strings, bare integers)."""
from __future__ import annotations

import itertools
import time
from typing import Dict, Optional, Union

_msg_ids = itertools.count(int(time.time() * 1000) % 10**12 * 1000)


def next_msg_id() -> int:
    return next(_msg_ids)


def _xml(fields: Dict[str, Union[str, int, float]]) -> str:
    parts = []
    for name, value in fields.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            text = str(value).replace("]]>", "]]]]><![CDATA[>")
            parts.append(f"<{name}><![CDATA[{text}]]></{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


class MessageFactory:
    """Messages from one follower (`openid`) to one account (`account`, the gh_ original ID)."""

    def __init__(self, account: str, openid: str, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        self.account = account
        self.openid = openid
        self._clock = clock

    def _base(self, msg_type: str) -> Dict[str, Union[str, int, float]]:
        return {"ToUserName": self.account, "FromUserName": self.openid, "CreateTime": int(self._clock()), "MsgType": msg_type}

    def _message(self, msg_type: str, **fields: Union[str, int, float]) -> str:
        return _xml({**self._base(msg_type), **fields, "MsgId": next_msg_id()})

    def text(self, content: str) -> str:
        return self._message("text", Content=content)

    def voice(self, recognition: Optional[str] = None) -> str:
        extra = {"Recognition": recognition} if recognition is not None else {}
        return self._message("voice", MediaId="media-voice-1", Format="amr", **extra)

    def image(self, pic_url: str = "http://127.0.0.1/sim/photo.jpg", media_id: str = "media-image-1") -> str:
        return self._message("image", PicUrl=pic_url, MediaId=media_id)

    def location(self, latitude: float, longitude: float, label: str = "") -> str:
        return self._message("location", Location_X=latitude, Location_Y=longitude, Scale=15, Label=label)

    def video(self) -> str:
        return self._message("video", MediaId="media-video-1", ThumbMediaId="thumb-1")

    def link(self, url: str = "http://127.0.0.1/sim/article") -> str:
        return self._message("link", Title="链接", Description="描述", Url=url)

    def event(self, event: str, **fields: Union[str, int, float]) -> str:
        return _xml({**self._base("event"), "Event": event, **fields})

    def subscribe(self, scene: Optional[str] = None) -> str:
        return self.event("subscribe", EventKey=f"qrscene_{scene}", Ticket="ticket-1") if scene else self.event("subscribe")

    def scan(self, scene: str) -> str:
        return self.event("SCAN", EventKey=scene, Ticket="ticket-1")

    def click(self, key: str) -> str:
        return self.event("CLICK", EventKey=key)

    def view(self, url: str) -> str:
        return self.event("VIEW", EventKey=url, MenuId=1)

    def location_report(self, latitude: float, longitude: float) -> str:
        return self.event("LOCATION", Latitude=latitude, Longitude=longitude, Precision=30.0)

    def unsubscribe(self) -> str:
        return self.event("unsubscribe")

    def template_finished(self, msg_id: int, status: str = "success") -> str:
        return self.event("TEMPLATESENDJOBFINISH", MsgID=msg_id, Status=status)
