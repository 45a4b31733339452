"""The console's tests build tracker databases with Rasa's own SQLTrackerStore from scripted conversations."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

from bot import clock
from bot.console.synthetic import save_with_rasa, scripted_events


def china(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds of a China-time wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.zone()).timestamp()


@pytest.fixture()
def tracker_db(tmp_path: Path) -> Tuple[str, Callable[[List[Tuple[str, str, float]]], None]]:
    """(tracker URL, add(conversations)) where a conversation is (sender, kind, start)."""
    path = tmp_path / "tracker.db"
    history: Dict[str, list] = {}    # Rasa saves a tracker's events beyond those already stored: keep the whole history

    def add(conversations: List[Tuple[str, str, float]]) -> None:
        for sender, kind, start in conversations:
            history.setdefault(sender, []).extend(scripted_events(kind, start, message_seed=len(history[sender]) if sender in history else 0))
        save_with_rasa(str(path), [(sender, history[sender]) for sender in dict.fromkeys(s for s, _, _ in conversations)])

    return f"sqlite:///{path}", add


PASSWORD = "correct horse battery"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory):
    """`python -m bot console` on a free port over a tracker holding known traffic, with a manager and a reviewer."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from bot.settings import PROJECT_ROOT
    from tests.console.test_report_figures import KNOWN

    folder = tmp_path_factory.mktemp("console")
    tracker = folder / "tracker.db"
    save_with_rasa(str(tracker), [(sender, scripted_events(kind, start, message_seed=n)) for n, (sender, kind, start) in enumerate(KNOWN)]
                   + [("f-low", scripted_events("low_rating", china(2026, 11, 12, 20), message_seed=99))])
    env = dict(os.environ, BOT_CONSOLE_DATABASE_URL=f"sqlite:///{folder / 'console.db'}",
               BOT_CONSOLE_TRACKER_URL=f"sqlite:///{tracker}", BOT_CONSOLE_PASSWORD=PASSWORD, PYTHONWARNINGS="ignore")
    for name, role in (("manager1", "manager"), ("reviewer1", "reviewer")):
        subprocess.run([sys.executable, "-m", "bot", "console", "user", "add", name, "--role", role], env=env, check=True,
                       cwd=PROJECT_ROOT, capture_output=True)
    port = _free_port()
    log = (folder / "console.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "console", "--port", str(port)], env=env, cwd=PROJECT_ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2)
            break
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError((folder / "console.log").read_text())
            time.sleep(0.3)
    time.sleep(1.0)   # the first background refresh summarises the known traffic
    try:
        yield {"url": base, "console_db": folder / "console.db", "log": folder / "console.log"}
    finally:
        process.terminate()
        process.wait(timeout=10)
