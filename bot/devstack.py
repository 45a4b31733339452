"""Starts the real action server and Rasa server as subprocesses on free local ports (tests, benchmarks)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional
from urllib.parse import urlparse

import redis
import requests
import yaml

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")
REST_CHANNEL = "channels.rest.RestInput"   # our checked REST channel (channels/rest.py), served at /webhooks/rest/


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
class RunningRedis:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_redis(workdir: Path) -> RunningRedis:
    """A throwaway Redis server on a free local port, kept in memory only (tests and benchmarks of
    several Rasa workers). Needs `redis-server` on PATH (Debian: apt-get install redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
    port = free_port()
    log = workdir / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited early:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if client.ping():
                return RunningRedis(url, process)
        except redis.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"redis-server on port {port} did not answer within 20 s")


def redis_endpoint(redis_url: str, key_prefix: str) -> Dict:
    """A Rasa lock- or tracker-store endpoint for a redis:// URL (Rasa wants host, port and db separately)."""
    parsed = urlparse(redis_url)
    return {"type": "redis", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 6379,
            "db": int(parsed.path.strip("/") or 0), "key_prefix": key_prefix}


@dataclass
class _Server:
    """One of the bot's processes and how to start it again (fault-injection tests stop and restart them)."""

    command: List[str]
    env: Dict[str, str]
    log: Path
    health_url: str
    startup_seconds: float
    process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        _wait(self.health_url, self.process, self.log, self.startup_seconds)

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill() if kill else self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class RunningBot:
    url: str
    actions_url: str
    workdir: Path
    actions: _Server
    rasa: _Server

    @property
    def processes(self) -> List[subprocess.Popen]:
        return [server.process for server in (self.actions, self.rasa) if server.process is not None]

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()


def start_bot(
    workdir: Path,
    database_url: str,
    credentials: Optional[Dict] = None,
    env: Optional[Dict[str, str]] = None,
    action_url_for: Optional[Callable[[str], str]] = None,
    tracker_store: str = "sqlite",
    workers: int = 1,
    redis_url: Optional[str] = None,
) -> RunningBot:
    """Action server + `rasa run` with the trained model, an own tracker DB and own credentials.

    With `workers` > 1 Rasa serves from several processes; they need `redis_url` for Rasa's lock store (the
    WeChat channel's shared stores take the same URL from its credentials).
    """
    if workers > 1 and not redis_url:
        raise ValueError("several Rasa workers need a Redis lock store: pass redis_url")
    if workers > 1 and tracker_store == "memory":
        raise ValueError("several Rasa workers cannot share an in-memory tracker store")
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: train first (make train)")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    actions_webhook = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints["action_endpoint"]["url"] = action_url_for(actions_webhook) if action_url_for else actions_webhook
    if tracker_store == "memory":
        endpoints.pop("tracker_store")
    elif tracker_store == "redis":
        if not redis_url:
            raise ValueError("a Redis tracker store needs redis_url")
        endpoints["tracker_store"] = redis_endpoint(redis_url, "tracker")
    else:
        endpoints["tracker_store"]["db"] = str(workdir / "tracker.db")
    if redis_url:
        endpoints["lock_store"] = redis_endpoint(redis_url, "bot")
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    (workdir / "credentials.yml").write_text(
        yaml.safe_dump(credentials if credentials is not None else {REST_CHANNEL: None}, allow_unicode=True), encoding="utf-8"
    )
    process_env = {**os.environ, "BOT_DATABASE_URL": database_url, "RASA_TELEMETRY_ENABLED": "false",
                   "SANIC_WORKERS": str(workers), "BOT_ERASURE_JOURNAL": str(workdir / "pending-erasures.jsonl"),
                   "WECHAT_INBOUND_JOURNAL_URL": f"sqlite:///{workdir / 'wechat-inbound.db'}",
                   # the channel's reply latencies go to this run's console database, not the development run's
                   "BOT_CONSOLE_DATABASE_URL": f"sqlite:///{workdir / 'console.db'}",
                   **(env or {})}
    actions = _Server([RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)], process_env,
                      workdir / "actions.log", f"http://127.0.0.1:{actions_port}/health", 120)
    # `python -m bot.serving run` is `rasa run` with the processor that answers when a part is down
    rasa = _Server([sys.executable, "-m", "bot.serving", "run", "--model", str(MODEL), "--port", str(rasa_port),
                    "--endpoints", str(workdir / "endpoints.yml"), "--credentials", str(workdir / "credentials.yml")],
                   process_env, workdir / "rasa.log", f"http://127.0.0.1:{rasa_port}/", 240)
    bot = RunningBot(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", workdir, actions, rasa)
    try:
        actions.start()
        rasa.start()
    except Exception:
        bot.stop()
        raise
    return bot
