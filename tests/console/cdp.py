"""A small Chrome DevTools Protocol client for the browser tests: Debian's headless Chromium driven over
websockets (the `websockets` package Rasa already installs); no other browser driver."""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from typing import Any, Dict, Optional

import websockets


def chromium_binary() -> Optional[str]:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """One headless Chromium with one page; every call runs the protocol on a private event loop."""

    def __init__(self, width: int = 1300, height: int = 900) -> None:
        self._profile = tempfile.mkdtemp(prefix="cdp-profile-")
        self._process = subprocess.Popen(
            [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--remote-debugging-port=0", f"--user-data-dir={self._profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        endpoint = None
        while endpoint is None and time.monotonic() < deadline:
            line = self._process.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            endpoint = found.group(1) if found else None
        if endpoint is None:
            self._process.kill()
            raise RuntimeError("chromium did not start its DevTools endpoint")
        self._loop = asyncio.new_event_loop()
        self._ids = itertools.count(1)

        async def connect() -> Any:
            return await websockets.connect(endpoint, max_size=64 * 1024 * 1024)

        self._browser = self._run(connect())
        target = self._call_on(self._browser, "Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call_on(self._browser, "Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _run(self, coroutine: Any) -> Any:
        return self._loop.run_until_complete(coroutine)

    def _call_on(self, socket: Any, method: str, session: Optional[str] = None, **params: Any) -> Dict[str, Any]:
        async def call() -> Dict[str, Any]:
            number = next(self._ids)
            message = {"id": number, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            await socket.send(json.dumps(message))
            while True:
                answer = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
                if answer.get("id") == number:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result") or {}
        return self._run(call())

    def call(self, method: str, **params: Any) -> Dict[str, Any]:
        return self._call_on(self._browser, method, session=self._session, **params)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None      # the page is between documents
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"never true in the page: {expression}")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(f"location.href.startsWith({json.dumps(url.split('?')[0].rsplit('/', 1)[0])}) && document.readyState === 'complete'")

    def screenshot(self, path: str) -> None:
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.call("Emulation.setDeviceMetricsOverride", width=1300, height=height, deviceScaleFactor=1, mobile=False)
        time.sleep(0.5)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self) -> None:
        try:
            self._run(self._browser.close())
        finally:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._loop.close()
            shutil.rmtree(self._profile, ignore_errors=True)
