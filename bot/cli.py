"""`python -m bot …`: operator commands (seed the demo database; more come with later features)."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.settings import load_backend_settings


def _seed(args: argparse.Namespace) -> int:
    from bot.demo.seed import seed

    settings = load_backend_settings()
    print(f"seed: {seed(settings.database_url, reset=args.reset)}")
    return 0


def _sms_inbox(args: argparse.Namespace) -> int:
    from bot.backends.sms import DevInboxSmsGateway

    for item in DevInboxSmsGateway().messages(args.mobile or "")[-args.last:]:
        print(f"{item['at']}  {item['mobile']}  {item['text']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="WeChat customer-service bot: operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="create the back-end tables and the deterministic demo data")
    seed.add_argument("--reset", action="store_true", help="drop all back-end tables first (deletes bindings and tickets)")
    seed.set_defaults(handler=_seed)
    inbox = commands.add_parser("sms-inbox", help="development run: the SMS the bot sent (verification codes)")
    inbox.add_argument("--mobile", help="only this number")
    inbox.add_argument("--last", type=int, default=10)
    inbox.set_defaults(handler=_sms_inbox)
    from bot.wechat_sim.cli import add_commands

    add_commands(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # operators get one clear line, not a traceback
        print(f"error: {args.command} failed: {error}", file=sys.stderr)
        return 1
