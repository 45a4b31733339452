"""Starts the real action server and Rasa server as subprocesses on free local ports (tests, benchmarks)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests
import yaml

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class RunningBot:
    url: str
    actions_url: str
    workdir: Path
    processes: List[subprocess.Popen]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_bot(
    workdir: Path,
    database_url: str,
    credentials: Optional[Dict] = None,
    env: Optional[Dict[str, str]] = None,
    action_url_for: Optional[Callable[[str], str]] = None,
    tracker_store: str = "sqlite",
) -> RunningBot:
    """Action server + `rasa run` with the trained model, an own tracker DB and own credentials."""
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: train first (make train)")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    actions_webhook = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints["action_endpoint"]["url"] = action_url_for(actions_webhook) if action_url_for else actions_webhook
    if tracker_store == "memory":
        endpoints.pop("tracker_store")
    else:
        endpoints["tracker_store"]["db"] = str(workdir / "tracker.db")
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    (workdir / "credentials.yml").write_text(
        yaml.safe_dump(credentials if credentials is not None else {"rest": None}, allow_unicode=True), encoding="utf-8"
    )
    process_env = {**os.environ, "BOT_DATABASE_URL": database_url, "RASA_TELEMETRY_ENABLED": "false", **(env or {})}
    actions_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        cwd=PROJECT_ROOT, env=process_env, stdout=actions_log.open("wb"), stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [RASA, "run", "--model", str(MODEL), "--port", str(rasa_port), "--endpoints", str(workdir / "endpoints.yml"),
         "--credentials", str(workdir / "credentials.yml")],
        cwd=PROJECT_ROOT, env=process_env, stdout=rasa_log.open("wb"), stderr=subprocess.STDOUT,
    )
    bot = RunningBot(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", workdir, [actions, rasa])
    try:
        _wait(f"{bot.actions_url}/health", actions, actions_log, 120)
        _wait(f"{bot.url}/", rasa, rasa_log, 240)
    except Exception:
        bot.stop()
        raise
    return bot
