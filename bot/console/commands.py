"""`python -m bot report` and `python -m bot console …`: the operator commands of the console."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from bot import clock

PASSWORD_ENV = "BOT_CONSOLE_PASSWORD"


def _date(value: str) -> date:
    return date.fromisoformat(value)


def report(args: argparse.Namespace) -> int:
    from bot.console.report.daily import DailySummaries
    from bot.console.report.figures import Period, build_report
    from bot.console.report.render import render_report
    from bot.console.settings import load_console_settings

    settings = load_console_settings()
    last = args.to or clock.today()
    first = args.from_ or last - timedelta(days=29)
    if first > last:
        print("error: --from is after --to", file=sys.stderr)
        return 2
    summaries = DailySummaries(settings.database_url, settings.tracker_url)
    refreshed = summaries.refresh()
    html = render_report(build_report(summaries.console, Period(first, last)), inline_charts=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    print(f"report: {first} to {last} written to {out} ({len(refreshed.days)} day(s) summarised anew in {refreshed.seconds:.1f} s)")
    return 0


def console(args: argparse.Namespace) -> int:
    from bot.console.settings import load_console_settings

    settings = load_console_settings()
    if args.action == "user":
        from bot.console.auth.accounts import Accounts, AccountError

        password = os.environ.get(PASSWORD_ENV)
        if not password:
            password = getpass.getpass(f"password for {args.name}: ")
            if password != getpass.getpass("again: "):
                print("error: the two passwords differ", file=sys.stderr)
                return 2
        try:
            Accounts(settings.database_url).add(args.name, args.role, password)
        except AccountError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"console: operator {args.name} ({args.role}) saved")
        return 0
    from bot.console.web.app import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="operations: the service report of a period as one self-contained HTML file")
    parser.add_argument("--from", dest="from_", type=_date, help="first day (China time), default 29 days before --to")
    parser.add_argument("--to", type=_date, help="last day, default today")
    parser.add_argument("--out", default="report.html")
    parser.set_defaults(handler=report)
    served = commands.add_parser("console", help="operations: serve the report and conversation review (login required)")
    served.add_argument("--host", default="127.0.0.1")
    served.add_argument("--port", type=int, default=8088)
    served.set_defaults(handler=console, action="serve")
    actions = served.add_subparsers(dest="action")
    user = actions.add_parser("user", help="operator accounts")
    user_actions = user.add_subparsers(dest="user_action", required=True)
    add = user_actions.add_parser("add", help=f"create or reset an operator (password from a prompt or ${PASSWORD_ENV})")
    add.add_argument("name")
    add.add_argument("--role", choices=("manager", "reviewer"), required=True)
