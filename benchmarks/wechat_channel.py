"""Benchmark: N concurrent followers through the WeChat channel (safe mode, via the local stand-in) versus
the same conversations through Rasa's REST channel, on the same model and the same machine.

    .venv/bin/python benchmarks/wechat_channel.py --followers 20 --rounds 3
    .venv/bin/python benchmarks/wechat_channel.py --workers 2    # two Rasa processes + a throwaway Redis

Reports messages per second and p50/p95/p99 round-trip latency per channel, the WeChat/REST ratio, and how
many WeChat replies missed the passive-reply budget (delivered later by customer-service API) or were rejected.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, List, Tuple

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.demo.seed import seed  # noqa: E402
from bot.devstack import REST_CHANNEL, start_bot, start_redis  # noqa: E402
from bot.wechat_sim.api import FakeWeChatApi  # noqa: E402
from bot.wechat_sim.messages import MessageFactory  # noqa: E402
from bot.wechat_sim.platform import AccountConfig, WeChatPlatform  # noqa: E402

CONVERSATIONS = {
    # Answered from responses, the knowledge base and one custom action: the bulk of an account's traffic.
    "faq": ["你好", "菜单", "营业厅几点关门", "你是机器人吗", "谢谢", "再见"],
    # An unbound follower's query: the binding form, its validation and several action-server calls a message.
    "self-service": ["你好", "菜单", "查一下流量", "12345", "谢谢", "再见"],
}
TOKEN, APP_ID, SECRET = "bench-token", "wx0000000000bench1", "bench-secret"
AES_KEY = "benchmarkKey0123456789abcdefghijklmnopqrstu"
BUDGET = 4.0


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_load(followers: int, rounds: int, talk: Callable[[str, str], Tuple[float, bool]],
             conversation: List[str]) -> Tuple[float, List[float], int]:
    """Every follower sends the conversation `rounds` times, one message after the other."""
    latencies: List[float] = []
    failures = [0]
    lock = threading.Lock()

    def follower(index: int) -> None:
        sender = f"o-bench-{index}-{uuid.uuid4().hex[:6]}"
        for _ in range(rounds):
            for text in conversation:
                seconds, ok = talk(sender, text)
                with lock:
                    latencies.append(seconds)
                    failures[0] += 0 if ok else 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=followers) as pool:
        list(pool.map(follower, range(followers)))
    return time.monotonic() - started, latencies, failures[0]


def measure(channel: str, conversation: List[str], args: argparse.Namespace) -> Tuple[float, float, float, float, float, int, int]:
    """Start a fresh bot, warm it up through both channels, then load it through `channel` only."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{channel}-"))
    database_url = f"sqlite:///{workdir}/backends.db"
    seed(database_url)
    redis = start_redis(workdir) if args.workers > 1 or args.tracker_store == "redis" else None
    api = FakeWeChatApi(APP_ID, SECRET).start()
    credentials = {REST_CHANNEL: None, "channels.wechat.WeChatInput": {
        "token": TOKEN, "app_id": APP_ID, "app_secret": SECRET, "encoding_aes_key": AES_KEY,
        "api_base_url": api.base_url, "reply_budget_seconds": BUDGET, "redis_url": redis.url if redis else None}}
    try:
        bot = start_bot(workdir, database_url, credentials, tracker_store=args.tracker_store, workers=args.workers,
                        redis_url=redis.url if redis else None)
    except Exception:
        api.stop()
        if redis:
            redis.stop()
        raise
    http = threading.local()
    platforms = threading.local()

    def wechat(sender: str, text: str) -> Tuple[float, bool]:
        if not hasattr(platforms, "platform"):
            platforms.platform = WeChatPlatform(AccountConfig(f"{bot.url}/webhooks/wechat/webhook", TOKEN, APP_ID,
                                                              encoding_aes_key=AES_KEY, mode="safe"), attempts=1)
        platform = platforms.platform
        xml = MessageFactory(platform.config.account, sender).text(text)
        result = platform.push(xml, sender)
        return result.seconds, result.accepted and result.reply is not None and result.seconds <= BUDGET + 0.5

    def rest(sender: str, text: str) -> Tuple[float, bool]:
        if not hasattr(http, "session"):
            http.session = requests.Session()
        started = time.monotonic()
        answer = http.session.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
        return time.monotonic() - started, answer.status_code == 200 and bool(answer.json())

    try:
        run_load(2, 1, rest, conversation)  # warm-up: model, action server and connections
        run_load(2, 1, wechat, conversation)
        wall, latencies, failures = run_load(args.followers, args.rounds, rest if channel == "rest" else wechat, conversation)
    finally:
        bot.stop()
        api.stop()
        if redis:
            redis.stop()
    return (len(latencies) / wall, percentile(latencies, 0.5), percentile(latencies, 0.95), percentile(latencies, 0.99),
            max(latencies), failures, len(latencies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conversation", choices=sorted(CONVERSATIONS), default="faq")
    parser.add_argument("--tracker-store", choices=("sqlite", "memory", "redis"), default="sqlite",
                        help="memory: Rasa's in-memory tracker store, to separate storage cost from dialogue cost")
    parser.add_argument("--workers", type=int, default=1,
                        help="Rasa worker processes; more than 1 starts a throwaway redis-server for Rasa's lock "
                             "store and the channel's shared stores (the scaled deployment, README)")
    args = parser.parse_args()

    conversation = CONVERSATIONS[args.conversation]
    rows = []
    # Each channel is measured on a freshly started bot (new databases, new processes): measured one after the
    # other on one bot, the second channel's figures depended on what the first had left behind.
    for name, channel in (("REST", "rest"), ("WeChat (safe mode)", "wechat")):
        rows.append((name, *measure(channel, conversation, args)))
    print(f"conversation '{args.conversation}' {conversation}: {args.followers} concurrent followers × {args.rounds} rounds, "
          f"{args.workers} Rasa worker(s), {args.tracker_store} tracker store, passive-reply budget {BUDGET} s\n")
    print("| channel | messages/s | p50 ms | p95 ms | p99 ms | max ms | late or rejected |")
    print("|---|---|---|---|---|---|---|")
    for name, rate, p50, p95, p99, worst, failures, count in rows:
        print(f"| {name} | {rate:.1f} | {p50 * 1000:.0f} | {p95 * 1000:.0f} | {p99 * 1000:.0f} | {worst * 1000:.0f} | {failures}/{count} |")
    print(f"\nWeChat/REST ratio: p50 {rows[1][2] / rows[0][2]:.2f}, p99 {rows[1][4] / rows[0][4]:.2f}, "
          f"throughput {rows[1][1] / rows[0][1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
