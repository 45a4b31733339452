"""A stand-in in front of the real action server, to make chosen followers' turns slow or multi-message.

Followers whose OpenID starts with `o-slow` wait SLOW_SECONDS before the real action runs; for `o-multi` and
`o-buttons` the service-hall action (「附近营业厅」) answers with canned messages that exercise the channel's reply rendering.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict

import requests

SLOW_SECONDS = 6.5
CANNED_ACTION = "action_find_service_hall"   # a custom action one plain message (「附近营业厅」) runs
MULTI_MESSAGES = [
    {"text": "第一条：特殊字符 ]]> & < > 和表情😀"},
    {"text": "第二条"},
    {"text": "第三条"},
]
BUTTONS_MESSAGE = {"text": "请选择：", "buttons": [{"title": "打个招呼", "payload": "/greet"}, {"title": "看菜单", "payload": "/show_menu"}]}


class ActionProxy:
    def __init__(self) -> None:
        self.target = ""
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call: Dict[str, Any] = json.loads(raw)
                sender = call.get("sender_id", "")
                status = 200
                if sender.startswith("o-multi") and call.get("next_action") == CANNED_ACTION:
                    body = json.dumps({"events": [], "responses": MULTI_MESSAGES}).encode()
                elif sender.startswith("o-buttons") and call.get("next_action") == CANNED_ACTION:
                    body = json.dumps({"events": [], "responses": [BUTTONS_MESSAGE]}).encode()
                else:
                    if sender.startswith("o-slow"):
                        time.sleep(SLOW_SECONDS)
                    upstream = requests.post(proxy.target, data=raw, headers={"Content-Type": "application/json"}, timeout=30)
                    status, body = upstream.status_code, upstream.content   # a failing action stays a failure
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url_for(self, target: str) -> str:
        self.target = target
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhook"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
