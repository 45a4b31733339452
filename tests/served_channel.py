"""Serve one input channel's blueprint the way Rasa does (under /webhooks/<name>/), on a real Sanic server in a
background thread, with a stand-in for Rasa's agent: no trained model needed.

The stand-in records every UserMessage it is handed and answers "echo:<text>", so a test sees exactly what
reached the dialogue and what the channel made of the answer.
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from typing import Any, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

_apps = itertools.count()
# Sanic 21.12 rewrites response methods at each app's start-up; outside test mode a second app in the same
# process fails (KeyError 'send' in TouchUp). Test mode keeps the originals to rewrite from.
Sanic.test_mode = True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedChannel:
    def __init__(self, channel: InputChannel, turn_seconds: float = 0.0) -> None:
        self.channel = channel
        self.turns: List[UserMessage] = []
        self.turn_seconds = turn_seconds
        self.port = _free_port()
        self._loop = asyncio.new_event_loop()
        self._thread: Optional[threading.Thread] = None
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/{self.channel.url_prefix()}/webhook"

    @property
    def texts(self) -> List[str]:
        return [message.text for message in self.turns]

    async def _on_new_message(self, message: UserMessage) -> None:
        self.turns.append(message)
        if self.turn_seconds:
            await asyncio.sleep(self.turn_seconds)
        await message.output_channel.send_text_message(message.sender_id, f"echo:{message.text}")

    def __enter__(self) -> "ServedChannel":
        app = Sanic(f"served_channel_{next(_apps)}")
        app.blueprint(self.channel.blueprint(self._on_new_message), url_prefix=f"/webhooks/{self.channel.url_prefix()}")
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            # access_log off, as under `rasa run` (library logs at ERROR): no line may name the signed URL.
            self._server = self._loop.run_until_complete(
                app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False)
            )
            self._loop.run_until_complete(self._server.startup())
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the test Sanic server did not start")
        return self

    def __exit__(self, *exc: Any) -> None:
        async def stop() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
