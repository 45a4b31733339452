"""`python -m bot wechat-sim api|chat`: run the fake WeChat API, or chat with the bot as a follower."""
from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import yaml

from bot.settings import PROJECT_ROOT

CHANNEL_KEY = "channels.wechat.WeChatInput"


def channel_credentials(path: Path = PROJECT_ROOT / "credentials.yml") -> dict:
    """The WeChat channel's settings with the same env overrides the channel applies."""
    from channels.wechat.settings import settings_from_credentials

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return vars(settings_from_credentials(raw.get(CHANNEL_KEY)))


def add_commands(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser("wechat-sim", help="the local WeChat stand-in (API server, follower chat)")
    sim_commands = sim.add_subparsers(dest="sim_command", required=True)

    api = sim_commands.add_parser("api", help="serve the fake WeChat API (tokens, customer-service messages)")
    api.add_argument("--port", type=int, help="default: the port of api_base_url in credentials.yml")
    api.set_defaults(handler=_api)

    chat = sim_commands.add_parser("chat", help="chat with the bot as a WeChat follower")
    chat.add_argument("--url", default="http://127.0.0.1:5005/webhooks/wechat/webhook")
    chat.add_argument("--mode", choices=("plain", "compat", "safe"), default=None,
                      help="how WeChat sends (default: the bot's configured mode, credentials.yml `mode` or WECHAT_MODE)")
    chat.add_argument("--openid", default=None, help="default: a new random follower")
    chat.add_argument("--script", help="file with one message per line ('-' for stdin): scripted mode")
    chat.add_argument("--settle", type=float, default=6.0, help="scripted mode: seconds to wait for late messages")
    chat.set_defaults(handler=_chat)


def _api(args: argparse.Namespace) -> int:
    from bot.wechat_sim.api import FakeWeChatApi

    settings = channel_credentials()
    port = args.port or urlparse(settings["api_base_url"]).port or 5080
    from bot.outbound.config import load_outbound_settings

    # The account's template messages, as configured for the outbound notices (endpoints.yml `outbound.templates`).
    templates = {spec.template_id: list(spec.fields) for spec in load_outbound_settings().templates.values()}
    api = FakeWeChatApi(settings["app_id"], settings["app_secret"], port=port, templates=templates)
    print(f"wechat-sim: fake WeChat API on {api.base_url}", flush=True)
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _chat(args: argparse.Namespace) -> int:
    from bot.wechat_sim.follower import Follower, run_interactive, run_script
    from bot.wechat_sim.platform import AccountConfig, WeChatPlatform

    settings = channel_credentials()
    mode = args.mode or settings["mode"]
    if mode != "plain" and not settings["encoding_aes_key"]:
        print(f"wechat-sim: {mode} mode needs encoding_aes_key in credentials.yml (or WECHAT_ENCODING_AES_KEY)", file=sys.stderr)
        return 2
    config = AccountConfig(url=args.url, token=settings["token"], app_id=settings["app_id"],
                           encoding_aes_key=settings["encoding_aes_key"], mode=mode)
    platform = WeChatPlatform(config)
    api_root = settings["api_base_url"].split("/cgi-bin")[0]
    follower = Follower(platform, args.openid or f"o-sim-{uuid.uuid4().hex[:12]}", api_root)
    if args.script:
        lines = sys.stdin if args.script == "-" else Path(args.script).read_text(encoding="utf-8").splitlines()
        run_script(follower, lines, settle_seconds=args.settle)
    else:
        print(f"wechat-sim: chatting as {follower.openid} with {args.url} ({mode} mode)")
        run_interactive(follower)
    return 0
