"""WeChat's HTTP API, played locally: access tokens that expire and get invalidated, customer-service
messages with the 48-hour window and per-trigger quotas, typing and template sends (checked against the
account's templates and WeChat's 2023 field rules), WeChat's error codes.

`/sim/*` routes are the stand-in's own: the follower side records interactions, reads its inbox, and tests
inject failures (`/sim/fail` always per route, `/sim/fail-next` for the next calls, `/sim/fail-openid` per
follower) and read counters.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

TOKEN_LIFETIME = 7200
TOKEN_GRACE = 300
WINDOW_AFTER_MESSAGE = (5, 48 * 3600)   # quota, seconds
WINDOW_AFTER_EVENT = (3, 60)            # menu click, subscribe, QR scan
MAX_TEXT_BYTES = 2048
TEMPLATE_VALUE_CHARS = 20


@dataclass
class FollowerWindow:
    quota: int
    opened_at: float
    seconds: int
    used: int = 0
    typing_until: float = 0.0
    last_interaction: float = 0.0


@dataclass
class ApiState:
    app_id: str
    app_secret: str
    clock: Callable[[], float] = time.time
    tokens: Dict[str, Tuple[float, Optional[float]]] = field(default_factory=dict)  # token -> (expires, invalid_after)
    windows: Dict[str, FollowerWindow] = field(default_factory=dict)
    unsubscribed: set = field(default_factory=set)
    inbox: List[Dict[str, Any]] = field(default_factory=list)
    counters: Dict[str, int] = field(default_factory=lambda: {"token": 0, "send": 0, "typing": 0, "template": 0})
    failures: Dict[str, int] = field(default_factory=dict)   # route -> errcode to answer with, always
    fail_next: Dict[str, List[int]] = field(default_factory=dict)   # route -> errcodes for its next calls, one each
    fail_openids: Dict[str, int] = field(default_factory=dict)      # openid -> errcode for every send to it
    # Template id -> its keywords (the account's templates in WeChat's console); None accepts any template.
    templates: Optional[Dict[str, List[str]]] = None
    template_ids_used: Dict[Tuple[str, str], Tuple[float, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def injected(self, route: str, openid: str) -> Optional[int]:
        """An errcode a test asked for: always for the route, for the next call, or for this follower."""
        if route in self.failures:
            return self.failures[route]
        if self.fail_next.get(route):
            return self.fail_next[route].pop(0)
        return self.fail_openids.get(openid)

    # -- tokens --------------------------------------------------------------------------------------
    def issue_token(self, app_id: str, secret: str) -> Dict[str, Any]:
        self.counters["token"] += 1
        if "token" in self.failures:
            return {"errcode": self.failures["token"], "errmsg": "injected failure"}
        if app_id != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if secret != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        now = self.clock()
        for token, (expires, invalid_after) in list(self.tokens.items()):
            if invalid_after is None:
                self.tokens[token] = (expires, now + TOKEN_GRACE)  # the old one works 5 more minutes
        token = secrets.token_urlsafe(48)
        self.tokens[token] = (now + TOKEN_LIFETIME, None)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME}

    def token_error(self, token: str) -> Optional[Dict[str, Any]]:
        entry = self.tokens.get(token)
        now = self.clock()
        if entry is None or (entry[1] is not None and now > entry[1]):
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if now > entry[0]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    # -- follower interactions -----------------------------------------------------------------------
    def record_interaction(self, openid: str, kind: str) -> None:
        """A follower sent a message ("message") or triggered a click/subscribe/scan ("event")."""
        now = self.clock()
        if kind == "unsubscribe":
            self.unsubscribed.add(openid)
            return
        self.unsubscribed.discard(openid)
        quota, seconds = WINDOW_AFTER_MESSAGE if kind == "message" else WINDOW_AFTER_EVENT
        window = self.windows.get(openid)
        if kind == "message" or window is None or now > window.opened_at + window.seconds:
            self.windows[openid] = FollowerWindow(quota, now, seconds, last_interaction=now)
        else:
            window.last_interaction = now

    # -- customer-service API ------------------------------------------------------------------------
    def send(self, body: Dict[str, Any]) -> Dict[str, Any]:
        self.counters["send"] += 1
        openid = body.get("touser", "")
        injected = self.injected("send", openid)
        if injected is not None:
            return {"errcode": injected, "errmsg": "injected failure"}
        msg_type = body.get("msgtype")
        if msg_type not in {"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard", "miniprogrampage"}:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if msg_type == "text" and len(body.get("text", {}).get("content", "").encode("utf-8")) > MAX_TEXT_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if msg_type == "news" and len(body.get("news", {}).get("articles", [])) > 1:
            return {"errcode": 45008, "errmsg": "article size out of limit"}
        window = self.windows.get(openid)
        if openid in self.unsubscribed or window is None or self.clock() > window.opened_at + window.seconds:
            return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
        if window.used >= window.quota:
            return {"errcode": 45047, "errmsg": "out of response count limit"}
        window.used += 1
        window.typing_until = 0.0
        self.inbox.append({"seq": len(self.inbox) + 1, "openid": openid, "at": self.clock(), "body": body})
        return {"errcode": 0, "errmsg": "ok"}

    def typing(self, body: Dict[str, Any]) -> Dict[str, Any]:
        self.counters["typing"] += 1
        if body.get("command") not in ("Typing", "CancelTyping"):
            return {"errcode": 45072, "errmsg": "command invalid"}
        window = self.windows.get(body.get("touser", ""))
        now = self.clock()
        if window is None or now - window.last_interaction > 30:
            return {"errcode": 45080, "errmsg": "has not interacted with the user in the last 30 seconds"}
        if body["command"] == "Typing":
            if now < window.typing_until:
                return {"errcode": 45081, "errmsg": "already typing"}
            window.typing_until = now + 15
        else:
            window.typing_until = 0.0
        return {"errcode": 0, "errmsg": "ok"}

    def template(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """Template send, checked like WeChat since May 2023: a known template id (40037), its keywords only,
        each value at most 20 characters on one line (47003); the follower must follow (43004)."""
        self.counters["template"] += 1
        openid = str(body.get("touser") or "")
        injected = self.injected("template", openid)
        if injected is not None:
            return {"errcode": injected, "errmsg": "injected failure"}
        if openid in self.unsubscribed:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        keywords = None if self.templates is None else self.templates.get(str(body.get("template_id")))
        if self.templates is not None and keywords is None:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return {"errcode": 47003, "errmsg": "argument invalid! data is empty"}
        for name, entry in data.items():
            value = str((entry or {}).get("value", "")) if isinstance(entry, dict) else ""
            if (keywords is not None and name not in keywords) or not value or len(value) > TEMPLATE_VALUE_CHARS \
                    or "\n" in value or "\r" in value:
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{name}.value invalid"}
        # [GUESS] a repeated client_msg_id within 10 minutes is answered like the first send and not delivered again
        dedupe = (openid, str(body.get("client_msg_id") or ""))
        if dedupe[1] and dedupe in self.template_ids_used and self.clock() - self.template_ids_used[dedupe][0] < 600:
            return {"errcode": 0, "errmsg": "ok", "msgid": self.template_ids_used[dedupe][1]}
        msgid = 200000 + self.counters["template"]
        self.template_ids_used[dedupe] = (self.clock(), msgid)
        self.inbox.append({"seq": len(self.inbox) + 1, "openid": openid, "at": self.clock(), "body": body, "msgid": msgid})
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def template_sends(self, openid: Optional[str] = None) -> List[Dict[str, Any]]:
        """Template messages delivered (to `openid`), for tests."""
        return [m["body"] for m in self.inbox if "template_id" in m["body"] and openid in (None, m["openid"])]


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args: Any) -> None:  # keep the terminal for the chat
        return

    def _answer(self, payload: Any, status: int = 200) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            return {"__invalid__": True}

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        state = self.server.state
        with state.lock:
            if url.path == "/cgi-bin/token":
                return self._answer(state.issue_token(query.get("appid", ""), query.get("secret", "")))
            if url.path == "/sim/inbox":
                after = int(query.get("after", 0))
                openid = query.get("openid")
                return self._answer([m for m in state.inbox if m["seq"] > after and (openid is None or m["openid"] == openid)])
            if url.path == "/sim/stats":
                return self._answer(dict(state.counters))
        self._answer({"errcode": 404, "errmsg": "not found"}, 404)

    def do_POST(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._body()
        state = self.server.state
        with state.lock:
            if url.path == "/cgi-bin/stable_token":
                return self._answer(state.issue_token(body.get("appid", ""), body.get("secret", "")))
            if url.path.startswith("/sim/"):
                return self._answer(self._sim(url.path, body))
            if url.path in ("/cgi-bin/message/custom/send", "/cgi-bin/message/custom/typing", "/cgi-bin/message/template/send"):
                error = state.token_error(query.get("access_token", ""))
                if error:
                    return self._answer(error)
                if body.get("__invalid__"):
                    return self._answer({"errcode": 47001, "errmsg": "data format error"})
                handler = {"/cgi-bin/message/custom/send": state.send, "/cgi-bin/message/custom/typing": state.typing,
                           "/cgi-bin/message/template/send": state.template}[url.path]
                return self._answer(handler(body))
        self._answer({"errcode": 404, "errmsg": "not found"}, 404)

    def _sim(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        state = self.server.state
        if path == "/sim/interaction":
            state.record_interaction(body["openid"], body.get("kind", "message"))
        elif path == "/sim/fail":
            state.failures = {k: int(v) for k, v in body.items()}
        elif path == "/sim/fail-next":
            state.fail_next.setdefault(str(body["route"]), []).extend(int(code) for code in body["errcodes"])
        elif path == "/sim/fail-openid":
            state.fail_openids[str(body["openid"])] = int(body["errcode"])
        elif path == "/sim/advance":
            offset = float(body.get("seconds", 0))
            base = state.clock
            state.clock = lambda: base() + offset
        elif path == "/sim/reset":
            state.failures.clear()
            state.fail_next.clear()
            state.fail_openids.clear()
            state.counters.update({k: 0 for k in state.counters})
        return {"ok": True}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: Tuple[str, int], state: ApiState) -> None:
        super().__init__(address, _Handler)
        self.state = state


class FakeWeChatApi:
    """Runs the fake API on 127.0.0.1 in a background thread (port 0 picks a free port)."""

    def __init__(self, app_id: str, app_secret: str, port: int = 0, host: str = "127.0.0.1",
                 templates: Optional[Dict[str, List[str]]] = None) -> None:
        self.state = ApiState(app_id, app_secret, templates=templates)
        self._server = _Server((host, port), self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/cgi-bin/"

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeWeChatApi":
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
